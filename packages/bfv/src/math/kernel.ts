/**
 * The kernel interface: arithmetic on whole residue vectors (one RNS limb, N
 * coefficients modulo one prime q). The scheme is written once against this
 * interface and runs on both kernels:
 *
 * - `u64` (kernel-u64.ts): BigUint64Array, Barrett reduction, primes ≤ 61 bits.
 *   The readable reference, close to SEAL's util/uintarithsmallmod.
 * - `u32` (kernel-u32.ts): Int32Array, primes < 2^29, Shoup products with float64
 *   quotient estimates and Harvey's lazy butterflies. The fast default.
 *
 * Ranges. Unless a method says otherwise, inputs are canonical residues in [0, q)
 * and outputs are canonical. Methods named `…Lazy` state their wider output range.
 * Array arguments may alias (out === a is allowed) unless stated.
 *
 * NTT convention (SEAL, Longa–Naehrig 2016): the forward transform takes
 * coefficient order to bit-reversed evaluation order at the odd powers of ψ, the
 * minimal primitive 2N-th root of unity; the inverse takes it back and includes
 * the factor N^{-1}. Pointwise products in that domain are negacyclic products.
 */

export type KernelName = 'u32' | 'u64';

/** Storage of residues: one element per coefficient. */
export type Residues = Int32Array | BigUint64Array;

export interface Kernel {
  readonly name: KernelName;
  /** Largest prime size in bits this kernel accepts (see limits.ts). */
  readonly maxPrimeBits: number;
  /** Zeroed storage for `length` residues; `shared` puts it in a SharedArrayBuffer. */
  alloc(length: number, shared?: boolean): Residues;
  /** Whether `array` is this kernel's storage type. */
  owns(array: unknown): array is Residues;
  /**
   * dst[0, src.length) = src, for any values (residues of any modulus of this kernel).
   * Both arrays are this kernel's storage and dst.length ≥ src.length; they may be
   * views of one buffer (the copy is as if through a temporary).
   */
  copy(src: Residues, dst: Residues): void;
  /** a[k] = 0 for every k. */
  zero(a: Residues): void;
  /**
   * Per-prime operations for ring degree n, with all constants and NTT tables
   * precomputed. Throws unless q is an NTT-friendly prime within `maxPrimeBits`.
   * With `{ ntt: false }`, q may be any integer in [2, 2^maxPrimeBits) (e.g. a
   * plain modulus t that is not ≡ 1 mod 2N); the NTT methods then throw.
   * Results are cached per (q, n, ntt).
   */
  modulus(q: bigint, n: number, options?: ModulusOptions): PrimeOps;
}

export interface ModulusOptions {
  /** Build NTT tables (requires an NTT-friendly prime). Default true. */
  readonly ntt?: boolean;
}

/** Arithmetic modulo one prime q on vectors of length n (one RNS limb). */
export interface PrimeOps {
  readonly kernel: KernelName;
  readonly q: bigint;
  readonly n: number;
  readonly bits: number;
  /** Whether the NTT methods are available (q ≡ 1 mod 2n prime, tables built). */
  readonly hasNtt: boolean;

  /** out = a + b mod q. */
  add(a: Residues, b: Residues, out: Residues): void;
  /** out = a − b mod q. */
  sub(a: Residues, b: Residues, out: Residues): void;
  /** out = −a mod q. */
  negate(a: Residues, out: Residues): void;
  /** out = a · b mod q (pointwise). */
  mul(a: Residues, b: Residues, out: Residues): void;
  /** acc = acc + a · b mod q (pointwise). acc canonical in and out. */
  mulAcc(a: Residues, b: Residues, acc: Residues): void;
  /**
   * acc = acc + Σ_i xs[i] ⊙ ys[i] mod q: a pointwise inner product of two lists of
   * vectors (key switching: digits × key polynomials), reduced once per coefficient
   * instead of once per term. All inputs canonical, acc canonical in and out; the
   * lists have equal length ≥ 1 (at most 2^20 terms); acc must not alias any input.
   */
  mulSumAcc(xs: readonly Residues[], ys: readonly Residues[], acc: Residues): void;
  /** out = a · s mod q for a scalar s (any bigint, reduced once). */
  mulScalar(a: Residues, s: bigint, out: Residues): void;
  /** acc = acc + a · s mod q. */
  mulScalarAcc(a: Residues, s: bigint, acc: Residues): void;
  /**
   * out = x · s mod q where x may be any residue of another modulus of this
   * kernel: x in [0, 2^maxPrimeBits). Used by RNS base conversion.
   */
  mulScalarForeign(x: Residues, s: bigint, out: Residues): void;
  /** acc = acc + x · s mod q, x in [0, 2^maxPrimeBits) as in mulScalarForeign. */
  mulScalarForeignAcc(x: Residues, s: bigint, acc: Residues): void;
  /**
   * out = (a − [b]_q + c)·s mod q, fused in one pass: a canonical, b in
   * [0, 2^maxPrimeBits) (a residue of another modulus of this kernel), c and s any
   * bigints. The inner step of modulus switching and ModDown.
   */
  subMulScalar(a: Residues, b: Residues, c: bigint, s: bigint, out: Residues): void;
  /**
   * out = Σ_i xs[i]·scalars[i] mod q in one sweep (RNS base conversion's inner
   * product). Each xs[i] may be a residue vector of another modulus of this kernel
   * (values in [0, 2^maxPrimeBits)); `out` must not alias any xs[i].
   */
  dotScalars(xs: readonly Residues[], scalars: readonly bigint[], out: Residues): void;
  /**
   * out = Σ_i xs[i]·scalars[i] + round(values[k])·scale mod q: `dotScalars` plus an
   * integer correction that arrives as a float64 (HPS's rounded CRT fractions, hps.ts),
   * fused into the same sweep. xs as in dotScalars; values[k] any finite float with
   * |round(values[k])|·[scale]_q < 2^52 (so the product is exact in float64); ties
   * round up (Math.round).
   */
  dotScalarsRounded(xs: readonly Residues[], scalars: readonly bigint[], values: Float64Array, scale: bigint, out: Residues): void;
  /** out = a + s mod q for a scalar s (any bigint). */
  addScalar(a: Residues, s: bigint, out: Residues): void;

  /**
   * out = a(X^g) mod (X^n + 1) in coefficient form, for odd g in [1, 2n):
   * coefficient k moves to k·g mod 2n, negated when that index is ≥ n.
   * `out` must not alias `a`.
   */
  automorphism(a: Residues, galoisElt: number, out: Residues): void;

  /** In-place forward negacyclic NTT: [0, q) → [0, q), bit-reversed output. */
  forwardNtt(a: Residues): void;
  /** In-place forward NTT without the final correction: [0, q) → [0, 4q). */
  forwardNttLazy(a: Residues): void;
  /** In-place inverse negacyclic NTT incl. N^{-1}: [0, q) bit-reversed → [0, q). */
  inverseNtt(a: Residues): void;
  /** In-place inverse NTT without the final correction: [0, 2q) → [0, 2q). */
  inverseNttLazy(a: Residues): void;
  /** In place, values in [0, bound·q) → [0, q); bound ∈ {2, 4}. */
  reduceFromLazy(a: Residues, bound: 2 | 4): void;

  /** out[i] = x[i] mod q for arbitrary bigints (negative allowed). */
  fromBigInts(x: ArrayLike<bigint>, out: Residues): void;
  /** out[i] = x[i] mod q for safe integers (negative allowed). */
  fromNumbers(x: ArrayLike<number>, out: Residues): void;
  /** The residues as bigints in [0, q). */
  toBigInts(a: Residues): bigint[];
  /**
   * acc[k] += a[k] · scale in float64, for CRT fractions Σ y_i / q_i (HPS-style
   * estimates); a canonical. Relative error 2^-53 per term on both kernels.
   */
  addScaledToFloat(a: Residues, scale: number, acc: Float64Array): void;
}
