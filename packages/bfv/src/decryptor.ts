/**
 * Decryptor (FV §3 Decrypt; Halevi–Polyakov–Shoup, CT-RSA 2019, §3.2 for the
 * full-RNS scaling with float64 CRT fractions) and SEAL's invariant noise budget.
 *
 * decrypt: x = c0 + c1·s + c2·s² + … (Horner in NTT form), then m = ⌊t·x/Q⌉ mod t:
 *   1. y_i = [x_i·t·q̂_i^{-1}]_{q_i}, so Σ_i y_i·q̂_i = t·x + k·Q for an integer k;
 *   2. f = Σ_i y_i/q_i in float64 (= t·x/Q + k; its distance to the nearest integer
 *      is the invariant noise |ν| below, so the budget check reads the same sum);
 *   3. m = ⌊f⌉ − k mod t with k ≡ Σ_i y_i·q_i^{-1} (mod t) (t·x ≡ 0): one
 *      dotScalarsRounded mod t. The float error (≈ L·2^-53) can only matter when
 *      |ν| is within it of 1/2, and decrypt refuses every |ν| ≥ 1/4 first.
 *
 * Exhausted budgets are an error, not a silently wrong plaintext. The invariant
 * noise ν = t·x/Q − round(t·x/Q) is estimated per coefficient from the CRT
 * fractions Σ_i [x_i·t·q̂_i^{-1}]_{q_i}/q_i mod 1 in float64 (error ≈ L·2^-52). SEAL
 * reports budget 0 once max|ν| ≥ 1/4; at that point decryption may already be
 * wrong, and once it is, ν is close to uniform so max|ν| over N coefficients is
 * ≥ 1/4 except with probability 2^-N. decrypt throws NOISE_BUDGET_EXHAUSTED then.
 *
 * invariantNoiseBudget (SEAL decryptor.cpp): ⌊log2 Q⌋+1 − bits(‖t·x mod Q‖_∞) − 1
 * bits, computed exactly with bigint CRT (a diagnostic: slower than decrypt).
 * SEAL's formula reaches 0 at ν ≥ 2^(⌊log2 Q⌋−1)/Q, which lies anywhere in
 * (1/4, 1/2] depending on where Q sits between powers of two; we also report 0
 * once ν ≥ 1/4, so that "budget > 0" and "decrypt succeeds" are the same
 * statement for every Q (for Q just below a power of two, as with our presets,
 * nothing changes). Near ν = 1/4 decrypt re-checks exactly in bigint.
 */
import { Plaintext, type Ciphertext } from './ciphertext.js';
import { assertContext, type BfvContext } from './context.js';
import { SecretKey } from './keys.js';
import { QheError, fail } from './math/errors.js';
import { assertCiphertexts } from './operands.js';
import { commonKeyId } from './key-id.js';
import { RnsPoly, mulInto, toCoeff, toNtt, addInto } from './math/poly.js';
import { bitLength, invMod, mod } from './math/zq.js';
import type { Residues } from './math/kernel.js';
import { addScaledPlain } from './plain-lift.js';

export class Decryptor {
  constructor(
    readonly context: BfvContext,
    private readonly secretKey: SecretKey,
  ) {
    assertContext('Decryptor', context);
    if (!(secretKey instanceof SecretKey)) fail('INVALID_ARGUMENT', 'Decryptor', 'a SecretKey', secretKey);
    context.assertSame('Decryptor', secretKey);
  }

  /** x = Σ c_k·s^k over the ciphertext's level base, coefficient form. */
  private dot(fn: string, ct: Ciphertext): RnsPoly {
    const ctx = this.context;
    assertCiphertexts(ctx, fn, [ct]);
    commonKeyId(fn, [
      { keyId: this.secretKey.keyId, what: 'the secret key' },
      { keyId: ct.keyId, what: 'the ciphertext' },
    ]);
    const base = ctx.level(ct.level).base;
    const s = new RnsPoly(base, this.secretKey.ntt.data.subarray(0, base.size * ctx.n), 'ntt');
    // Horner: acc = c_{k−1}; acc = acc·s + c_j.
    const acc = ct.polys[ct.size - 1].clone();
    toNtt(acc);
    for (let k = ct.size - 2; k >= 0; k--) {
      mulInto(acc, s, acc);
      if (k === 0) break;
      const c = toNtt(ct.polys[k].clone());
      addInto(acc, c, acc);
    }
    toCoeff(acc);
    return addInto(acc, ct.polys[0], acc);
  }

  /** Steps 1–2 (header): y into `y` (L limbs), f into `frac`; returns the largest |ν| over the coefficients, in [0, 1/2]. */
  private crtFractions(x: RnsPoly, y: Residues, frac: Float64Array): number {
    const ctx = this.context;
    const base = x.base, n = ctx.n;
    frac.fill(0);
    for (let i = 0; i < base.size; i++) {
      const q = base.primes[i];
      const yi = y.subarray(i * n, (i + 1) * n);
      base.ops[i].mulScalar(x.limb(i), mod(ctx.t * base.puncturedInverse[i], q), yi);
      base.ops[i].addScaledToFloat(yi, 1 / Number(q), frac);
    }
    let worst = 0;
    for (let k = 0; k < frac.length; k++) {
      const f = frac[k] - Math.round(frac[k]);
      const a = Math.abs(f);
      if (a > worst) worst = a;
    }
    return worst;
  }

  decrypt(ct: Ciphertext): Plaintext {
    const ctx = this.context;
    const x = this.dot('Decryptor.decrypt', ct);
    const base = x.base, n = ctx.n;
    const y = ctx.kernel.alloc(base.size * n);
    const frac = new Float64Array(n);
    let nu = this.crtFractions(x, y, frac);
    // The float estimate is good to ≈ L·2^-52; at the boundary, decide exactly.
    if (Math.abs(nu - 0.25) < 1e-9) nu = 4n * this.exactNoiseNorm(x) >= x.base.modulus ? 0.25 : 0.2499;
    if (nu >= 0.25)
      throw new QheError(
        'NOISE_BUDGET_EXHAUSTED',
        `Decryptor.decrypt: expected a ciphertext with noise budget > 0, got invariant noise ${nu.toFixed(3)} ≥ 1/4 (level ${ct.level}, size ${ct.size})`,
      );
    // Step 3.
    const pt = Plaintext.zero(ctx);
    const ys = base.primes.map((_, i) => y.subarray(i * n, (i + 1) * n));
    ctx.plainOps.dotScalarsRounded(ys, base.primes.map((q) => -invMod(q, ctx.t)), frac, 1n, pt.data);
    return pt;
  }

  /** ‖t·x mod Q‖_∞ (centred), exactly; x is not modified. */
  private exactNoiseNorm(x: RnsPoly): bigint {
    const t = this.context.t;
    const base = x.base;
    const y = x.clone();
    for (let i = 0; i < base.size; i++) base.ops[i].mulScalar(y.limb(i), t, y.limb(i));
    let norm = 0n;
    for (const v of base.composeCentered(y.data)) {
      const a = v < 0n ? -v : v;
      if (a > norm) norm = a;
    }
    return norm;
  }

  /**
   * The noise of `ct`, per coefficient: e = [c0 + c1·s + … − round(Q_l·m/t)]_{Q_l},
   * centred in (−Q_l/2, Q_l/2], m its decryption (a diagnostic for the key holder:
   * flooding tests compare these distributions; throws as decrypt does when the
   * budget is exhausted, since m is then unknown).
   */
  noiseCoefficients(ct: Ciphertext): bigint[] {
    const pt = this.decrypt(ct);
    const x = this.dot('Decryptor.noiseCoefficients', ct);
    addScaledPlain(this.context.level(ct.level), pt, this.context.t, x, -1);
    return x.base.composeCentered(x.data);
  }

  /** SEAL's invariant noise budget in bits (≥ 0); 0 exactly when decrypt refuses (see header). */
  invariantNoiseBudget(ct: Ciphertext): number {
    const x = this.dot('Decryptor.invariantNoiseBudget', ct);
    const Q = x.base.modulus;
    const norm = this.exactNoiseNorm(x);
    if (4n * norm >= Q) return 0;
    return Math.max(0, bitLength(Q) - bitLength(norm) - 1);
  }
}
