/**
 * The byte layer of the serialization format (see ../serialization.ts for the
 * format as a whole): little-endian integers, raw bytes, and polynomials as
 * packed residues. Codecs write a body with a `ByteWriter` and read it back with a
 * `ByteReader`; the container (container.ts) wraps and unwraps the body.
 *
 * Residue packing: a polynomial over primes q_0, q_1, … is written limb-major,
 * N residues of w(q_i) = ⌈bitLength(q_i)/8⌉ bytes each. Widths come from the
 * primes only, so the bytes are the same on both kernels. Reading checks every
 * length before it allocates and every residue against its prime (< q_i), so a
 * body can neither make the parser allocate more than the input's size nor load a
 * non-canonical residue.
 */
import { QheError, describe } from '../math/errors.js';
import type { Residues } from '../math/kernel.js';
import { RnsPoly } from '../math/poly.js';
import type { RnsBase } from '../math/rns.js';
import { bitLength } from '../math/zq.js';
import { KEY_ID_BYTES, hexOf } from '../key-id.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The one error of the format: QheError('SERIALIZATION', "fn: expected …, got …"). */
export function serializationError(fn: string, expected: string, got: unknown): never {
  throw new QheError('SERIALIZATION', `${fn}: expected ${expected}, got ${typeof got === 'string' ? got : describe(got)}`);
}

/** Bytes per residue for modulus q: ⌈bitLength(q)/8⌉. */
export function widthOf(q: bigint): number {
  return Math.ceil(bitLength(q) / 8);
}

/** Bytes of one polynomial of degree n over `primes`. */
export function polyBytes(primes: readonly bigint[], n: number): number {
  let total = 0;
  for (const q of primes) total += widthOf(q) * n;
  return total;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lower-case hex (one home: math/crypto.ts). */
export { toHex as hex } from '../math/crypto.js';

/** Appends fields to a body; `copyTo` lays the body into the container. */
export class ByteWriter {
  private readonly parts: Uint8Array[] = [];
  private total = 0;

  /** `fn` names the public entry point in errors. */
  constructor(readonly fn: string) {}

  /** Bytes written so far. */
  get length(): number {
    return this.total;
  }

  private push(part: Uint8Array): void {
    this.parts.push(part);
    this.total += part.length;
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

  /** A copy of `b` (later changes to `b` do not reach the output). */
  bytes(b: Uint8Array): void {
    this.push(b.slice());
  }

  /** A key id (key-id.ts): its 16 bytes, or 16 zero bytes when unknown. */
  keyId(id: string | undefined): void {
    const out = new Uint8Array(KEY_ID_BYTES);
    if (id !== undefined) for (let i = 0; i < KEY_ID_BYTES; i++) out[i] = parseInt(id.slice(2 * i, 2 * i + 2), 16);
    this.push(out);
  }

  /** A polynomial's residues (layout: limb i at [i·n, (i+1)·n)), widths from `primes`. */
  residues(data: Residues, primes: readonly bigint[], n: number): void {
    const out = new Uint8Array(polyBytes(primes, n));
    let off = 0;
    for (let i = 0; i < primes.length; i++) {
      const w = widthOf(primes[i]);
      packLimb(data.subarray(i * n, (i + 1) * n), w, out, off);
      off += w * n;
    }
    this.push(out);
  }

  /** A polynomial that must be over `base` in `representation` (else a SERIALIZATION error naming `what`). */
  poly(p: RnsPoly, base: RnsBase, representation: 'coeff' | 'ntt', what: string): void {
    if (!(p instanceof RnsPoly) || !p.base.equals(base) || p.representation !== representation)
      serializationError(this.fn, `${what} over a ${base.size}-prime base in ${representation} form`, p);
    this.residues(p.data, base.primes, base.n);
  }

  /** Writes the body into `out` at `offset`; returns the offset after it. */
  copyTo(out: Uint8Array, offset: number): number {
    let off = offset;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return off;
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

/**
 * Reads a body field by field. Every read names what it reads (`what`), so a short
 * body fails with "fn: expected 8 bytes for t at offset 36, got 3 bytes left".
 */
export class ByteReader {
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
  /** A key id written by `ByteWriter.keyId`: undefined for 16 zero bytes (unknown). */
  keyId(what: string): string | undefined {
    const b = this.bytesOf(KEY_ID_BYTES, what);
    return b.every((x) => x === 0) ? undefined : hexOf(b);
  }


  /** A polynomial over `base` in the given representation; every residue checked < its prime. */
  poly(base: RnsBase, representation: 'coeff' | 'ntt', what: string): RnsPoly {
    const n = base.n;
    this.need(polyBytes(base.primes, n), what);
    const data = base.kernel.alloc(base.size * n);
    for (let i = 0; i < base.size; i++) {
      const q = base.primes[i];
      this.limb(data.subarray(i * n, (i + 1) * n), q, widthOf(q), `${what} limb ${i}`);
    }
    return new RnsPoly(base, data, representation);
  }

  /** N residues mod q, w bytes each, into `out` (a kernel array of length N); each checked < q. */
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

  /** Throws unless the whole body was read (trailing bytes are an error: encoding is canonical). */
  end(what: string): void {
    if (this.remaining !== 0)
      serializationError(this.fn, `the ${what} body to end at offset ${this.base + this.pos}`, `${this.remaining} extra bytes`);
  }
}
