/**
 * Image decoding for the clients (service/images.ts): PNG in its color types
 * and depths, PGM P2/P5, MNIST idx and MedMNIST .npz files, conversion to the
 * model's shape (luma, alpha over black, area-average resampling), and typed
 * errors for anything else.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encode as encodePng } from 'fast-png';
import { parseMedMnist } from '@qhe/quant/formats';
import { decodeImage, decodeImages } from '../../src/service/images.js';
import { ServiceError } from '../../src/service/errors.js';

const GRAY: [number, number, number] = [6, 6, 1];
const ramp = Uint8Array.from({ length: 36 }, (_, i) => i * 7);
const png = (o: Parameters<typeof encodePng>[0]): Uint8Array => encodePng(o);
const idx = (dims: number[], data: Uint8Array): Uint8Array => {
  const head = new Uint8Array(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => new DataView(head.buffer).setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
};

function serviceError(f: () => unknown): ServiceError {
  try {
    f();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error('expected a ServiceError');
}

describe('decodeImage / decodeImages', () => {
  it('8-bit gray PNG and binary PGM of the model size: the pixels as they are, no notes', () => {
    const a = decodeImage('a.png', png({ width: 6, height: 6, data: ramp, channels: 1, depth: 8 }), GRAY);
    expect(Array.from(a.pixels)).toEqual(Array.from(ramp));
    expect(a.notes).toEqual([]);
    const p5 = new Uint8Array([...new TextEncoder().encode('P5\n# comment\n6 6\n255\n'), ...ramp]);
    expect(Array.from(decodeImage('a.pgm', p5, GRAY).pixels)).toEqual(Array.from(ramp));
  });

  it('PGM P2 with a small maxval and P5 with 16-bit samples scale to 0..255', () => {
    const p2 = new TextEncoder().encode(`P2\n6 6\n15\n${Array.from({ length: 36 }, (_, i) => i % 16).join(' ')}\n`);
    expect(Array.from(decodeImage('a.pgm', p2, GRAY).pixels)).toEqual(Array.from({ length: 36 }, (_, i) => Math.round(((i % 16) * 255) / 15)));
    const wide = new Uint8Array(36 * 2);
    for (let i = 0; i < 36; i++) { wide[2 * i] = (i * 1000) >> 8; wide[2 * i + 1] = (i * 1000) & 255; }
    const p5 = new Uint8Array([...new TextEncoder().encode('P5 6 6 65535\n'), ...wide]);
    expect(Array.from(decodeImage('b.pgm', p5, GRAY).pixels)).toEqual(Array.from({ length: 36 }, (_, i) => Math.round((i * 1000 * 255) / 65535)));
  });

  it('RGB → BT.601 luma, RGBA → over black, 16-bit → 8-bit, gray → RGB for a 3-channel model', () => {
    const rgb = Uint8Array.from({ length: 108 }, (_, i) => (i * 13) % 256);
    const luma = Array.from({ length: 36 }, (_, p) => Math.round(0.299 * rgb[3 * p] + 0.587 * rgb[3 * p + 1] + 0.114 * rgb[3 * p + 2]));
    const a = decodeImage('c.png', png({ width: 6, height: 6, data: rgb, channels: 3, depth: 8 }), GRAY);
    expect(Array.from(a.pixels)).toEqual(luma);
    expect(a.notes).toEqual(['RGB to gray (BT.601 luma)']);
    const rgba = Uint8Array.from({ length: 144 }, (_, i) => (i % 4 === 3 ? 128 : 200));
    const b = decodeImage('d.png', png({ width: 6, height: 6, data: rgba, channels: 4, depth: 8 }), GRAY);
    expect(new Set(b.pixels)).toEqual(new Set([Math.round(200 * (128 / 255))]));
    expect(b.notes).toContain('alpha composited over black');
    const g16 = Uint16Array.from({ length: 36 }, (_, i) => i * 1800);
    expect(Array.from(decodeImage('e.png', png({ width: 6, height: 6, data: g16, channels: 1, depth: 16 }), GRAY).pixels)).toEqual(Array.from(g16, (v) => Math.round(v / 257)));
    const c = decodeImage('f.png', png({ width: 6, height: 6, data: ramp, channels: 1, depth: 8 }), [6, 6, 3]);
    expect(Array.from(c.pixels.subarray(0, 6))).toEqual([0, 0, 0, 7, 7, 7]);
    expect(c.notes).toEqual(['gray replicated to RGB']);
  });

  it('area-average resampling: 2×2 blocks down to one pixel each, one pixel up to 2×2', () => {
    const big = new Uint8Array(144);
    for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) big[y * 12 + x] = ((y >> 1) * 6 + (x >> 1)) * 5 + ((x + y) % 2 ? 1 : -1) + 2;
    const down = decodeImage('big.png', png({ width: 12, height: 12, data: big, channels: 1, depth: 8 }), GRAY);
    // Each block's four values average to (block index)·5 + 2.
    expect(Array.from(down.pixels)).toEqual(Array.from({ length: 36 }, (_, i) => i * 5 + 2));
    expect(down.notes).toEqual(['resized 12×12 → 6×6 (area average)']);
    const small = Uint8Array.from({ length: 9 }, (_, i) => i * 20);
    const up = decodeImage('small.png', png({ width: 3, height: 3, data: small, channels: 1, depth: 8 }), GRAY);
    expect(Array.from(up.pixels)).toEqual(Array.from({ length: 36 }, (_, i) => small[Math.floor(i / 12) * 3 + Math.floor((i % 6) / 2)]));
  });

  it('MNIST idx: [n, H, W] gives n images (named file#i), [H, W] one; --limit keeps the first', () => {
    const two = new Uint8Array([...ramp, ...ramp.map((v) => 255 - v)]);
    const all = decodeImages('images-idx3-ubyte', idx([2, 6, 6], two), GRAY);
    expect(all.map((d) => d.name)).toEqual(['images-idx3-ubyte#0', 'images-idx3-ubyte#1']);
    expect(Array.from(all[1].pixels)).toEqual(Array.from(ramp, (v) => 255 - v));
    expect(decodeImages('x', idx([2, 6, 6], two), GRAY, 1)).toHaveLength(1);
    expect(Array.from(decodeImage('one', idx([6, 6], ramp), GRAY).pixels)).toEqual(Array.from(ramp));
    expect(serviceError(() => decodeImage('x', idx([2, 6, 6], two), GRAY)).message).toMatch(/expected one image/);
  });

  it('MedMNIST .npz (the committed PneumoniaMNIST file): images with their labels, in split order', () => {
    const file = fileURLToPath(new URL('../../../quant/data/pneumoniamnist/pneumoniamnist-trainval.npz', import.meta.url));
    const bytes = new Uint8Array(readFileSync(file));
    const ref = parseMedMnist(bytes, 'ref');
    const got = decodeImages('pneumonia.npz', bytes, [28, 28, 1], 3);
    expect(got).toHaveLength(3);
    got.forEach((d, i) => {
      expect(Array.from(d.pixels)).toEqual(Array.from(ref.train!.images.subarray(i * 784, (i + 1) * 784)));
      expect(d.label).toBe(ref.train!.labels[i]);
      expect(d.notes).toEqual([]);
    });
  });

  it('anything else is a typed BAD_REQUEST naming the file', () => {
    for (const [name, bytes] of [
      ['garbage.bin', Uint8Array.of(1, 2, 3, 4, 5)],
      ['empty', new Uint8Array(0)],
      ['cut.png', png({ width: 6, height: 6, data: ramp, channels: 1, depth: 8 }).subarray(0, 40)],
      ['bad.pgm', new TextEncoder().encode('P2\n6 6\n0\n')],
      ['short.pgm', new TextEncoder().encode('P5\n6 6\n255\n\x01\x02')],
      ['cut-idx', idx([2, 6, 6], ramp)],
      ['bad.npz', Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0)],
    ] as const) {
      const e = serviceError(() => decodeImages(name, bytes, GRAY));
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.message).toMatch(new RegExp(`^decodeImage\\(${name.replace('.', '\\.')}\\): expected .+, got `));
    }
    expect(serviceError(() => decodeImages('a.png', png({ width: 6, height: 6, data: ramp, channels: 1, depth: 8 }), [6, 6, 2])).message).toMatch(/1 or 3 channels/);
  });
});
