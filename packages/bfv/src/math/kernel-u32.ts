/**
 * Kernel `u32`: the fast default. Residues in Int32Array, primes q < 2^29.
 *
 * Products. JavaScript has no 32×32→64 multiply, but it has an exact 32-bit low
 * half (Math.imul) and an exact-enough float64 product. For x·w mod q:
 *   1. estimate the quotient k ≈ ⌊x·w/q⌋ in float64 (from x·(w/q) for a fixed w,
 *      Shoup's idea with a float quotient; from (x·w)·(1/q) for two variables,
 *      Barrett's idea in float);
 *   2. r = x·w − k·q computed mod 2^32 with Math.imul;
 * The estimate is off by at most one (all quotients are < 2^31, float64 keeps 53
 * bits), so the true r lies in [−q, 2q) ⊂ int32 and the mod-2^32 value is exact.
 * One conditional add of q gives the lazy range [0, 2q).
 * References: V. Shoup, NTL (MulModPrecon); D. Harvey, "Faster arithmetic for
 * number-theoretic transforms", J. Symb. Comp. 60 (2014), for the lazy ranges.
 *
 * NTT. Radix-4 Cooley–Tukey forward / Gentleman–Sande inverse (two radix-2 stages
 * fused, so each pass loads and stores every element once per two stages), with
 * Harvey's lazy ranges: forward values stay in [0, 4q), inverse in [0, 2q).
 * With q < 2^29 every intermediate is < 2^31, so V8 keeps all of it in int32.
 *
 * Branch-free corrections: for int32 v, (v >> 31) is −1 if v < 0 else 0, so
 * `v + ((v >> 31) & q)` adds q exactly when v is negative.
 */
import { fail } from './errors.js';
import type { Kernel, ModulusOptions, PrimeOps, Residues } from './kernel.js';
import { U32_MAX_PRIME_BITS } from './limits.js';
import { nttTables } from './ntt.js';
import { assertNttPrime, assertPlainModulus, assertRingDegree } from './primes.js';
import { addModSwar, subModSwar, swarAligned } from './swar.js';
import { mod } from './zq.js';

function asI32(fn: string, a: Residues, n: number): Int32Array {
  if (!(a instanceof Int32Array)) fail('KERNEL_MISMATCH', fn, 'an Int32Array (u32 kernel storage)', a);
  if (a.length !== n) fail('LENGTH_MISMATCH', fn, `length ${n}`, a.length);
  return a;
}

/**
 * dotScalars' split-float path holds for at most DOT_SPLIT_MAX_TERMS terms (see
 * dotSplit); below DOT_SPLIT_MIN_TERMS its three final reductions per coefficient
 * outweigh what it saves per term, so short sums keep the lazy Shoup products.
 */
const DOT_SPLIT_MAX_TERMS = 256;
const DOT_SPLIT_MIN_TERMS = 4;

class U32PrimeOps implements PrimeOps {
  readonly kernel = 'u32' as const;
  readonly bits: number;
  private readonly qn: number;
  private readonly qInv: number;
  private readonly fw!: Int32Array;
  private readonly fwQ!: Float64Array;
  private readonly iw!: Int32Array;
  private readonly iwQ!: Float64Array;
  /** N^{-1} and N^{-1}·inverseTwiddles[1], for the fused last inverse stage. */
  private readonly nInv!: number;
  private readonly nInvQ!: number;
  private readonly nInvW!: number;
  private readonly nInvWQ!: number;
  private readonly logN: number;
  /** Scratch for dotScalars (JavaScript is single-threaded per isolate, so one per modulus suffices). */
  private readonly accumulator: Float64Array;
  private readonly accumulatorLow: Float64Array;

  constructor(
    readonly q: bigint,
    readonly n: number,
    readonly hasNtt: boolean,
  ) {
    this.bits = q.toString(2).length;
    this.qn = Number(q);
    this.qInv = 1 / this.qn;
    this.logN = Math.log2(n);
    this.accumulator = new Float64Array(n);
    this.accumulatorLow = new Float64Array(n);
    if (!hasNtt) return;
    const t = nttTables(q, n);
    this.fw = Int32Array.from(t.forwardTwiddles, Number);
    this.iw = Int32Array.from(t.inverseTwiddles, Number);
    this.fwQ = Float64Array.from(this.fw, (w) => w / this.qn);
    this.iwQ = Float64Array.from(this.iw, (w) => w / this.qn);
    this.nInv = Number(t.nInverse);
    this.nInvQ = this.nInv / this.qn;
    this.nInvW = Number((t.nInverse * t.inverseTwiddles[1]) % q);
    this.nInvWQ = this.nInvW / this.qn;
  }

  private check(fn: string, a: Residues): Int32Array {
    return asI32(`u32.${fn}`, a, this.n);
  }

  /** Scalar s (any bigint) → [0, q) as a number. */
  private scalar(s: bigint): number {
    return Number(mod(s, this.q));
  }

  // add/sub take two residues per 64-bit word when the arrays allow it (swar.ts);
  // the fallback is unrolled by four: V8 does not vectorise, and the unrolled loop
  // measured ~18% faster (fewer bounds checks and loop branches per element).
  add(a: Residues, b: Residues, out: Residues): void {
    const x = this.check('add', a), y = this.check('add', b), o = this.check('add', out);
    const q = this.qn, n = x.length;
    if (swarAligned(x, y, o)) return addModSwar(x, y, o, q);
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const r0 = x[i] + y[i] - q, r1 = x[i + 1] + y[i + 1] - q, r2 = x[i + 2] + y[i + 2] - q, r3 = x[i + 3] + y[i + 3] - q;
      o[i] = r0 + ((r0 >> 31) & q);
      o[i + 1] = r1 + ((r1 >> 31) & q);
      o[i + 2] = r2 + ((r2 >> 31) & q);
      o[i + 3] = r3 + ((r3 >> 31) & q);
    }
    for (; i < n; i++) {
      const r = x[i] + y[i] - q;
      o[i] = r + ((r >> 31) & q);
    }
  }

  sub(a: Residues, b: Residues, out: Residues): void {
    const x = this.check('sub', a), y = this.check('sub', b), o = this.check('sub', out);
    const q = this.qn, n = x.length;
    if (swarAligned(x, y, o)) return subModSwar(x, y, o, q);
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const r0 = x[i] - y[i], r1 = x[i + 1] - y[i + 1], r2 = x[i + 2] - y[i + 2], r3 = x[i + 3] - y[i + 3];
      o[i] = r0 + ((r0 >> 31) & q);
      o[i + 1] = r1 + ((r1 >> 31) & q);
      o[i + 2] = r2 + ((r2 >> 31) & q);
      o[i + 3] = r3 + ((r3 >> 31) & q);
    }
    for (; i < n; i++) {
      const r = x[i] - y[i];
      o[i] = r + ((r >> 31) & q);
    }
  }

  /**
   * Each product x·s is reduced lazily to [−q, 2q) and summed in a float64
   * accumulator (exact: |sum| < L·2^31 ≪ 2^53), one reduction per coefficient at
   * the end: measured 35% faster than L multiply-accumulate passes at L = 6.
   */
  dotScalars(xs: readonly Residues[], scalars: readonly bigint[], out: Residues): void {
    this.dot('dotScalars', xs, scalars, null, 0, out);
  }

  /** As dotScalars; the correction joins the float accumulator before the one reduction (|Σ| < 2^53 by the contract). */
  dotScalarsRounded(xs: readonly Residues[], scalars: readonly bigint[], values: Float64Array, scale: bigint, out: Residues): void {
    if (!(values instanceof Float64Array) || values.length !== this.n) fail('LENGTH_MISMATCH', 'u32.dotScalarsRounded', `a Float64Array of length ${this.n}`, values);
    this.dot('dotScalarsRounded', xs, scalars, values, this.scalar(scale), out);
  }

  private dot(fn: string, xs: readonly Residues[], scalars: readonly bigint[], values: Float64Array | null, c: number, out: Residues): void {
    const o = this.check(fn, out);
    if (xs.length !== scalars.length || xs.length === 0)
      fail('LENGTH_MISMATCH', `u32.${fn}`, `as many scalars as inputs (${xs.length})`, scalars.length);
    const q = this.qn, qInv = this.qInv, n = this.n;
    const acc = this.accumulator;
    const m = xs.length;
    for (let i = 0; i < m; i++) this.check(fn, xs[i]);
    // One term (e.g. ModDown from one special prime): a single Shoup product per coefficient.
    if (m === 1 && values === null) return this.mulScalarForeign(xs[0], scalars[0], o);
    const w = scalars.map((s) => this.scalar(s));
    if (m === 2 && values === null) return this.dotPair(xs as readonly Int32Array[], w, o);
    if (m >= DOT_SPLIT_MIN_TERMS && m <= DOT_SPLIT_MAX_TERMS) {
      this.dotSplit(xs as readonly Int32Array[], w, values, c, o);
      return;
    }
    const wq = w.map((v) => v / q);
    for (let i = 0; i < m; i++) {
      const x = xs[i] as Int32Array, wi = w[i], vi = wq[i];
      if (i === 0) for (let k = 0; k < n; k++) { const u = x[k]; acc[k] = (Math.imul(u, wi) - Math.imul(u * vi, q)) | 0; }
      else for (let k = 0; k < n; k++) { const u = x[k]; acc[k] += (Math.imul(u, wi) - Math.imul(u * vi, q)) | 0; }
    }
    if (values !== null)
      for (let k = 0; k < n; k++) {
        const s = acc[k] + Math.round(values[k]) * c;
        let r = s - Math.floor(s * qInv) * q; // [−q, 2q)
        if (r < 0) r += q;
        else if (r >= q) r -= q;
        o[k] = r;
      }
    else
      for (let k = 0; k < n; k++) {
        const s = acc[k];
        let r = s - Math.floor(s * qInv) * q; // [−q, 2q)
        if (r < 0) r += q;
        else if (r >= q) r -= q;
        o[k] = r;
      }
  }

  /**
   * dot for two terms (FastBconv out of a two-prime key-switching digit or special
   * base) in one sweep and integer-only corrections: each lazy Shoup product in
   * [−q, 2q) is brought to [0, q) by two branch-free steps, their sum to [0, q) by
   * one; no float accumulator array and no float reduction (measured ≈ 0.6× the
   * accumulator path). xs as in dotScalars (any residues of this kernel, < 2^29).
   */
  private dotPair(xs: readonly Int32Array[], w: readonly number[], o: Int32Array): void {
    const q = this.qn, n = this.n;
    const x0 = xs[0], x1 = xs[1], w0 = w[0], w1 = w[1], v0 = w0 / q, v1 = w1 / q;
    for (let k = 0; k < n; k++) {
      const a = x0[k], b = x1[k];
      let r = (Math.imul(a, w0) - Math.imul(a * v0, q)) | 0; // [−q, 2q)
      r += (r >> 31) & q; // [0, 2q)
      r -= q;
      r += (r >> 31) & q; // [0, q)
      let t = (Math.imul(b, w1) - Math.imul(b * v1, q)) | 0;
      t += (t >> 31) & q;
      t -= q;
      t += (t >> 31) & q;
      r += t - q; // [−q, q)
      o[k] = r + ((r >> 31) & q);
    }
  }

  /**
   * dot for m ≤ DOT_SPLIT_MAX_TERMS terms, in exact float64 without any per-term
   * reduction: each scalar w = w_h·2^15 + w_l (w_h < 2^14, w_l < 2^15), so x·w_h < 2^43
   * and x·w_l < 2^44 for x < 2^29, and the two sums over m ≤ 2^8 terms stay below
   * 2^52 (exact). One reduction of each sum at the end:
   *   out = ([Σ x·w_h]_q·2^15 + [Σ x·w_l]_q + ⌊v⌉·c) mod q,
   * the last sum < 2^44 + 2^29 + 2^52 < 2^53. Per term: two float multiply-adds,
   * against two imuls and two float↔int conversions for a lazy Shoup product.
   * Terms go four at a time so the two accumulators are read and written once per four.
   */
  private dotSplit(xs: readonly Int32Array[], w: readonly number[], values: Float64Array | null, c: number, o: Int32Array): void {
    const q = this.qn, qInv = this.qInv, n = this.n, m = xs.length;
    const hi = this.accumulator, lo = this.accumulatorLow;
    const wh = w.map((v) => Math.floor(v / 32768)), wl = w.map((v) => v % 32768);
    let i = 0;
    for (; i + 3 < m; i += 4) {
      const x0 = xs[i], x1 = xs[i + 1], x2 = xs[i + 2], x3 = xs[i + 3];
      const h0 = wh[i], h1 = wh[i + 1], h2 = wh[i + 2], h3 = wh[i + 3];
      const l0 = wl[i], l1 = wl[i + 1], l2 = wl[i + 2], l3 = wl[i + 3];
      if (i === 0)
        for (let k = 0; k < n; k++) {
          const a = x0[k], b = x1[k], e = x2[k], d = x3[k];
          hi[k] = a * h0 + b * h1 + e * h2 + d * h3;
          lo[k] = a * l0 + b * l1 + e * l2 + d * l3;
        }
      else
        for (let k = 0; k < n; k++) {
          const a = x0[k], b = x1[k], e = x2[k], d = x3[k];
          hi[k] += a * h0 + b * h1 + e * h2 + d * h3;
          lo[k] += a * l0 + b * l1 + e * l2 + d * l3;
        }
    }
    for (; i < m; i++) {
      const x = xs[i], h = wh[i], l = wl[i];
      if (i === 0) for (let k = 0; k < n; k++) { const a = x[k]; hi[k] = a * h; lo[k] = a * l; }
      else for (let k = 0; k < n; k++) { const a = x[k]; hi[k] += a * h; lo[k] += a * l; }
    }
    for (let k = 0; k < n; k++) {
      const a = hi[k], b = lo[k];
      let s = (a - Math.floor(a * qInv) * q) * 32768 + (b - Math.floor(b * qInv) * q);
      if (values !== null) s += Math.round(values[k]) * c;
      let r = s - Math.floor(s * qInv) * q; // [−q, 2q)
      if (r < 0) r += q;
      else if (r >= q) r -= q;
      o[k] = r;
    }
  }

  /** b in [0, 2^31): reduced by a float quotient estimate, then a Shoup product. */
  /**
   * b need not be reduced mod q: d = a − b + [c]_q lies in (−2^29, 2^30) for any
   * b < 2^29, and the Shoup step below accepts any |d| < 2^30 (its float quotient
   * is still off by at most one, truncation toward zero included), giving
   * r in [−q, 2q) before two corrections. Output in [0, q).
   */
  subMulScalar(a: Residues, b: Residues, c: bigint, s: bigint, out: Residues): void {
    const x = this.check('subMulScalar', a), y = this.check('subMulScalar', b), o = this.check('subMulScalar', out);
    const q = this.qn, cq = this.scalar(c), w = this.scalar(s), wq = w / q;
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - y[i] + cq;
      let r = (Math.imul(d, w) - Math.imul(d * wq, q)) | 0; // [−q, 2q)
      r += (r >> 31) & q;
      r -= q;
      o[i] = r + ((r >> 31) & q);
    }
  }

  negate(a: Residues, out: Residues): void {
    const x = this.check('negate', a), o = this.check('negate', out);
    const q = this.qn;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      o[i] = v === 0 ? 0 : q - v;
    }
  }

  mul(a: Residues, b: Residues, out: Residues): void {
    const x = this.check('mul', a), y = this.check('mul', b), o = this.check('mul', out);
    const q = this.qn, qInv = this.qInv;
    for (let i = 0; i < x.length; i++) {
      const u = x[i], v = y[i];
      let r = (Math.imul(u, v) - Math.imul(u * v * qInv, q)) | 0; // [−q, 2q)
      r += (r >> 31) & q; // [0, 2q)
      r -= q;
      o[i] = r + ((r >> 31) & q);
    }
  }

  mulAcc(a: Residues, b: Residues, acc: Residues): void {
    const x = this.check('mulAcc', a), y = this.check('mulAcc', b), o = this.check('mulAcc', acc);
    const q = this.qn, qInv = this.qInv;
    for (let i = 0; i < x.length; i++) {
      const u = x[i], v = y[i];
      let r = (Math.imul(u, v) - Math.imul(u * v * qInv, q)) | 0; // [−q, 2q)
      r += ((r >> 31) & q) + o[i] - q; // [−q, 2q)
      r += (r >> 31) & q; // [0, 2q)
      r -= q;
      o[i] = r + ((r >> 31) & q);
    }
  }

  /**
   * Lazy: each product reduced to [−q, 2q) only (no corrections) and summed in
   * float64, exact while |Σ| < 2^53 (terms < 2^31, so up to 2^21 of them); one
   * reduction at the end. Per term this drops the two corrections and the int32
   * round trip of acc that mulAcc pays.
   */
  mulSumAcc(xs: readonly Residues[], ys: readonly Residues[], acc: Residues): void {
    const o = this.check('mulSumAcc', acc);
    if (xs.length !== ys.length || xs.length === 0 || xs.length > 1 << 20)
      fail('LENGTH_MISMATCH', 'u32.mulSumAcc', `two lists of equal length in [1, 2^20] (${xs.length})`, ys.length);
    const q = this.qn, qInv = this.qInv, n = this.n;
    const f = this.accumulator;
    const m = xs.length;
    for (let i = 0; i < m; i++) this.check('mulSumAcc', xs[i]), this.check('mulSumAcc', ys[i]);
    if (m === 2 || m === 3) return this.mulSumShort(xs as readonly Int32Array[], ys as readonly Int32Array[], o);
    for (let k = 0; k < n; k++) f[k] = o[k];
    let i = 0;
    // Four terms per sweep: the float accumulator is read and written once per four products.
    for (; i + 3 < m; i += 4) {
      const x0 = xs[i] as Int32Array, x1 = xs[i + 1] as Int32Array, x2 = xs[i + 2] as Int32Array, x3 = xs[i + 3] as Int32Array;
      const y0 = ys[i] as Int32Array, y1 = ys[i + 1] as Int32Array, y2 = ys[i + 2] as Int32Array, y3 = ys[i + 3] as Int32Array;
      for (let k = 0; k < n; k++) {
        const a = x0[k], b = y0[k], c = x1[k], d = y1[k], e = x2[k], g = y2[k], h = x3[k], l = y3[k];
        f[k] +=
          ((Math.imul(a, b) - Math.imul(a * b * qInv, q)) | 0) + // each in [−q, 2q)
          ((Math.imul(c, d) - Math.imul(c * d * qInv, q)) | 0) +
          ((Math.imul(e, g) - Math.imul(e * g * qInv, q)) | 0) +
          ((Math.imul(h, l) - Math.imul(h * l * qInv, q)) | 0);
      }
    }
    for (; i < m; i++) {
      const x = xs[i] as Int32Array, y = ys[i] as Int32Array;
      for (let k = 0; k < n; k++) {
        const u = x[k], v = y[k];
        f[k] += (Math.imul(u, v) - Math.imul(u * v * qInv, q)) | 0; // [−q, 2q)
      }
    }
    for (let k = 0; k < n; k++) {
      const s = f[k];
      let r = s - Math.floor(s * qInv) * q; // [−q, 2q)
      if (r < 0) r += q;
      else if (r >= q) r -= q;
      o[k] = r;
    }
  }

  /**
   * mulSumAcc for two or three terms (key switching with two or three digits) in one
   * sweep with integer-only corrections, as dotPair: each product [−q, 2q) → [0, q),
   * then acc + the products → [0, q) one addition at a time. Measured ≈ 0.6× the
   * float path in isolation; with four or more terms the float path is faster (sweeps
   * of three measured 1.08–1.12× at six and seven terms), so it stops at three.
   */
  private mulSumShort(xs: readonly Int32Array[], ys: readonly Int32Array[], o: Int32Array): void {
    const q = this.qn, qInv = this.qInv, n = this.n;
    const x0 = xs[0], y0 = ys[0], x1 = xs[1], y1 = ys[1];
    if (xs.length === 2)
      for (let k = 0; k < n; k++) {
        const a = x0[k], b = y0[k], c = x1[k], d = y1[k];
        let r = (Math.imul(a, b) - Math.imul(a * b * qInv, q)) | 0; // [−q, 2q)
        r += (r >> 31) & q;
        r -= q;
        r += (r >> 31) & q; // [0, q)
        let t = (Math.imul(c, d) - Math.imul(c * d * qInv, q)) | 0;
        t += (t >> 31) & q;
        t -= q;
        t += (t >> 31) & q;
        r += t - q; // [−q, q)
        r += (r >> 31) & q;
        r += o[k] - q;
        o[k] = r + ((r >> 31) & q);
      }
    else {
      const x2 = xs[2], y2 = ys[2];
      for (let k = 0; k < n; k++) {
        const a = x0[k], b = y0[k], c = x1[k], d = y1[k], e = x2[k], g = y2[k];
        let r = (Math.imul(a, b) - Math.imul(a * b * qInv, q)) | 0; // [−q, 2q)
        r += (r >> 31) & q;
        r -= q;
        r += (r >> 31) & q; // [0, q)
        let t = (Math.imul(c, d) - Math.imul(c * d * qInv, q)) | 0;
        t += (t >> 31) & q;
        t -= q;
        t += (t >> 31) & q;
        let u = (Math.imul(e, g) - Math.imul(e * g * qInv, q)) | 0;
        u += (u >> 31) & q;
        u -= q;
        u += (u >> 31) & q;
        r += t - q; // [−q, q)
        r += (r >> 31) & q;
        r += u - q;
        r += (r >> 31) & q;
        r += o[k] - q;
        o[k] = r + ((r >> 31) & q);
      }
    }
  }

  mulScalar(a: Residues, s: bigint, out: Residues): void {
    this.mulScalarForeign(a, s, out);
  }

  mulScalarAcc(a: Residues, s: bigint, acc: Residues): void {
    this.mulScalarForeignAcc(a, s, acc);
  }

  /** Any x in [0, 2^31) works: the quotient x·w/q stays below 2^31. */
  mulScalarForeign(a: Residues, s: bigint, out: Residues): void {
    const x = this.check('mulScalar', a), o = this.check('mulScalar', out);
    const q = this.qn, w = this.scalar(s), wq = w / q;
    for (let i = 0; i < x.length; i++) {
      const u = x[i];
      let r = (Math.imul(u, w) - Math.imul(u * wq, q)) | 0;
      r += (r >> 31) & q;
      r -= q;
      o[i] = r + ((r >> 31) & q);
    }
  }

  mulScalarForeignAcc(a: Residues, s: bigint, acc: Residues): void {
    const x = this.check('mulScalarAcc', a), o = this.check('mulScalarAcc', acc);
    const q = this.qn, w = this.scalar(s), wq = w / q;
    for (let i = 0; i < x.length; i++) {
      const u = x[i];
      let r = (Math.imul(u, w) - Math.imul(u * wq, q)) | 0;
      r += ((r >> 31) & q) + o[i] - q;
      r += (r >> 31) & q;
      r -= q;
      o[i] = r + ((r >> 31) & q);
    }
  }

  addScalar(a: Residues, s: bigint, out: Residues): void {
    const x = this.check('addScalar', a), o = this.check('addScalar', out);
    const q = this.qn, c = this.scalar(s);
    for (let i = 0; i < x.length; i++) {
      const r = x[i] + c - q;
      o[i] = r + ((r >> 31) & q);
    }
  }

  private checkNtt(fn: string, a: Residues): Int32Array {
    if (!this.hasNtt) fail('PRIME_NOT_NTT_FRIENDLY', `u32.${fn}`, 'a modulus created with NTT tables', this.q);
    return this.check(fn, a);
  }

  automorphism(a: Residues, galoisElt: number, out: Residues): void {
    const x = this.check('automorphism', a), o = this.check('automorphism', out);
    if (x.buffer === o.buffer && x.byteOffset === o.byteOffset) fail('INVALID_ARGUMENT', 'u32.automorphism', 'out not aliasing a', 'the same array');
    if (!Number.isInteger(galoisElt) || (galoisElt & 1) === 0 || galoisElt < 1 || galoisElt >= 2 * this.n)
      fail('INVALID_ARGUMENT', 'u32.automorphism', `an odd Galois element in [1, ${2 * this.n})`, galoisElt);
    const n = this.n, mask = 2 * n - 1, q = this.qn;
    for (let k = 0, idx = 0; k < n; k++, idx = (idx + galoisElt) & mask) {
      const v = x[k];
      if (idx < n) o[idx] = v;
      else o[idx - n] = v === 0 ? 0 : q - v;
    }
  }

  forwardNtt(a: Residues): void {
    const x = this.checkNtt('forwardNtt', a);
    this.forward(x, true);
    if (this.n < 4) this.reduceFromLazy(x, 4);
  }

  forwardNttLazy(a: Residues): void {
    this.forward(this.checkNtt('forwardNtt', a), false);
  }

  /**
   * Steps:
   *   1. if log N is odd, one radix-2 stage (m = 1) so the rest pairs up;
   *   2. fused pairs of stages (m, 2m) while the quarter-stride h = t/4 > 1:
   *      four elements x0..x3 at stride h, stage m with w = fw[m+i] on (x0, x2),
   *      (x1, x3), then stage 2m with fw[2(m+i)] on (x0, x1) and fw[2(m+i)+1] on (x2, x3);
   *   3. the last pair of stages (h = 1) unrolled over consecutive quadruples, with
   *      the final correction to [0, q) fused in when `canonical`.
   * Each butterfly: x ← x − 2q if x ≥ 2q; T = w·y mod q in [0, 2q);
   * (x, y) ← (x + T, x − T + 2q), both in [0, 4q).
   */
  private forward(x: Int32Array, canonical: boolean): void {
    const n = this.n, q = this.qn, q2 = 2 * q, fw = this.fw, fwQ = this.fwQ;
    let t = n;
    let m = 1;
    // Step 1.
    if (this.logN & 1) {
      t >>= 1;
      const w = fw[1], wq = fwQ[1];
      for (let j = 0; j < t; j++) {
        let u = x[j];
        u -= q2 & ~((u - q2) >> 31);
        const v = x[j + t];
        let r = (Math.imul(v, w) - Math.imul(v * wq, q)) | 0;
        r += (r >> 31) & q;
        x[j] = u + r;
        x[j + t] = u - r + q2;
      }
      m = 2;
    }
    // Step 2.
    for (; t > 4; m <<= 2) {
      const h = t >> 2, t2 = t >> 1;
      for (let i = 0; i < m; i++) {
        const j1 = i * t, w1 = fw[m + i], w1q = fwQ[m + i];
        const k = 2 * (m + i), w2 = fw[k], w2q = fwQ[k], w3 = fw[k + 1], w3q = fwQ[k + 1];
        for (let j = j1, end = j1 + h; j < end; j++) {
          let x0 = x[j], x1 = x[j + h], x2 = x[j + t2], x3 = x[j + t2 + h], r: number;
          x0 -= q2 & ~((x0 - q2) >> 31);
          r = (Math.imul(x2, w1) - Math.imul(x2 * w1q, q)) | 0;
          r += (r >> 31) & q;
          x2 = x0 - r + q2;
          x0 += r;
          x1 -= q2 & ~((x1 - q2) >> 31);
          r = (Math.imul(x3, w1) - Math.imul(x3 * w1q, q)) | 0;
          r += (r >> 31) & q;
          x3 = x1 - r + q2;
          x1 += r;
          x0 -= q2 & ~((x0 - q2) >> 31);
          r = (Math.imul(x1, w2) - Math.imul(x1 * w2q, q)) | 0;
          r += (r >> 31) & q;
          x[j] = x0 + r;
          x[j + h] = x0 - r + q2;
          x2 -= q2 & ~((x2 - q2) >> 31);
          r = (Math.imul(x3, w3) - Math.imul(x3 * w3q, q)) | 0;
          r += (r >> 31) & q;
          x[j + t2] = x2 + r;
          x[j + t2 + h] = x2 - r + q2;
        }
      }
      t >>= 2;
    }
    if (t < 4) return; // n = 2: step 1 was the whole transform (canonical callers reduce below)
    // Step 3 (t = 4, h = 1).
    for (let i = 0, j = 0; i < m; i++, j += 4) {
      const w1 = fw[m + i], w1q = fwQ[m + i];
      const k = 2 * (m + i), w2 = fw[k], w2q = fwQ[k], w3 = fw[k + 1], w3q = fwQ[k + 1];
      let x0 = x[j], x1 = x[j + 1], x2 = x[j + 2], x3 = x[j + 3], r: number;
      x0 -= q2 & ~((x0 - q2) >> 31);
      r = (Math.imul(x2, w1) - Math.imul(x2 * w1q, q)) | 0;
      r += (r >> 31) & q;
      x2 = x0 - r + q2;
      x0 += r;
      x1 -= q2 & ~((x1 - q2) >> 31);
      r = (Math.imul(x3, w1) - Math.imul(x3 * w1q, q)) | 0;
      r += (r >> 31) & q;
      x3 = x1 - r + q2;
      x1 += r;
      x0 -= q2 & ~((x0 - q2) >> 31);
      r = (Math.imul(x1, w2) - Math.imul(x1 * w2q, q)) | 0;
      r += (r >> 31) & q;
      let y0 = x0 + r, y1 = x0 - r + q2;
      x2 -= q2 & ~((x2 - q2) >> 31);
      r = (Math.imul(x3, w3) - Math.imul(x3 * w3q, q)) | 0;
      r += (r >> 31) & q;
      let y2 = x2 + r, y3 = x2 - r + q2;
      if (canonical) {
        // [0, 4q) → [0, q): subtract 2q, then q, each when it stays non-negative.
        y0 -= q2 & ~((y0 - q2) >> 31);
        y0 -= q & ~((y0 - q) >> 31);
        y1 -= q2 & ~((y1 - q2) >> 31);
        y1 -= q & ~((y1 - q) >> 31);
        y2 -= q2 & ~((y2 - q2) >> 31);
        y2 -= q & ~((y2 - q) >> 31);
        y3 -= q2 & ~((y3 - q2) >> 31);
        y3 -= q & ~((y3 - q) >> 31);
      }
      x[j] = y0;
      x[j + 1] = y1;
      x[j + 2] = y2;
      x[j + 3] = y3;
    }
  }

  inverseNtt(a: Residues): void {
    this.inverse(this.checkNtt('inverseNtt', a), true);
  }

  inverseNttLazy(a: Residues): void {
    this.inverse(this.checkNtt('inverseNtt', a), false);
  }

  /**
   * Steps (stages run backwards: m = N/2, N/4, …, 1 groups; t = N/(2m)):
   *   0. the first fused pair (m = N/2, t = 1) unrolled over consecutive quadruples;
   *   1. fused pairs of stages (m, m/2) while m ≥ 4: four elements at stride t,
   *      stage m on (x0, x1) with iw[m+2i], (x2, x3) with iw[m+2i+1], then
   *      stage m/2 on (x0, x2), (x1, x3) with iw[m/2+i];
   *   2. if one stage with m ≥ 2 is left, a radix-2 stage;
   *   3. the last stage (m = 1) fused with the scaling by N^{-1}:
   *      (x, y) ← ((x + y)·N^{-1}, (x − y)·N^{-1}·iw[1]), corrected to [0, q) when `canonical`.
   * Each GS butterfly: u = x + y reduced to [0, 2q); v = (x − y + 2q)·w in [0, 2q).
   */
  private inverse(x: Int32Array, canonical: boolean): void {
    const n = this.n, q = this.qn, q2 = 2 * q, iw = this.iw, iwQ = this.iwQ;
    let t = 1;
    let m = n >> 1;
    // Step 0.
    if (m >= 4) {
      for (let i = 0, j = 0, groups = m >> 1; i < groups; i++, j += 4) {
        const k = m + 2 * i, wa = iw[k], waq = iwQ[k], wb = iw[k + 1], wbq = iwQ[k + 1];
        const w = iw[(m >> 1) + i], wq = iwQ[(m >> 1) + i];
        let x0 = x[j], x1 = x[j + 1], x2 = x[j + 2], x3 = x[j + 3], s: number, r: number;
        s = x0 + x1 - q2;
        s += (s >> 31) & q2;
        r = x0 - x1 + q2;
        r = (Math.imul(r, wa) - Math.imul(r * waq, q)) | 0;
        x1 = r + ((r >> 31) & q);
        x0 = s;
        s = x2 + x3 - q2;
        s += (s >> 31) & q2;
        r = x2 - x3 + q2;
        r = (Math.imul(r, wb) - Math.imul(r * wbq, q)) | 0;
        x3 = r + ((r >> 31) & q);
        x2 = s;
        s = x0 + x2 - q2;
        x[j] = s + ((s >> 31) & q2);
        r = x0 - x2 + q2;
        r = (Math.imul(r, w) - Math.imul(r * wq, q)) | 0;
        x[j + 2] = r + ((r >> 31) & q);
        s = x1 + x3 - q2;
        x[j + 1] = s + ((s >> 31) & q2);
        r = x1 - x3 + q2;
        r = (Math.imul(r, w) - Math.imul(r * wq, q)) | 0;
        x[j + 3] = r + ((r >> 31) & q);
      }
      t = 4;
      m >>= 2;
    }
    // Step 1.
    for (; m >= 4; m >>= 2) {
      const groups = m >> 1;
      for (let i = 0; i < groups; i++) {
        const j1 = 4 * i * t;
        const k = m + 2 * i, wa = iw[k], waq = iwQ[k], wb = iw[k + 1], wbq = iwQ[k + 1];
        const w = iw[(m >> 1) + i], wq = iwQ[(m >> 1) + i];
        for (let j = j1, end = j1 + t; j < end; j++) {
          let x0 = x[j], x1 = x[j + t], x2 = x[j + 2 * t], x3 = x[j + 3 * t], s: number, r: number;
          s = x0 + x1 - q2;
          s += (s >> 31) & q2;
          r = x0 - x1 + q2;
          r = (Math.imul(r, wa) - Math.imul(r * waq, q)) | 0;
          x1 = r + ((r >> 31) & q);
          x0 = s;
          s = x2 + x3 - q2;
          s += (s >> 31) & q2;
          r = x2 - x3 + q2;
          r = (Math.imul(r, wb) - Math.imul(r * wbq, q)) | 0;
          x3 = r + ((r >> 31) & q);
          x2 = s;
          s = x0 + x2 - q2;
          x[j] = s + ((s >> 31) & q2);
          r = x0 - x2 + q2;
          r = (Math.imul(r, w) - Math.imul(r * wq, q)) | 0;
          x[j + 2 * t] = r + ((r >> 31) & q);
          s = x1 + x3 - q2;
          x[j + t] = s + ((s >> 31) & q2);
          r = x1 - x3 + q2;
          r = (Math.imul(r, w) - Math.imul(r * wq, q)) | 0;
          x[j + 3 * t] = r + ((r >> 31) & q);
        }
      }
      t <<= 2;
    }
    // Step 2.
    if (m === 2) {
      for (let i = 0; i < 2; i++) {
        const j1 = 2 * i * t, w = iw[2 + i], wq = iwQ[2 + i];
        for (let j = j1, end = j1 + t; j < end; j++) {
          const u = x[j], v = x[j + t];
          const s = u + v - q2;
          x[j] = s + ((s >> 31) & q2);
          let r = u - v + q2;
          r = (Math.imul(r, w) - Math.imul(r * wq, q)) | 0;
          x[j + t] = r + ((r >> 31) & q);
        }
      }
      t <<= 1;
    }
    // Step 3.
    const c = this.nInv, cq = this.nInvQ, cw = this.nInvW, cwq = this.nInvWQ;
    for (let j = 0; j < t; j++) {
      const u = x[j], v = x[j + t];
      let s = u + v; // [0, 4q)
      s = (Math.imul(s, c) - Math.imul(s * cq, q)) | 0;
      s += (s >> 31) & q; // [0, 2q)
      let r = u - v + q2; // (0, 4q)
      r = (Math.imul(r, cw) - Math.imul(r * cwq, q)) | 0;
      r += (r >> 31) & q; // [0, 2q)
      if (canonical) {
        s -= q & ~((s - q) >> 31);
        r -= q & ~((r - q) >> 31);
      }
      x[j] = s;
      x[j + t] = r;
    }
  }


  reduceFromLazy(a: Residues, bound: 2 | 4): void {
    const x = this.check('reduceFromLazy', a);
    if (bound !== 2 && bound !== 4) fail('INVALID_ARGUMENT', 'u32.reduceFromLazy', 'bound 2 or 4', bound);
    const q = this.qn, q2 = 2 * q;
    if (bound === 4) {
      for (let i = 0; i < x.length; i++) {
        let v = x[i] - q2;
        v += (v >> 31) & q2;
        v -= q;
        x[i] = v + ((v >> 31) & q);
      }
    } else {
      for (let i = 0; i < x.length; i++) {
        const v = x[i] - q;
        x[i] = v + ((v >> 31) & q);
      }
    }
  }

  fromBigInts(values: ArrayLike<bigint>, out: Residues): void {
    const o = this.check('fromBigInts', out);
    if (values.length !== this.n) fail('LENGTH_MISMATCH', 'u32.fromBigInts', `length ${this.n}`, values.length);
    for (let i = 0; i < o.length; i++) o[i] = Number(mod(values[i], this.q));
  }

  fromNumbers(values: ArrayLike<number>, out: Residues): void {
    const o = this.check('fromNumbers', out);
    if (values.length !== this.n) fail('LENGTH_MISMATCH', 'u32.fromNumbers', `length ${this.n}`, values.length);
    const q = this.qn;
    for (let i = 0; i < o.length; i++) {
      const v = values[i];
      if (!Number.isSafeInteger(v)) fail('INVALID_ARGUMENT', 'u32.fromNumbers', 'safe integers', v);
      const r = v % q;
      o[i] = r < 0 ? r + q : r;
    }
  }

  addScaledToFloat(a: Residues, scale: number, acc: Float64Array): void {
    const x = this.check('addScaledToFloat', a);
    if (acc.length !== this.n) fail('LENGTH_MISMATCH', 'u32.addScaledToFloat', `length ${this.n}`, acc.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      acc[i] += v * scale;
    }
  }

  toBigInts(a: Residues): bigint[] {
    const x = this.check('toBigInts', a);
    return Array.from(x, (v) => BigInt(v));
  }
}

const cache = new Map<string, U32PrimeOps>();

export const u32Kernel: Kernel = Object.freeze({
  name: 'u32' as const,
  maxPrimeBits: U32_MAX_PRIME_BITS,
  alloc(length: number, shared = false): Int32Array {
    return shared ? new Int32Array(new SharedArrayBuffer(4 * length)) : new Int32Array(length);
  },
  owns(array: unknown): array is Int32Array {
    return array instanceof Int32Array;
  },
  copy(src: Int32Array, dst: Int32Array): void {
    dst.set(src);
  },
  zero(a: Int32Array): void {
    a.fill(0);
  },
  modulus(q: bigint, n: number, options: ModulusOptions = {}): PrimeOps {
    const ntt = options.ntt ?? true;
    const key = `${q}:${n}:${ntt}`;
    let ops = cache.get(key);
    if (!ops) {
      assertRingDegree('u32.modulus', n);
      if (ntt) assertNttPrime('u32.modulus', q, n, U32_MAX_PRIME_BITS);
      else assertPlainModulus('u32.modulus', q, U32_MAX_PRIME_BITS);
      ops = new U32PrimeOps(q, n, ntt);
      cache.set(key, ops);
    }
    return ops;
  },
});
