/**
 * End to end over loopback: `qhe serve` in a child process, `QheClient` and the
 * `qhe classify` command line against it. Every image's logits must equal the
 * exact integer model's; flooding is on by default and off with --no-flooding,
 * and both decrypt correctly; the model card says which; the server exits 0 on
 * SIGTERM.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode as encodePng } from 'fast-png';
import { forwardInteger, quantizeInput } from '@qhe/quant/model';
import { QheClient } from '../../src/service/client.js';
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
    } finally {
      expect(await plain.stop()).toBe(0);
    }
  });
});

function argmaxOf(v: readonly bigint[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
