import { describe, expect, it } from 'vitest';
import { buildIntegerModel, forwardInteger, type IntegerLayer } from '@qhe/quant/model';
import { WorkerPool } from '@qhe/bfv/parallel';
import { InferenceClient, InferenceServer, planInference, poolBackend } from '../src/index.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

/**
 * A tiny ResNet: conv → x² (kept for the skip) → conv → x² → conv → add(skip, per-channel
 * * factors) → a·x²+b·x+c → sum pool → dense.
 */
function tinyResidual() {
  const r = lcg(21);
  const w = (k: number, m: number) => Array.from({ length: k }, () => Math.round((r() * 2 - 1) * m));
  const same = { top: 1, left: 1, bottom: 1, right: 1 };
  const layers: IntegerLayer[] = [
    { type: 'conv2d', kernelShape: [3, 3, 1, 2], weights: w(18, 3), bias: [1n, -2n], stride: [1, 1], padding: same },
    { type: 'square' }, // tensor 2: the block input
    { type: 'conv2d', kernelShape: [3, 3, 2, 2], weights: w(36, 2), bias: [0n, 3n], stride: [1, 1], padding: same },
    { type: 'square' },
    { type: 'conv2d', kernelShape: [1, 1, 2, 2], weights: w(4, 3), bias: [5n, 0n], stride: [1, 1], padding: { top: 0, left: 0, bottom: 0, right: 0 } },
    { type: 'add', from: 2, scale: [1, 3], fromScale: [37, 1000] },
    { type: 'quadratic', a: [2n], b: [-3n, 5n], c: [7n] },
    { type: 'sumPool', window: [2, 2], stride: [2, 2] },
    { type: 'flatten' },
    { type: 'dense', weightShape: [8, 2], weights: w(16, 4), bias: [0n, 1n] },
  ];
  // 4×4×2 throughout the block; pool → 2×2×2 = 8 features.
  return buildIntegerModel({ name: 'tiny-residual', input: { shape: [4, 4, 1], bits: 2, min: 0, max: 3, levels: 3, scale: 1 / 3 }, layers });
}

const images = (count: number, n: number, max: number) => {
  const r = lcg(5);
  return Array.from({ length: count }, () => Int32Array.from({ length: n }, () => Math.floor(r() * (max + 1))));
};

describe('residual model encrypted (N = 1024, insecure)', () => {
  const model = tinyResidual();

  it('plans the add: the kept square is relinearized at once, depth 3, levels never rise', () => {
    expect(model.multiplicativeDepth).toBe(3);
    const plan = planInference(model, { polyDegree: 1024, allowInsecure: true, images: 64 });
    expect(plan.layers[1].relinearizeAfter).toBe(true); // tensor 2 is read by the add
    expect(plan.layers[3].relinearizeAfter).toBe(false); // lazy: relinearized after the next conv
    expect(plan.layers[4].relinearizeAfter).toBe(true);
    expect(plan.layers[5].type).toBe('add');
    for (let i = 1; i < plan.layers.length; i++) expect(plan.layers[i].level).toBeGreaterThanOrEqual(plan.layers[i - 1].level);
  });

  it('single-thread evaluator and worker pool: logits bit-exact in every slot, CRT channels included', async () => {
    const pool = new WorkerPool({ size: 2 });
    try {
      for (const [opts, backend] of [[{ maxPlainBits: 18 }, undefined], [{}, poolBackend(pool)]] as const) {
        const plan = planInference(model, { polyDegree: 1024, allowInsecure: true, images: 64, ...opts });
        if ('maxPlainBits' in opts) expect(plan.plainModuli.length).toBeGreaterThan(1);
        const client = new InferenceClient(plan);
        const server = new InferenceServer(plan, model, client.serverKeys(), backend);
        const xs = images(64, 16, 3);
        const measured: number[] = [];
        const onLayer = (rep: { index: number; channel: number; sample: Parameters<typeof client.noiseBudget>[1] }): void => {
          const m = client.noiseBudget(rep.channel, rep.sample);
          measured[rep.index] = Math.min(measured[rep.index] ?? Infinity, m);
        };
        const got = client.decrypt(await server.run(client.encrypt(xs), { onLayer }));
        expect(got).toEqual(xs.map((x) => forwardInteger(model, x)));
        expect(measured.at(-1)!).toBeGreaterThan(0);
        // The planner's budget is a conservative prediction on the residual path too.
        for (const l of plan.layers) if (l.type !== 'flatten') expect(measured[l.index]).toBeGreaterThan(l.predictedBudget - 8);
      }
    } finally {
      await pool.close();
    }
  });
});
