/**
 * The wire format (service/wire.ts): any split of a message into chunks gives
 * the same header and frames (fast-check against the whole-buffer decode), and
 * every defect is a WIRE_FORMAT error: magic, version, header length and JSON,
 * frame count and sizes over the limits, truncation, trailing bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/service/errors.js';
import { WireDecoder, concatBytes, decodeWire, encodeWire } from '../../src/service/wire.js';

const limits = { maxFrameBytes: 4096, maxFrames: 64 };

function wireError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ServiceError && e.code === 'WIRE_FORMAT') return e.message;
    throw e;
  }
  throw new Error('expected a WIRE_FORMAT error');
}

describe('wire format', () => {
  it('chunked decoding equals whole decoding for any split points', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 40 }),
        (frames, cuts) => {
          const bytes = concatBytes(encodeWire({ kind: 'test', note: 'é' }, frames));
          const whole = decodeWire(bytes, limits);
          expect(whole.header).toEqual({ kind: 'test', note: 'é', frames: frames.length });
          expect(whole.frames).toEqual(frames);
          const d = new WireDecoder(limits);
          const got: Uint8Array[] = [];
          let off = 0, k = 0;
          while (off < bytes.length) {
            const n = cuts[k++ % cuts.length];
            got.push(...d.push(bytes.subarray(off, off + n)));
            off += n;
          }
          expect(d.end()).toEqual(whole.header);
          expect(got).toEqual(frames);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses every defect with WIRE_FORMAT', () => {
    const good = concatBytes(encodeWire({ kind: 'k' }, [new Uint8Array(10), new Uint8Array(20)]));
    const edit = (f: (b: Uint8Array, v: DataView) => void): Uint8Array => {
      const b = good.slice();
      f(b, new DataView(b.buffer));
      return b;
    };
    expect(wireError(() => decodeWire(edit((b) => (b[0] = 0x58)), limits))).toMatch(/starting with "QHEW"/);
    expect(wireError(() => decodeWire(edit((_, v) => v.setUint16(4, 2, true)), limits))).toMatch(/version 1/);
    expect(wireError(() => decodeWire(edit((_, v) => v.setUint32(8, 1 << 20, true)), limits))).toMatch(/header length/);
    expect(wireError(() => decodeWire(edit((b) => (b[12] = 0x5b)), limits))).toMatch(/JSON/);
    expect(wireError(() => decodeWire(concatBytes(encodeWire({ kind: 'k' }, Array.from({ length: 65 }, () => new Uint8Array(1)))), limits))).toMatch(/frame count in \[0, 64\]/);
    expect(wireError(() => decodeWire(concatBytes(encodeWire({ kind: 'k' }, [new Uint8Array(4097)])), limits))).toMatch(/frame 0 of 1\.\.4096 bytes/);
    expect(wireError(() => decodeWire(good.subarray(0, good.length - 1), limits))).toMatch(/ends inside frame 1 of 2/);
    expect(wireError(() => decodeWire(good.subarray(0, 13), limits))).toMatch(/ends inside the header/);
    expect(wireError(() => decodeWire(concatBytes([good, Uint8Array.of(0)]), limits))).toMatch(/nothing after frame 2/);
    const noKind = new TextEncoder().encode('{"frames":0}');
    const head = new Uint8Array(12 + noKind.length);
    head.set([0x51, 0x48, 0x45, 0x57, 1, 0, 0, 0, noKind.length, 0, 0, 0]);
    head.set(noKind, 12);
    expect(wireError(() => decodeWire(head, limits))).toMatch(/string "kind"/);
  });
});
