import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analyzeIntervals, buildIntegerModel, forwardInteger, forwardIntegerTrace, parseIntegerModel, QuantError, serializeIntegerModel,
  type IntegerLayer, type InputSpec,
} from '../src/model/index.js';
import { reference } from './reference.js';

/**
 * Random residual models: conv (same padding) → act → conv (same padding) → add(from = k) → act
 * [→ add(from = input) when the channels allow] → flatten → dense. Scale factors are random per
 * channel or broadcast, from 1 to 2^40 (the bigint/limb path), negative allowed.
 */
const residualArb = fc.record({
  H: fc.integer({ min: 2, max: 5 }), C: fc.integer({ min: 1, max: 3 }), k: fc.constantFrom(1, 3), wmax: fc.integer({ min: 1, max: 63 }),
  inBits: fc.integer({ min: 1, max: 8 }), perChannel: fc.boolean(), quad: fc.boolean(), fromInput: fc.boolean(), skipAct: fc.boolean(),
  factorBits: fc.integer({ min: 0, max: 40 }), seed: fc.integer({ min: 1, max: 1 << 30 }),
}).map((p) => {
  let s = p.seed;
  const rnd = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 2 ** 32; };
  const ri = (m: number) => Math.floor(rnd() * (2 * m + 1)) - m;
  const factor = () => { const v = Math.floor(rnd() * 2 ** p.factorBits) + 1; return rnd() < 0.2 ? -v : v; };
  const factors = (c: number) => Array.from({ length: p.perChannel ? c : 1 }, factor);
  const input: InputSpec = { shape: [p.H, p.H, p.C], bits: p.inBits, levels: 2 ** p.inBits - 1, scale: 1, min: 0, max: 2 ** p.inBits - 1 };
  const pad = (p.k - 1) / 2;
  const conv = (cin: number, cout: number): IntegerLayer => ({
    type: 'conv2d', kernelShape: [p.k, p.k, cin, cout], weights: Array.from({ length: p.k * p.k * cin * cout }, () => ri(p.wmax)),
    bias: Array.from({ length: cout }, () => BigInt(ri(500))), stride: [1, 1], padding: { top: pad, left: pad, bottom: pad, right: pad },
  });
  const act = (c: number): IntegerLayer => (p.quad ? { type: 'quadratic', a: [BigInt(ri(9) || 1)], b: Array.from({ length: c }, () => BigInt(ri(1000))), c: [BigInt(ri(1e6))] } : { type: 'square' });
  const cout = p.fromInput ? p.C : p.C + 1;
  // tensors: 0 input, 1 conv, 2 act, 3 conv, 4 add(from 2 or 1), 5 act
  const layers: IntegerLayer[] = [conv(p.C, cout), act(cout), conv(cout, cout), { type: 'add', from: p.skipAct ? 2 : 1, scale: factors(cout), fromScale: factors(cout) }, act(cout)];
  if (p.fromInput) layers.push({ type: 'add', from: 0, scale: factors(cout), fromScale: factors(cout) });
  layers.push({ type: 'flatten' });
  const n = p.H * p.H * cout;
  layers.push({ type: 'dense', weightShape: [n, 2], weights: Array.from({ length: 2 * n }, () => ri(p.wmax)), bias: [BigInt(ri(9)), BigInt(ri(9))] });
  return { model: buildIntegerModel({ name: 'residual', input, layers }), rnd, p };
});

const inputOf = (m: InputSpec, rnd: () => number, extreme: boolean) =>
  Array.from({ length: m.shape[0] * m.shape[1] * m.shape[2] }, () => (extreme ? (rnd() < 0.5 ? m.min : m.max) : m.min + Math.floor(rnd() * (m.max - m.min + 1))));

function code(f: () => unknown): string {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(QuantError); return `${(e as QuantError).code} ${(e as Error).message}`; }
  throw new Error('expected a QuantError');
}

describe('add layer (residual connection) against a bigint reference', () => {
  it('forward pass = reference on random scales and shapes; every value inside its interval; round trip', () => {
    fc.assert(fc.property(residualArb, fc.boolean(), ({ model, rnd }, extreme) => {
      const x = inputOf(model.input, rnd, extreme);
      expect(forwardInteger(model, x)).toEqual(reference(model, x));
      const a = analyzeIntervals(model.input, model.layers);
      forwardIntegerTrace(model, x).forEach((t, i) => {
        for (let e = 0; e < t.length; e++) {
          const v = BigInt(t[e]);
          expect(v >= a.lo[i][e] && v <= a.hi[i][e]).toBe(true);
        }
      });
      const back = parseIntegerModel(serializeIntegerModel(model));
      expect(back).toEqual(model);
      expect(back.version).toBe(2);
    }), { numRuns: 120 });
  });

  it('interval of an add is scale·[lo,hi] + fromScale·[lo,hi] per element, and tight when the summands are independent', () => {
    const input: InputSpec = { shape: [1, 1, 2], bits: 3, levels: 7, scale: 1, min: 0, max: 7 };
    // tensor 1 = x² per channel; add: y = 3·x² − 5·x (from the input), per element
    const m = buildIntegerModel({ name: 'a', input, layers: [{ type: 'square' }, { type: 'add', from: 0, scale: [3], fromScale: [-5] }] });
    expect(m.tensors[2].maxAbs).toBe(3n * 49n); // hi: 3·49 − 5·0 (not attainable jointly: the bound is sound, not tight, for correlated summands)
    expect(forwardInteger(m, [7, 2])).toEqual([3n * 49n - 35n, 12n - 10n]);
    expect(m.multiplicativeDepth).toBe(1);
  });

  it('multiplicative depth is the longest path, not the count of activation layers', () => {
    const input: InputSpec = { shape: [1, 1, 1], bits: 2, levels: 3, scale: 1, min: 0, max: 3 };
    const sq: IntegerLayer = { type: 'square' };
    // main path: sq, sq (depth 2); the add reads tensor 1 (depth 1) → max = 2; then one more square → 3
    const m = buildIntegerModel({ name: 'd', input, layers: [sq, sq, { type: 'add', from: 1, scale: [1], fromScale: [1] }, sq] });
    expect(m.multiplicativeDepth).toBe(3);
    const parallel = buildIntegerModel({ name: 'p', input, layers: [sq, { type: 'add', from: 0, scale: [1], fromScale: [9] }] });
    expect(parallel.multiplicativeDepth).toBe(1);
  });

  it('validates from, shapes, factor lengths and the schema version with typed errors', () => {
    const [{ model }] = fc.sample(residualArb, { numRuns: 1, seed: 5 });
    const json = () => JSON.parse(serializeIntegerModel(model));
    const addAt = model.layers.findIndex((l) => l.type === 'add');
    const mutate = (f: (j: any) => void) => { const j = json(); f(j); return code(() => parseIntegerModel(j)); };
    expect(mutate((j) => { j.layers[addAt].from = addAt + 1; })).toMatch(new RegExp(`^MODEL_FIELD layers\\[${addAt}\\]\\.from: expected a safe integer in \\[0, ${addAt}\\]`));
    const tiny: InputSpec = { shape: [2, 2, 1], bits: 2, levels: 3, scale: 1, min: 0, max: 3 };
    const widen: IntegerLayer = { type: 'conv2d', kernelShape: [1, 1, 1, 2], weights: [1, 2], bias: [0n, 0n], stride: [1, 1], padding: { top: 0, left: 0, bottom: 0, right: 0 } };
    expect(code(() => buildIntegerModel({ name: 's', input: tiny, layers: [widen, { type: 'add', from: 0, scale: [1], fromScale: [1] }] })))
      .toMatch(/^MODEL_SHAPE layers\[1\]\.from: expected tensor 0 of the input's shape \[2,2,2\], got "\[2,2,1\]"/);
    expect(mutate((j) => { j.layers[addAt].scale = [1, 2, 3, 4, 5, 6, 7]; })).toMatch(/MODEL_SHAPE layers\[\d\]\.scale: expected length 1 or \d+ \(channels\), got 7/);
    expect(mutate((j) => { j.layers[addAt].fromScale = ['1']; })).toMatch(/MODEL_FIELD layers\[\d\]\.fromScale\[0\]: expected a safe integer/);
    expect(mutate((j) => { j.layers[addAt].scale = [2 ** 60]; })).toMatch(/MODEL_FIELD .*scale\[0\]: expected a safe integer/);
    expect(mutate((j) => { j.version = 1; })).toMatch(/MODEL_FIELD layers\[\d\]\.type: expected .*\(add needs version 2\), got "add"/);
    expect(mutate((j) => { j.tensors[addAt + 1].maxAbs = '1'; })).toMatch(/MODEL_FIELD tensors\[\d\]\.maxAbs/);
  });

  it('version-1 files (no add) still load and keep their version', () => {
    const input: InputSpec = { shape: [2, 2, 1], bits: 2, levels: 3, scale: 1 / 3, min: 0, max: 3 };
    const m = buildIntegerModel({ name: 'v1', input, layers: [{ type: 'flatten' }, { type: 'dense', weightShape: [4, 2], weights: [1, 2, 3, 4, 5, 6, 7, 8], bias: [0n, 1n] }, { type: 'square' }] });
    const j = JSON.parse(serializeIntegerModel(m));
    j.version = 1;
    const back = parseIntegerModel(j);
    expect(back.version).toBe(1);
    expect(JSON.parse(serializeIntegerModel(back)).version).toBe(1);
    expect(forwardInteger(back, [3, 0, 1, 2])).toEqual(forwardInteger(m, [3, 0, 1, 2]));
  });
});
