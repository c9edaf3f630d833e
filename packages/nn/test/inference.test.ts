import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildIntegerModel, forwardInteger, parseIntegerModel, type IntegerLayer } from '@qhe/quant/model';
import { lcg, tinyModel } from './models.js';
import { WorkerPool, isShared } from '@qhe/bfv/parallel';
import { EvaluatorBackend, InferenceClient, InferenceServer, planInference, poolBackend } from '../src/index.js';

function images(count: number, features: number): Int32Array[] {
  const r = lcg(11);
  return Array.from({ length: count }, () => Int32Array.from({ length: features }, () => Math.floor(r() * 16)));
}

async function roundTrip(model: ReturnType<typeof tinyModel>, plan: ReturnType<typeof planInference>, count: number) {
  const client = new InferenceClient(plan);
  const server = new InferenceServer(plan, model, client.serverKeys());
  const xs = images(count, 36);
  const measured: number[] = [];
  const out = await server.run(client.encrypt(xs), {
    onLayer: (r) => { measured[r.index] = Math.min(measured[r.index] ?? Infinity, client.noiseBudget(r.channel, r.sample)); },
  });
  return { logits: client.decrypt(out), expected: xs.map((x) => forwardInteger(model, x)), measured, client, server };
}

describe('encrypted inference (tiny model, N = 2048, insecure)', () => {
  it('single t: decrypted logits equal the integer forward pass in every slot; predicted budget tracks the measured one', async () => {
    const model = tinyModel(7);
    const plan = planInference(model, { polyDegree: 2048, allowInsecure: true, images: 2048 });
    expect(plan.plainModuli.length).toBe(1);
    const { logits, expected, measured } = await roundTrip(model, plan, 2048);
    expect(logits).toEqual(expected);
    for (const l of plan.layers) if (l.type !== 'flatten') expect(Math.abs(measured[l.index] - l.predictedBudget)).toBeLessThan(8);
    expect(measured[measured.length - 1]).toBeGreaterThan(0);
  });

  it('CRT: a bound above one t splits into channels and the recombined logits stay exact', async () => {
    const model = tinyModel(100, 'tiny-wide');
    const plan = planInference(model, { polyDegree: 2048, allowInsecure: true, maxPlainBits: 16, images: 64 });
    expect(plan.plainModuli.length).toBeGreaterThan(1);
    expect(plan.plainModuli.reduce((a, b) => a * b, 1n)).toBeGreaterThan(2n * plan.maxAbs);
    const { logits, expected } = await roundTrip(model, plan, 64);
    expect(logits).toEqual(expected);
    // the logits really exceed one channel's range
    const maxLogit = expected.flat().reduce((a, b) => (b < 0n ? -b : b) > a ? (b < 0n ? -b : b) : a, 0n);
    expect(maxLogit * 2n).toBeGreaterThan(plan.plainModuli[0]);
  });

  it('the server object holds no secret key and cannot decrypt; extra key material is refused', () => {
    const model = tinyModel(7);
    const plan = planInference(model, { polyDegree: 2048, allowInsecure: true, images: 8 });
    const client = new InferenceClient(plan);
    const server = new InferenceServer(plan, model, client.serverKeys());
    const seen = new Set<unknown>();
    const walk = (o: unknown, depth: number): void => {
      if (o === null || typeof o !== 'object' || seen.has(o) || depth > 6) return;
      seen.add(o);
      expect(o.constructor?.name).not.toBe('SecretKey');
      expect(o.constructor?.name).not.toBe('Decryptor');
      if (ArrayBuffer.isView(o)) return;
      for (const v of Object.values(o)) walk(v, depth + 1);
    };
    walk(server, 0);
    expect((server as unknown as Record<string, unknown>).decrypt).toBeUndefined();
    const leaky = { channels: client.serverKeys().channels.map((c) => ({ ...c, secretKey: {} })) };
    expect(() => new InferenceServer(plan, model, leaky as never)).toThrow(/only \{ publicKey, relinKeys \}/);
  });

  it('planner: unplannable model names the failing bound; corrupted model JSON is rejected', () => {
    const model = tinyModel(7);
    expect(() => planInference(model, { polyDegree: 1024 })).toThrow(/expected parameters within the 128-bit security bound/);
    const json = JSON.parse(JSON.stringify({ format: 'qhe-integer-model' }));
    expect(() => parseIntegerModel(json)).toThrow();
    expect(() => parseIntegerModel('{ not json')).toThrow();
  });

  it('sumPool + per-channel quadratic, and square → square relinearizes eagerly; both bit-exact', async () => {
    const r = lcg(3);
    const w = (k: number, m: number) => Array.from({ length: k }, () => Math.round((r() * 2 - 1) * m));
    const pooled = buildIntegerModel({
      name: 'tiny-pool-quad', input: { shape: [6, 6, 1], bits: 4, min: 0, max: 15, levels: 15, scale: 1 / 15 },
      layers: [
        { type: 'conv2d', kernelShape: [3, 3, 1, 2], weights: w(18, 5), bias: [0n, 4n], stride: [1, 1], padding: { top: 1, left: 1, bottom: 1, right: 1 } },
        { type: 'sumPool', window: [2, 2], stride: [2, 2] },
        { type: 'quadratic', a: [3n, -2n], b: [5n, 0n], c: [-7n, 11n] },
        { type: 'flatten' },
        { type: 'dense', weightShape: [18, 3], weights: w(54, 4), bias: [0n, 0n, 9n] },
      ],
    });
    const deep = buildIntegerModel({
      name: 'tiny-deep', input: { shape: [6, 6, 1], bits: 2, min: 0, max: 3, levels: 3, scale: 1 / 3 },
      layers: [
        { type: 'conv2d', kernelShape: [3, 3, 1, 1], weights: w(9, 2), bias: [1n], stride: [3, 3], padding: { top: 0, left: 0, bottom: 0, right: 0 } },
        { type: 'square' }, { type: 'square' }, { type: 'flatten' },
        { type: 'dense', weightShape: [4, 2], weights: w(8, 3), bias: [0n, 1n] },
      ],
    });
    for (const model of [pooled, deep]) {
      const plan = planInference(model, { polyDegree: 2048, allowInsecure: true, images: 32 });
      const client = new InferenceClient(plan);
      const server = new InferenceServer(plan, model, client.serverKeys());
      const xs = images(32, 36).map((x) => x.map((v) => Math.min(v, model.input.max)));
      const got = client.decrypt(await server.run(client.encrypt(xs)));
      expect(got).toEqual(xs.map((x) => forwardInteger(model, x)));
    }
    const plan = planInference(deep, { polyDegree: 2048, allowInsecure: true });
    expect(plan.layers.map((l) => l.relinearizeAfter)).toEqual([false, true, false, false, true]);
  });

  const committed = new URL('../../quant/models/cryptonets-square-w8-in8-bn-aug.json', import.meta.url);
  it.skipIf(!existsSync(committed))('plans the committed CryptoNets model within the 128-bit bound with CRT', () => {
    const model = parseIntegerModel(readFileSync(committed, 'utf8'));
    const plan = planInference(model);
    expect(plan.polyDegree).toBe(8192);
    expect(plan.logQP).toBeLessThanOrEqual(218);
    expect(plan.plainModuli.length).toBeGreaterThan(1);
    expect(plan.plainModuli.reduce((a, b) => a * b, 1n)).toBeGreaterThan(2n * plan.maxAbs);
    expect(plan.predictedFinalBudget).toBeGreaterThanOrEqual(plan.marginBits);
  });

  it('channel by channel: runChannel takes its inputs, element-wise layers release theirs as they go, results equal run()', async () => {
    const model = tinyModel(100, 'tiny-wide');
    const plan = planInference(model, { polyDegree: 2048, allowInsecure: true, maxPlainBits: 16, images: 16 });
    const client = new InferenceClient(plan);
    const pool = new WorkerPool({ size: 2 });
    try {
      for (const backend of [undefined, poolBackend(pool)]) {
        const server = new InferenceServer(plan, model, client.serverKeys(), backend);
        const xs = images(16, 36);
        const channels = [];
        // The pool gets its inputs encrypted straight into shared storage (read by the workers in place).
        const shared = backend !== undefined;
        for (let j = 0; j < plan.plainModuli.length; j++) {
          const inputs = client.encryptChannel(xs, j, undefined, { shared });
          expect(inputs.every((ct) => ct.polys.every((p) => isShared(p.data)))).toBe(shared);
          channels.push(await server.runChannel(j, inputs));
          expect(inputs).toHaveLength(0); // the caller's array no longer holds the channel's ciphertexts
        }
        expect(client.decrypt({ images: 16, channels })).toEqual(xs.map((x) => forwardInteger(model, x)));
      }
      expect(() => client.encryptChannel(images(4, 36), 0, undefined, { shared: true, symmetric: true })).toThrow(/expected symmetric or shared encryption, got both/);
      // An element-wise layer empties its input array as it consumes it.
      const ctx = client.contexts[0];
      const keys = client.serverKeys().channels[0];
      for (const be of [new EvaluatorBackend(ctx, keys.publicKey, keys.relinKeys), poolBackend(pool)(ctx, keys)]) {
        const cts = client.encryptChannel(images(4, 36), 0).slice(0, 5);
        const squared = await be.quadratic(cts, () => [1n, 0n, 0n], false);
        expect(squared.map((c) => c.size)).toEqual([3, 3, 3, 3, 3]);
        expect(cts.every((c) => c === undefined)).toBe(true);
        const switched = await be.modSwitchTo(squared, 1);
        expect(switched.map((c) => c.level)).toEqual([1, 1, 1, 1, 1]);
        expect(squared.every((c) => c === undefined)).toBe(true);
      }
    } finally {
      await pool.close();
    }
  });

  it('worker-pool backend: same exact logits (single t and CRT)', async () => {
    const pool = new WorkerPool({ size: 2 });
    try {
      for (const [model, opts] of [[tinyModel(7), {}], [tinyModel(100, 'tiny-wide'), { maxPlainBits: 16 }]] as const) {
        const plan = planInference(model, { polyDegree: 2048, allowInsecure: true, images: 64, ...opts });
        const client = new InferenceClient(plan);
        const server = new InferenceServer(plan, model, client.serverKeys(), poolBackend(pool));
        const xs = images(64, 36);
        expect(client.decrypt(await server.run(client.encrypt(xs)))).toEqual(xs.map((x) => forwardInteger(model, x)));
      }
    } finally {
      await pool.close();
    }
  });
});
