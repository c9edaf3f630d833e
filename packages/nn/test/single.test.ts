/**
 * `single` mode end to end on BFV: plan, client keys (Galois keys for exactly
 * the plan's rotations, each for its first level), convolution-representation
 * encryption, the packed program on the Evaluator and on the worker pool, CRT
 * recombination — bit-exact against the integer forward pass — plus the typed
 * errors of the client/server API.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildIntegerModel, forwardInteger, type IntegerLayer } from '@qhe/quant/model';
import { GaloisKeys, serializedGaloisKeysLength } from '@qhe/bfv';
import { WorkerPool } from '@qhe/bfv/parallel';
import { SingleClient, SingleServer, planSingle, singlePoolBackend, verifyPlan } from '../src/index.js';
import { lcg } from './fixtures.js';

function model(name: string, weightMax: number) {
  const r = lcg(17);
  const w = (k: number) => Array.from({ length: k }, () => Math.round((r() * 2 - 1) * weightMax));
  const layers: IntegerLayer[] = [
    { type: 'conv2d', kernelShape: [3, 3, 1, 3], weights: w(27), bias: [3n, -5n, 2n], stride: [2, 2], padding: { top: 1, left: 1, bottom: 0, right: 0 } },
    { type: 'square' },
    { type: 'flatten' },
    { type: 'dense', weightShape: [48, 12], weights: w(576), bias: Array.from({ length: 12 }, (_, i) => BigInt(i - 6)) },
    { type: 'quadratic', a: [2n], b: [-1n], c: [5n] },
    { type: 'dense', weightShape: [12, 4], weights: w(48), bias: [1n, 0n, -2n, 7n] },
  ];
  return buildIntegerModel({ name, input: { shape: [8, 8, 1], bits: 4, min: 0, max: 15, levels: 15, scale: 1 / 15 }, layers });
}

const image = (seed: number): number[] => { const r = lcg(seed); return Array.from({ length: 64 }, () => Math.floor(r() * 16)); };

describe('single mode (packed, one image) on BFV, N = 2048 insecure', () => {
  const m = model('single-tiny', 9);
  const plan = planSingle(m, { polyDegree: 2048, allowInsecure: true, maxPlainBits: 24 });
  const client = new SingleClient(plan);
  const keys = client.serverKeys();
  const pool = new WorkerPool({ size: 2 });
  afterAll(() => pool.close());

  it('plans CRT channels, Galois keys for exactly its rotations, each at its first level', () => {
    expect(plan.plainModuli.length).toBeGreaterThan(1);
    const gk = keys.channels[0].galoisKeys;
    expect([...gk.keys.keys()].sort((a, b) => a - b)).toEqual([...plan.galoisElements]);
    for (const [g, level] of plan.galoisKeyLevels) expect(gk.get(g).level).toBe(level);
    expect(plan.galoisSteps.length).toBe(plan.galoisElements.length);
    expect(serializedGaloisKeysLength(gk)).toBeGreaterThan(0);
    verifyPlan(m, plan, image(5));
  });

  it('Evaluator: logits bit-exact for several images; measured budgets track the prediction', async () => {
    const server = new SingleServer(plan, keys);
    for (const seed of [1, 2]) {
      const x = image(seed);
      const measured: number[] = [];
      const out = await server.run(client.encrypt(x), { onLayer: (r) => (measured[r.index] = Math.min(...r.samples.map((ct, j) => client.noiseBudget(j, ct)))) });
      expect(client.decrypt(out)).toEqual(forwardInteger(m, x));
      for (const l of plan.layers) expect(measured[l.index]).toBeGreaterThan(l.predictedBudget - 6);
    }
  });

  it('worker pool: the same logits', async () => {
    const server = new SingleServer(plan, keys, singlePoolBackend(pool));
    const x = image(3);
    expect(client.decrypt(await server.run(client.encrypt(x)))).toEqual(forwardInteger(m, x));
  });

  it('typed errors: input range and length, channel counts, missing Galois keys', async () => {
    const server = new SingleServer(plan, keys);
    expect(() => client.encrypt(image(1).slice(1))).toThrow(expect.objectContaining({ code: 'LENGTH_MISMATCH' }));
    expect(() => client.encrypt(image(1).map((v, i) => (i === 3 ? 16 : v)))).toThrow(expect.objectContaining({ code: 'PLAINTEXT_OUT_OF_RANGE' }));
    await expect(server.run({ channels: [] })).rejects.toMatchObject({ code: 'LENGTH_MISMATCH' });
    expect(() => new SingleServer(plan, { channels: keys.channels.slice(1) })).toThrow(expect.objectContaining({ code: 'MISSING_KEY' }));
    const stripped = keys.channels.map((c) => ({ ...c, galoisKeys: new GaloisKeys(c.galoisKeys.context, new Map([...c.galoisKeys.keys].slice(1))) }));
    expect(() => new SingleServer(plan, { channels: stripped })).toThrow(expect.objectContaining({ code: 'MISSING_KEY' }));
    expect(() => client.decrypt({ channels: [] })).toThrow(expect.objectContaining({ code: 'LENGTH_MISMATCH' }));
  });
});
