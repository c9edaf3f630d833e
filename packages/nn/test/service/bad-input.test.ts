/**
 * The bad-input matrix: every malformed or unwelcome request gets a typed JSON
 * error { code, message } with the right status (and Retry-After for 503s),
 * the server keeps serving, its log holds no key or ciphertext contents, and a
 * good request afterwards is still answered bit-exactly.
 *
 * In process (InferenceService on one worker), on a CRT plan of 2+ channels
 * (maxPlainBits 16) so that a missing channel can be sent.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Evaluator, deserializeCiphertext, serializeCiphertext, serializePublicKey, serializeRelinKeys } from '@qhe/bfv';
import { WorkerPool } from '@qhe/bfv/parallel';
import { forwardInteger, quantizeInput } from '@qhe/quant/model';
import { InferenceClient } from '../../src/client.js';
import { planInference } from '../../src/planner/index.js';
import { planFromJson, type ModelCard } from '../../src/service/card.js';
import { InferenceService } from '../../src/service/server.js';
import { WIRE_CONTENT_TYPE, concatBytes, decodeWire, encodeWire } from '../../src/service/wire.js';
import { pixelImages, tinyModel } from './helpers.js';

const model = tinyModel(7, 40, 'tiny-crt');
const other = tinyModel(9, 7, 'other');
const PLAN = { polyDegree: 1024, allowInsecure: true, maxPlainBits: 16 } as const;

const pool = new WorkerPool({ size: 1 });
const log: string[] = [];
let service: InferenceService;
let url: string;
let client: InferenceClient;
let k: number;
const px = pixelImages(3, 5);
const inputs = px.map((p) => quantizeInput(model.input, p));

beforeAll(async () => {
  service = await InferenceService.start({ model, port: 0, pool, plan: PLAN, modes: ['batch'], maxSessions: 3, sessionIdleSeconds: 3, queueLength: 0, log: (l) => log.push(l), webRoot: null });
  url = service.url;
  const card = (await (await fetch(`${url}/v1/model`)).json()) as ModelCard;
  client = new InferenceClient(planFromJson(card.modes.batch!.plan));
  k = client.plan.plainModuli.length;
}, 120_000);
afterAll(async () => {
  await service.close();
  await pool.close();
}, 120_000);

const keyFrames = (c: InferenceClient): Uint8Array[] => c.serverKeys().channels.flatMap((ch) => [serializePublicKey(ch.publicKey), serializeRelinKeys(ch.relinKeys)]);
const keysBody = (frames: Uint8Array[], channels = k, extra: Record<string, unknown> = {}) =>
  concatBytes(encodeWire({ kind: 'keys', mode: 'batch', channels, perChannel: ['publicKey', 'relinKeys'], ...extra }, frames));
const inputFrames = (c: InferenceClient, xs: Int32Array[]) => {
  const frames: Uint8Array[] = [];
  for (let j = 0; j < c.plan.plainModuli.length; j++) for (const ct of c.encryptChannel(xs, j, undefined, { symmetric: true })) frames.push(serializeCiphertext(ct, { seeded: true }));
  return frames;
};
const inferBody = (frames: Uint8Array[], images = 3, channels = k, perChannel = 36) =>
  concatBytes(encodeWire({ kind: 'infer', mode: 'batch', images, channels, perChannel }, frames));

async function post(path: string, body: Uint8Array, type = WIRE_CONTENT_TYPE): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': type }, body });
}

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  const body = JSON.parse(text) as { code: string; message: string };
  expect(body.code).toBe(code);
  expect(body.message).toMatch(/expected .+, got /);
  if (status === 503) expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  return body.message;
}

async function openSession(): Promise<string> {
  const res = await post('/v1/sessions', keysBody(keyFrames(client)));
  if (res.status !== 201) throw new Error(`openSession: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { session: string }).session;
}

async function goodInfer(session: string, request = inferBody(inputFrames(client, inputs))): Promise<void> {
  const res = await post(`/v1/sessions/${session}/infer`, request);
  expect(res.status).toBe(200);
  const body = new Uint8Array(await res.arrayBuffer());
  const { frames } = decodeWire(body, { maxFrameBytes: body.length, maxFrames: 1000 });
  const channels = Array.from({ length: k }, (_, j) => frames.slice(j * 4, (j + 1) * 4).map((f) => deserializeCiphertext(client.contexts[j], f)));
  expect(client.decrypt({ images: 3, channels })).toEqual(inputs.map((x) => forwardInteger(model, x)));
}


describe('bad input: typed JSON errors, the server keeps serving (CRT plan, N = 1024, insecure)', () => {
  it('plans more than one channel (so a missing channel can be tested)', () => {
    expect(k).toBeGreaterThan(1);
  });

  it('key uploads: truncated, corrupted, other parameters, missing channel, missing key, bad wire header', async () => {
    const frames = keyFrames(client);
    const full = keysBody(frames);
    await expectError(await post('/v1/sessions', full.subarray(0, full.length - 100)), 400, 'WIRE_FORMAT');
    const corrupt = full.slice();
    corrupt[corrupt.length - 5000] ^= 0x40;
    await expectError(await post('/v1/sessions', corrupt), 400, 'SERIALIZATION');
    const foreign = new InferenceClient(planInference(other, { polyDegree: 2048, allowInsecure: true, maxPlainBits: 16 }));
    const mixed = frames.slice();
    mixed[0] = serializePublicKey(foreign.serverKeys().channels[0].publicKey);
    await expectError(await post('/v1/sessions', keysBody(mixed)), 400, 'PARAMETER_MISMATCH');
    // Keys of two secret keys (same parameters): the key ids disagree before anything is kept.
    const stranger = new InferenceClient(client.plan);
    const twoKeys = frames.slice();
    twoKeys[1] = serializeRelinKeys(stranger.serverKeys().channels[0].relinKeys);
    await expectError(await post('/v1/sessions', keysBody(twoKeys)), 400, 'KEY_MISMATCH');
    await expectError(await post('/v1/sessions', keysBody(frames.slice(0, 2), k - 1)), 400, 'MISSING_CHANNEL');
    await expectError(await post('/v1/sessions', concatBytes(encodeWire({ kind: 'keys', mode: 'batch', channels: k, perChannel: ['publicKey'] }, frames.filter((_, i) => i % 2 === 0)))), 400, 'MISSING_KEY');
    const swapped = frames.slice();
    [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
    await expectError(await post('/v1/sessions', keysBody(swapped)), 400, 'SERIALIZATION');
    await expectError(await post('/v1/sessions', Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])), 400, 'WIRE_FORMAT');
    const badJson = full.slice();
    badJson[12] = 0x7b + 1; // the header's "{" → "|"
    await expectError(await post('/v1/sessions', badJson), 400, 'WIRE_FORMAT');
    await expectError(await post('/v1/sessions?mode=single', full), 400, 'MODE_UNAVAILABLE');
  });

  it('media type 415, size cap 413, unknown route 404, wrong method 405', async () => {
    const full = keysBody(keyFrames(client));
    await expectError(await post('/v1/sessions', full, 'application/octet-stream'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectError(await post('/v1/sessions', full, 'application/json'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const cap = service.card.limits.maxKeyBodyBytes;
    await expectError(await post('/v1/sessions', new Uint8Array(cap + 1)), 413, 'BODY_TOO_LARGE');
    await expectError(await fetch(`${url}/v2/anything`), 404, 'NOT_FOUND');
    const res = await fetch(`${url}/v1/model`, { method: 'DELETE' });
    await expectError(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('inference: unknown and expired sessions, truncated/corrupted bodies, other parameters or model, missing channel, bad ciphertexts', async () => {
    // Every body is made before the session opens: the session idles out after 3 s, and
    // encrypting on a loaded machine must not count as idle time between requests.
    const frames = inputFrames(client, inputs);
    const goodBody = inferBody(frames);
    const foreignFrame = inputFrames(new InferenceClient(planInference(other, { polyDegree: 2048, allowInsecure: true, maxPlainBits: 16 })), inputs)[0];
    const strangerFrame = inputFrames(new InferenceClient(client.plan), inputs)[0];
    const ev = new Evaluator(client.contexts[0]);
    const [a] = client.encryptChannel(inputs, 0);
    const lowFrame = serializeCiphertext(ev.modSwitchToNext(a));
    const squareFrame = serializeCiphertext(ev.square(a));
    const session = await openSession();
    await expectError(await post('/v1/sessions/0123456789abcdef/infer', goodBody), 404, 'UNKNOWN_SESSION');
    const body = goodBody;
    await expectError(await post(`/v1/sessions/${session}/infer`, body.subarray(0, body.length - 7)), 400, 'WIRE_FORMAT');
    const corrupt = body.slice();
    corrupt[body.length - 3000] ^= 1;
    await expectError(await post(`/v1/sessions/${session}/infer`, corrupt), 400, 'SERIALIZATION');
    // A ciphertext for other parameters (another model's plan).
    const mixed = frames.slice();
    mixed[40] = foreignFrame;
    await expectError(await post(`/v1/sessions/${session}/infer`, inferBody(mixed)), 400, 'PARAMETER_MISMATCH');
    // A ciphertext under another secret key of the same parameters: KEY_MISMATCH, not garbage logits.
    const alien = frames.slice();
    alien[3] = strangerFrame;
    await expectError(await post(`/v1/sessions/${session}/infer`, inferBody(alien)), 400, 'KEY_MISMATCH');
    // Another model's input shape (16 features instead of 36).
    await expectError(await post(`/v1/sessions/${session}/infer`, inferBody(frames.slice(0, 16 * k), 3, k, 16)), 400, 'BAD_REQUEST');
    await expectError(await post(`/v1/sessions/${session}/infer`, inferBody(frames.slice(0, 36), 3, 1)), 400, 'MISSING_CHANNEL');
    await expectError(await post(`/v1/sessions/${session}/infer`, inferBody(frames, 0)), 400, 'BAD_REQUEST');
    // A ciphertext below the first layer's level, and a size-3 one (larger than any input frame).
    const low = frames.slice();
    low[0] = lowFrame;
    expect(await expectError(await post(`/v1/sessions/${session}/infer`, inferBody(low)), 400, 'INVALID_CIPHERTEXT')).toMatch(/level ≤ 0/);
    const sq = frames.slice();
    sq[0] = squareFrame;
    expect(await expectError(await post(`/v1/sessions/${session}/infer`, inferBody(sq)), 400, 'WIRE_FORMAT')).toMatch(/frame 0 of 1\.\.\d+ bytes/);
    await goodInfer(session, goodBody);
    // Expired: idle longer than 3 s.
    await new Promise((r) => setTimeout(r, 3300));
    await expectError(await post(`/v1/sessions/${session}/infer`, goodBody), 404, 'UNKNOWN_SESSION');
    await expectError(await fetch(`${url}/v1/sessions/${session}`, { method: 'DELETE' }), 404, 'UNKNOWN_SESSION');
  });

  it('too many sessions and a full queue are 503 with Retry-After, then the server serves again', async () => {
    const ids = [await openSession(), await openSession(), await openSession()];
    await expectError(await post('/v1/sessions', keysBody(keyFrames(client))), 503, 'TOO_MANY_SESSIONS');
    for (const id of ids.slice(1)) expect((await fetch(`${url}/v1/sessions/${id}`, { method: 'DELETE' })).status).toBe(204);
    // Queue of length 0: a request whose body is half sent holds the only job slot.
    const body = inferBody(inputFrames(client, inputs));
    const held = httpRequest(`${url}/v1/sessions/${ids[0]}/infer`, { method: 'POST', headers: { 'Content-Type': WIRE_CONTENT_TYPE, 'Content-Length': body.length } });
    const answer = new Promise<number>((resolve, reject) => held.on('response', (r) => { r.resume(); r.on('end', () => resolve(r.statusCode ?? 0)); }).on('error', reject));
    held.write(body.subarray(0, body.length >> 1));
    await new Promise((r) => setTimeout(r, 300));
    await expectError(await post(`/v1/sessions/${ids[0]}/infer`, body), 503, 'QUEUE_FULL');
    held.end(body.subarray(body.length >> 1));
    expect(await answer).toBe(200);
    await goodInfer(ids[0]);
  });

  it('the log has one line per request, with codes only: no key, ciphertext or message contents', () => {
    expect(log.length).toBeGreaterThan(20);
    for (const line of log) {
      expect(line).toMatch(/^(GET|POST|DELETE) \S+ \d{3}( [A-Z_]+)? \d+ ms$/);
      expect(line).not.toMatch(/expected|got|[0-9a-f]{16}/);
    }
    expect(log.some((l) => / 400 SERIALIZATION /.test(l))).toBe(true);
  });
});
