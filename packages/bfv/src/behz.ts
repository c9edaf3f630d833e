/**
 * The BEHZ RNS tool: full-RNS BFV multiplication without any multiprecision
 * arithmetic (multiplication: 'behz'; hps.ts is the other variant).
 *
 * Bajard, Eynard, Hasan, Zucca, "A Full RNS Variant of FV like Somewhat
 * Homomorphic Encryption Schemes", SAC 2016 (BEHZ); step numbers follow SEAL's
 * RNSTool (rns.cpp), which implements the same paper.
 *
 * BEHZ is integer-only: every step below is a sequence of limb-vector kernel
 * operations, and its noise matches SEAL's. HPS (Halevi, Polyakov, Shoup, CT-RSA
 * 2019, hps.ts) replaces the corrections with float64 CRT fractions; it only ever
 * sums terms y_i/q_i in [0, 1), so it too serves both kernels (61-bit limbs
 * included), and it measured faster (README), hence the default.
 *
 * Bases (per level, for data base q = {q_0..q_{L-1}}):
 *   B = {b_0..b_{k-1}}, m_sk, Bsk = B ∪ {m_sk}, m̃ (Montgomery helper). (Decryption's
 *   scaling is HPS's float one, decryptor.ts, so BEHZ's γ helper is not needed.)
 * Size condition (SEAL): K·N·t·q² < q·|B|·m_sk with 32 bits reserved for K·N, i.e.
 *   bits(B·m_sk) > 32 + bits(t) + bits(q).
 *
 * "Centred" values: where BEHZ needs a residue r of a small modulus m lifted to
 * the centred range [−⌊m/2⌋, m − ⌊m/2⌋), we shift instead of branching:
 * r' = r + ⌊m/2⌋ mod m is in [0, m) and r_c = r' − ⌊m/2⌋, so any linear use
 * c·r_c becomes c·r' − c·⌊m/2⌋ (a foreign multiply-accumulate plus a constant).
 */
import type { Kernel, PrimeOps, Residues } from './math/kernel.js';
import { nttPrimes } from './math/primes.js';
import { BaseConverter, RnsBase } from './math/rns.js';
import { bitLength, invMod, mod, product } from './math/zq.js';

export class BehzTool {
  readonly q: RnsBase;
  readonly bsk: RnsBase;
  readonly n: number;
  private readonly kernel: Kernel;
  /** Sizes. */
  private readonly L: number;
  private readonly K: number; // |Bsk|
  private readonly mTildeOps: PrimeOps;
  private readonly mSkOps: PrimeOps;
  private readonly B: RnsBase;
  /** q → Bsk ∪ {m̃} (accumulate only, step-1 factors are folded per use). */
  private readonly qToBskMt: BaseConverter;
  private readonly qToBsk: BaseConverter;
  private readonly bToQ: BaseConverter;
  private readonly bToMsk: BaseConverter;
  // Constants (bigints, reduced per use by the kernel's scalar ops).
  private readonly mTilde: bigint;
  private readonly mSk: bigint;
  private readonly t: bigint;
  private readonly Q: bigint;
  private readonly Bprod: bigint;

  constructor(kernel: Kernel, n: number, q: RnsBase, t: bigint, avoid: readonly bigint[]) {
    this.kernel = kernel;
    this.n = n;
    this.q = q;
    this.t = t;
    this.L = q.size;
    this.Q = q.modulus;
    const bits = kernel.maxPrimeBits;
    // B·m_sk must exceed 2^(32 + bits(t) + bits(Q)); each prime has ≥ bits−1 bits.
    const need = 32 + bitLength(t) + bitLength(this.Q);
    const bskCount = Math.ceil((need + 1) / (bits - 1));
    const extra = nttPrimes({ bits, n, count: bskCount + 1, exclude: [...avoid, t, ...q.primes] });
    const bPrimes = extra.slice(0, bskCount - 1);
    this.mSk = extra[bskCount - 1];
    this.mTilde = extra[bskCount];
    this.B = new RnsBase(kernel, n, bPrimes);
    this.bsk = new RnsBase(kernel, n, [...bPrimes, this.mSk]);
    this.K = this.bsk.size;
    this.Bprod = product(bPrimes);
    const bskMt = new RnsBase(kernel, n, [...bPrimes, this.mSk, this.mTilde]);
    this.qToBskMt = new BaseConverter(q, bskMt);
    this.qToBsk = new BaseConverter(q, this.bsk);
    this.bToQ = new BaseConverter(this.B, q);
    this.bToMsk = new BaseConverter(this.B, new RnsBase(kernel, n, [this.mSk]));
    this.mTildeOps = bskMt.ops[this.K];
    this.mSkOps = this.bsk.ops[this.K - 1];
  }

  private view(a: Residues, i: number): Residues {
    return a.subarray(i * this.n, (i + 1) * this.n);
  }

  /**
   * Extend x from base q to Bsk: BEHZ FastBconv with the Montgomery factor m̃
   * followed by SmMRq, giving x + u·q with u ∈ {−1, 0, 1} (Lemma 4 / SEAL
   * fastbconv_m_tilde + sm_mrq).
   * Steps:
   *   1. y_i = x_i · [m̃·q̂_i^{-1}]_{q_i};
   *   2. (Bsk ∪ m̃) ← Σ y_i·q̂_i  (= m̃·x + α·q);
   *   3. r = −(value mod m̃)·q^{-1} mod m̃, shifted r' = r + ⌊m̃/2⌋;
   *   4. out_b = (value_b + q·r_c)·m̃^{-1} mod b for every b in Bsk.
   * `x`: L limbs canonical; `out`: K limbs. `scratch`: ≥ (L + K + 1) limbs.
   */
  extendToBsk(x: Residues, out: Residues, scratch: Residues): void {
    const { n, L, K, q } = this;
    const y = scratch.subarray(0, L * n);
    const wide = scratch.subarray(L * n, (L + K + 1) * n);
    // Step 1.
    for (let i = 0; i < L; i++) q.ops[i].mulScalar(this.view(x, i), mod(this.mTilde * q.puncturedInverse[i], q.primes[i]), this.view(y, i));
    // Step 2.
    this.qToBskMt.accumulate(y, wide);
    // Step 3.
    const r = this.view(wide, K);
    const half = this.mTilde >> 1n;
    this.mTildeOps.mulScalar(r, mod(-invMod(this.Q, this.mTilde), this.mTilde), r);
    this.mTildeOps.addScalar(r, half, r);
    // Step 4.
    for (let j = 0; j < K; j++) {
      const b = this.bsk.primes[j], ops = this.bsk.ops[j], o = this.view(out, j);
      const mInv = invMod(this.mTilde, b);
      ops.mulScalar(this.view(wide, j), mInv, o);
      ops.mulScalarForeignAcc(r, mod(this.Q * mInv, b), o);
      ops.addScalar(o, mod(-this.Q * half * mInv, b), o);
    }
  }

  /**
   * BEHZ fast floor of t·x/q (SEAL: multiply by t, then fast_floor): from x in
   * q ∪ Bsk (coefficient form) to ⌊t·x/q⌉ + small error, in Bsk.
   * Steps:
   *   1. y_i = x_i·[t·q̂_i^{-1}]_{q_i};  2. c = Σ y_i q̂_i in Bsk (≡ t·x + α q);
   *   3. out_b = (t·x_b − c_b)·q^{-1} mod b.
   * `xq`: L limbs, `xBsk`: K limbs, `out`: K limbs (may alias xBsk), scratch ≥ L + K limbs.
   */
  fastFloor(xq: Residues, xBsk: Residues, out: Residues, scratch: Residues): void {
    const { n, L, K, q } = this;
    const y = scratch.subarray(0, L * n);
    const c = scratch.subarray(L * n, (L + K) * n);
    for (let i = 0; i < L; i++) q.ops[i].mulScalar(this.view(xq, i), mod(this.t * q.puncturedInverse[i], q.primes[i]), this.view(y, i));
    this.qToBsk.accumulate(y, c);
    for (let j = 0; j < K; j++) {
      const b = this.bsk.primes[j], ops = this.bsk.ops[j];
      const qInv = invMod(this.Q, b);
      const o = this.view(out, j);
      const cj = this.view(c, j);
      ops.mulScalar(cj, b - qInv, cj);
      ops.mulScalar(this.view(xBsk, j), mod(this.t * qInv, b), o);
      ops.add(o, cj, o);
    }
  }

  /**
   * Shenoy–Kumaresan exact conversion from Bsk to q (BEHZ FastBconvSk).
   * Steps:
   *   1. z = FastBconv(x_B, B → q) and z_sk = FastBconv(x_B, B → m_sk);
   *   2. α = (z_sk − x_{m_sk})·B^{-1} mod m_sk, shifted α' = α + ⌊m_sk/2⌋;
   *   3. out_i = z_i − B·α_c mod q_i.
   * `x`: K limbs; `out`: L limbs; scratch ≥ K + 1 limbs.
   */
  fastBconvSk(x: Residues, out: Residues, scratch: Residues): void {
    const { n, L, K, q } = this;
    const xB = x.subarray(0, (K - 1) * n);
    const y = scratch.subarray(0, (K - 1) * n);
    const alpha = scratch.subarray((K - 1) * n, K * n);
    // Step 1.
    this.bToQ.convert(xB, out, y);
    this.bToMsk.accumulate(y, alpha);
    // Step 2.
    const half = this.mSk >> 1n;
    this.mSkOps.sub(alpha, this.view(x, K - 1), alpha);
    this.mSkOps.mulScalar(alpha, invMod(this.Bprod, this.mSk), alpha);
    this.mSkOps.addScalar(alpha, half, alpha);
    // Step 3.
    for (let i = 0; i < L; i++) {
      const qi = q.primes[i], ops = q.ops[i], o = this.view(out, i);
      ops.mulScalarForeignAcc(alpha, mod(-this.Bprod, qi), o);
      ops.addScalar(o, mod(this.Bprod * half, qi), o);
    }
  }

  /** Limbs of scratch the tool's methods need at most. */
  get scratchLimbs(): number {
    return this.L + this.K + 1;
  }
}
