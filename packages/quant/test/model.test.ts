import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analyzeIntervals, buildIntegerModel, forwardInteger, forwardIntegerTrace, integerModelToJson, parseIntegerModel,
  predictInteger, quadraticRange, quantizeInput, QuantError, serializeIntegerModel,
  type IntegerLayer, type IntegerModel, type InputSpec,
} from '../src/model/index.js';
import { reference } from './reference.js';

/** Random small models: conv (random padding/stride) → act → [pool] → flatten → dense → act → dense. */
const modelArb = fc.record({
  H: fc.integer({ min: 3, max: 7 }), C: fc.integer({ min: 1, max: 2 }),
  k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 2 }), pad: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
  cout: fc.integer({ min: 1, max: 3 }), hidden: fc.integer({ min: 1, max: 5 }), wmax: fc.integer({ min: 1, max: 127 }),
  inBits: fc.integer({ min: 1, max: 8 }), signedInput: fc.boolean(), pool: fc.boolean(), quad: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1 << 30 }), big: fc.boolean(),
}).map((p) => {
  let s = p.seed;
  const rnd = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 2 ** 32; };
  const ri = (m: number) => Math.floor(rnd() * (2 * m + 1)) - m;
  const input: InputSpec = {
    shape: [p.H, p.H, p.C], bits: p.inBits, levels: 2 ** p.inBits - 1, scale: 1 / (2 ** p.inBits - 1),
    min: p.signedInput ? -(2 ** (p.inBits - 1)) : 0, max: p.signedInput ? 2 ** (p.inBits - 1) - 1 : 2 ** p.inBits - 1,
  };
  const kernelShape: [number, number, number, number] = [p.k, p.k, p.C, p.cout];
  const layers: IntegerLayer[] = [{
    type: 'conv2d', kernelShape, weights: Array.from({ length: p.k * p.k * p.C * p.cout }, () => ri(p.wmax)),
    bias: Array.from({ length: p.cout }, () => BigInt(ri(1000))), stride: [p.s, p.s],
    padding: { top: p.pad[0], left: p.pad[1], bottom: p.pad[2], right: p.pad[3] },
  }];
  layers.push(p.quad ? { type: 'quadratic', a: [BigInt(ri(9))], b: Array.from({ length: p.cout }, () => BigInt(ri(1e6))), c: [BigInt(ri(1e9))] } : { type: 'square' });
  const a0 = analyzeIntervals(input, layers);
  const sh = a0.shapes[a0.shapes.length - 1];
  if (p.pool && sh[0] >= 2 && sh[1] >= 2) layers.push({ type: 'sumPool', window: [2, 2], stride: [1, 1] });
  layers.push({ type: 'flatten' });
  const n = analyzeIntervals(input, layers).shapes.at(-1)![0];
  const dense = (i: number, o: number, bias: number): IntegerLayer => ({
    type: 'dense', weightShape: [i, o], weights: Array.from({ length: i * o }, () => ri(p.wmax)), bias: Array.from({ length: o }, () => BigInt(ri(bias))),
  });
  layers.push(dense(n, p.hidden, 10000), { type: 'square' });
  if (p.big) layers.push(dense(p.hidden, p.hidden, 1), { type: 'square' });
  layers.push(dense(p.hidden, 3, 5));
  return { model: buildIntegerModel({ name: 'rand', input, layers }), rnd };
});

function randomInput(m: IntegerModel, rnd: () => number, extreme: boolean): number[] {
  const n = m.input.shape[0] * m.input.shape[1] * m.input.shape[2];
  return Array.from({ length: n }, () => extreme ? (rnd() < 0.5 ? m.input.min : m.input.max) : m.input.min + Math.floor(rnd() * (m.input.max - m.input.min + 1)));
}

describe('exact integer forward pass', () => {
  it('equals the bigint reference on random models and inputs, and never exceeds the interval bounds', () => {
    fc.assert(fc.property(modelArb, fc.boolean(), ({ model, rnd }, extreme) => {
      const x = randomInput(model, rnd, extreme);
      const ref = reference(model, x);
      expect(forwardInteger(model, x)).toEqual(ref);
      const trace = forwardIntegerTrace(model, x);
      const a = analyzeIntervals(model.input, model.layers);
      trace.forEach((t, i) => {
        for (let e = 0; e < t.length; e++) {
          const v = BigInt(t[e]);
          expect(v >= a.lo[i][e] && v <= a.hi[i][e]).toBe(true);
          expect(v <= model.tensors[i].maxAbs && -v <= model.tensors[i].maxAbs).toBe(true);
        }
      });
    }), { numRuns: 150 });
  });

  it('exercises the bigint/limb path (some random models exceed 2^53)', () => {
    const bits = fc.sample(modelArb, { numRuns: 200, seed: 7 }).map((r) => r.model.maxBits);
    expect(Math.max(...bits)).toBeGreaterThan(60);
    expect(Math.min(...bits)).toBeLessThan(53);
  });

  it('interval bound is attained (tight) for a single dense layer', () => {
    const input: InputSpec = { shape: [1, 1, 3], bits: 2, levels: 3, scale: 1 / 3, min: 0, max: 3 };
    const m = buildIntegerModel({ name: 't', input, layers: [{ type: 'flatten' }, { type: 'dense', weightShape: [3, 1], weights: [2, -5, 1], bias: [7n] }] });
    // worst case: max(|7 − 5·3|, 7 + 2·3 + 1·3) = 16, attained at x = [3, 0, 3]
    expect(m.tensors[2].maxAbs).toBe(16n);
    expect(forwardInteger(m, [3, 0, 3])).toEqual([16n]);
    expect(forwardInteger(m, [0, 3, 0])).toEqual([7n - 15n]);
  });

  it('quadraticRange is the exact integer range', () => {
    fc.assert(fc.property(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: -99, max: 99 }),
      fc.integer({ min: -30, max: 30 }), fc.integer({ min: 0, max: 30 }), (A, B, C, lo, w) => {
        const vals: bigint[] = [];
        for (let x = lo; x <= lo + w; x++) vals.push(BigInt(A * x * x + B * x + C));
        const [m, M] = quadraticRange(BigInt(A), BigInt(B), BigInt(C), BigInt(lo), BigInt(lo + w));
        expect(m).toBe(vals.reduce((a, b) => (a < b ? a : b)));
        expect(M).toBe(vals.reduce((a, b) => (a > b ? a : b)));
      }));
  });

  it('rejects out-of-range inputs and predicts argmax in batch', () => {
    const [{ model, rnd }] = fc.sample(modelArb, { numRuns: 1, seed: 3 });
    const x = randomInput(model, rnd, false);
    const bad = [...x]; bad[0] = model.input.max + 1;
    expect(() => forwardInteger(model, bad)).toThrow(QuantError);
    const xs = [x, randomInput(model, rnd, true)];
    const p = predictInteger(model, xs);
    xs.forEach((xi, i) => {
      const r = reference(model, xi);
      expect(r[p[i]] >= r.reduce((a, b) => (a > b ? a : b))).toBe(true);
    });
  });

  it('quantizeInput rounds half up exactly', () => {
    const q = quantizeInput({ levels: 3, min: 0 }, [0, 42, 43, 127, 128, 255]);
    expect(Array.from(q)).toEqual([0, 0, 1, 1, 2, 3].map((v, i) => Math.round([0, 42, 43, 127, 128, 255][i] * 3 / 255)).map((v) => v));
    expect(() => quantizeInput({ levels: 3, min: 0 }, [256])).toThrow(/\[0, 255\]/);
  });
});

describe('JSON schema', () => {
  const [{ model }] = fc.sample(modelArb, { numRuns: 1, seed: 11 });
  it('round-trips', () => {
    const back = parseIntegerModel(serializeIntegerModel(model));
    expect(back).toEqual(model);
  });

  const err = (mutate: (j: any) => void): QuantError => {
    const j = JSON.parse(serializeIntegerModel(model));
    mutate(j);
    try { parseIntegerModel(j); } catch (e) { expect(e).toBeInstanceOf(QuantError); return e as QuantError; }
    throw new Error('expected a throw');
  };

  it('names the corrupted field with typed codes', () => {
    expect(err((j) => { j.format = 'x'; }).code).toBe('MODEL_FORMAT');
    expect(err((j) => { j.version = 3; }).message).toBe('version: expected 1 or 2, got 3');
    expect(err((j) => { j.layers[0].weights[0] = 1.5; }).message).toMatch(/^layers\[0\]\.weights\[0\]: expected a safe integer/);
    expect(err((j) => { j.layers[0].bias[0] = 3; }).message).toMatch(/^layers\[0\]\.bias\[0\]: expected a decimal integer string, got 3/);
    expect(err((j) => { j.layers[0].weights.pop(); }).message).toMatch(/^layers\[0\]\.weights: expected an array of length/);
    expect(err((j) => { j.layers[0].type = 'relu'; }).message).toMatch(/^layers\[0\]\.type: expected one of/);
    expect(err((j) => { j.tensors[1].maxAbs = '1'; }).message).toMatch(/^tensors\[1\]\.maxAbs: expected \d+ \(interval analysis\), got "1"/);
    expect(err((j) => { j.maxBits += 1; }).code).toBe('MODEL_FIELD');
    expect(err((j) => { j.layers[0].kernelShape[2] += 1; j.layers[0].weights.push(...j.layers[0].weights); }).code).toMatch(/MODEL_(SHAPE|FIELD)/);
    expect(err((j) => { delete j.input; }).message).toBe('input: expected an object, got undefined');
    expect(parseIntegerModelThrows('{not json')).toBe('MODEL_FORMAT');
  });

  it('random single-field corruption of numbers never loads silently with different stats', () => {
    const base = integerModelToJson(model) as any;
    fc.assert(fc.property(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(-1, 1e9, 0.5, 'x', null), (k, v) => {
      const j = JSON.parse(JSON.stringify(base));
      const t = j.tensors[k % j.tensors.length];
      t.bits = v;
      expect(() => parseIntegerModel(j)).toThrow(QuantError);
    }));
  });
});

function parseIntegerModelThrows(s: string): string {
  try { parseIntegerModel(s); } catch (e) { return (e as QuantError).code; }
  return 'none';
}

describe('@qhe/quant/model subpath', () => {
  it('does not import TF.js (directly or through relative imports)', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = join(__dirname, '..', 'src', 'model');
    for (const f of readdirSync(dir)) {
      const src = readFileSync(join(dir, f), 'utf8');
      expect(src).not.toMatch(/@tensorflow/);
      for (const m of src.matchAll(/from '([^']+)'/g)) expect(m[1].startsWith('./') || m[1].startsWith('node:')).toBe(true);
    }
  });
});

describe('plaintext modulus bound', () => {
  it('every traced value survives reduction mod t = minPlainModulus, and t − 2 would break the worst case', async () => {
    const { minPlainModulus } = await import('../src/model/index.js');
    // BFV decryption's centred representative in (−t/2, t/2] (the oracle; @qhe/bfv/math's `centre` in the library).
    const centre = (v: bigint, t: bigint): bigint => { const r = ((v % t) + t) % t; return r > t / 2n ? r - t : r; };
    fc.assert(fc.property(modelArb, ({ model, rnd }) => {
      const t = minPlainModulus(model);
      expect(t.toString(2).length).toBe(model.maxBits + 1);
      const tr = forwardIntegerTrace(model, randomInput(model, rnd, true));
      for (const ten of tr) for (let i = 0; i < ten.length; i++) expect(centre(BigInt(ten[i]), t)).toBe(BigInt(ten[i]));
      const worst = model.tensors.reduce((m, x) => (x.maxAbs > m ? x.maxAbs : m), 0n);
      if (worst > 1n) expect(centre(worst, t - 2n) === worst && centre(-worst, t - 2n) === -worst).toBe(false);
    }), { numRuns: 40 });
  });
});
