/**
 * Serialization: a versioned, self-describing binary format for parameters,
 * keys, plaintexts and ciphertexts (including the ~half-size seeded form of
 * symmetric ciphertexts).
 *
 * API (per-kind functions, plus a generic pair that dispatches on the kind):
 *
 *   serializeParameters(params | context | literal) → bytes    deserializeParameters(bytes) → BfvParameters
 *   serializeSecretKey(sk)       deserializeSecretKey(ctx, bytes)
 *   serializePublicKey(pk)       deserializePublicKey(ctx, bytes)
 *   serializeRelinKeys(rk)       deserializeRelinKeys(ctx, bytes)
 *   serializeGaloisKeys(gk)      deserializeGaloisKeys(ctx, bytes)
 *   serializePlaintext(pt)       deserializePlaintext(ctx, bytes)
 *   serializeCiphertext(ct, { seeded? })   deserializeCiphertext(ctx, bytes)  (either form)
 *   serialize(obj)               deserialize(ctx, bytes, kind?)
 *   inspectSerialized(bytes) → { version, kind, fingerprint, byteLength }  (container checks only)
 *   parametersFingerprint(params) → hex string of the 16-byte fingerprint
 *
 * Every failure to load is a `QheError`: code `PARAMETER_MISMATCH` when an intact
 * object was made for other parameters than the context's, `SERIALIZATION`
 * otherwise (message "fn: expected …, got …"). Loading never returns a malformed
 * object: lengths must match exactly, every residue must be < its prime, and every
 * field must hold one of its allowed values. Encoding is canonical: an accepted
 * byte string re-serializes to exactly itself.
 *
 * Container (all integers little-endian; B = body length):
 *
 *   | offset | size | field                                                          |
 *   |--------|------|----------------------------------------------------------------|
 *   | 0      | 4    | magic "QHE1" (0x51 0x48 0x45 0x31)                             |
 *   | 4      | 2    | format version, u16 = 1                                        |
 *   | 6      | 1    | kind, u8 (table below)                                         |
 *   | 7      | 1    | flags, u8 = 0 (reserved)                                       |
 *   | 8      | 16   | parameter fingerprint (below)                                  |
 *   | 24     | 4    | B, u32                                                         |
 *   | 28     | B    | body                                                           |
 *   | 28 + B | 16   | checksum: SHA-256(bytes[0, 28 + B)) truncated to 16 bytes      |
 *
 * Kinds and bodies. "poly over base" = for each prime q_i of the base in order,
 * N residues of w(q_i) = ⌈bitLength(q_i)/8⌉ bytes each (limb-major, the kernel's
 * own layout); widths come from the primes only, so the bytes are the same on both
 * kernels (the kernel is part of the parameters, hence of the fingerprint).
 *
 *   | kind | name             | body                                                                |
 *   |------|------------------|---------------------------------------------------------------------|
 *   | 1    | params           | u32 N, u8 kernel (0 u32, 1 u64), u8 k, u8 s, u8 α = keySwitchDigit-  |
 *   |      |                  | Size (1..k), u64 t, k × u64 q_i, s × u64 p_j, u8 security (0 none =   |
 *   |      |                  | allowInsecure, 1/2/3 = 128/192/256): 17 + 8(k + s) bytes             |
 *   | 2    | secretKey        | N/4 bytes: coefficient i in bits 2(i mod 4)..+1 of byte ⌊i/4⌋,        |
 *   |      |                  | 00 → 0, 01 → 1, 10 → −1 (11 rejected); NTT form rebuilt on load     |
 *   | 3    | publicKey        | p0, p1: polys over the key base (q_0..q_{L−1}, p_0..), NTT form       |
 *   | 4    | relinKeys        | u8 d = ⌈L/α⌉ digits, then d × (b, a) polys over the key base, NTT    |
 *   | 5    | galoisKeys       | u32 m, then m × (u32 Galois element g, u8 d, d × (b, a))              |
 *   |      |                  | g odd in [1, 2N), distinct, in the key map's order                   |
 *   | 6    | plaintext        | N residues mod t, w(t) bytes each                                    |
 *   | 7    | ciphertext       | u8 level, u8 size ≥ 2, size × poly over the level's base (coeff form) |
 *   | 8    | seededCiphertext | c0 over the level-0 base, 32-byte seed; c1 = expandSeed(ctx, seed)   |
 *
 * Parameter fingerprint: SHA-256("qhe/bfv/params" ‖ params body without its last
 * (security) byte), first 16 bytes. It covers exactly what `BfvContext.id` covers
 * (N, kernel, primes, t) plus the key-switching digit size α (which fixes how
 * key-switching keys are cut into digits), so an object loads into a context iff
 * it could have been used with it; the params container carries its own
 * fingerprint, which deserializeParameters recomputes.
 *
 * Why this shape.
 * - The checksum covers everything before it and is verified (after magic and
 *   version, which fix how the rest is read) before any field is interpreted, so
 *   accidental corruption and truncation surface as one clear SERIALIZATION error
 *   instead of an odd semantic failure. It is not a MAC: an attacker can recompute
 *   it, which is why the body is still validated field by field afterwards.
 * - The fingerprint refuses cross-parameter loads up front (PARAMETER_MISMATCH):
 *   residues of one modulus chain are valid-looking numbers under another one.
 * - Lengths are fixed by (kind, parameters, a few small header fields), and are
 *   compared with the input before anything is allocated, so garbage can neither
 *   hang the parser nor make it allocate more than the input's size.
 * - Seeded ciphertexts: a fresh `encryptSymmetric` ciphertext's c1 is the uniform
 *   polynomial expanded from its 32-byte seed (SHAKE256, sampling.ts), so storing
 *   the seed instead of c1 halves the size. Evaluator operations clear `seed`;
 *   serializeCiphertext additionally re-expands the seed and compares it with c1,
 *   so a ciphertext modified in place is never stored in seeded form.
 */
import { Ciphertext, Plaintext } from './ciphertext.js';
import { BfvContext } from './context.js';
import { expandSeed } from './encryptor.js';
import { GaloisKeys, KSwitchKey, PublicKey, RelinKeys, SecretKey, smallToNtt } from './keys.js';
import { QheError, describe } from './math/errors.js';
import { sha256, toHex } from './math/crypto.js';
import type { Residues } from './math/kernel.js';
import { RnsPoly } from './math/poly.js';
import type { RnsBase } from './math/rns.js';
import { SEED_BYTES } from './math/sampling.js';
import { bitLength } from './math/zq.js';
import { bfvParameters, type BfvParameterLiteral, type BfvParameters, type SecurityLevel } from './params.js';

/** Format version written by this module (the only one it reads). */
export const SERIALIZATION_VERSION = 1;
/** The first four bytes of every serialized object (ASCII). */
export const SERIALIZATION_MAGIC = 'QHE1';
const MAGIC_BYTES = new Uint8Array([0x51, 0x48, 0x45, 0x31]);

export type SerializedKind =
  | 'params'
  | 'secretKey'
  | 'publicKey'
  | 'relinKeys'
  | 'galoisKeys'
  | 'plaintext'
  | 'ciphertext'
  | 'seededCiphertext';

const KIND_CODES: Readonly<Record<SerializedKind, number>> = Object.freeze({
  params: 1,
  secretKey: 2,
  publicKey: 3,
  relinKeys: 4,
  galoisKeys: 5,
  plaintext: 6,
  ciphertext: 7,
  seededCiphertext: 8,
});
const KIND_NAMES: readonly (SerializedKind | undefined)[] = (() => {
  const names: (SerializedKind | undefined)[] = [];
  for (const [name, code] of Object.entries(KIND_CODES)) names[code] = name as SerializedKind;
  return names;
})();

const HEADER_BYTES = 28;
const FINGERPRINT_BYTES = 16;
const CHECKSUM_BYTES = 16;
const MAX_BODY_BYTES = 0xffffffff;
const SECURITY_CODES: readonly (SecurityLevel | 'none')[] = ['none', 128, 192, 256];
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function serializationError(fn: string, expected: string, got: unknown): never {
  throw new QheError('SERIALIZATION', `${fn}: expected ${expected}, got ${typeof got === 'string' ? got : describe(got)}`);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const hex = toHex;

/** Bytes per residue for modulus q. */
function widthOf(q: bigint): number {
  return Math.ceil(bitLength(q) / 8);
}

// ---------------------------------------------------------------------------
// Writing

class Writer {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  private push(part: Uint8Array): void {
    this.parts.push(part);
    this.length += part.length;
  }

  u8(v: number): void {
    this.push(Uint8Array.of(v & 0xff));
  }

  u32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    this.push(b);
  }

  u64(v: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    this.push(b);
  }

  bytes(b: Uint8Array): void {
    this.push(b.slice());
  }

  /** A polynomial's residues (layout: limb i at [i·n, (i+1)·n)), widths from `primes`. */
  residues(data: Residues, primes: readonly bigint[], n: number): void {
    let total = 0;
    for (const q of primes) total += widthOf(q) * n;
    const out = new Uint8Array(total);
    let off = 0;
    for (let i = 0; i < primes.length; i++) {
      const w = widthOf(primes[i]);
      packLimb(data.subarray(i * n, (i + 1) * n), w, out, off);
      off += w * n;
    }
    this.push(out);
  }

  /** The container around the body written so far. */
  finish(kind: SerializedKind, fingerprint: Uint8Array, fn: string): Uint8Array {
    if (this.length > MAX_BODY_BYTES) serializationError(fn, `a body of at most ${MAX_BODY_BYTES} bytes`, `${this.length} bytes`);
    const out = new Uint8Array(HEADER_BYTES + this.length + CHECKSUM_BYTES);
    const view = new DataView(out.buffer);
    out.set(MAGIC_BYTES, 0);
    view.setUint16(4, SERIALIZATION_VERSION, true);
    out[6] = KIND_CODES[kind];
    out[7] = 0;
    out.set(fingerprint, 8);
    view.setUint32(24, this.length, true);
    let off = HEADER_BYTES;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    out.set(sha256(out.subarray(0, off)).subarray(0, CHECKSUM_BYTES), off);
    return out;
  }
}

function packLimb(limb: Residues, w: number, out: Uint8Array, off: number): void {
  const n = limb.length;
  if (LITTLE_ENDIAN && ((w === 4 && limb instanceof Int32Array) || (w === 8 && limb instanceof BigUint64Array))) {
    out.set(new Uint8Array(limb.buffer, limb.byteOffset, limb.byteLength), off);
    return;
  }
  if (limb instanceof Int32Array) {
    for (let k = 0; k < n; k++) {
      let v = limb[k] >>> 0;
      for (let b = 0; b < w; b++) {
        out[off++] = v & 0xff;
        v >>>= 8;
      }
    }
  } else {
    for (let k = 0; k < n; k++) {
      const x = limb[k];
      let lo = Number(x & 0xffffffffn);
      let hi = Number(x >> 32n);
      for (let b = 0; b < w; b++) {
        if (b < 4) {
          out[off++] = lo & 0xff;
          lo >>>= 8;
        } else {
          out[off++] = hi & 0xff;
          hi >>>= 8;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Reading

class Reader {
  private pos = 0;
  private readonly view: DataView;

  constructor(
    readonly fn: string,
    private readonly bytes: Uint8Array,
    /** Offset of `bytes` within the whole input, for messages. */
    private readonly base: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private need(count: number, what: string): void {
    if (count > this.remaining)
      serializationError(this.fn, `${count} bytes for ${what} at offset ${this.base + this.pos}`, `${this.remaining} bytes left in the body`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(what: string): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bytesOf(count: number, what: string): Uint8Array {
    this.need(count, what);
    const out = this.bytes.slice(this.pos, this.pos + count);
    this.pos += count;
    return out;
  }

  /** A polynomial over `base` in the given representation; every residue checked < its prime. */
  poly(base: RnsBase, representation: 'coeff' | 'ntt', what: string): RnsPoly {
    const n = base.n;
    let total = 0;
    for (const q of base.primes) total += widthOf(q) * n;
    this.need(total, what);
    const data = base.kernel.alloc(base.size * n);
    for (let i = 0; i < base.size; i++) {
      const q = base.primes[i];
      const w = widthOf(q);
      this.limb(data.subarray(i * n, (i + 1) * n), q, w, `${what} limb ${i}`);
    }
    return new RnsPoly(base, data, representation);
  }

  /** N residues mod q into `out` (a kernel array of length N); length already checked by the caller. */
  limb(out: Residues, q: bigint, w: number, what: string): void {
    const n = out.length;
    const start = this.pos;
    this.need(w * n, what);
    const src = this.bytes;
    if (LITTLE_ENDIAN && ((w === 4 && out instanceof Int32Array) || (w === 8 && out instanceof BigUint64Array))) {
      new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(src.subarray(start, start + w * n));
    } else if (out instanceof Int32Array) {
      let off = start;
      for (let k = 0; k < n; k++) {
        let v = 0;
        for (let b = w - 1; b >= 0; b--) v = v * 256 + src[off + b];
        off += w;
        out[k] = v > 0x7fffffff ? -1 : v; // −1 is rejected below (a u32-kernel prime is < 2^29)
      }
    } else {
      let off = start;
      for (let k = 0; k < n; k++) {
        let lo = 0;
        let hi = 0;
        for (let b = Math.min(w, 4) - 1; b >= 0; b--) lo = lo * 256 + src[off + b];
        for (let b = w - 1; b >= 4; b--) hi = hi * 256 + src[off + b];
        off += w;
        out[k] = hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
      }
    }
    // Range check: every residue canonical.
    if (out instanceof Int32Array) {
      const qn = Number(q);
      for (let k = 0; k < n; k++) {
        const v = out[k];
        if (v < 0 || v >= qn) this.badResidue(what, q, k, start + k * w, w);
      }
    } else {
      for (let k = 0; k < n; k++) if (out[k] >= q) this.badResidue(what, q, k, start + k * w, w);
    }
    this.pos = start + w * n;
  }

  private badResidue(what: string, q: bigint, k: number, off: number, w: number): never {
    let v = 0n;
    for (let b = w - 1; b >= 0; b--) v = (v << 8n) | BigInt(this.bytes[off + b]);
    return serializationError(this.fn, `residues < ${q} in ${what}`, `${v} at coefficient ${k} (offset ${this.base + off})`);
  }

  end(what: string): void {
    if (this.remaining !== 0)
      serializationError(this.fn, `the ${what} body to end at offset ${this.base + this.pos}`, `${this.remaining} extra bytes`);
  }
}

// ---------------------------------------------------------------------------
// Parameters and fingerprints

function isValidatedParams(p: unknown): p is BfvParameters {
  return (
    typeof p === 'object' &&
    p !== null &&
    Object.isFrozen(p) &&
    typeof (p as BfvParameters).logQP === 'number' &&
    typeof (p as BfvParameters).plainModulus === 'bigint'
  );
}

/** The params body: ring part (fingerprinted) then the security byte. */
function paramsBody(p: BfvParameters): Uint8Array {
  const k = p.coeffModulus.length;
  const s = p.specialModulus.length;
  if (k > 255 || s > 255) serializationError('serializeParameters', 'at most 255 primes per modulus list', `${k} and ${s}`);
  const out = new Uint8Array(16 + 8 * (k + s) + 1);
  const view = new DataView(out.buffer);
  view.setUint32(0, p.polyDegree, true);
  out[4] = p.kernel === 'u64' ? 1 : 0;
  out[5] = k;
  out[6] = s;
  out[7] = p.keySwitchDigitSize;
  view.setBigUint64(8, p.plainModulus, true);
  [...p.coeffModulus, ...p.specialModulus].forEach((q, i) => view.setBigUint64(16 + 8 * i, q, true));
  out[out.length - 1] = SECURITY_CODES.indexOf(p.securityLevel);
  return out;
}

const FINGERPRINT_DOMAIN = new TextEncoder().encode('qhe/bfv/params');

function fingerprintOfBody(body: Uint8Array): Uint8Array {
  return sha256(FINGERPRINT_DOMAIN, body.subarray(0, body.length - 1)).subarray(0, FINGERPRINT_BYTES);
}

const fingerprints = new WeakMap<BfvParameters, Uint8Array>();

function fingerprintOf(p: BfvParameters): Uint8Array {
  let f = fingerprints.get(p);
  if (!f) {
    f = fingerprintOfBody(paramsBody(p));
    fingerprints.set(p, f);
  }
  return f;
}

function toParams(params: BfvParameters | BfvParameterLiteral | BfvContext): BfvParameters {
  if (params instanceof BfvContext) return params.params;
  return isValidatedParams(params) ? params : bfvParameters(params);
}

/** The 16-byte parameter fingerprint (hex) that serialized objects carry. */
export function parametersFingerprint(params: BfvParameters | BfvParameterLiteral | BfvContext): string {
  return hex(fingerprintOf(toParams(params)));
}

export function serializeParameters(params: BfvParameters | BfvParameterLiteral | BfvContext): Uint8Array {
  const p = toParams(params);
  const w = new Writer();
  const body = paramsBody(p);
  w.bytes(body);
  return w.finish('params', fingerprintOfBody(body), 'serializeParameters');
}

export function deserializeParameters(bytes: Uint8Array): BfvParameters {
  const fn = 'deserializeParameters';
  return guarded(fn, () => {
    const c = openContainer(fn, bytes, ['params']);
    const body = c.reader;
    const n = body.u32('N');
    const kernelCode = body.u8('kernel');
    const k = body.u8('coefficient prime count');
    const s = body.u8('special prime count');
    const alpha = body.u8('key-switching digit size');
    const t = body.u64('t');
    const primes: bigint[] = [];
    for (let i = 0; i < k + s; i++) primes.push(body.u64(`prime ${i}`));
    const securityCode = body.u8('security level');
    body.end('params');
    if (kernelCode > 1) serializationError(fn, 'kernel code 0 (u32) or 1 (u64)', kernelCode);
    if (alpha < 1 || alpha > k) serializationError(fn, `a key-switching digit size in [1, ${k}]`, alpha);
    if (securityCode >= SECURITY_CODES.length) serializationError(fn, 'security code 0..3', securityCode);
    const raw = c.body;
    if (!equalBytes(fingerprintOfBody(raw), c.fingerprint))
      serializationError(fn, `the fingerprint of the stored parameters (${hex(fingerprintOfBody(raw))})`, hex(c.fingerprint));
    const level = SECURITY_CODES[securityCode];
    let params: BfvParameters;
    try {
      params = bfvParameters({
        polyDegree: n,
        kernel: kernelCode === 1 ? 'u64' : 'u32',
        coeffModulus: primes.slice(0, k),
        specialModulus: primes.slice(k),
        plainModulus: t,
        keySwitchDigitSize: alpha,
        // 'none' was stored for parameters over the bound of the requested level, hence over the 256-bit one.
        securityLevel: level === 'none' ? 256 : level,
        allowInsecure: level === 'none',
      });
    } catch (e) {
      const detail = e instanceof QheError ? `${e.code} (${e.message})` : e instanceof Error ? e.message : String(e);
      return serializationError(fn, 'valid BFV parameters', detail);
    }
    if (params.securityLevel !== level) serializationError(fn, `security level ${level} (canonical)`, params.securityLevel);
    if (params.keySwitchDigitSize !== alpha) serializationError(fn, `key-switching digit size ${alpha} (canonical)`, params.keySwitchDigitSize);
    return params;
  });
}

// ---------------------------------------------------------------------------
// Container

interface Opened {
  readonly kind: SerializedKind;
  readonly fingerprint: Uint8Array;
  readonly body: Uint8Array;
  readonly reader: Reader;
}

function kindLabel(code: number): string {
  return KIND_NAMES[code] ?? `unknown kind ${code}`;
}

/** Checks magic, version, length, checksum, flags and kind; with a context, the fingerprint. */
function openContainer(fn: string, bytes: unknown, kinds: readonly SerializedKind[], context?: BfvContext): Opened {
  if (!(bytes instanceof Uint8Array)) serializationError(fn, 'a Uint8Array', bytes);
  const min = HEADER_BYTES + CHECKSUM_BYTES;
  if (bytes.length < min) serializationError(fn, `at least ${min} bytes (header and checksum)`, `${bytes.length} bytes`);
  for (let i = 0; i < 4; i++)
    if (bytes[i] !== MAGIC_BYTES[i]) serializationError(fn, 'magic "QHE1" (51484531)', hex(bytes.subarray(0, 4)));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== SERIALIZATION_VERSION) serializationError(fn, `format version ${SERIALIZATION_VERSION}`, version);
  const bodyLength = view.getUint32(24, true);
  const total = HEADER_BYTES + bodyLength + CHECKSUM_BYTES;
  if (bytes.length !== total)
    serializationError(fn, `${total} bytes (header states a ${bodyLength}-byte body)`, `${bytes.length} bytes`);
  const end = HEADER_BYTES + bodyLength;
  const sum = sha256(bytes.subarray(0, end)).subarray(0, CHECKSUM_BYTES);
  if (!equalBytes(sum, bytes.subarray(end)))
    serializationError(fn, `checksum ${hex(sum)} (the data is corrupted)`, hex(bytes.subarray(end)));
  if (bytes[7] !== 0) serializationError(fn, 'flags 0', bytes[7]);
  const kind = KIND_NAMES[bytes[6]];
  if (kind === undefined || !kinds.includes(kind)) serializationError(fn, `a serialized ${kinds.join(' or ')}`, `a ${kindLabel(bytes[6])}`);
  const fingerprint = bytes.slice(8, 8 + FINGERPRINT_BYTES);
  if (context && !equalBytes(fingerprint, fingerprintOf(context.params)))
    throw new QheError(
      'PARAMETER_MISMATCH',
      `${fn}: expected an object for parameters ${context.id} (fingerprint ${hex(fingerprintOf(context.params))}), got one for parameters with fingerprint ${hex(fingerprint)}`,
    );
  const body = bytes.subarray(HEADER_BYTES, end);
  return { kind, fingerprint, body, reader: new Reader(fn, body, HEADER_BYTES) };
}

/** Runs a parser; any failure that is not already SERIALIZATION / PARAMETER_MISMATCH becomes SERIALIZATION. */
function guarded<T>(fn: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof QheError && (e.code === 'SERIALIZATION' || e.code === 'PARAMETER_MISMATCH')) throw e;
    const detail = e instanceof QheError ? `${e.code}: ${e.message}` : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new QheError('SERIALIZATION', `${fn}: expected a well-formed object, got an error while loading (${detail})`);
  }
}

function assertContext(fn: string, context: unknown): asserts context is BfvContext {
  if (!(context instanceof BfvContext)) serializationError(fn, 'a BfvContext', context);
}

// ---------------------------------------------------------------------------
// Keys

/** 2-bit codes: 0 → 00, 1 → 01, −1 → 10. */
function packTernary(fn: string, small: Int8Array, n: number): Uint8Array {
  if (small.length !== n) serializationError(fn, `${n} secret-key coefficients`, small.length);
  const out = new Uint8Array(n / 4);
  for (let i = 0; i < n; i++) {
    const c = small[i];
    const code = c === 0 ? 0 : c === 1 ? 1 : c === -1 ? 2 : serializationError(fn, 'secret-key coefficients in {−1, 0, 1}', c);
    out[i >> 2] |= code << (2 * (i & 3));
  }
  return out;
}

export function serializeSecretKey(sk: SecretKey): Uint8Array {
  const fn = 'serializeSecretKey';
  if (!(sk instanceof SecretKey)) serializationError(fn, 'a SecretKey', sk);
  const w = new Writer();
  w.bytes(packTernary(fn, sk.small, sk.context.n));
  return w.finish('secretKey', fingerprintOf(sk.context.params), fn);
}

export function deserializeSecretKey(context: BfvContext, bytes: Uint8Array): SecretKey {
  const fn = 'deserializeSecretKey';
  return guarded(fn, () => {
    assertContext(fn, context);
    const r = openContainer(fn, bytes, ['secretKey'], context).reader;
    const n = context.n;
    const packed = r.bytesOf(n / 4, 'the packed ternary coefficients');
    r.end('secretKey');
    const small = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      const code = (packed[i >> 2] >> (2 * (i & 3))) & 3;
      if (code === 3) serializationError(fn, 'ternary codes 00, 01 or 10', `11 at coefficient ${i}`);
      small[i] = code === 2 ? -1 : code;
    }
    return new SecretKey(context, small, smallToNtt(context.keyBase, small));
  });
}

function assertPoly(fn: string, p: RnsPoly, base: RnsBase, representation: 'coeff' | 'ntt', what: string): void {
  if (!(p instanceof RnsPoly) || !p.base.equals(base) || p.representation !== representation)
    serializationError(fn, `${what} over a ${base.size}-prime base in ${representation} form`, p);
}

export function serializePublicKey(pk: PublicKey): Uint8Array {
  const fn = 'serializePublicKey';
  if (!(pk instanceof PublicKey)) serializationError(fn, 'a PublicKey', pk);
  const base = pk.context.keyBase;
  const w = new Writer();
  for (const [p, name] of [
    [pk.p0, 'p0'],
    [pk.p1, 'p1'],
  ] as const) {
    assertPoly(fn, p, base, 'ntt', name);
    w.residues(p.data, base.primes, base.n);
  }
  return w.finish('publicKey', fingerprintOf(pk.context.params), fn);
}

export function deserializePublicKey(context: BfvContext, bytes: Uint8Array): PublicKey {
  const fn = 'deserializePublicKey';
  return guarded(fn, () => {
    assertContext(fn, context);
    const r = openContainer(fn, bytes, ['publicKey'], context).reader;
    const p0 = r.poly(context.keyBase, 'ntt', 'p0');
    const p1 = r.poly(context.keyBase, 'ntt', 'p1');
    r.end('publicKey');
    return new PublicKey(context, p0, p1);
  });
}

function writeKSwitch(fn: string, w: Writer, key: KSwitchKey): void {
  const ctx = key.context;
  const base = ctx.keyBase;
  const count = ctx.level(0).digits.length;
  if (key.digits.length !== count) serializationError(fn, `${count} key-switching digits`, key.digits.length);
  w.u8(count);
  key.digits.forEach((d, i) => {
    assertPoly(fn, d.b, base, 'ntt', `digit ${i} b`);
    assertPoly(fn, d.a, base, 'ntt', `digit ${i} a`);
    w.residues(d.b.data, base.primes, base.n);
    w.residues(d.a.data, base.primes, base.n);
  });
}

function readKSwitch(context: BfvContext, r: Reader, what: string): KSwitchKey {
  const count = context.level(0).digits.length;
  const d = r.u8(`${what} digit count`);
  if (d !== count) serializationError(r.fn, `${count} digits in ${what} (⌈L/α⌉ for this context)`, d);
  const digits = [];
  for (let i = 0; i < count; i++) {
    const b = r.poly(context.keyBase, 'ntt', `${what} digit ${i} b`);
    const a = r.poly(context.keyBase, 'ntt', `${what} digit ${i} a`);
    digits.push(Object.freeze({ b, a }));
  }
  return new KSwitchKey(context, Object.freeze(digits));
}

export function serializeRelinKeys(rk: RelinKeys): Uint8Array {
  const fn = 'serializeRelinKeys';
  if (!(rk instanceof RelinKeys)) serializationError(fn, 'a RelinKeys', rk);
  const w = new Writer();
  writeKSwitch(fn, w, rk.key);
  return w.finish('relinKeys', fingerprintOf(rk.context.params), fn);
}

export function deserializeRelinKeys(context: BfvContext, bytes: Uint8Array): RelinKeys {
  const fn = 'deserializeRelinKeys';
  return guarded(fn, () => {
    assertContext(fn, context);
    const r = openContainer(fn, bytes, ['relinKeys'], context).reader;
    const key = readKSwitch(context, r, 'the relinearization key');
    r.end('relinKeys');
    return new RelinKeys(context, key);
  });
}

export function serializeGaloisKeys(gk: GaloisKeys): Uint8Array {
  const fn = 'serializeGaloisKeys';
  if (!(gk instanceof GaloisKeys)) serializationError(fn, 'a GaloisKeys', gk);
  const w = new Writer();
  w.u32(gk.keys.size);
  for (const [g, key] of gk.keys) {
    w.u32(g);
    writeKSwitch(fn, w, key);
  }
  return w.finish('galoisKeys', fingerprintOf(gk.context.params), fn);
}

export function deserializeGaloisKeys(context: BfvContext, bytes: Uint8Array): GaloisKeys {
  const fn = 'deserializeGaloisKeys';
  return guarded(fn, () => {
    assertContext(fn, context);
    const r = openContainer(fn, bytes, ['galoisKeys'], context).reader;
    const m = r.u32('the Galois key count');
    // Each entry takes at least one key's worth of bytes: refuse counts the body cannot hold before looping.
    const perKey = 5 + 2 * context.level(0).digits.length * context.keyBase.primes.reduce((s, q) => s + widthOf(q) * context.n, 0);
    if (m > r.remaining / perKey) serializationError(fn, `at most ${Math.floor(r.remaining / perKey)} Galois keys for the body size`, m);
    const keys = new Map<number, KSwitchKey>();
    const twoN = 2 * context.n;
    for (let j = 0; j < m; j++) {
      const g = r.u32(`Galois element ${j}`);
      if (g % 2 === 0 || g < 1 || g >= twoN) serializationError(fn, `odd Galois elements in [1, ${twoN})`, g);
      if (keys.has(g)) serializationError(fn, 'distinct Galois elements', `${g} twice`);
      keys.set(g, readKSwitch(context, r, `the key for Galois element ${g}`));
    }
    r.end('galoisKeys');
    return new GaloisKeys(context, keys);
  });
}

// ---------------------------------------------------------------------------
// Plaintexts and ciphertexts

export function serializePlaintext(pt: Plaintext): Uint8Array {
  const fn = 'serializePlaintext';
  if (!(pt instanceof Plaintext)) serializationError(fn, 'a Plaintext', pt);
  const w = new Writer();
  w.residues(pt.data, [pt.context.t], pt.context.n);
  return w.finish('plaintext', fingerprintOf(pt.context.params), fn);
}

export function deserializePlaintext(context: BfvContext, bytes: Uint8Array): Plaintext {
  const fn = 'deserializePlaintext';
  return guarded(fn, () => {
    assertContext(fn, context);
    const r = openContainer(fn, bytes, ['plaintext'], context).reader;
    const data = context.kernel.alloc(context.n);
    r.limb(data, context.t, widthOf(context.t), 'the plaintext');
    r.end('plaintext');
    return new Plaintext(context, data);
  });
}

/** True when `ct` is a fresh seeded symmetric ciphertext whose c1 still equals the seed's expansion. */
function seedIsValid(ct: Ciphertext): boolean {
  const seed = ct.seed;
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES || ct.level !== 0 || ct.size !== 2) return false;
  const expected = expandSeed(ct.context, seed).data;
  const c1 = ct.polys[1].data;
  if (expected.length !== c1.length) return false;
  for (let i = 0; i < c1.length; i++) if (c1[i] !== expected[i]) return false;
  return true;
}

export interface SerializeCiphertextOptions {
  /**
   * 'auto' (default): the seeded form when the ciphertext carries a valid seed,
   * else the full form. true: the seeded form or a SERIALIZATION error. false: full.
   */
  readonly seeded?: boolean | 'auto';
}

export function serializeCiphertext(ct: Ciphertext, options: SerializeCiphertextOptions = {}): Uint8Array {
  const fn = 'serializeCiphertext';
  if (!(ct instanceof Ciphertext)) serializationError(fn, 'a Ciphertext', ct);
  const ctx = ct.context;
  const mode = options.seeded ?? 'auto';
  const seeded = mode !== false && ct.seed !== undefined && seedIsValid(ct);
  if (mode === true && !seeded)
    serializationError(fn, 'a fresh seeded symmetric ciphertext (level 0, size 2, c1 = expansion of its seed)', `level ${ct.level}, size ${ct.size}, seed ${ct.seed ? 'not matching c1' : 'absent'}`);
  const base = ctx.level(ct.level).base;
  const w = new Writer();
  if (seeded) {
    assertPoly(fn, ct.polys[0], base, 'coeff', 'c0');
    w.residues(ct.polys[0].data, base.primes, base.n);
    w.bytes(ct.seed as Uint8Array);
    return w.finish('seededCiphertext', fingerprintOf(ctx.params), fn);
  }
  if (ct.size > 255) serializationError(fn, 'at most 255 polynomials', ct.size);
  w.u8(ct.level);
  w.u8(ct.size);
  ct.polys.forEach((p, k) => {
    assertPoly(fn, p, base, 'coeff', `c${k}`);
    w.residues(p.data, base.primes, base.n);
  });
  return w.finish('ciphertext', fingerprintOf(ctx.params), fn);
}

/** Loads either form; a seeded ciphertext comes back with c1 expanded and `seed` set. */
export function deserializeCiphertext(context: BfvContext, bytes: Uint8Array): Ciphertext {
  return loadCiphertext('deserializeCiphertext', context, bytes, ['ciphertext', 'seededCiphertext']);
}

function loadCiphertext(fn: string, context: BfvContext, bytes: Uint8Array, kinds: readonly SerializedKind[]): Ciphertext {
  return guarded(fn, () => {
    assertContext(fn, context);
    const { kind, reader: r } = openContainer(fn, bytes, kinds, context);
    if (kind === 'seededCiphertext') {
      const c0 = r.poly(context.level(0).base, 'coeff', 'c0');
      const seed = r.bytesOf(SEED_BYTES, 'the seed');
      r.end('seededCiphertext');
      const ct = new Ciphertext(context, 0, [c0, expandSeed(context, seed)]);
      ct.seed = seed;
      return ct;
    }
    const level = r.u8('level');
    const size = r.u8('size');
    if (level > context.maxLevel) serializationError(fn, `a level in [0, ${context.maxLevel}]`, level);
    if (size < 2) serializationError(fn, 'a ciphertext size ≥ 2', size);
    const base = context.level(level).base;
    const polyBytes = base.primes.reduce((s, q) => s + widthOf(q) * context.n, 0);
    if (r.remaining !== size * polyBytes)
      serializationError(fn, `${size * polyBytes} bytes for ${size} polynomials at level ${level}`, `${r.remaining} bytes`);
    const polys = [];
    for (let k = 0; k < size; k++) polys.push(r.poly(base, 'coeff', `c${k}`));
    r.end('ciphertext');
    return new Ciphertext(context, level, polys);
  });
}

// ---------------------------------------------------------------------------
// Generic entry points

export type Serializable = BfvParameters | BfvContext | SecretKey | PublicKey | RelinKeys | GaloisKeys | Plaintext | Ciphertext;

export interface DeserializedObjects {
  params: BfvParameters;
  secretKey: SecretKey;
  publicKey: PublicKey;
  relinKeys: RelinKeys;
  galoisKeys: GaloisKeys;
  plaintext: Plaintext;
  ciphertext: Ciphertext;
  seededCiphertext: Ciphertext;
}

/** Serializes any supported object (a context serializes its parameters; ciphertexts use the 'auto' seeded mode). */
export function serialize(obj: Serializable): Uint8Array {
  if (obj instanceof SecretKey) return serializeSecretKey(obj);
  if (obj instanceof PublicKey) return serializePublicKey(obj);
  if (obj instanceof RelinKeys) return serializeRelinKeys(obj);
  if (obj instanceof GaloisKeys) return serializeGaloisKeys(obj);
  if (obj instanceof Plaintext) return serializePlaintext(obj);
  if (obj instanceof Ciphertext) return serializeCiphertext(obj);
  if (obj instanceof BfvContext || isValidatedParams(obj)) return serializeParameters(obj);
  return serializationError('serialize', 'parameters, a key, a plaintext or a ciphertext', obj);
}

/**
 * Loads an object for `context`. With `kind`, the bytes must hold that kind
 * ('ciphertext' accepts both ciphertext forms, 'seededCiphertext' only the seeded
 * one); without, any kind is accepted. 'params' must match the context too.
 */
export function deserialize<K extends SerializedKind>(context: BfvContext, bytes: Uint8Array, kind: K): DeserializedObjects[K];
export function deserialize(context: BfvContext, bytes: Uint8Array): DeserializedObjects[SerializedKind];
export function deserialize(context: BfvContext, bytes: Uint8Array, kind?: SerializedKind): DeserializedObjects[SerializedKind] {
  const fn = 'deserialize';
  const allowed: readonly SerializedKind[] =
    kind === undefined ? (Object.keys(KIND_CODES) as SerializedKind[]) : kind === 'ciphertext' ? ['ciphertext', 'seededCiphertext'] : [kind];
  if (kind !== undefined && !Object.hasOwn(KIND_CODES, kind)) serializationError(fn, `a kind in ${Object.keys(KIND_CODES).join(', ')}`, kind);
  const found = guarded(fn, () => {
    assertContext(fn, context);
    return openContainer(fn, bytes, allowed, context).kind;
  });
  switch (found) {
    case 'params':
      return deserializeParameters(bytes);
    case 'secretKey':
      return deserializeSecretKey(context, bytes);
    case 'publicKey':
      return deserializePublicKey(context, bytes);
    case 'relinKeys':
      return deserializeRelinKeys(context, bytes);
    case 'galoisKeys':
      return deserializeGaloisKeys(context, bytes);
    case 'plaintext':
      return deserializePlaintext(context, bytes);
    case 'ciphertext':
    case 'seededCiphertext':
      return loadCiphertext(fn, context, bytes, [found]);
  }
}

export interface SerializedHeader {
  readonly version: number;
  readonly kind: SerializedKind;
  /** Hex of the 16-byte parameter fingerprint (compare with `parametersFingerprint`). */
  readonly fingerprint: string;
  readonly byteLength: number;
}

/** Validates the container (magic, version, length, checksum, kind) without a context and reports its header. */
export function inspectSerialized(bytes: Uint8Array): SerializedHeader {
  const fn = 'inspectSerialized';
  const c = guarded(fn, () => openContainer(fn, bytes, Object.keys(KIND_CODES) as SerializedKind[]));
  return Object.freeze({ version: SERIALIZATION_VERSION, kind: c.kind, fingerprint: hex(c.fingerprint), byteLength: bytes.length });
}
