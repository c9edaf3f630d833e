/**
 * The HPS RNS tool: BFV multiplication in full RNS with floating-point CRT
 * corrections instead of BEHZ's Montgomery/Shenoy–Kumaresan ones.
 *
 * Halevi, Polyakov, Shoup, "An Improved RNS Variant of the BFV Homomorphic
 * Encryption Scheme", CT-RSA 2019 (HPS), §2.3 (exact base extension with a float
 * estimate of the CRT overflow) and §2.4/§4 (scaling t/Q·x with precomputed
 * fractional parts); the stage split follows OpenFHE's BFVrns `HPS` mode
 * (ExpandCRTBasis, ScaleAndRound into P, SwitchCRTBasis back to Q).
 *
 * Bases (per level, data base Q = {q_0..q_{L−1}}): an auxiliary base
 * P = {p_0..p_{K−1}} of NTT primes with P > 8·t·N·Q, so that
 *   - the tensor d of two centred ciphertexts (|c| ≤ Q/2, |d| ≤ N·Q²/2) fits
 *     Q·P centred, and
 *   - its scaling round(t·d/Q) (|·| ≤ t·N·Q/2 + 1) fits P centred.
 * The factor 8 absorbs the ±Q a float overflow estimate may get wrong at the
 * exact midpoint (probability ≈ L·2^−53 per coefficient, HPS §2.3).
 *
 * Floats. Every float sum below is Σ y_i/q_i with y_i canonical, so its terms
 * are in [0, 1) whatever the prime size: relative error 2^−53 per term, which
 * is why one implementation serves both kernels (the u64 kernel's 61-bit limbs
 * included). The one u32-specific shortcut (`direct`, §ScaleToP) keeps that
 * bound because residues there are below 2^29.
 *
 * The decrypted plaintext never depends on the choice BEHZ/HPS (both compute
 * ⌊t·d/Q⌉ up to ±1 per coefficient, which is noise); only the ciphertext words
 * differ, so `multiplication` is a per-context speed choice (params.ts).
 */
import type { Kernel, Residues } from './math/kernel.js';
import { nttPrimes } from './math/primes.js';
import { RnsBase } from './math/rns.js';
import { bitLength, invMod, mod } from './math/zq.js';

export class HpsTool {
  readonly q: RnsBase;
  readonly p: RnsBase;
  readonly n: number;
  private readonly L: number;
  private readonly K: number;
  /** Q → P: [q̂_i^{-1}]_{q_i}; per p_j the scalars [q̂_i]_{p_j}; [−Q]_{p_j}. */
  private readonly qHatModP: readonly (readonly bigint[])[];
  private readonly negQModP: readonly bigint[];
  /** P → Q likewise. */
  private readonly pHatModQ: readonly (readonly bigint[])[];
  private readonly negPModQ: readonly bigint[];
  /** 1/q_i and 1/p_j as floats. */
  private readonly qRecip: Float64Array;
  private readonly pRecip: Float64Array;
  /**
   * Scaling Q∪P → P (see scaleToP): the source of term i is x_i (direct) or
   * s_i = [x_i·r_i]_{q_i}; `scaleMul[i]` is r_i (generic only); per p_j the
   * integer scalars [ω_i]_{p_j} then [t·Q^{-1}]_{p_j}; `theta[i]` the float factor.
   */
  private readonly direct: boolean;
  private readonly scaleMul: readonly bigint[];
  private readonly scaleInt: readonly (readonly bigint[])[];
  private readonly theta: Float64Array;
  /** Float accumulator (one isolate runs one call at a time). */
  private readonly frac: Float64Array;

  constructor(kernel: Kernel, n: number, q: RnsBase, t: bigint, avoid: readonly bigint[]) {
    this.n = n;
    this.q = q;
    this.L = q.size;
    const Q = q.modulus;
    const bits = kernel.maxPrimeBits;
    // P > 2^(3 + bits(t) + log2 N + bits(Q)); each prime has ≥ bits − 1 bits.
    const need = 3 + bitLength(t) + Math.log2(n) + bitLength(Q);
    const count = Math.ceil((need + 1) / (bits - 1));
    this.p = new RnsBase(kernel, n, nttPrimes({ bits, n, count, exclude: [...avoid, t, ...q.primes] }));
    this.K = this.p.size;
    const P = this.p.modulus;
    this.qHatModP = this.p.primes.map((pj) => q.punctured.map((h) => mod(h, pj)));
    this.negQModP = this.p.primes.map((pj) => mod(-Q, pj));
    this.pHatModQ = q.primes.map((qi) => this.p.punctured.map((h) => mod(h, qi)));
    this.negPModQ = q.primes.map((qi) => mod(-P, qi));
    this.qRecip = Float64Array.from(q.primes, (qi) => 1 / Number(qi));
    this.pRecip = Float64Array.from(this.p.primes, (pj) => 1 / Number(pj));
    // r_i = [t·P·ã_i]_{q_i} with ã_i = [(Q·P/q_i)^{-1}]_{q_i}: t·P·ã_i/q_i = ω_i + r_i/q_i.
    const r = q.primes.map((qi, i) => mod(t * P * invMod(mod(q.punctured[i] * P, qi), qi), qi));
    // Direct: x_i·r_i·(1/q_i) in float has |term| < 2^bits, L·2^bits·2^−53 ≪ 1/2.
    this.direct = bits <= 31;
    this.scaleMul = r;
    this.theta = Float64Array.from(q.primes, (qi, i) => (this.direct ? Number(r[i]) / Number(qi) : 1 / Number(qi)));
    this.scaleInt = this.p.primes.map((pj) => [
      ...q.primes.map((qi, i) => mod(-(this.direct ? r[i] : 1n) * invMod(qi, pj), pj)),
      mod(t * invMod(Q, pj), pj),
    ]);
    this.frac = new Float64Array(n);
  }

  private view(a: Residues, i: number): Residues {
    return a.subarray(i * this.n, (i + 1) * this.n);
  }

  /**
   * Exact base extension (HPS §2.3) from `from` to the other base, centred:
   * the output is x with x ≡ input mod from.modulus and |x| ≤ from.modulus/2.
   * Steps:
   *   1. z_i = [x_i·ĥ_i^{-1}]_{h_i} (ĥ_i the punctured product);
   *   2. v = Σ_i z_i/h_i in float (x = from.modulus·(v − ⌊v⌉) as a real);
   *   3. out_j = Σ_i z_i·[ĥ_i]_{o_j} − ⌊v⌉·[from.modulus]_{o_j}, fused (dotScalarsRounded).
   * `x`: from.size canonical limbs; `out`: to.size limbs; `scratch` ≥ from.size limbs.
   */
  private extend(from: RnsBase, to: RnsBase, recip: Float64Array, hatMod: readonly (readonly bigint[])[], negMod: readonly bigint[], x: Residues, out: Residues, scratch: Residues): void {
    const frac = this.frac;
    frac.fill(0);
    const z: Residues[] = [];
    for (let i = 0; i < from.size; i++) {
      const zi = this.view(scratch, i);
      // Step 1, 2.
      from.ops[i].mulScalar(this.view(x, i), from.puncturedInverse[i], zi);
      from.ops[i].addScaledToFloat(zi, recip[i], frac);
      z.push(zi);
    }
    // Step 3.
    for (let j = 0; j < to.size; j++) to.ops[j].dotScalarsRounded(z, hatMod[j], frac, negMod[j], this.view(out, j));
  }

  /** Q → P exactly (centred). `x`: L limbs; `out`: K limbs; scratch ≥ L limbs. */
  extendToP(x: Residues, out: Residues, scratch: Residues): void {
    this.extend(this.q, this.p, this.qRecip, this.qHatModP, this.negQModP, x, out, scratch);
  }

  /** P → Q exactly (centred). `y`: K limbs; `out`: L limbs; scratch ≥ K limbs. */
  pToQ(y: Residues, out: Residues, scratch: Residues): void {
    this.extend(this.p, this.q, this.pRecip, this.pHatModQ, this.negPModQ, y, out, scratch);
  }

  /**
   * HPS scaling from Q∪P to P: out = ⌊t·x/Q⌉ (±1) mod p_j, for x the centred
   * value of d (|x| < Q·P/2). With M = Q·P, ã_i = [(M/q_i)^{-1}]_{q_i},
   * b̃_j = [(M/p_j)^{-1}]_{p_j}, the CRT gives
   *   t·x/Q ≡ Σ_i x_i·t·P·ã_i/q_i + x_j·b̃_j·t·P/p_j   (mod p_j, exactly as rationals mod p_j·Z),
   * and b̃_j·t·P/p_j ≡ t·Q^{-1} (mod p_j). With t·P·ã_i = ω_i·q_i + r_i:
   * Steps:
   *   1. (generic) s_i = [x_i·r_i]_{q_i}; then x_i·t·P·ã_i/q_i = integer + s_i/q_i with the
   *      integer ≡ −s_i·q_i^{-1} (mod p_j) (x_i·ω_i and x_i·r_i/q_i's integer part cancel);
   *      (direct, u32) s_i = x_i unreduced: the float term is x_i·(r_i/q_i), the integer −r_i·q_i^{-1}·x_i;
   *   2. f = Σ_i s_i·θ_i in float (θ_i = 1/q_i, or r_i/q_i when direct);
   *   3. out_j = Σ_i s_i·[ω'_i]_{p_j} + x_{p_j}·[t·Q^{-1}]_{p_j} + ⌊f⌉ mod p_j (dotScalarsRounded).
   * `d`: (L + K) canonical limbs, data limbs first (coefficient form); `out`: K limbs (may
   * not alias d); scratch ≥ L limbs.
   */
  scaleToP(d: Residues, out: Residues, scratch: Residues): void {
    const { L, K, q } = this;
    const frac = this.frac;
    frac.fill(0);
    const src: Residues[] = [];
    for (let i = 0; i < L; i++) {
      let s = this.view(d, i);
      // Step 1.
      if (!this.direct) {
        const si = this.view(scratch, i);
        q.ops[i].mulScalar(s, this.scaleMul[i], si);
        s = si;
      }
      // Step 2.
      q.ops[i].addScaledToFloat(s, this.theta[i], frac);
      src.push(s);
    }
    // Step 3.
    for (let j = 0; j < K; j++) {
      src[L] = this.view(d, L + j);
      this.p.ops[j].dotScalarsRounded(src, this.scaleInt[j], frac, 1n, this.view(out, j));
    }
  }

  /** Limbs of scratch the tool's methods need at most. */
  get scratchLimbs(): number {
    return Math.max(this.L, this.K);
  }
}
