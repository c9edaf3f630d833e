/**
 * Packed layouts of `single` mode against the exact integer model, on plain slot
 * vectors mod t (simulateProgram, the specification of what BFV computes): for
 * random models — a weight-shared first layer (convolution, sum pool) in the
 * convolution representation, stacked (windowed) and hybrid/expanding diagonal
 * dense layers with baby-step/giant-step and rotate-and-add reductions, x² and
 * per-channel quadratics — every output slot equals forwardInteger mod t.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildIntegerModel, forwardInteger, type IntegerLayer, type IntegerModel } from '@qhe/quant/model';
import { batchingPrimes } from '../src/planner/primes.js';
import { compileModel } from '../src/single/compile.js';
import { ZERO } from '../src/single/layouts.js';
import { simulateProgram, type PackedProgram } from '../src/single/program.js';
import { composeCodes, galoisElementOf, inverseCode, rotateSlots, rotationCode, sourceSlot } from '../src/single/slots.js';

const small = (max: number) => fc.integer({ min: -max, max });

/** A random model: a first linear layer (conv / sumPool / dense), then activation-linear pairs. */
const arbModel: fc.Arbitrary<IntegerModel> = fc
  .record({
    H: fc.integer({ min: 3, max: 9 }),
    W: fc.integer({ min: 3, max: 9 }),
    cin: fc.integer({ min: 1, max: 2 }),
    first: fc.constantFrom('conv2d', 'conv2d', 'sumPool', 'dense'),
    k: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
    pad: fc.integer({ min: 0, max: 1 }),
    cout: fc.integer({ min: 1, max: 4 }),
    hidden: fc.array(fc.record({ act: fc.constantFrom('square', 'quadratic'), out: fc.integer({ min: 1, max: 40 }) }), { minLength: 0, maxLength: 2 }),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
  .map(({ H, W, cin, first, k, stride, pad, cout, hidden, seed }) => {
    let s = seed;
    const rnd = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const ws = (n: number, max: number): number[] => Array.from({ length: n }, () => Math.round((rnd() * 2 - 1) * max));
    const bs = (n: number): bigint[] => Array.from({ length: n }, () => BigInt(Math.round((rnd() * 2 - 1) * 50)));
    const layers: IntegerLayer[] = [];
    let C = cin, h = H, w = W;
    if (first === 'conv2d') {
      const kk = Math.min(k, H, W);
      layers.push({ type: 'conv2d', kernelShape: [kk, kk, cin, cout], weights: ws(kk * kk * cin * cout, 7), bias: bs(cout), stride: [stride, stride], padding: { top: pad, left: pad, bottom: 0, right: 0 } });
      h = Math.floor((H + pad - kk) / stride) + 1; w = Math.floor((W + pad - kk) / stride) + 1; C = cout;
    } else if (first === 'sumPool') {
      const kk = Math.min(k + 1, H, W);
      layers.push({ type: 'sumPool', window: [kk, kk], stride: [stride, stride] });
      h = Math.floor((H - kk) / stride) + 1; w = Math.floor((W - kk) / stride) + 1;
    }
    let F = h * w * C;
    if (first === 'dense') {
      layers.push({ type: 'flatten' });
      const out = Math.max(1, Math.min(20, hidden[0]?.out ?? 5));
      layers.push({ type: 'dense', weightShape: [F, out], weights: ws(F * out, 5), bias: bs(out) });
      F = out;
    }
    hidden.forEach(({ act, out }, i) => {
      if (act === 'square') layers.push({ type: 'square' });
      else {
        const per = (): bigint[] => (C > 1 && i === 0 && first !== 'dense' ? Array.from({ length: C }, () => BigInt(Math.round(rnd() * 6 - 3))) : [BigInt(Math.round(rnd() * 6 - 3))]);
        layers.push({ type: 'quadratic', a: per(), b: per(), c: per() });
      }
      if (layers.some((l) => l.type !== 'flatten') && !layers.some((l) => l.type === 'flatten')) layers.push({ type: 'flatten' });
      layers.push({ type: 'dense', weightShape: [F, out], weights: ws(F * out, 5), bias: bs(out) });
      F = out;
      C = 1;
    });
    return buildIntegerModel({ name: 'random', input: { shape: [H, W, cin], bits: 4, min: 0, max: 15, levels: 15, scale: 1 / 15 }, layers });
  });

function checkProgram(model: IntegerModel, n: number, seed: number): void {
  const compiled = compileModel(model, n);
  const program: PackedProgram = { n, inputCount: compiled.input.ciphertexts.length, registers: compiled.registers, ops: compiled.layers.flatMap((l) => l.ops), output: compiled.output };
  const [t] = batchingPrimes(22, n, 1);
  let s = seed;
  const size = model.input.shape.reduce((a, b) => a * b, 1);
  const x = Array.from({ length: size }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % 16));
  const inputs = compiled.input.ciphertexts.map((slots) => Array.from(slots, (i) => (i === ZERO ? 0n : BigInt(x[i]))));
  const out = simulateProgram(program, inputs, t)[compiled.output];
  const want = forwardInteger(model, x).map((v) => ((v % t) + t) % t);
  expect(Array.from(compiled.outputSlots, (slot) => out[slot])).toEqual(want);
}

describe('single-mode layouts (plain slots mod t)', () => {
  it('rotation codes: compose, invert, and move slots as rotateRows/rotateColumns do', () => {
    const n = 16, R = 8;
    const v = Array.from({ length: n }, (_, i) => i);
    expect(rotateSlots(v, rotationCode(n, 3))).toEqual([3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10]);
    expect(rotateSlots(v, rotationCode(n, 0, true)).slice(0, R)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }), (a, b) => {
        expect(rotateSlots(rotateSlots(v, a), b)).toEqual(rotateSlots(v, composeCodes(n, a, b)));
        expect(rotateSlots(rotateSlots(v, a), inverseCode(n, a))).toEqual(v);
        for (let s = 0; s < n; s++) expect(rotateSlots(v, a)[s]).toBe(v[sourceSlot(n, s, a)]);
        const g = galoisElementOf(n, a);
        expect(g % 2).toBe(1);
      }),
    );
  });

  it('random models: every output slot equals the integer forward pass mod t', () => {
    fc.assert(
      fc.property(arbModel, fc.constantFrom(1024, 2048, 4096), fc.integer({ min: 1, max: 1 << 30 }), (model, n, seed) => {
        try {
          checkProgram(model, n, seed);
        } catch (e) {
          // A layout that does not fit this N is a typed planning error; it must fit at N = 8192.
          if ((e as { code?: string }).code !== 'INVALID_PARAMETERS') throw e;
          checkProgram(model, 8192, seed);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('the default CryptoNets shape compiles to the convolution representation, stacked and hybrid diagonals', () => {
    const r = (() => { let s = 3; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32); })();
    const ws = (n: number) => Array.from({ length: n }, () => Math.round((r() * 2 - 1) * 100));
    const model = buildIntegerModel({
      name: 'cryptonets-shape',
      input: { shape: [28, 28, 1], bits: 8, min: 0, max: 255, levels: 255, scale: 1 / 255 },
      layers: [
        { type: 'conv2d', kernelShape: [5, 5, 1, 5], weights: ws(125), bias: [1n, 2n, 3n, 4n, 5n], stride: [2, 2], padding: { top: 1, left: 1, bottom: 0, right: 0 } },
        { type: 'square' }, { type: 'flatten' },
        { type: 'dense', weightShape: [845, 100], weights: ws(84500), bias: Array(100).fill(7n) },
        { type: 'square' },
        { type: 'dense', weightShape: [100, 10], weights: ws(1000), bias: Array(10).fill(-3n) },
      ],
    });
    const c = compileModel(model, 8192);
    expect(c.input.kind).toBe('im2col');
    expect(c.input.ciphertexts).toHaveLength(25);
    expect(c.layers[0].layout.kind).toBe('windowed');
    expect(c.layers[3].layout.kind).toBe('replicated');
    expect(c.layers[3].note).toMatch(/stacked diagonals: 15 rotations/);
    expect(c.layers[5].note).toMatch(/hybrid diagonals/);
    checkProgram(model, 8192, 99);
  });
});
