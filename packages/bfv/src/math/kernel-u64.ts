/**
 * Kernel `u64`: the readable reference. Residues in BigUint64Array, primes of at
 * most 61 bits (limits.ts). Written after Microsoft SEAL so that every routine
 * can be read side by side with its C++ original:
 *
 * - SEAL native/src/seal/modulus.cpp: `Modulus::const_ratio`, the three words of
 *   ⌊2^128/q⌋ (low, high) and 2^128 mod q, precomputed per prime.
 * - SEAL native/src/seal/util/uintarithsmallmod.h: `barrett_reduce_64`,
 *   `barrett_reduce_128`, `multiply_uint_mod` / `multiply_uint_mod_lazy` with a
 *   `MultiplyUIntModOperand` (operand w and its Shoup quotient ⌊w·2^64/q⌋),
 *   `add_uint_mod`, `sub_uint_mod`, `negate_uint_mod`, `multiply_add_uint_mod`.
 * - SEAL native/src/seal/util/ntt.cpp and dwthandler.h:
 *   `ntt_negacyclic_harvey_lazy` / `inverse_ntt_negacyclic_harvey_lazy`.
 * - D. Harvey, "Faster arithmetic for number-theoretic transforms", J. Symb.
 *   Comp. 60 (2014): lazy butterflies, forward values in [0, 4q), inverse in [0, 2q).
 * - V. Shoup, NTL (MulModPrecon): products by a fixed operand with a precomputed quotient.
 *
 * The 64-bit machine words of SEAL are bigints here. Every place where C++ wraps
 * modulo 2^64 masks explicitly with MASK64, and every 128-bit quantity is kept as
 * two 64-bit words, so that the word-level reasoning (and its proofs of range)
 * carries over unchanged. This costs speed (≈0.1 µs per butterfly, i.e. ≈5 ms per
 * forward NTT at N = 8192 with a 61-bit prime, Node 20; tens of times the u32
 * kernel) and buys a transparent oracle: for any prime below 2^29 the outputs equal the
 * u32 kernel's exactly (canonical outputs bit for bit; lazy outputs mod q).
 *
 * The NTT is radix-2 on purpose (ntt.ts fixes the convention; the tests compare
 * both kernels coefficient by coefficient).
 */
import { fail } from './errors.js';
import type { Kernel, ModulusOptions, PrimeOps, Residues } from './kernel.js';
import { U64_MAX_PRIME_BITS } from './limits.js';
import { nttTables } from './ntt.js';
import { assertNttPrime, assertPlainModulus, assertRingDegree } from './primes.js';
import { mod } from './zq.js';

/** 2^64 − 1: the mask standing for C++'s implicit wrap-around of uint64_t. */
const MASK64 = (1n << 64n) - 1n;

// ---------------------------------------------------------------------------
// Word arithmetic (SEAL util/uintarith.h). Inputs are words in [0, 2^64).
// ---------------------------------------------------------------------------

/** `multiply_uint64_hw64`: the high word ⌊a·b / 2^64⌋, in [0, 2^64). */
function multiplyUint64Hw64(a: bigint, b: bigint): bigint {
  return (a * b) >> 64n;
}

/** `multiply_uint64`: a·b as [low word, high word], both in [0, 2^64). */
function multiplyUint64(a: bigint, b: bigint): [bigint, bigint] {
  const p = a * b;
  return [p & MASK64, p >> 64n];
}

/** `add_uint64`: [(a + b) mod 2^64, carry ∈ {0, 1}]. */
function addUint64(a: bigint, b: bigint): [bigint, bigint] {
  const s = a + b;
  return [s & MASK64, s >> 64n];
}

function asU64(fn: string, a: Residues, n: number): BigUint64Array {
  if (!(a instanceof BigUint64Array)) fail('KERNEL_MISMATCH', fn, 'a BigUint64Array (u64 kernel storage)', a);
  if (a.length !== n) fail('LENGTH_MISMATCH', fn, `length ${n}`, a.length);
  return a;
}

class U64PrimeOps implements PrimeOps {
  readonly kernel = 'u64' as const;
  readonly bits: number;
  private readonly twoQ: bigint;
  /** `Modulus::const_ratio`: [⌊2^128/q⌋ mod 2^64, ⌊2^128/q⌋ >> 64, 2^128 mod q]. */
  private readonly constRatio: readonly [bigint, bigint, bigint];
  /** Forward/inverse twiddles (ntt.ts order) with their Shoup quotients ⌊w·2^64/q⌋. */
  private readonly fw!: BigUint64Array;
  private readonly fwQ!: BigUint64Array;
  private readonly iw!: BigUint64Array;
  private readonly iwQ!: BigUint64Array;
  /** N^{-1} and N^{-1}·iw[1] as Shoup operands, for the scaled last inverse stage (SEAL's `scalar`). */
  private readonly nInv!: bigint;
  private readonly nInvQ!: bigint;
  private readonly nInvW!: bigint;
  private readonly nInvWQ!: bigint;

  constructor(
    readonly q: bigint,
    readonly n: number,
    readonly hasNtt: boolean,
  ) {
    this.bits = q.toString(2).length;
    this.twoQ = 2n * q;
    const ratio = (1n << 128n) / q;
    this.constRatio = Object.freeze([ratio & MASK64, ratio >> 64n, (1n << 128n) % q] as const);
    if (!hasNtt) return;
    const t = nttTables(q, n);
    this.fw = BigUint64Array.from(t.forwardTwiddles);
    this.iw = BigUint64Array.from(t.inverseTwiddles);
    this.fwQ = BigUint64Array.from(t.forwardTwiddles, (w) => this.shoupQuotient(w));
    this.iwQ = BigUint64Array.from(t.inverseTwiddles, (w) => this.shoupQuotient(w));
    this.nInv = t.nInverse;
    this.nInvQ = this.shoupQuotient(this.nInv);
    this.nInvW = (t.nInverse * t.inverseTwiddles[1]) % q;
    this.nInvWQ = this.shoupQuotient(this.nInvW);
  }

  private check(fn: string, a: Residues): BigUint64Array {
    return asU64(`u64.${fn}`, a, this.n);
  }

  private checkNtt(fn: string, a: Residues): BigUint64Array {
    if (!this.hasNtt) fail('PRIME_NOT_NTT_FRIENDLY', `u64.${fn}`, 'a modulus created with NTT tables', this.q);
    return this.check(fn, a);
  }

  // -------------------------------------------------------------------------
  // Scalar arithmetic mod q (SEAL util/uintarithsmallmod.h).
  // -------------------------------------------------------------------------

  /**
   * `MultiplyUIntModOperand::set_quotient`: ⌊w·2^64/q⌋ for w in [0, q), a word
   * because w < q. With it, x·w mod q costs two multiplications and no division.
   */
  private shoupQuotient(w: bigint): bigint {
    return (w << 64n) / this.q;
  }

  /**
   * `barrett_reduce_64`: x mod q for any word x in [0, 2^64) → [0, q).
   * ⌊2^64/q⌋ is the high word of ⌊2^128/q⌋; the estimate ⌊x·that/2^64⌋ is at most
   * one below the true quotient, so one conditional subtraction suffices.
   */
  barrettReduce64(x: bigint): bigint {
    const q = this.q;
    const tmp1 = multiplyUint64Hw64(x, this.constRatio[1]);
    const tmp0 = (x - tmp1 * q) & MASK64;
    return tmp0 >= q ? tmp0 - q : tmp0;
  }

  /**
   * `barrett_reduce_128`: (hi·2^64 + lo) mod q → [0, q), for a 128-bit input
   * below q² + q (a product of residues plus a residue). The quotient estimate
   * is the high part of input·⌊2^128/q⌋ / 2^128, computed word by word and only
   * modulo 2^64 (the remainder is < 2q, so its low word determines it).
   */
  barrettReduce128(lo: bigint, hi: bigint): bigint {
    const q = this.q;
    const [r0, r1] = this.constRatio;
    // Round 1: lo × ratio.
    const carry = multiplyUint64Hw64(lo, r0);
    let [t2lo, t2hi] = multiplyUint64(lo, r1);
    let [tmp1, c] = addUint64(t2lo, carry);
    const tmp3 = t2hi + c;
    // Round 2: hi × ratio (only the words that reach the quotient).
    [t2lo, t2hi] = multiplyUint64(hi, r0);
    [tmp1, c] = addUint64(tmp1, t2lo);
    const carry2 = t2hi + c;
    // This is all we care about: the quotient estimate, modulo 2^64.
    const quotient = (hi * r1 + tmp3 + carry2) & MASK64;
    // Barrett subtraction, then one more subtraction is enough.
    const r = (lo - quotient * q) & MASK64;
    return r >= q ? r - q : r;
  }

  /**
   * `multiply_uint_mod_lazy`: x·w mod q in [0, 2q), for any word x in [0, 2^64),
   * w in [0, q) and wQ = ⌊w·2^64/q⌋ (Harvey 2014, Alg. 2: the remainder estimate
   * is off by less than q, and 2q ≤ 2^62 keeps it exact in one word).
   */
  private mulLazy(x: bigint, w: bigint, wQ: bigint): bigint {
    const tmp1 = multiplyUint64Hw64(x, wQ);
    return (w * x - tmp1 * this.q) & MASK64;
  }

  /** `multiply_uint_mod`: x·w mod q in [0, q), any word x; w, wQ as in mulLazy. */
  private mulShoup(x: bigint, w: bigint, wQ: bigint): bigint {
    const r = this.mulLazy(x, w, wQ);
    return r >= this.q ? r - this.q : r;
  }

  /** `multiply_uint_mod` for two variables: a·b mod q → [0, q); a, b in [0, q). */
  private mulMod(a: bigint, b: bigint): bigint {
    const [lo, hi] = multiplyUint64(a, b);
    return this.barrettReduce128(lo, hi);
  }

  /** `multiply_add_uint_mod`: a·b + c mod q → [0, q); a, b, c in [0, q). */
  private mulAddMod(a: bigint, b: bigint, c: bigint): bigint {
    const [lo, hi] = multiplyUint64(a, b);
    const [sum, carry] = addUint64(lo, c);
    return this.barrettReduce128(sum, hi + carry);
  }

  /** `add_uint_mod`: a + b mod q → [0, q); a, b in [0, q). */
  private addMod(a: bigint, b: bigint): bigint {
    const s = a + b;
    return s >= this.q ? s - this.q : s;
  }

  /** `sub_uint_mod`: a − b mod q → [0, q); a, b in [0, q). */
  private subMod(a: bigint, b: bigint): bigint {
    return a >= b ? a - b : a + this.q - b;
  }

  /** `negate_uint_mod`: −a mod q → [0, q); a in [0, q) (0 stays 0, not q). */
  private negateMod(a: bigint): bigint {
    return a === 0n ? 0n : this.q - a;
  }

  // -------------------------------------------------------------------------
  // Vector operations (kernel.ts contracts). Canonical [0, q) in and out.
  // -------------------------------------------------------------------------

  /** out = a + b mod q; [0, q) → [0, q). */
  add(a: Residues, b: Residues, out: Residues): void {
    const x = this.check('add', a), y = this.check('add', b), o = this.check('add', out);
    for (let i = 0; i < x.length; i++) o[i] = this.addMod(x[i], y[i]);
  }

  /** out = a − b mod q; [0, q) → [0, q). */
  sub(a: Residues, b: Residues, out: Residues): void {
    const x = this.check('sub', a), y = this.check('sub', b), o = this.check('sub', out);
    for (let i = 0; i < x.length; i++) o[i] = this.subMod(x[i], y[i]);
  }

  /** out = −a mod q; [0, q) → [0, q). */
  negate(a: Residues, out: Residues): void {
    const x = this.check('negate', a), o = this.check('negate', out);
    for (let i = 0; i < x.length; i++) o[i] = this.negateMod(x[i]);
  }

  /** out = a·b mod q pointwise (Barrett 128); [0, q) → [0, q). */
  mul(a: Residues, b: Residues, out: Residues): void {
    const x = this.check('mul', a), y = this.check('mul', b), o = this.check('mul', out);
    for (let i = 0; i < x.length; i++) o[i] = this.mulMod(x[i], y[i]);
  }

  /** acc = acc + a·b mod q (one Barrett 128 on the 128-bit a·b + acc); [0, q) → [0, q). */
  mulAcc(a: Residues, b: Residues, acc: Residues): void {
    const x = this.check('mulAcc', a), y = this.check('mulAcc', b), o = this.check('mulAcc', acc);
    for (let i = 0; i < x.length; i++) o[i] = this.mulAddMod(x[i], y[i], o[i]);
  }

  /** out = a·s mod q; s any bigint (reduced once, then a Shoup operand); [0, q) → [0, q). */
  mulScalar(a: Residues, s: bigint, out: Residues): void {
    const x = this.check('mulScalar', a), o = this.check('mulScalar', out);
    const w = mod(s, this.q), wQ = this.shoupQuotient(w);
    for (let i = 0; i < x.length; i++) o[i] = this.mulShoup(x[i], w, wQ);
  }

  /** acc = acc + a·s mod q; s any bigint; [0, q) → [0, q). */
  mulScalarAcc(a: Residues, s: bigint, acc: Residues): void {
    const x = this.check('mulScalarAcc', a), o = this.check('mulScalarAcc', acc);
    const w = mod(s, this.q), wQ = this.shoupQuotient(w);
    for (let i = 0; i < x.length; i++) o[i] = this.addMod(o[i], this.mulShoup(x[i], w, wQ));
  }

  /**
   * out = x·s mod q with x in [0, 2^61) (a residue of another prime) → [0, q).
   * Shoup's product alone would accept any word x, but x is first brought to
   * [0, q) with barrett_reduce_64 so that every Shoup input obeys the same
   * canonical contract as in mulScalar (what RNS base conversion relies on).
   */
  mulScalarForeign(a: Residues, s: bigint, out: Residues): void {
    const x = this.check('mulScalarForeign', a), o = this.check('mulScalarForeign', out);
    const w = mod(s, this.q), wQ = this.shoupQuotient(w);
    for (let i = 0; i < x.length; i++) o[i] = this.mulShoup(this.barrettReduce64(x[i]), w, wQ);
  }

  /** acc = acc + x·s mod q, x in [0, 2^61) as in mulScalarForeign; acc [0, q) → [0, q). */
  mulScalarForeignAcc(a: Residues, s: bigint, acc: Residues): void {
    const x = this.check('mulScalarForeignAcc', a), o = this.check('mulScalarForeignAcc', acc);
    const w = mod(s, this.q), wQ = this.shoupQuotient(w);
    for (let i = 0; i < x.length; i++) o[i] = this.addMod(o[i], this.mulShoup(this.barrettReduce64(x[i]), w, wQ));
  }

  /** out = (a − [b]_q + c)·s mod q; a in [0, q), b in [0, 2^61) → [0, q). */
  subMulScalar(a: Residues, b: Residues, c: bigint, s: bigint, out: Residues): void {
    const x = this.check('subMulScalar', a), y = this.check('subMulScalar', b), o = this.check('subMulScalar', out);
    const cq = mod(c, this.q), w = mod(s, this.q), wQ = this.shoupQuotient(w);
    for (let i = 0; i < x.length; i++) o[i] = this.mulShoup(this.addMod(this.subMod(x[i], this.barrettReduce64(y[i])), cq), w, wQ);
  }

  /** out = Σ xs[i]·scalars[i] mod q; xs[i] in [0, 2^61); exact bigint sum, one reduction. */
  dotScalars(xs: readonly Residues[], scalars: readonly bigint[], out: Residues): void {
    const o = this.check('dotScalars', out);
    if (xs.length !== scalars.length || xs.length === 0)
      fail('LENGTH_MISMATCH', 'u64.dotScalars', `as many scalars as inputs (${xs.length})`, scalars.length);
    const x = xs.map((a) => this.check('dotScalars', a));
    const w = scalars.map((s) => mod(s, this.q));
    for (let k = 0; k < this.n; k++) {
      let sum = 0n;
      for (let i = 0; i < x.length; i++) sum += x[i][k] * w[i];
      o[k] = sum % this.q;
    }
  }

  mulSumAcc(xs: readonly Residues[], ys: readonly Residues[], acc: Residues): void {
    if (xs.length !== ys.length || xs.length === 0 || xs.length > 1 << 20)
      fail('LENGTH_MISMATCH', 'u64.mulSumAcc', `two lists of equal length in [1, 2^20] (${xs.length})`, ys.length);
    for (let i = 0; i < xs.length; i++) this.mulAcc(xs[i], ys[i], acc);
  }

  dotScalarsRounded(xs: readonly Residues[], scalars: readonly bigint[], values: Float64Array, scale: bigint, out: Residues): void {
    if (!(values instanceof Float64Array) || values.length !== this.n) fail('LENGTH_MISMATCH', 'u64.dotScalarsRounded', `a Float64Array of length ${this.n}`, values);
    this.dotScalars(xs, scalars, out);
    const o = out as BigUint64Array, c = mod(scale, this.q);
    for (let k = 0; k < this.n; k++) o[k] = this.addMod(o[k], mod(BigInt(Math.round(values[k])) * c, this.q));
  }

  /** out = a + s mod q; s any bigint; [0, q) → [0, q). */
  addScalar(a: Residues, s: bigint, out: Residues): void {
    const x = this.check('addScalar', a), o = this.check('addScalar', out);
    const c = mod(s, this.q);
    for (let i = 0; i < x.length; i++) o[i] = this.addMod(x[i], c);
  }

  /**
   * out = a(X^g) mod (X^N + 1), odd g; coefficient k goes to k·g mod 2N, negated
   * when that index is ≥ N (X^N = −1). [0, q) → [0, q); out must not alias a.
   */
  automorphism(a: Residues, galoisElt: number, out: Residues): void {
    const x = this.check('automorphism', a), o = this.check('automorphism', out);
    if (x.buffer === o.buffer && x.byteOffset === o.byteOffset)
      fail('INVALID_ARGUMENT', 'u64.automorphism', 'out not aliasing a', 'the same array');
    if (!Number.isInteger(galoisElt) || (galoisElt & 1) === 0 || galoisElt < 1 || galoisElt >= 2 * this.n)
      fail('INVALID_ARGUMENT', 'u64.automorphism', `an odd Galois element in [1, ${2 * this.n})`, galoisElt);
    const n = this.n, mask = 2 * n - 1;
    for (let k = 0, idx = 0; k < n; k++, idx = (idx + galoisElt) & mask) {
      if (idx < n) o[idx] = x[k];
      else o[idx - n] = this.negateMod(x[k]);
    }
  }

  // -------------------------------------------------------------------------
  // NTT (SEAL util/ntt.cpp, dwthandler.h; Harvey 2014).
  // -------------------------------------------------------------------------

  /** In place, [0, q) → [0, q), bit-reversed evaluation order (ntt.ts). */
  forwardNtt(a: Residues): void {
    this.forwardNttLazy(a);
    this.reduceFromLazy(a, 4);
  }

  /**
   * `ntt_negacyclic_harvey_lazy`, radix 2: stages m = 1, 2, …, N/2 groups of
   * gap t = N/(2m); group i uses w = fw[m + i]. Cooley–Tukey butterfly with
   * Harvey's ranges, for x, y in [0, 4q):
   *   u = x − 2q if x ≥ 2q            (guard: [0, 2q))
   *   v = w·y mod q lazily            ([0, 2q), valid for any word y)
   *   (x, y) ← (u + v, u + 2q − v)    (both in [0, 4q))
   * Input [0, q) (any [0, 4q) would do), output [0, 4q).
   */
  forwardNttLazy(a: Residues): void {
    const x = this.checkNtt('forwardNttLazy', a);
    const n = this.n, twoQ = this.twoQ, fw = this.fw, fwQ = this.fwQ;
    let t = n >> 1;
    for (let m = 1; m < n; m <<= 1, t >>= 1) {
      for (let i = 0; i < m; i++) {
        const w = fw[m + i], wQ = fwQ[m + i];
        for (let j = 2 * i * t, end = j + t; j < end; j++) {
          let u = x[j];
          if (u >= twoQ) u -= twoQ;
          const v = this.mulLazy(x[j + t], w, wQ);
          x[j] = u + v;
          x[j + t] = u + twoQ - v;
        }
      }
    }
  }

  /** In place, bit-reversed [0, q) → coefficients [0, q), including N^{-1}. */
  inverseNtt(a: Residues): void {
    this.inverseNttLazy(a);
    this.reduceFromLazy(a, 2);
  }

  /**
   * `inverse_ntt_negacyclic_harvey_lazy`, radix 2: stages m = N/2, …, 2, 1
   * groups of gap t = N/(2m); group i uses w = iw[m + i]. Gentleman–Sande
   * butterfly with Harvey's ranges, for x, y in [0, 2q):
   *   (x, y) ← (guard(x + y), w·(x + 2q − y) mod q lazily)   (both in [0, 2q))
   * The last stage (m = 1) folds in N^{-1} as SEAL does with its `scalar`:
   *   (x, y) ← (N^{-1}·guard(x + y), (N^{-1}·w)·(x + 2q − y)), lazily.
   * Input [0, 2q), output [0, 2q).
   */
  inverseNttLazy(a: Residues): void {
    const x = this.checkNtt('inverseNttLazy', a);
    const n = this.n, twoQ = this.twoQ, iw = this.iw, iwQ = this.iwQ;
    let t = 1;
    for (let m = n >> 1; m > 1; m >>= 1, t <<= 1) {
      for (let i = 0; i < m; i++) {
        const w = iw[m + i], wQ = iwQ[m + i];
        for (let j = 2 * i * t, end = j + t; j < end; j++) {
          const u = x[j], v = x[j + t];
          const s = u + v;
          x[j] = s >= twoQ ? s - twoQ : s;
          x[j + t] = this.mulLazy(u + twoQ - v, w, wQ);
        }
      }
    }
    // Last stage (m = 1, gap t = N/2), scaled by N^{-1}.
    const c = this.nInv, cQ = this.nInvQ, cw = this.nInvW, cwQ = this.nInvWQ;
    for (let j = 0; j < t; j++) {
      const u = x[j], v = x[j + t];
      const s = u + v;
      x[j] = this.mulLazy(s >= twoQ ? s - twoQ : s, c, cQ);
      x[j + t] = this.mulLazy(u + twoQ - v, cw, cwQ);
    }
  }

  /** In place, [0, bound·q) → [0, q) by conditional subtractions; bound ∈ {2, 4}. */
  reduceFromLazy(a: Residues, bound: 2 | 4): void {
    const x = this.check('reduceFromLazy', a);
    if (bound !== 2 && bound !== 4) fail('INVALID_ARGUMENT', 'u64.reduceFromLazy', 'bound 2 or 4', bound);
    const q = this.q, twoQ = this.twoQ;
    for (let i = 0; i < x.length; i++) {
      let v = x[i];
      if (bound === 4 && v >= twoQ) v -= twoQ;
      if (v >= q) v -= q;
      x[i] = v;
    }
  }

  // -------------------------------------------------------------------------
  // Conversions.
  // -------------------------------------------------------------------------

  /** out[i] = x[i] mod q → [0, q), for any bigints (negative allowed). */
  fromBigInts(values: ArrayLike<bigint>, out: Residues): void {
    const o = this.check('fromBigInts', out);
    if (values.length !== this.n) fail('LENGTH_MISMATCH', 'u64.fromBigInts', `length ${this.n}`, values.length);
    for (let i = 0; i < o.length; i++) o[i] = mod(values[i], this.q);
  }

  /** out[i] = x[i] mod q → [0, q), for safe integers (negative allowed). */
  fromNumbers(values: ArrayLike<number>, out: Residues): void {
    const o = this.check('fromNumbers', out);
    if (values.length !== this.n) fail('LENGTH_MISMATCH', 'u64.fromNumbers', `length ${this.n}`, values.length);
    for (let i = 0; i < o.length; i++) {
      const v = values[i];
      if (!Number.isSafeInteger(v)) fail('INVALID_ARGUMENT', 'u64.fromNumbers', 'safe integers', v);
      o[i] = mod(BigInt(v), this.q);
    }
  }

  /** The residues as bigints (canonical inputs give [0, q)). */
  addScaledToFloat(a: Residues, scale: number, acc: Float64Array): void {
    const x = this.check('addScaledToFloat', a);
    if (acc.length !== this.n) fail('LENGTH_MISMATCH', 'u64.addScaledToFloat', `length ${this.n}`, acc.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      acc[i] += Number(v) * scale;
    }
  }

  toBigInts(a: Residues): bigint[] {
    return Array.from(this.check('toBigInts', a));
  }
}

const cache = new Map<string, U64PrimeOps>();

export const u64Kernel: Kernel = Object.freeze({
  name: 'u64' as const,
  maxPrimeBits: U64_MAX_PRIME_BITS,
  alloc(length: number, shared = false): BigUint64Array {
    return shared ? new BigUint64Array(new SharedArrayBuffer(8 * length)) : new BigUint64Array(length);
  },
  owns(array: unknown): array is BigUint64Array {
    return array instanceof BigUint64Array;
  },
  copy(src: BigUint64Array, dst: BigUint64Array): void {
    dst.set(src);
  },
  zero(a: BigUint64Array): void {
    a.fill(0n);
  },
  modulus(q: bigint, n: number, options: ModulusOptions = {}): PrimeOps {
    const ntt = options.ntt ?? true;
    const key = `${q}:${n}:${ntt}`;
    let ops = cache.get(key);
    if (!ops) {
      assertRingDegree('u64.modulus', n);
      if (ntt) assertNttPrime('u64.modulus', q, n, U64_MAX_PRIME_BITS);
      else assertPlainModulus('u64.modulus', q, U64_MAX_PRIME_BITS);
      ops = new U64PrimeOps(q, n, ntt);
      cache.set(key, ops);
    }
    return ops;
  },
});
