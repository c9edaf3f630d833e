/**
 * Encoders: values → Plaintext (polynomials mod t).
 *
 * BatchEncoder (SEAL batchencoder.cpp; Smart–Vercauteren SIMD): for a batching
 * prime t ≡ 1 (mod 2N), R_t ≅ Z_t^N. The N slots form a 2 × N/2 matrix: slot
 * (r, c) is the evaluation at ψ^{e} with e = 3^c (row 0) or −3^c (row 1) mod 2N,
 * so that the Galois map X → X^{3^k} rotates both rows left by k and X → X^{2N−1}
 * swaps the rows. Encoding writes slot values at their bit-reversed NTT positions
 * and applies the inverse NTT mod t.
 *
 * CoefficientEncoder: values are the polynomial's coefficients (no batching
 * needed); a scalar encodes as a constant polynomial, which in batching terms is
 * the same value in every slot.
 *
 * Range rule: unsigned values must lie in [0, t), signed ones in
 * [−⌊t/2⌋, ⌊(t−1)/2⌋]; anything else is a PLAINTEXT_OUT_OF_RANGE error, never a wrap.
 */
import { Plaintext } from './ciphertext.js';
import { assertContext, type BfvContext } from './context.js';
import { QheError, describe, fail } from './math/errors.js';
import { bitReverse } from './math/ntt.js';
import { assertPlaintext, booleanOption, optionsOperand } from './operands.js';

export interface EncodeOptions {
  /** Interpret values as signed (centred) integers. Default false. */
  readonly signed?: boolean;
}

/**
 * Validated residues in [0, t): numbers when t < 2^31 (u32 storage, the fast
 * path), bigints otherwise. With `into` (u32 storage, t < 2^31, zeroed) the numbers
 * are written straight into it at positions `map[i]` and `into` is returned: the
 * BatchEncoder's hot path, with no intermediate arrays.
 */
function toResidues(fn: string, values: ArrayLike<number | bigint>, n: number, t: bigint, signed: boolean, into?: { out: Int32Array; map: Int32Array }): number[] | bigint[] | Int32Array {
  // Arrays and typed arrays only: a number, string or plain object is array-like enough to encode as zeros.
  if (!Array.isArray(values) && !(ArrayBuffer.isView(values) && !(values instanceof DataView)))
    fail('INVALID_ARGUMENT', fn, 'an array or typed array of integers', values);
  if (values.length > n) fail('INVALID_ARGUMENT', fn, `at most ${n} values`, values.length);
  const lo = signed ? -(t >> 1n) : 0n;
  const hi = signed ? (t - 1n) >> 1n : t - 1n;
  const bad = (v: number | bigint, i: number): never => {
    throw new QheError('PLAINTEXT_OUT_OF_RANGE', `${fn}: expected ${signed ? 'signed' : 'unsigned'} integers in [${lo}, ${hi}] (t = ${t}), got ${typeof v === 'bigint' ? v : describe(v)} at index ${i}`);
  };
  if (t < 1n << 31n) {
    const tn = Number(t), lon = Number(lo), hin = Number(hi);
    const out = into ? into.out : new Array<number>(n).fill(0);
    const map = into?.map;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const x = typeof v === 'bigint' ? (v >= lo && v <= hi ? Number(v) : bad(v, i)) : v;
      if (!Number.isInteger(x) || x < lon || x > hin) bad(v, i);
      out[map ? map[i] : i] = x < 0 ? x + tn : x;
    }
    return out;
  }
  const out = new Array<bigint>(n).fill(0n);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number' && !Number.isSafeInteger(v)) bad(v, i);
    const b = BigInt(v);
    if (b < lo || b > hi) bad(v, i);
    out[i] = b < 0n ? b + t : b;
  }
  return out;
}

function fill(ops: BfvContext['plainOps'], values: number[] | bigint[], out: Plaintext['data']): void {
  if (typeof values[0] === 'number') ops.fromNumbers(values as number[], out);
  else ops.fromBigInts(values as bigint[], out);
}

function fromResidues(values: bigint[], t: bigint, signed: boolean): bigint[] {
  if (!signed) return values;
  const half = (t - 1n) >> 1n;
  return values.map((v) => (v > half ? v - t : v));
}

function toNumbers(fn: string, values: readonly bigint[]): number[] {
  return values.map((v) => {
    const x = Number(v);
    if (!Number.isSafeInteger(x)) fail('OUT_OF_RANGE', fn, 'values within ±2^53 (use decodeBigInt)', v);
    return x;
  });
}

export class BatchEncoder {
  readonly slots: number;
  /** Slot index → NTT position (SEAL's matrix_reps_index_map). */
  private readonly indexMap: Int32Array;

  constructor(readonly context: BfvContext) {
    assertContext('BatchEncoder', context);
    if (!context.params.batching)
      fail('PLAIN_MODULUS_NOT_BATCHING', 'BatchEncoder', `a prime t ≡ 1 (mod ${2 * context.n})`, context.t);
    const n = context.n;
    this.slots = n;
    const logN = Math.log2(n);
    const rowSize = n / 2;
    const m = 2 * n;
    this.indexMap = new Int32Array(n);
    let pos = 1;
    for (let i = 0; i < rowSize; i++) {
      this.indexMap[i] = bitReverse((pos - 1) >> 1, logN);
      this.indexMap[rowSize + i] = bitReverse((m - pos - 1) >> 1, logN);
      pos = (pos * 3) % m;
    }
  }

  /** Up to N values (missing slots are zero) → Plaintext. */
  encode(values: ArrayLike<number | bigint>, options: EncodeOptions = {}): Plaintext {
    const { context } = this;
    const fn = 'BatchEncoder.encode';
    const signed = signedOption(fn, options);
    const pt = Plaintext.zero(context);
    if (pt.data instanceof Int32Array && context.t < 1n << 31n) {
      toResidues(fn, values, context.n, context.t, signed, { out: pt.data, map: this.indexMap });
      context.plainOps.inverseNtt(pt.data);
      return pt;
    }
    const residues = toResidues(fn, values, context.n, context.t, signed) as number[] | bigint[];
    const placed = residues.slice() as number[] | bigint[];
    for (let i = 0; i < context.n; i++) placed[this.indexMap[i]] = residues[i];
    fill(context.plainOps, placed, pt.data);
    context.plainOps.inverseNtt(pt.data);
    return pt;
  }

  private evaluations(fn: string, pt: Plaintext): Plaintext['data'] {
    assertPlaintext(this.context, fn, pt);
    const tmp = this.context.kernel.alloc(this.context.n);
    this.context.kernel.copy(pt.data, tmp);
    this.context.plainOps.forwardNtt(tmp);
    return tmp;
  }

  /** The N slot values as bigints ([0, t), or centred when signed). */
  decodeBigInt(pt: Plaintext, options: EncodeOptions = {}): bigint[] {
    const fn = 'BatchEncoder.decodeBigInt';
    const signed = signedOption(fn, options);
    const evals = this.evaluations(fn, pt);
    const slots = Array.from(this.indexMap, (j) => BigInt(evals[j]));
    return fromResidues(slots, this.context.t, signed);
  }

  /** The N slot values as numbers ([0, t), or centred when signed); t < 2^53. */
  decode(pt: Plaintext, options: EncodeOptions = {}): number[] {
    const fn = 'BatchEncoder.decode';
    const signed = signedOption(fn, options);
    const evals = this.evaluations(fn, pt);
    if (!(evals instanceof Int32Array)) return toNumbers(fn, this.decodeBigInt(pt, options));
    const t = Number(this.context.t), half = (t - 1) / 2;
    return Array.from(this.indexMap, (j) => {
      const v = evals[j];
      return signed && v > half ? v - t : v;
    });
  }
}

export class CoefficientEncoder {
  constructor(readonly context: BfvContext) {
    assertContext('CoefficientEncoder', context);
  }

  /** Coefficients (up to N; the rest zero) → Plaintext. */
  encode(coefficients: ArrayLike<number | bigint>, options: EncodeOptions = {}): Plaintext {
    const { context } = this;
    const fn = 'CoefficientEncoder.encode';
    const residues = toResidues(fn, coefficients, context.n, context.t, signedOption(fn, options)) as number[] | bigint[];
    const pt = Plaintext.zero(context);
    fill(context.plainOps, residues, pt.data);
    return pt;
  }

  /** A constant polynomial: the same value in every batching slot. */
  encodeScalar(value: number | bigint, options: EncodeOptions = {}): Plaintext {
    return this.encode([value], options);
  }

  decodeBigInt(pt: Plaintext, options: EncodeOptions = {}): bigint[] {
    const fn = 'CoefficientEncoder.decodeBigInt';
    const signed = signedOption(fn, options);
    assertPlaintext(this.context, fn, pt);
    return fromResidues(pt.coefficients(), this.context.t, signed);
  }

  decode(pt: Plaintext, options: EncodeOptions = {}): number[] {
    return toNumbers('CoefficientEncoder.decode', this.decodeBigInt(pt, options));
  }
}

/** `options.signed` of encode/decode (default false). */
function signedOption(fn: string, options: unknown): boolean {
  return booleanOption(fn, 'signed', optionsOperand<EncodeOptions>(fn, options).signed, false);
}
