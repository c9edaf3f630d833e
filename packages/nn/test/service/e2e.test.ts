/**
 * End to end over loopback: `qhe serve` in a child process, `QheClient` and the
 * `qhe classify` command line against it, in batch and in single mode. Every
 * image's logits must equal the exact integer model's; flooding is on by
 * default and off with --no-flooding, and both decrypt correctly in both modes;
 * the model card says which; the server exits 0 on SIGTERM.
 */
import { execFile } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode as encodePng } from 'fast-png';
import { forwardInteger, quantizeInput } from '@qhe/quant/model';
import { GaloisKeys, floodingReserveBits, serializeCiphertext, serializeGaloisKeys, serializePublicKey, serializeRelinKeys } from '@qhe/bfv';
import { SingleClient, type SingleClientPlan } from '../../src/single/client.js';
import { InferenceClient } from '../../src/client.js';
import { QheClient } from '../../src/service/client.js';
import { planFromJson, type ModelCard } from '../../src/service/card.js';
import { WIRE_CONTENT_TYPE, concatBytes, encodeWire } from '../../src/service/wire.js';
import { CLI, pixelImages, startServer, tempDir, tinyModel, writeModel, type ServerProcess } from './helpers.js';

const run = promisify(execFile);
const model = tinyModel();
const expected = (px: Uint8Array) => forwardInteger(model, quantizeInput(model.input, px));
const TEST_SERVER = ['--poly-degree', '1024', '--allow-insecure', '--workers', '1', '--quiet'];

describe('qhe serve + QheClient + qhe classify (tiny model, N = 1024, insecure test parameters)', () => {
  const dir = tempDir('e2e');
  const modelPath = writeModel(dir, model);
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer(['--model', modelPath, ...TEST_SERVER]);
  }, 120_000);
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  }, 120_000);

  it('QheClient: logits equal the integer model for every image; one key upload, the session reused', async () => {
    const client = await QheClient.connect(server.url);
    expect(client.card.flooding.enabled).toBe(true);
    expect(client.card.flooding.statisticalSecurity).toBe(40);
    expect(client.plan.flooding?.statisticalSecurity).toBe(40);
    expect(client.card.model.classNames).toEqual(['a', 'b', 'c', 'd']);
    const first = pixelImages(5, 1);
    const r1 = await client.classify(first);
    expect(r1.predictions.map((p) => p.logits)).toEqual(first.map(expected));
    expect(r1.predictions.map((p) => p.className)).toEqual(first.map((px) => 'abcd'[argmaxOf(expected(px))]));
    expect(r1.bytes.evaluationKeys).toBe(client.evaluationKeyBytes);
    expect(r1.bytes.upload).toBeGreaterThan(0);
    for (const k of ['keygenMs', 'uploadKeysMs', 'encryptMs', 'requestMs', 'serverMs', 'decryptMs', 'totalMs'] as const) expect(r1.timing[k]).toBeGreaterThan(0);
    expect(r1.server[0].computeMs).toBeGreaterThan(0);
    expect(r1.server[0].floodMs).toBeGreaterThan(0);
    const second = pixelImages(3, 2);
    const r2 = await client.classify(second);
    expect(r2.predictions.map((p) => p.logits)).toEqual(second.map(expected));
    expect(r2.bytes.evaluationKeys).toBe(0); // keys uploaded once per session
    expect(r2.timing.keygenMs).toBe(0);
    await client.close();
  });

  it('qhe classify: PNG and PGM files, one line per image, and a JSON report', async () => {
    const px = pixelImages(2, 3);
    const png = join(dir, 'digit.png');
    writeFileSync(png, encodePng({ width: 6, height: 6, data: px[0], channels: 1, depth: 8 }));
    const pgm = join(dir, 'digit.pgm');
    writeFileSync(pgm, Buffer.concat([Buffer.from('P5\n# test\n6 6\n255\n'), Buffer.from(px[1])]));
    const text = await run(process.execPath, [CLI, 'classify', '--server', server.url, png, pgm]);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${png}: class ${'abcd'[argmaxOf(expected(px[0]))]} logits [${expected(px[0]).join(', ')}]`);
    expect(lines[1]).toBe(`${pgm}: class ${'abcd'[argmaxOf(expected(px[1]))]} logits [${expected(px[1]).join(', ')}]`);
    expect(text.stdout).toMatch(/stages: keygen [\d.]+ s, key upload [\d.]+ s, encrypt [\d.]+ s, server [\d.]+ s/);
    const json = JSON.parse((await run(process.execPath, [CLI, 'classify', '--server', server.url, '--json', png, pgm])).stdout);
    expect(json.images.map((i: { logits: string[] }) => i.logits.map(BigInt))).toEqual(px.map(expected));
    expect(json.bytes.evaluationKeys).toBeGreaterThan(0);
    expect(json.flooding.enabled).toBe(true);
  });

  it('single mode (QheClient): one image per request, bit-exact; Galois keys for exactly the plan, seeded; flooding planned', async () => {
    const client = await QheClient.connect(server.url, { mode: 'single' });
    const plan = client.plan as SingleClientPlan;
    expect(plan.mode).toBe('single');
    expect(plan.flooding).toEqual({ statisticalSecurity: 40, ciphertexts: plan.plainModuli.length, reserveBits: floodingReserveBits(plan.polyDegree, plan.plainModuli.length, 40) });
    expect(plan.galoisElements.length).toBeGreaterThan(0);
    const keys = (client.inference as SingleClient).serverKeys().channels[0];
    expect([...keys.galoisKeys.keys.keys()].sort((a, b) => a - b)).toEqual([...plan.galoisElements]);
    expect(keys.relinKeys.key.seed).toBeDefined();
    // The card's byte figures are the real ones: seeded keys at their levels, seeded level-0 inputs.
    const card = client.modeCard;
    expect(client.evaluationKeyBytes).toBeLessThanOrEqual(card.bytes.evaluationKeys);
    expect(client.evaluationKeyBytes).toBeGreaterThan(0.95 * card.bytes.evaluationKeys);
    const px = pixelImages(3, 21);
    const r = await client.classify(px);
    expect(r.predictions.map((p) => p.logits)).toEqual(px.map(expected));
    expect(r.server.length).toBe(3); // one request per image
    expect(r.server[0].floodMs).toBeGreaterThan(0);
    expect(r.bytes.upload).toBeLessThanOrEqual(3 * card.bytes.request);
    await client.close();
    // A single-mode key set without one of the plan's Galois elements is refused before anything is kept.
    const he = new SingleClient(plan);
    const short = he.serverKeys().channels.flatMap((c) => {
      const gk = new GaloisKeys(c.galoisKeys.context, new Map([...c.galoisKeys.keys].slice(1)));
      return [serializePublicKey(c.publicKey), serializeRelinKeys(c.relinKeys), serializeGaloisKeys(gk)];
    });
    const body = concatBytes(encodeWire({ kind: 'keys', mode: 'single', channels: plan.plainModuli.length, perChannel: ['publicKey', 'relinKeys', 'galoisKeys'] }, short));
    const res = await fetch(`${server.url}/v1/sessions?mode=single`, { method: 'POST', headers: { 'Content-Type': WIRE_CONTENT_TYPE }, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('MISSING_KEY');
  });

  it('single mode (qhe classify --mode single): the same lines as the integer model', async () => {
    const px = pixelImages(1, 22)[0];
    const pgm = join(dir, 'single.pgm');
    writeFileSync(pgm, Buffer.concat([Buffer.from('P5\n6 6\n255\n'), Buffer.from(px)]));
    const json = JSON.parse((await run(process.execPath, [CLI, 'classify', '--server', server.url, '--mode', 'single', '--json', pgm])).stdout);
    expect(json.mode).toBe('single');
    expect(json.images.map((i: { logits: string[] }) => i.logits.map(BigInt))).toEqual([expected(px)]);
    expect(json.bytes.evaluationKeys).toBeGreaterThan(0);
  });

  it('--no-flooding: still exact, and the model card says the logits are not circuit-private', async () => {
    const plain = await startServer(['--model', modelPath, '--no-flooding', ...TEST_SERVER]);
    try {
      const client = await QheClient.connect(plain.url);
      expect(client.card.flooding.enabled).toBe(false);
      expect(client.card.flooding.note).toMatch(/OFF/);
      expect(client.plan.flooding).toBeNull();
      const px = pixelImages(4, 4);
      const r = await client.classify(px);
      expect(r.predictions.map((p) => p.logits)).toEqual(px.map(expected));
      expect(r.server[0].floodMs).toBe(0);
      await client.close();
      const single = await QheClient.connect(plain.url, { mode: 'single' });
      expect(single.plan.flooding).toBeNull();
      const one = pixelImages(1, 23);
      expect((await single.classify(one)).predictions.map((p) => p.logits)).toEqual(one.map(expected));
      await single.close();
    } finally {
      expect(await plain.stop()).toBe(0);
    }
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM: the admitted request finishes (200), new connections are refused, the process exits 0', async () => {
    const model2 = tinyModel();
    const server = await startServer(['--model', writeModel(tempDir('shutdown'), model2), '--modes', 'batch', ...TEST_SERVER]);
    try {
      const card = (await (await fetch(`${server.url}/v1/model`)).json()) as ModelCard;
      const he = new InferenceClient(planFromJson(card.modes.batch!.plan));
      const keys = concatBytes(encodeWire({ kind: 'keys', mode: 'batch', channels: 1, perChannel: ['publicKey', 'relinKeys'] }, he.serverKeys().channels.flatMap((c) => [serializePublicKey(c.publicKey), serializeRelinKeys(c.relinKeys)])));
      const session = ((await (await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: { 'Content-Type': WIRE_CONTENT_TYPE }, body: keys })).json()) as { session: string }).session;
      const px = pixelImages(2, 9).map((p) => quantizeInput(model2.input, p));
      const body = concatBytes(encodeWire({ kind: 'infer', mode: 'batch', images: 2, channels: 1, perChannel: 36 }, he.encryptChannel(px, 0, undefined, { symmetric: true }).map((ct) => serializeCiphertext(ct))));
      const agent = new Agent({ keepAlive: true, maxSockets: 2 });
      const send = (payload: Uint8Array, partial: boolean) => {
        const req = httpRequest(`${server.url}/v1/sessions/${session}/infer`, { method: 'POST', agent, headers: { 'Content-Type': WIRE_CONTENT_TYPE, 'Content-Length': payload.length } });
        const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
          req.on('response', (r) => { let text = ''; r.setEncoding('latin1'); r.on('data', (d: string) => (text += d)); r.on('end', () => resolve({ status: r.statusCode ?? 0, body: text })); }).on('error', reject);
        });
        req.write(payload.subarray(0, partial ? payload.length >> 1 : payload.length));
        if (!partial) req.end();
        return { req, answer };
      };
      // A first request completes; then one is admitted with half its body sent (the job is in flight).
      const warm = send(body, false);
      expect((await warm.answer).status).toBe(200);
      const held = send(body, true); // admitted, half its body sent: the job is in flight
      await new Promise((r) => setTimeout(r, 300));
      server.proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      await expect(fetch(`${server.url}/v1/model`)).rejects.toThrow(); // the listener is closed
      held.req.end(body.subarray(body.length >> 1));
      const done = await held.answer;
      expect(done.status).toBe(200);
      agent.destroy();
      expect(await server.exited()).toBe(0);
      expect(server.output()).toMatch(/SIGTERM: finishing admitted requests/);
    } finally {
      await server.stop();
    }
  }, 120_000);
});

function argmaxOf(v: readonly bigint[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
