/**
 * Noise flooding for circuit privacy: the ciphertexts a server returns should
 * tell the key holder the decrypted result and nothing else about the circuit
 * (e.g. a model's weights), whose trace is in the noise (Gentry, STOC 2009, §4;
 * the smudging lemma of Asharov, Jain, López-Alt, Tromer, Vaikuntanathan,
 * Wichs, EUROCRYPT 2012, Lemma 2.1; for BFV, de Castro, Juvekar,
 * Vaikuntanathan, "Fast Vector Oblivious Linear Evaluation …", 2021, §4).
 *
 * Operation. For ct = (c0, c1) at level l with c0 + c1·s = Δ_l·m + e (mod Q_l)
 * and ‖e‖∞ ≤ B_e:
 *   1. re-randomize: ct ← ct + Enc_pk(0), a fresh public-key encryption of zero
 *      at level l (Encryptor.encryptZero); c1 becomes c1 + (a·u + e1), an RLWE
 *      sample in the fresh ternary u, so c1 is pseudorandom given c1's old value
 *      (computational, RLWE), and the added noise e_pk does not depend on the
 *      circuit;
 *   2. flood: c0 ← c0 + E, every coefficient of E independent and uniform on
 *      [−W/2, W/2) with W = 2^w a power of two (exact sampling: w random bits).
 * The key holder then sees c0 + c1·s = Δ·m + e + e_pk + E.
 *
 * Bound (smudging). For a fixed integer x with |x| ≤ B_e, the statistical
 * distance between E_k and E_k + x is |x|/W. Over the m = N·k coefficients of k
 * ciphertexts (independent E_k, a hybrid over coordinates),
 *   SD(e + E, e' + E) ≤ Σ |e_k − e'_k| / W ≤ m · 2·B_e / W
 * for the noises e, e' of two circuits (e.g. two models that differ only in
 * weights) with ‖e‖∞, ‖e'‖∞ ≤ B_e. `floodingWidthBits` takes the smallest w with
 *   2^w ≥ 2^λ · m · 2·B_e,     so    SD ≤ 2^−λ,
 * λ the statistical security parameter (default 40). The flooded noise is at most
 * W/2 + B_e + ‖e_pk‖ < 2^w, so flooding costs ≈ λ + log2(m) + 2 bits of
 * invariant noise budget over B_e: `floodingReserveBits` is what a planner must
 * keep at the end of the circuit, on top of its own margin. B_e must be a real
 * bound, not an estimate: callers derive it from a planned budget minus its
 * safety margin (`noiseBoundForBudget`). Ciphertexts must have size 2
 * (relinearized): c2·s² would carry circuit noise E cannot reach in the same way.
 */
import { Ciphertext } from './ciphertext.js';
import { assertContext, type BfvContext } from './context.js';
import { Encryptor } from './encryptor.js';
import type { PublicKey } from './keys.js';
import { fail } from './math/errors.js';
import type { Residues } from './math/kernel.js';
import type { RnsBase } from './math/rns.js';
import { systemRandom, type RandomSource } from './math/sampling.js';
import { bitLength, mod } from './math/zq.js';
import { assertCiphertexts } from './operands.js';
import { commonKeyId } from './key-id.js';

/** Default statistical security parameter λ (bits). */
export const DEFAULT_FLOODING_SECURITY = 40;

export interface FloodingOptions {
  /** B_e: an upper bound on ‖e‖∞ of every flooded ciphertext's noise, in units of R_Q (see header). */
  readonly noiseBound: bigint;
  /** λ: the returned set of ciphertexts is within statistical distance 2^−λ of one flooded from any other noise ≤ B_e. Default 40. */
  readonly statisticalSecurity?: number;
  /** k: how many ciphertexts this flooding covers together (the union bound over N·k coefficients). Default 1. */
  readonly ciphertexts?: number;
}

function securityOf(fn: string, lambda: number | undefined): number {
  const l = lambda ?? DEFAULT_FLOODING_SECURITY;
  if (!Number.isInteger(l) || l < 1 || l > 256) fail('INVALID_ARGUMENT', fn, 'a statistical security parameter λ, an integer in [1, 256]', lambda);
  return l;
}

function countOf(fn: string, k: number | undefined): number {
  const c = k ?? 1;
  if (!Number.isSafeInteger(c) || c < 1) fail('INVALID_ARGUMENT', fn, 'a ciphertext count ≥ 1', k);
  return c;
}

function degreeOf(fn: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) fail('INVALID_ARGUMENT', fn, 'a ring degree N ≥ 1', n);
  return n;
}

/** w = ⌈log2(2^λ · N·k · 2·B_e)⌉: the flooding width 2^w of the header's bound. */
export function floodingWidthBits(n: number, options: FloodingOptions): number {
  const fn = 'floodingWidthBits';
  degreeOf(fn, n);
  if (typeof options?.noiseBound !== 'bigint' || options.noiseBound < 1n) fail('INVALID_ARGUMENT', fn, 'a noise bound B_e ≥ 1 (bigint)', options?.noiseBound);
  const lambda = securityOf(fn, options.statisticalSecurity);
  const m = BigInt(n) * BigInt(countOf(fn, options.ciphertexts));
  const target = (2n * m * options.noiseBound) << BigInt(lambda);
  // Smallest w with 2^w ≥ target.
  return bitLength(target - 1n);
}

/**
 * Noise budget bits flooding consumes for k ciphertexts of degree N at security λ:
 * λ + ⌈log2(N·k)⌉ + 5. A circuit that ends with budget ≥ margin + this reserve still
 * decrypts after flooding with B_e taken at the margin (`noiseBoundForBudget`):
 *   1. b = ⌊budget − margin⌋ ≥ λ + ⌈log2(N·k)⌉ + 4 (the floor loses < 1 bit);
 *   2. B_e ≤ 2·Q/(t·2^b) + 2, so log2(2·N·k·B_e) + λ ≲ log2(Q/t) − 2;
 *   3. w, its ceiling, is ≤ log2(Q/t) − 1 (< 1 bit more), hence w ≤ ⌊log2(Q/t)⌋ − 1 <
 *      bitLength(Q) − bitLength(t), the width `flood` accepts; the flooded noise
 *      W/2 + B_e + e_pk < 2^w < Q/(2t) decrypts.
 * (Measured: with + 3, two of the four channels of the default model's single plan
 * landed exactly on the limit.)
 */
export function floodingReserveBits(n: number, ciphertexts: number, statisticalSecurity: number = DEFAULT_FLOODING_SECURITY): number {
  const fn = 'floodingReserveBits';
  degreeOf(fn, n);
  const lambda = securityOf(fn, statisticalSecurity);
  const k = countOf(fn, ciphertexts);
  return lambda + Math.ceil(Math.log2(n * k)) + 5;
}

/**
 * B_e for a ciphertext at `level` whose invariant noise budget is at least
 * `budgetBits` (SEAL's definition, Decryptor.invariantNoiseBudget): budget b means
 * ‖t·(c0 + c1·s) mod Q‖ < 2^(⌊log2 Q⌋ + 1 − b), hence ‖e‖∞ < 2·Q/(t·2^b) + 1.
 */
export function noiseBoundForBudget(context: BfvContext, level: number, budgetBits: number): bigint {
  const fn = 'noiseBoundForBudget';
  assertContext(fn, context);
  if (typeof budgetBits !== 'number' || !Number.isFinite(budgetBits) || budgetBits < 0 || budgetBits > 65536) fail('INVALID_ARGUMENT', fn, 'a budget in [0, 65536] bits', budgetBits);
  const Q = context.level(level).base.modulus;
  const b = BigInt(Math.floor(budgetBits));
  return (2n * Q) / (context.t << b) + 2n;
}

/** Re-randomizes and floods ciphertexts with one public key (see the header). */
export class NoiseFlooder {
  private readonly encryptor: Encryptor;
  private readonly rng: RandomSource;

  constructor(
    readonly context: BfvContext,
    private readonly publicKey: PublicKey,
    rng?: RandomSource,
  ) {
    this.encryptor = new Encryptor(context, { publicKey }, rng);
    this.rng = rng ?? systemRandom();
  }

  /** ct + Enc_pk(0) + (E, 0) as a new ciphertext (ct is not modified). */
  flood(ct: Ciphertext, options: FloodingOptions): Ciphertext {
    return this.floodInto(ct, options, Ciphertext.empty(this.context, ct.level, 2));
  }

  /** ct + Enc_pk(0) + (E, 0) into `out` (may be ct). */
  floodInto(ct: Ciphertext, options: FloodingOptions, out: Ciphertext): Ciphertext {
    const fn = 'NoiseFlooder.flood';
    assertCiphertexts(this.context, fn, [ct]);
    if (!(out instanceof Ciphertext)) fail('INVALID_ARGUMENT', fn, 'an output Ciphertext', out);
    this.context.assertSame(fn, out);
    const keyId = commonKeyId(fn, [
      { keyId: ct.keyId, what: 'the ciphertext' },
      { keyId: this.publicKey.keyId, what: 'the public key' },
    ]);
    if (ct.size !== 2) fail('CIPHERTEXT_SIZE', fn, 'a relinearized ciphertext of size 2', ct.size);
    const w = floodingWidthBits(this.context.n, options);
    const level = this.context.level(ct.level);
    if (w >= bitLength(level.base.modulus) - bitLength(this.context.t))
      fail('NOISE_BUDGET_EXHAUSTED', fn, `a flooding width 2^${w} below Q/t at level ${ct.level} (2^${bitLength(level.base.modulus) - bitLength(this.context.t)})`, `noise bound ${options.noiseBound}n`);
    const zero = this.encryptor.encryptZero(ct.level);
    const base = level.base;
    const src0 = ct.polys[0], src1 = ct.polys[1];
    out.reshape(ct.level, 2);
    out.keyId = keyId;
    const e = this.sampleFlood(w, base);
    for (let i = 0; i < base.size; i++) {
      const op = base.ops[i];
      op.add(src0.limb(i), zero.polys[0].limb(i), out.polys[0].limb(i));
      op.add(out.polys[0].limb(i), e.subarray(i * base.n, (i + 1) * base.n), out.polys[0].limb(i));
      op.add(src1.limb(i), zero.polys[1].limb(i), out.polys[1].limb(i));
    }
    return out;
  }

  /**
   * E over the level base (limb i at [i·N, (i+1)·N)): per coefficient w uniform
   * bits r = Σ_j r_j·2^(32j) (32-bit words, the top one masked), then r − 2^(w−1),
   * reduced into each limb as Σ_j (r_j mod q)·(2^(32j) mod q) − 2^(w−1) mod q.
   */
  private sampleFlood(w: number, base: RnsBase): Residues {
    const n = this.context.n;
    const words = Math.ceil(w / 32);
    const topBits = w - 32 * (words - 1);
    const topMask = topBits === 32 ? 0xffffffff : 2 ** topBits - 1;
    const draws: Float64Array[] = [];
    for (let j = 0; j < words; j++) {
      const d = new Float64Array(n);
      for (let k = 0; k < n; k++) d[k] = j === words - 1 ? (this.rng.nextUint32() & topMask) >>> 0 : this.rng.nextUint32();
      draws.push(d);
    }
    const out = this.context.kernel.alloc(base.size * n);
    const tmp = this.context.kernel.alloc(n);
    const half = 1n << BigInt(w - 1);
    for (let i = 0; i < base.size; i++) {
      const op = base.ops[i];
      const limb = out.subarray(i * n, (i + 1) * n);
      for (let j = 0; j < draws.length; j++) {
        op.fromNumbers(draws[j], tmp);
        op.mulScalarAcc(tmp, mod(1n << BigInt(32 * j), op.q), limb);
      }
      op.addScalar(limb, mod(-half, op.q), limb);
    }
    return out;
  }
}
