/**
 * Residue number system bases: CRT decomposition/composition against bigint and
 * the fast base conversion of Bajard, Eynard, Hasan, Zucca, "A Full RNS Variant
 * of FV like Somewhat Homomorphic Encryption Schemes", SAC 2016, §2.2:
 *
 *   FastBconv(x, q, p)_j = Σ_i [x_i · q̂_i^{-1}]_{q_i} · q̂_i  mod p_j,   q̂_i = q / q_i,
 *
 * which returns x + α·q for some integer 0 ≤ α < |q| (no correction); callers that
 * need the exact value remove α (BEHZ's smMrq, fastBconvSk, see scheme/behz.ts).
 */
import { fail } from './errors.js';
import type { Kernel, ModulusOptions, PrimeOps, Residues } from './kernel.js';
import { invMod, mod, product } from './zq.js';

export class RnsBase {
  readonly primes: readonly bigint[];
  readonly ops: readonly PrimeOps[];
  /** Q = ∏ q_i. */
  readonly modulus: bigint;
  /** q̂_i = Q / q_i. */
  readonly punctured: readonly bigint[];
  /** [q̂_i^{-1}]_{q_i}. */
  readonly puncturedInverse: readonly bigint[];

  constructor(
    readonly kernel: Kernel,
    readonly n: number,
    primes: readonly bigint[],
    options: ModulusOptions = {},
  ) {
    if (primes.length === 0) fail('INVALID_ARGUMENT', 'RnsBase', 'at least one prime', primes);
    if (new Set(primes).size !== primes.length) fail('DUPLICATE_PRIME', 'RnsBase', 'distinct primes', primes);
    this.primes = Object.freeze([...primes]);
    this.ops = Object.freeze(primes.map((q) => kernel.modulus(q, n, options)));
    this.modulus = product(primes);
    this.punctured = Object.freeze(primes.map((q) => this.modulus / q));
    this.puncturedInverse = Object.freeze(primes.map((q, i) => invMod(this.punctured[i], q)));
  }

  get size(): number {
    return this.primes.length;
  }

  /** Same kernel, degree and primes in the same order. */
  equals(other: RnsBase): boolean {
    return (
      this === other ||
      (this.kernel === other.kernel &&
        this.n === other.n &&
        this.primes.length === other.primes.length &&
        this.primes.every((q, i) => q === other.primes[i]))
    );
  }

  /** The sub-base of the first `count` primes. */
  prefix(count: number): RnsBase {
    return new RnsBase(this.kernel, this.n, this.primes.slice(0, count));
  }

  /** Writes x mod q_i into limb i of `out` (layout: limb i at [i·n, (i+1)·n)). Any bigints. */
  decompose(values: ArrayLike<bigint>, out: Residues): void {
    for (let i = 0; i < this.size; i++) this.ops[i].fromBigInts(values, out.subarray(i * this.n, (i + 1) * this.n));
  }

  /** CRT: the unique x in [0, Q) with x ≡ limb_i (mod q_i), per coefficient. */
  compose(data: Residues): bigint[] {
    const n = this.n;
    const limbs = this.ops.map((op, i) => op.toBigInts(data.subarray(i * n, (i + 1) * n)));
    const out = new Array<bigint>(n);
    const factors = this.primes.map((q, i) => this.punctured[i] * this.puncturedInverse[i]);
    for (let k = 0; k < n; k++) {
      let x = 0n;
      for (let i = 0; i < this.size; i++) x += limbs[i][k] * factors[i];
      out[k] = x % this.modulus;
    }
    return out;
  }

  /** CRT into the centred range (−Q/2, Q/2]. */
  composeCentered(data: Residues): bigint[] {
    const half = this.modulus >> 1n;
    return this.compose(data).map((x) => (x > half ? x - this.modulus : x));
  }
}

/**
 * BEHZ FastBconv from base `from` to base `to`, with the constants precomputed.
 * Contract: input limbs canonical in their primes; output limbs canonical; the
 * result is x + α·Q_from (mod p_j) with 0 ≤ α < from.size.
 */
export class BaseConverter {
  /** [q̂_i mod p_j] for output j, input i. */
  private readonly puncturedModTo: readonly (readonly bigint[])[];

  constructor(
    readonly from: RnsBase,
    readonly to: RnsBase,
  ) {
    if (from.kernel !== to.kernel || from.n !== to.n)
      fail('KERNEL_MISMATCH', 'BaseConverter', `bases of one kernel and degree (${from.kernel.name}, N=${from.n})`, `${to.kernel.name}, N=${to.n}`);
    this.puncturedModTo = to.primes.map((p) => from.punctured.map((qh) => mod(qh, p)));
  }

  /**
   * Steps: 1. y_i = [x_i · q̂_i^{-1}]_{q_i} into `scratch` (from.size limbs);
   *        2. out_j = Σ_i y_i · [q̂_i]_{p_j} mod p_j.
   * `input` holds from.size limbs, `out` to.size limbs, `scratch` from.size limbs.
   */
  convert(input: Residues, out: Residues, scratch: Residues): void {
    const n = this.from.n;
    const from = this.from;
    // Step 1.
    for (let i = 0; i < from.size; i++)
      from.ops[i].mulScalar(input.subarray(i * n, (i + 1) * n), from.puncturedInverse[i], scratch.subarray(i * n, (i + 1) * n));
    this.accumulate(scratch, out);
  }

  /** Step 2 of `convert` alone, for callers that already hold y_i (BEHZ folds factors into step 1). */
  accumulate(y: Residues, out: Residues): void {
    const n = this.from.n;
    const { from, to } = this;
    const limbs = Array.from({ length: from.size }, (_, i) => y.subarray(i * n, (i + 1) * n));
    for (let j = 0; j < to.size; j++) to.ops[j].dotScalars(limbs, this.puncturedModTo[j], out.subarray(j * n, (j + 1) * n));
  }
}
