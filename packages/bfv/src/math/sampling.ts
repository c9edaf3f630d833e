/**
 * Randomness and samplers for BFV: uniform residues, ternary secrets, and noise.
 *
 * Sources. All randomness comes from the system CSPRNG (crypto.ts: WebCrypto
 * getRandomValues, in Node and in browsers), never from the built-in
 * non-cryptographic Math generator (a test scans src/ for it):
 * - `systemRandom()`: the system CSPRNG, buffered in 64 KiB chunks (one call
 *   per chunk instead of per sample).
 * - `seededRandom(seed)`: a deterministic stream from a 32-byte seed, SHAKE256 in
 *   counter mode as in SEAL's Shake256PRNG (native/src/seal/randomgen.cpp):
 *     stream = SHAKE256(seed ‖ u64le(0), 4096) ‖ SHAKE256(seed ‖ u64le(1), 4096) ‖ …
 *   It expands the public polynomial `a` of seeded ciphertexts/keys and drives
 *   known-answer tests, so its output is part of the format: the stream and
 *   every sampler's byte consumption below depend only on the seed, q and n,
 *   never on the kernel.
 *
 * Samplers (byte consumption is specified so that seeded expansion is portable):
 * - Uniform mod q: rejection sampling as in SEAL's sample_poly_uniform, but on
 *   ⌈log2 q⌉-bit candidates: each candidate is the next 4 bytes (q < 2^32) or
 *   8 bytes (q ≥ 2^32) little-endian, masked to bitLength(q) bits, rejected if
 *   ≥ q. Unbiased; acceptance probability > 1/2. Sampling each RNS limb
 *   independently is the same as sampling uniformly mod Q = ∏ q_i (CRT is a
 *   bijection), so the limbs need no common integer.
 * - Ternary {−1, 0, 1}, each with probability exactly 1/3: one byte b per
 *   candidate, rejected if b = 255 (255 = 3·85 is the first byte outside a
 *   multiple of 3), value (b mod 3) − 1. Rejection depends only on b = 255,
 *   never on the accepted value, and the mapping has no branches.
 * - Noise: centered binomial distribution (CBD) with η = 21, exactly SEAL 4.x's
 *   default `sample_poly_cbd` (util/rlwe.cpp): 6 bytes b0..b5, value
 *   popcount(b0) + popcount(b1) + popcount(b2 & 0x1F) − popcount(b3) −
 *   popcount(b4) − popcount(b5 & 0x1F). Mean 0, variance η/2 = 10.5, so
 *   σ = √10.5 ≈ 3.24 (the standard σ ≈ 3.2 of the HE security tables), and
 *   |e| ≤ 21 always. Chosen over a clipped discrete Gaussian (SEAL's optional
 *   `sample_poly_normal`, σ = 3.2 clipped at 6σ) because it is exact in integer
 *   arithmetic, constant-time (popcounts, no rejection, no floating point) and
 *   has a hard bound far below any q; SEAL made it the default for the same
 *   reasons. General η ≥ 1 uses ⌈η/8⌉ bytes per half, the top byte masked.
 *
 * Small values into RNS limbs: `smallToResidues` writes the same signed integer
 * into every limb (the signed value mod q_i), which is what makes a sampled
 * secret or error one polynomial of R_Q rather than unrelated residues.
 */
import { fillRandom, shake256 } from './crypto.js';
import { fail } from './errors.js';
import type { PrimeOps, Residues } from './kernel.js';
import { mod } from './zq.js';

/** Seed size for `seededRandom` (and seeded ciphertexts), in bytes. */
export const SEED_BYTES = 32;

/** A byte stream. Reads consume it in order; values are uniform bytes. */
export interface RandomSource {
  /** Fills `out` with the next `out.length` bytes of the stream. */
  fill(out: Uint8Array): void;
  /** The next byte, in [0, 256). */
  nextByte(): number;
  /** The next 4 bytes as a little-endian integer in [0, 2^32). */
  nextUint32(): number;
}

/** Buffers a block generator; reads are the concatenation of its blocks. */
class BufferedSource implements RandomSource {
  private readonly buffer: Uint8Array;
  private pos: number;

  constructor(
    size: number,
    private readonly refill: (buffer: Uint8Array) => void,
  ) {
    this.buffer = new Uint8Array(size);
    this.pos = size;
  }

  nextByte(): number {
    if (this.pos === this.buffer.length) {
      this.refill(this.buffer);
      this.pos = 0;
    }
    return this.buffer[this.pos++];
  }

  nextUint32(): number {
    const b = this.buffer, p = this.pos;
    if (p + 4 <= b.length) {
      this.pos = p + 4;
      return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
    }
    // Crossing a block boundary: byte by byte, so the stream stays one sequence.
    return (this.nextByte() | (this.nextByte() << 8) | (this.nextByte() << 16) | (this.nextByte() << 24)) >>> 0;
  }

  fill(out: Uint8Array): void {
    let done = 0;
    while (done < out.length) {
      if (this.pos === this.buffer.length) {
        this.refill(this.buffer);
        this.pos = 0;
      }
      const take = Math.min(out.length - done, this.buffer.length - this.pos);
      out.set(this.buffer.subarray(this.pos, this.pos + take), done);
      this.pos += take;
      done += take;
    }
  }
}

const SYSTEM_CHUNK = 64 * 1024;
const SHAKE_BLOCK = 4096;

/** A fresh source over the system CSPRNG (crypto.getRandomValues), 64 KiB buffered. */
export function systemRandom(): RandomSource {
  return new BufferedSource(SYSTEM_CHUNK, (buffer) => fillRandom(buffer));
}

/**
 * The deterministic stream of a 32-byte seed: block k (4096 bytes) is
 * SHAKE256(seed ‖ k as u64 little-endian). The seed is copied.
 */
export function seededRandom(seed: Uint8Array): RandomSource {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES)
    fail('INVALID_ARGUMENT', 'seededRandom', `a ${SEED_BYTES}-byte Uint8Array seed`, seed);
  const input = new Uint8Array(SEED_BYTES + 8);
  input.set(seed);
  const counter = new DataView(input.buffer, SEED_BYTES, 8);
  let block = 0n;
  return new BufferedSource(SHAKE_BLOCK, (buffer) => {
    counter.setBigUint64(0, block++, true);
    buffer.set(shake256(input, SHAKE_BLOCK));
  });
}

/** A fresh 32-byte seed from the system CSPRNG (for seeded ciphertexts and keys). */
export function randomSeed(): Uint8Array {
  return fillRandom(new Uint8Array(SEED_BYTES));
}

function assertCount(fn: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) fail('INVALID_ARGUMENT', fn, 'a length n ≥ 0', n);
}

/**
 * Fills one limb `out` (length ops.n, storage of ops's kernel) with independent
 * uniform residues in [0, q), q = ops.q, by rejection (see the header for the
 * exact byte consumption). Works for moduli created with or without NTT tables.
 */
export function sampleUniformMod(rng: RandomSource, ops: PrimeOps, out: Residues): void {
  const fn = 'sampleUniformMod';
  const n = ops.n;
  if (out.length !== n) fail('LENGTH_MISMATCH', fn, `length ${n}`, out.length);
  const bits = ops.bits;
  if (bits <= 32) {
    // One 4-byte candidate, masked to `bits` bits (>>> 0 keeps it unsigned for bits = 32).
    const q = Number(ops.q);
    const mask = bits === 32 ? 0xffffffff : 2 ** bits - 1;
    const draw = (): number => {
      for (;;) {
        const c = (rng.nextUint32() & mask) >>> 0;
        if (c < q) return c;
      }
    };
    if (out instanceof Int32Array) {
      if (ops.kernel !== 'u32') fail('KERNEL_MISMATCH', fn, `${ops.kernel} kernel storage`, out);
      for (let i = 0; i < n; i++) out[i] = draw();
    } else if (out instanceof BigUint64Array) {
      if (ops.kernel !== 'u64') fail('KERNEL_MISMATCH', fn, `${ops.kernel} kernel storage`, out);
      for (let i = 0; i < n; i++) out[i] = BigInt(draw());
    } else fail('KERNEL_MISMATCH', fn, 'Int32Array or BigUint64Array storage', out);
    return;
  }
  // 8-byte candidates: low word first, high word masked to bits − 32 bits.
  if (!(out instanceof BigUint64Array) || ops.kernel !== 'u64')
    fail('KERNEL_MISMATCH', fn, 'BigUint64Array storage of a u64 modulus (q ≥ 2^32)', out);
  const q = ops.q;
  const highMask = 2 ** (bits - 32) - 1;
  for (let i = 0; i < n; i++) {
    for (;;) {
      const lo = rng.nextUint32();
      const hi = rng.nextUint32() & highMask;
      const c = (BigInt(hi) << 32n) | BigInt(lo);
      if (c < q) {
        out[i] = c;
        break;
      }
    }
  }
}

/**
 * Uniform element of R_Q in RNS form: limb i (at [i·n, (i+1)·n) of `out`) is
 * sampleUniformMod for ops[i], limbs in order. Equivalent to a uniform integer
 * mod ∏ q_i per coefficient, by CRT.
 */
export function sampleUniformRns(rng: RandomSource, ops: readonly PrimeOps[], out: Residues): void {
  const n = ops.length > 0 ? ops[0].n : 0;
  if (out.length !== ops.length * n)
    fail('LENGTH_MISMATCH', 'sampleUniformRns', `${ops.length}×${n} residues`, out.length);
  for (let i = 0; i < ops.length; i++) sampleUniformMod(rng, ops[i], out.subarray(i * n, (i + 1) * n));
}

/** n values uniform in {−1, 0, 1}, each exactly 1/3 (header: one byte per candidate, 255 rejected). */
export function sampleTernary(rng: RandomSource, n: number): Int8Array {
  assertCount('sampleTernary', n);
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    let b = rng.nextByte();
    while (b === 255) b = rng.nextByte();
    out[i] = (b % 3) - 1;
  }
  return out;
}

/** Branch-free popcount of a value in [0, 2^32). */
function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** Default CBD parameter: σ = √(21/2) ≈ 3.24, as SEAL 4.x. */
export const CBD_ETA = 21;

/**
 * n samples of the centered binomial distribution B(η) − B(η): values in
 * [−η, η], mean 0, variance η/2. η integer in [1, 32]. For η = 21 this is
 * SEAL's sample_poly_cbd byte for byte (see header).
 */
export function sampleCenteredBinomial(rng: RandomSource, n: number, eta: number = CBD_ETA): Int32Array {
  const fn = 'sampleCenteredBinomial';
  assertCount(fn, n);
  if (!Number.isInteger(eta) || eta < 1 || eta > 32) fail('INVALID_ARGUMENT', fn, 'η an integer in [1, 32]', eta);
  const bytes = Math.ceil(eta / 8);
  const topMask = (1 << (eta - 8 * (bytes - 1))) - 1;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let plus = 0, minus = 0;
    for (let k = 0; k < bytes; k++) plus += popcount32(k === bytes - 1 ? rng.nextByte() & topMask : rng.nextByte());
    for (let k = 0; k < bytes; k++) minus += popcount32(k === bytes - 1 ? rng.nextByte() & topMask : rng.nextByte());
    out[i] = plus - minus;
  }
  return out;
}

/**
 * Writes small signed integers into every limb of an RNS polynomial: limb i
 * (at [i·n, (i+1)·n) of `out`) gets small[k] mod ops[i].q in [0, q_i). Each
 * |small[k]| must be < every q_i (true for ternary and CBD values); the same
 * integer lands in every limb. Branch-free for u32 storage.
 */
export function smallToResidues(small: ArrayLike<number>, ops: readonly PrimeOps[], out: Residues): void {
  const fn = 'smallToResidues';
  const n = ops.length > 0 ? ops[0].n : 0;
  if (small.length !== n) fail('LENGTH_MISMATCH', fn, `${n} coefficients`, small.length);
  if (out.length !== ops.length * n) fail('LENGTH_MISMATCH', fn, `${ops.length}×${n} residues`, out.length);
  let bound = 0;
  for (let k = 0; k < n; k++) bound = Math.max(bound, Math.abs(small[k]));
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.n !== n) fail('LENGTH_MISMATCH', fn, `primes of one degree ${n}`, op.n);
    if (!Number.isSafeInteger(bound) || BigInt(bound) >= op.q) fail('OUT_OF_RANGE', fn, `|values| < ${op.q}`, bound);
    if (out instanceof Int32Array && op.kernel === 'u32') {
      const l = out.subarray(i * n, (i + 1) * n), q = Number(op.q);
      for (let k = 0; k < n; k++) {
        const v = small[k] | 0;
        l[k] = v + ((v >> 31) & q); // adds q exactly when v < 0
      }
    } else if (out instanceof BigUint64Array && op.kernel === 'u64') {
      const l = out.subarray(i * n, (i + 1) * n), q = op.q;
      // BigInt arithmetic is not constant-time anyway; u64 is the reference kernel.
      for (let k = 0; k < n; k++) l[k] = mod(BigInt(small[k]), q);
    } else fail('KERNEL_MISMATCH', fn, `${op.kernel} kernel storage`, out);
  }
}
