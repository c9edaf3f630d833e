import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMedMnist } from '../src/data/medmnist.js';
import { parseNpy } from '../src/data/npy.js';
import { parseNpz } from '../src/data/npz.js';
import { loadPneumoniaMnist, PNEUMONIA_FILE, readMedMnist } from '../src/data/pneumonia.js';
import { QuantError } from '../src/model/errors.js';

/** A .npy file as numpy.lib.format writes it (version 1.0, header padded to 64 bytes). */
function npy(descr: string, shape: number[], data: Uint8Array, opts: { version?: number; fortran?: boolean } = {}): Uint8Array {
  const v = opts.version ?? 1;
  const dict = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pre = v === 1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const header = dict + ' '.repeat(total - pre - dict.length - 1) + '\n';
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, v, 0]);
  const view = new DataView(out.buffer);
  if (v === 1) view.setUint16(8, header.length, true); else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), pre);
  out.set(data, total);
  return out;
}
const u8 = (shape: number[], f: (i: number) => number): Uint8Array => Uint8Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i));
const npz = (members: Record<string, Uint8Array>, level: 0 | 6 = 6): Uint8Array =>
  zipSync(Object.fromEntries(Object.entries(members).map(([k, v]) => [`${k}.npy`, [v, { level }]])));

/** A small valid MedMNIST file: 5 training and 3 validation 4×3 images, labels 0/1. */
function small(level: 0 | 6 = 6): Record<string, Uint8Array> {
  return {
    train_images: npy('|u1', [5, 4, 3], u8([5, 4, 3], (i) => (i * 7) % 256)),
    train_labels: npy('|u1', [5, 1], Uint8Array.of(0, 1, 1, 0, 1)),
    val_images: npy('|u1', [3, 4, 3], u8([3, 4, 3], (i) => 255 - i)),
    val_labels: npy('|u1', [3, 1], Uint8Array.of(1, 0, 1)),
    ...(level === 0 ? {} : {}),
  };
}

function err(f: () => unknown): string {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(QuantError); return `${(e as QuantError).code} ${(e as Error).message}`; }
  throw new Error('expected a QuantError');
}

const dir = mkdtempSync(join(tmpdir(), 'qhe-npz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npy parser', () => {
  it('reads versions 1 and 2, every integer dtype, little-endian, into aligned copies', () => {
    const a = parseNpy(npy('|u1', [2, 3], Uint8Array.of(1, 2, 3, 4, 5, 6)), 'a');
    expect(a.dtype).toBe('u1');
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const i2 = new Uint8Array(new Int16Array([-2, 300, 7]).buffer);
    const b = parseNpy(npy('<i2', [3], i2, { version: 2 }), 'b');
    expect(Array.from(b.data)).toEqual([-2, 300, 7]);
    const i8 = new Uint8Array(new BigInt64Array([-5n, 1n << 40n]).buffer);
    const c = parseNpy(npy('<i8', [2, 1], i8), 'c');
    expect(Array.from(c.data)).toEqual([-5n, 1n << 40n]);
    // Odd header offset: the typed array is still built (the data was copied).
    const odd = new Uint8Array(npy('<u4', [1], new Uint8Array(new Uint32Array([123456]).buffer)).length + 1);
    odd.set(npy('<u4', [1], new Uint8Array(new Uint32Array([123456]).buffer)), 1);
    expect(Array.from(parseNpy(odd.subarray(1), 'odd').data)).toEqual([123456]);
    expect(parseNpy(npy('|u1', [], Uint8Array.of(9)), 'scalar').shape).toEqual([]);
  });

  it('rejects bad magic, versions, dtypes, byte order, Fortran order, truncation and bad headers with the array name', () => {
    const good = npy('|u1', [2, 2], Uint8Array.of(1, 2, 3, 4));
    const m = good.slice(); m[1] = 0x4f;
    expect(err(() => parseNpy(m, 'x'))).toMatch(/^FILE_CORRUPT parseNpy\(x\): expected the \.npy magic/);
    const v = good.slice(); v[6] = 9;
    expect(err(() => parseNpy(v, 'x'))).toMatch(/format version 1, 2 or 3, got "9\.0"/);
    expect(err(() => parseNpy(npy('<f4', [1], new Uint8Array(4)), 'f'))).toMatch(/expected an integer dtype .*got "<f4"/);
    expect(err(() => parseNpy(npy('>i4', [1], new Uint8Array(4)), 'be'))).toMatch(/little-endian data, got ">i4"/);
    expect(err(() => parseNpy(npy('|u1', [2, 2], Uint8Array.of(1, 2, 3, 4), { fortran: true }), 'fo'))).toMatch(/C order/);
    expect(err(() => parseNpy(good.subarray(0, good.length - 1), 't'))).toMatch(/expected 4 data bytes for \|u1 \[2,2\], got "3 bytes"/);
    expect(err(() => parseNpy(good.subarray(0, 30), 'h'))).toMatch(/-byte header/);
    expect(err(() => parseNpy(good.subarray(0, 5), 'p'))).toMatch(/10-byte \.npy preamble/);
    const noShape = npy('|u1', [1], Uint8Array.of(0));
    const at = new TextDecoder('latin1').decode(noShape).indexOf("'shape'");
    noShape[at + 5] = 0x66; // 'shape' → 'shapf'
    expect(err(() => parseNpy(noShape, 's'))).toMatch(/'shape' tuple/);
  });
});

describe('npz / MedMNIST loader on small files the test writes', () => {
  it('reads deflated and stored archives; splits, shapes and labels as written', () => {
    for (const level of [6, 0] as const) {
      const d = parseMedMnist(npz(small(), level), 'small', { classes: 2 });
      expect(Object.keys(d).sort()).toEqual(['train', 'val']);
      expect(d.train!.count).toBe(5);
      expect(d.train!.shape).toEqual([4, 3, 1]);
      expect(Array.from(d.train!.labels)).toEqual([0, 1, 1, 0, 1]);
      expect(d.train!.images[10]).toBe(70);
      expect(Array.from(d.val!.images.subarray(0, 3))).toEqual([255, 254, 253]);
    }
  });

  it('accepts any subset of splits, [n] labels and [n,H,W,C] images', () => {
    const d = parseMedMnist(npz({
      test_images: npy('|u1', [2, 2, 2, 3], u8([2, 2, 2, 3], (i) => i)),
      test_labels: npy('<i8', [2], new Uint8Array(new BigInt64Array([3n, 1n]).buffer)),
    }), 'test-only');
    expect(d.test!.shape).toEqual([2, 2, 3]);
    expect(Array.from(d.test!.labels)).toEqual([3, 1]);
    expect(d.train).toBeUndefined();
  });

  it('rejects a file that is not a ZIP, a truncated ZIP, and non-.npy members', () => {
    const bytes = npz(small());
    const bad = bytes.slice(); bad[0] = 0x51;
    expect(err(() => parseMedMnist(bad, 'm'))).toMatch(/^FILE_CORRUPT parseNpz\(m\): expected a ZIP archive/);
    expect(err(() => parseMedMnist(bytes.subarray(0, bytes.length - 40), 'trunc'))).toMatch(/^FILE_CORRUPT parseNpz\(trunc\): expected a readable ZIP archive/);
    expect(err(() => parseMedMnist(new Uint8Array(0), 'empty'))).toMatch(/got "empty file"/);
    expect(err(() => parseNpz(zipSync({ 'notes.txt': Uint8Array.of(1) }), 'txt'))).toMatch(/only \.npy members/);
    // Deflate stream damaged in the middle: inflate fails or the npy sizes no longer add up.
    const mid = bytes.slice(); for (let i = 200; i < 260; i++) mid[i] ^= 0x5a;
    expect(err(() => parseMedMnist(mid, 'dmg'))).toMatch(/^FILE_CORRUPT /);
  });

  it('rejects wrong dtypes, missing keys, unknown keys, count mismatches, bad labels and shapes', () => {
    const s = small();
    expect(err(() => parseMedMnist(npz({ ...s, train_images: npy('<u2', [5, 4, 3], new Uint8Array(120)) }), 'dt')))
      .toMatch(/loadMedMnist\(dt\)\.train_images: expected dtype uint8, got "u2"/);
    const { train_labels: _omit, ...noLabels } = s;
    expect(err(() => parseMedMnist(npz(noLabels), 'miss'))).toMatch(/expected both train_images and train_labels, got "only train_images"/);
    expect(err(() => parseMedMnist(npz({ ...s, extra: npy('|u1', [1], Uint8Array.of(0)) }), 'key'))).toMatch(/expected only the keys .*got "extra"/);
    expect(err(() => parseMedMnist(npz({ ...s, val_labels: npy('|u1', [4, 1], Uint8Array.of(0, 1, 0, 1)) }), 'n'))).toMatch(/val_labels: expected 3 labels \(one per image\), got 4/);
    expect(err(() => parseMedMnist(npz({ ...s, val_labels: npy('|u1', [3, 2], new Uint8Array(6)) }), 'multi'))).toMatch(/single-label/);
    expect(err(() => parseMedMnist(npz(s), 'cls', { classes: 1 }))).toMatch(/train_labels\[1\]: expected a label in \[0, 0\], got 1/);
    expect(err(() => parseMedMnist(npz(s), 'shape', { shape: [28, 28, 1] }))).toMatch(/images of shape \[28,28,1\], got "\[4,3,1\]"/);
    expect(err(() => parseMedMnist(npz({ ...s, val_images: npy('|u1', [3, 3, 4], new Uint8Array(36)) }), 'mix'))).toMatch(/like the other splits/);
    expect(err(() => parseMedMnist(npz({}), 'none'))).toMatch(/at least one split/);
    expect(err(() => parseMedMnist(npz({ test_images: s.val_images, test_labels: s.val_labels }), 'req', { require: ['train'] }))).toMatch(/expected a train split/);
    expect(err(() => parseMedMnist(npz({ ...s, val_images: npy('|u1', [3, 4], new Uint8Array(12)) }), 'rank'))).toMatch(/shape \[n, H, W\] or \[n, H, W, C\]/);
  });

  it('reads from disk and names a missing file', () => {
    const p = join(dir, 'small.npz');
    writeFileSync(p, npz(small()));
    expect(readMedMnist(p).val!.count).toBe(3);
    expect(err(() => readMedMnist(join(dir, 'nope.npz')))).toMatch(/^FILE_MISSING readMedMnist\(.*nope\.npz\)/);
    expect(err(() => loadPneumoniaMnist(p))).toMatch(/images of shape \[28,28,1\]/);
  });
});

describe('the committed PneumoniaMNIST file (MedMNIST v2, Yang et al. 2023; Kermany et al. 2018; CC BY 4.0)', () => {
  it('is the file of the shared data README (sha256) with 3,882 training and 524 validation images', () => {
    expect(createHash('sha256').update(readFileSync(PNEUMONIA_FILE)).digest('hex')).toBe('36af7ab24fe5c645fb8db681b21f32bac2734346a3d40cd9443396af2d91ed49');
    const d = loadPneumoniaMnist();
    expect(d.train.count).toBe(3882);
    expect(d.val.count).toBe(524);
    expect(d.test).toBeUndefined();
    expect(d.train.images.length).toBe(3882 * 784);
    const count = (l: Uint8Array) => [0, 1].map((c) => l.filter((x) => x === c).length);
    expect(count(d.train.labels)).toEqual([388, 3494]);
    const [n0, n1] = count(d.val.labels);
    expect(n0 + n1).toBe(524);
    expect(n0).toBeGreaterThan(100); // the official validation split is far less skewed than this training subset
    let lo = 255, hi = 0;
    for (const p of d.val.images) { lo = Math.min(lo, p); hi = Math.max(hi, p); }
    expect(hi - lo).toBeGreaterThan(200);
  });
});
