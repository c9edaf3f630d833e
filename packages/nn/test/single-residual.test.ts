/**
 * `single` mode on a tiny ResNet (He et al. 2016) — the shape of the chest X-ray
 * model: conv stride 2 → sum pool → act (the block input) → conv → act → conv →
 * residual add → act → sum pool → dense. The add reads a register kept at an
 * earlier level (switched down by the planner); per-channel factors take the
 * slot-vector path; an add whose skip is a conv output (before its activation)
 * keeps a copy of it. Bit-exact against the integer forward pass on BFV.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPneumoniaMnist, modelPathByRole } from '@qhe/quant/data';
import { buildIntegerModel, forwardInteger, parseIntegerModel, quantizeInput, type IntegerLayer } from '@qhe/quant/model';
import { SingleClient, SingleServer, planSingle, verifyPlan } from '../src/index.js';
import { lcg } from './fixtures.js';

const same = { top: 1, left: 1, bottom: 1, right: 1 };

/** from = 3: the block input after its activation (as the xray ResNet); from = 4: a conv output, squared in place next. */
function tinyResidual(from: 3 | 4, scale: number[], fromScale: number[]) {
  const r = lcg(29);
  const w = (k: number, m: number) => Array.from({ length: k }, () => Math.round((r() * 2 - 1) * m));
  const layers: IntegerLayer[] = [
    { type: 'conv2d', kernelShape: [3, 3, 1, 2], weights: w(18, 3), bias: [1n, -2n], stride: [2, 2], padding: { top: 1, left: 1, bottom: 0, right: 0 } },
    { type: 'sumPool', window: [2, 2], stride: [2, 2] },
    { type: 'quadratic', a: [1n], b: [2n], c: [-3n] }, // → t[3], 3×3×2
    { type: 'conv2d', kernelShape: [3, 3, 2, 2], weights: w(36, 2), bias: [0n, 3n], stride: [1, 1], padding: same }, // → t[4]
    { type: 'square' },
    { type: 'conv2d', kernelShape: [3, 3, 2, 2], weights: w(36, 2), bias: [5n, 0n], stride: [1, 1], padding: same },
    { type: 'add', from, scale, fromScale },
    { type: 'quadratic', a: [2n], b: [-3n, 5n], c: [7n] },
    { type: 'sumPool', window: [3, 3], stride: [1, 1] },
    { type: 'flatten' },
    { type: 'dense', weightShape: [2, 2], weights: w(4, 4), bias: [0n, 1n] },
  ];
  return buildIntegerModel({ name: `tiny-residual-single-${from}`, input: { shape: [12, 12, 1], bits: 2, min: 0, max: 3, levels: 3, scale: 1 / 3 }, layers });
}

const image = (seed: number): number[] => { const r = lcg(seed); return Array.from({ length: 144 }, () => Math.floor(r() * 4)); };

describe('single mode: residual add on BFV (N = 2048, insecure)', () => {
  for (const [from, scale, fromScale] of [[3, [1], [4099]], [4, [1, 3], [37, 1000]]] as const) {
    it(`add from t[${from}], factors ${scale.join('/')} · ${fromScale.join('/')}: plan verified, logits bit-exact, budgets tracked`, async () => {
      const m = tinyResidual(from, [...scale], [...fromScale]);
      const plan = planSingle(m, { polyDegree: 2048, allowInsecure: true, maxPlainBits: 24 });
      const add = plan.layers.find((l) => l.type === 'add')!;
      expect(add.method).toMatch(/no rotation/);
      // The skip register is switched down to the add's level before it is read.
      const addOps = plan.program.ops.filter((op) => op.layer === add.index);
      expect(add.level).toBeGreaterThan(plan.layers[from - 1].level);
      expect(addOps.some((op) => op.kind === 'modSwitch')).toBe(true);
      // A skip read before its in-place activation is copied first (one identity term).
      const copies = plan.program.ops.filter((op) => op.kind === 'transform' && op.layer === from && op.terms.length === 1 && op.terms[0].diagonal === 1 && op.terms[0].baby === 0);
      expect(copies.length).toBe(from === 4 ? 1 : 0);
      for (let i = 1; i < plan.layers.length; i++) expect(plan.layers[i].level).toBeGreaterThanOrEqual(plan.layers[i - 1].level);
      verifyPlan(m, plan, image(9));
      const client = new SingleClient(plan);
      const server = new SingleServer(plan, client.serverKeys());
      for (const seed of from === 3 ? [1, 2] : [1]) {
        const x = image(seed);
        const measured: number[] = [];
        const out = await server.run(client.encrypt(x), { onLayer: (rep) => (measured[rep.index] = Math.min(...rep.samples.map((ct, j) => client.noiseBudget(j, ct)))) });
        expect(client.decrypt(out)).toEqual(forwardInteger(m, x));
        for (const l of plan.layers) expect(measured[l.index]).toBeGreaterThan(l.predictedBudget - 6);
      }
    });
  }

  it('an add that reads a windowed layout (no pool after the first conv) is a typed planning error', () => {
    const r = lcg(3);
    const w = (k: number) => Array.from({ length: k }, () => Math.round((r() * 2 - 1) * 2));
    const m = buildIntegerModel({
      name: 'windowed-skip', input: { shape: [6, 6, 1], bits: 2, min: 0, max: 3, levels: 3, scale: 1 / 3 },
      layers: [
        { type: 'conv2d', kernelShape: [3, 3, 1, 2], weights: w(18), bias: [0n, 0n], stride: [1, 1], padding: same },
        { type: 'square' },
        { type: 'conv2d', kernelShape: [3, 3, 2, 2], weights: w(36), bias: [0n, 0n], stride: [1, 1], padding: same },
        { type: 'add', from: 2, scale: [1], fromScale: [2] },
        { type: 'flatten' },
        { type: 'dense', weightShape: [72, 2], weights: w(144), bias: [0n, 0n] },
      ],
    });
    expect(() => planSingle(m, { polyDegree: 2048, allowInsecure: true })).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETERS', message: expect.stringMatching(/replicated layout/) }));
  });
});

/**
 * The committed chest X-ray ResNet (manifest role xray-default) at full size, N = 16384: one
 * CRT channel of its single-mode plan (≈ 0.75 GiB of Galois keys; all 8 channels would need
 * 6 GiB) on a validation image, the decrypted residues equal the integer logits mod t_0.
 */
describe.skipIf(!process.env.QHE_SLOW)('single mode: the chest X-ray ResNet, one CRT channel (QHE_SLOW)', () => {
  it('a validation image: residues mod t_0 bit-exact', async () => {
    const model = parseIntegerModel(readFileSync(modelPathByRole('xray-default')!, 'utf8'));
    const full = planSingle(model, { workers: 2 });
    const plan = Object.freeze({ ...full, plainModuli: [full.plainModuli[0]] });
    const client = new SingleClient(plan);
    const server = new SingleServer(plan, client.serverKeys());
    const x = quantizeInput(model.input, loadPneumoniaMnist().val.images.subarray(0, 784));
    const t = plan.plainModuli[0];
    const got = client.decrypt(await server.run(client.encrypt(x))).map((v) => ((v % t) + t) % t);
    expect(got).toEqual(forwardInteger(model, Array.from(x)).map((v) => ((v % t) + t) % t));
  }, 3_600_000);
});
