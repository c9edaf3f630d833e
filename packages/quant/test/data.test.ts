import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIdx, readIdx } from '../src/data/idx.js';
import { loadMnist, loadSplit, MNIST_FILES } from '../src/data/mnist.js';
import { permutation, Rng } from '../src/data/prng.js';
import { QuantError } from '../src/model/errors.js';

function idx(dims: number[], data: number[]): Uint8Array {
  const b = new Uint8Array(4 + 4 * dims.length + data.length);
  const v = new DataView(b.buffer);
  b[2] = 8; b[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  b.set(data, 4 + 4 * dims.length);
  return b;
}

const dir = mkdtempSync(join(tmpdir(), 'qhe-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function code(f: () => unknown): string {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(QuantError); return (e as QuantError).code + ' ' + (e as Error).message; }
  throw new Error('expected a throw');
}

describe('idx parser', () => {
  it('parses a well-formed file', () => {
    const a = parseIdx(idx([2, 3], [1, 2, 3, 4, 5, 6]), 'x');
    expect(a.dims).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('rejects bad magic, type, truncation and wrong dims with the file name', () => {
    const good = idx([2, 3], [1, 2, 3, 4, 5, 6]);
    const bad = good.slice(); bad[0] = 1;
    expect(code(() => parseIdx(bad, 'f1'))).toMatch(/^FILE_CORRUPT parseIdx\(f1\): expected magic/);
    const t = good.slice(); t[2] = 0x0d;
    expect(code(() => parseIdx(t, 'f2'))).toMatch(/data type/);
    expect(code(() => parseIdx(good.subarray(0, good.length - 1), 'f3'))).toMatch(/f3.*expected 18 bytes/);
    expect(code(() => parseIdx(good.subarray(0, 2), 'f4'))).toMatch(/header/);
    expect(code(() => parseIdx(good, 'f5', [3, 2]))).toMatch(/dims \[3,2\]/);
  });
  it('names a missing file', () => {
    const p = join(dir, 'nope');
    expect(code(() => readIdx(p))).toContain(`FILE_MISSING readIdx(${p})`);
  });
  it('loadSplit validates labels and sizes from files on disk', () => {
    const im = join(dir, 'im'), lb = join(dir, 'lb');
    writeFileSync(im, idx([2, 28, 28], new Array(2 * 784).fill(7)));
    writeFileSync(lb, idx([2], [3, 9]));
    const s = loadSplit(im, lb, 2);
    expect(s.count).toBe(2);
    expect(Array.from(s.labels)).toEqual([3, 9]);
    writeFileSync(lb, idx([2], [3, 12]));
    expect(code(() => loadSplit(im, lb, 2))).toMatch(/labels in 0\.\.9/);
    expect(code(() => loadSplit(im, lb, 3))).toMatch(/dims \[3,28,28\]/);
  });
  it('loadMnist names the missing file in a partial folder', () => {
    const d = mkdtempSync(join(dir, 'm'));
    writeFileSync(join(d, MNIST_FILES.trainImages), idx([60000, 28, 28], []));
    expect(code(() => loadMnist(d))).toMatch(new RegExp(`FILE_CORRUPT .*${MNIST_FILES.trainImages}`));
  });
});

describe('real MNIST', () => {
  it('loads 60k/10k with labels 0..9 in plausible proportions', () => {
    const m = loadMnist();
    expect(m.train.images.length).toBe(60000 * 784);
    expect(m.test.count).toBe(10000);
    const counts = new Array(10).fill(0);
    for (const l of m.test.labels) counts[l]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
});

describe('seeded PRNG', () => {
  it('is deterministic per seed and permutations are permutations', () => {
    const a = permutation(1000, new Rng(5)), b = permutation(1000, new Rng(5)), c = permutation(1000, new Rng(6));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    const r = new Rng(1); let s = 0;
    for (let i = 0; i < 10000; i++) s += r.next();
    expect(s / 10000).toBeGreaterThan(0.47); expect(s / 10000).toBeLessThan(0.53);
  });
});
