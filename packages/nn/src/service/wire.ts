/**
 * The wire format of the inference service: one message per request or
 * response body, a small JSON header followed by frames, each frame one object
 * in `@qhe/bfv`'s binary serialization (versioned, checksummed, fingerprinted
 * by parameters; serialization.ts). This layer only delimits: it never reads
 * inside a frame, so every key and ciphertext is validated by the one loader
 * that owns its format.
 *
 *   | field        | size | value                                              |
 *   |--------------|------|----------------------------------------------------|
 *   | magic        | 4    | "QHEW" (0x51 0x48 0x45 0x57)                       |
 *   | version      | 2    | u16 little-endian = 1                              |
 *   | reserved     | 2    | 0                                                  |
 *   | headerLength | 4    | u32 little-endian H, 2 ≤ H ≤ 65536                 |
 *   | header       | H    | UTF-8 JSON object; `frames` = the frame count F    |
 *   | frame × F    | 4+Lᵢ | u32 little-endian Lᵢ, then Lᵢ bytes                |
 *
 * Nothing may follow the last frame. The header says what the frames are
 * (`kind`, channels, frames per channel; messages.ts checks it against the
 * plan), so a reader knows every frame's role before it arrives and can
 * process the body as it streams in: `WireDecoder` takes chunks of any size and
 * returns whole frames, holding at most one frame in memory. Limits on the
 * header and frame sizes are enforced before anything is buffered.
 *
 * Runs in browsers (no `node:` imports).
 */
import { refuse } from './errors.js';

export const WIRE_MAGIC = 'QHEW';
export const WIRE_VERSION = 1;
/** The media type of request and response bodies. */
export const WIRE_CONTENT_TYPE = 'application/vnd.qhe.wire';
export const MAX_WIRE_HEADER_BYTES = 65536;

const MAGIC = Uint8Array.of(0x51, 0x48, 0x45, 0x57);
const PREAMBLE_BYTES = 12;

/** A message header: `kind` and `frames` always, the rest by kind (messages.ts). */
export interface WireHeader {
  readonly kind: string;
  readonly frames: number;
  readonly [field: string]: unknown;
}

/**
 * The message as a list of byte parts (preamble + header, then each frame's
 * length and bytes): concatenate, or pass to a Blob or a stream, without copying frames.
 */
export function encodeWire(header: Omit<WireHeader, 'frames'>, frames: readonly Uint8Array[]): Uint8Array[] {
  const json = new TextEncoder().encode(JSON.stringify({ ...header, frames: frames.length }));
  if (json.length > MAX_WIRE_HEADER_BYTES) refuse('WIRE_FORMAT', 'encodeWire', `a header of at most ${MAX_WIRE_HEADER_BYTES} bytes`, `${json.length} bytes`);
  const head = new Uint8Array(PREAMBLE_BYTES + json.length);
  const view = new DataView(head.buffer);
  head.set(MAGIC, 0);
  view.setUint16(4, WIRE_VERSION, true);
  view.setUint32(8, json.length, true);
  head.set(json, PREAMBLE_BYTES);
  const parts: Uint8Array[] = [head];
  for (const f of frames) parts.push(frameLength(f.length), f);
  return parts;
}

/** The 4-byte length prefix of a frame. */
export function frameLength(length: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, length, true);
  return b;
}

/** Total bytes of a list of parts. */
export function byteLength(parts: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
}

/** One contiguous copy of a list of parts. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(byteLength(parts));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export interface WireLimits {
  /** Largest frame accepted (the largest object the plan can produce). */
  readonly maxFrameBytes: number;
  /** Most frames accepted. */
  readonly maxFrames: number;
}

/**
 * Incremental reader of one message: `push(chunk)` returns the frames completed
 * by that chunk (each a fresh Uint8Array); `header` is set once it has arrived;
 * `end()` checks that the message is complete. Every defect is a WIRE_FORMAT
 * ServiceError naming what was expected.
 */
export class WireDecoder {
  header: WireHeader | null = null;
  private state: 'preamble' | 'header' | 'length' | 'frame' | 'done' = 'preamble';
  private buf: Uint8Array = new Uint8Array(PREAMBLE_BYTES);
  private filled = 0;
  private framesSeen = 0;
  private bytesSeen = 0;

  constructor(
    private readonly limits: WireLimits,
    private readonly fn = 'WireDecoder',
  ) {}

  /** Frames read so far. */
  get frames(): number {
    return this.framesSeen;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let off = 0;
    while (off < chunk.length) {
      if (this.state === 'done')
        refuse('WIRE_FORMAT', this.fn, `nothing after frame ${this.framesSeen}`, `${chunk.length - off} more bytes at offset ${this.bytesSeen + off}`);
      const take = Math.min(this.buf.length - this.filled, chunk.length - off);
      this.buf.set(chunk.subarray(off, off + take), this.filled);
      this.filled += take;
      off += take;
      if (this.filled === this.buf.length) this.advance(out);
    }
    this.bytesSeen += chunk.length;
    return out;
  }

  private advance(out: Uint8Array[]): void {
    const view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    switch (this.state) {
      case 'preamble': {
        for (let i = 0; i < 4; i++)
          if (this.buf[i] !== MAGIC[i]) refuse('WIRE_FORMAT', this.fn, `a body starting with "${WIRE_MAGIC}"`, `bytes ${hexOf(this.buf.subarray(0, 4))}`);
        const version = view.getUint16(4, true);
        if (version !== WIRE_VERSION) refuse('WIRE_FORMAT', this.fn, `wire format version ${WIRE_VERSION}`, version);
        const h = view.getUint32(8, true);
        if (h < 2 || h > MAX_WIRE_HEADER_BYTES) refuse('WIRE_FORMAT', this.fn, `a header length in [2, ${MAX_WIRE_HEADER_BYTES}]`, h);
        this.expect('header', h);
        return;
      }
      case 'header': {
        let header: unknown;
        try {
          header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(this.buf));
        } catch {
          refuse('WIRE_FORMAT', this.fn, 'a UTF-8 JSON header', 'bytes that do not parse');
        }
        if (header === null || typeof header !== 'object' || Array.isArray(header)) refuse('WIRE_FORMAT', this.fn, 'a JSON object header', typeof header);
        const h = header as WireHeader;
        if (typeof h.kind !== 'string') refuse('WIRE_FORMAT', this.fn, 'a header with a string "kind"', typeof h.kind);
        if (!Number.isSafeInteger(h.frames) || h.frames < 0 || h.frames > this.limits.maxFrames)
          refuse('WIRE_FORMAT', this.fn, `a frame count in [0, ${this.limits.maxFrames}]`, String(h.frames));
        this.header = h;
        this.nextFrameOrDone();
        return;
      }
      case 'length': {
        const len = view.getUint32(0, true);
        if (len < 1 || len > this.limits.maxFrameBytes)
          refuse('WIRE_FORMAT', this.fn, `frame ${this.framesSeen} of 1..${this.limits.maxFrameBytes} bytes`, `${len} bytes`);
        this.expect('frame', len);
        return;
      }
      case 'frame': {
        out.push(this.buf);
        this.framesSeen++;
        this.nextFrameOrDone();
        return;
      }
      case 'done':
        return;
    }
  }

  private nextFrameOrDone(): void {
    if (this.framesSeen === this.header!.frames) {
      this.state = 'done';
      this.buf = new Uint8Array(0);
      this.filled = 0;
    } else this.expect('length', 4);
  }

  private expect(state: 'header' | 'length' | 'frame', bytes: number): void {
    this.state = state;
    this.buf = new Uint8Array(bytes);
    this.filled = 0;
  }

  /** Throws unless the whole message (every announced frame) has been read. */
  end(): WireHeader {
    if (this.state !== 'done') {
      const where = this.state === 'preamble' || this.state === 'header' ? 'the header' : `frame ${this.framesSeen} of ${this.header!.frames}`;
      refuse('WIRE_FORMAT', this.fn, `a complete message`, `a body that ends inside ${where} after ${this.bytesSeen} bytes`);
    }
    return this.header!;
  }
}

/** Decodes a whole message held in memory. */
export function decodeWire(bytes: Uint8Array, limits: WireLimits, fn = 'decodeWire'): { header: WireHeader; frames: Uint8Array[] } {
  const d = new WireDecoder(limits, fn);
  const frames = d.push(bytes);
  return { header: d.end(), frames };
}

function hexOf(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
