/**
 * `QheClient`: the hospital's side of the service. It fetches the model card,
 * rebuilds and checks the plan (card.ts), generates the keys locally, uploads
 * the evaluation keys once per session, encrypts images with the secret key in
 * the seeded symmetric form (c0 and a 32-byte seed: half the bytes of a
 * public-key ciphertext), sends them, and decrypts the logits. The secret key
 * never leaves this object. The evaluation keys are seeded too (their uniform
 * parts travel as 32-byte seeds), so the upload is half of the full keys.
 *
 * Two modes, as the card offers them: `batch` (CryptoNets slot batching, up to
 * N images per request; InferenceClient) and `single` (one image per request,
 * packed; SingleClient, with Galois keys for exactly the plan's rotations, each
 * made for the level that first uses it). In single mode the inputs travel
 * seeded at level 0 when that is smaller than switching them down to the plan's
 * input level first (the server switches them).
 *
 * Stages are timed as in the HomomorphicEncryption.org ml-inference benchmark
 * harness — key generation, encryption, server computation, decryption, total —
 * with bandwidth (evaluation-key, upload and download bytes). `requestMs` is the
 * round trip of the inference request, `serverMs` the server's own computation
 * (evaluation + flooding, from the answer), and their difference `overheadMs`
 * is what the service adds: transport, (de)serialization, queueing.
 *
 * Behaviour a deployment expects: 503 answers (queue full, too many sessions)
 * are retried after their Retry-After, a bounded number of times; a session the
 * server has expired is reopened once, transparently; requests larger than a
 * mode's batch are split.
 *
 * Runs in browsers (fetch, WebCrypto; no `node:` imports) and in Node ≥ 20.
 */
import { deserializeCiphertext, serializeCiphertext, serializeGaloisKeys, serializePublicKey, serializeRelinKeys, type Ciphertext } from '@qhe/bfv';
import { argmax, quantizeInput } from '@qhe/quant/model';
import { InferenceClient } from '../client.js';
import type { InferencePlan } from '../planner/index.js';
import { SingleClient, type SingleClientPlan } from '../single/client.js';
import { channelFingerprints, checkModelCard, planFromJson, type InferenceMode, type ModeCard, type ModelCard } from './card.js';
import { singlePlanFromJson } from './single-plan-json.js';
import { ServiceError, type ServiceErrorCode } from './errors.js';
import { checkLogitsHeader, type KeyRole, type ServerTiming } from './messages.js';
import { WIRE_CONTENT_TYPE, byteLength, decodeWire, encodeWire } from './wire.js';

export type ClientStage = 'keygen' | 'upload-keys' | 'encrypt' | 'request' | 'decrypt';

export interface QheClientOptions {
  readonly mode?: InferenceMode;
  /**
   * Defaults to globalThis.fetch. In Node pass `nodeFetch` (node-fetch.ts) for
   * requests that compute longer than 5 minutes: Node's built-in fetch stops
   * waiting for response headers after 300 s.
   */
  readonly fetch?: typeof fetch;
  /** Progress of long stages (called often; throttle in the caller). */
  readonly onProgress?: (stage: ClientStage, done: number, total: number) => void;
  /** Retries of a 503 answer (default 8), each after its Retry-After (capped by maxRetryWaitMs, default 30 s). */
  readonly retries?: number;
  readonly maxRetryWaitMs?: number;
}

export interface ClientTiming {
  readonly keygenMs: number;
  readonly uploadKeysMs: number;
  readonly encryptMs: number;
  readonly requestMs: number;
  readonly serverMs: number;
  readonly overheadMs: number;
  readonly decryptMs: number;
  /** keygen + key upload (first request of a session) + encrypt + request + decrypt. */
  readonly totalMs: number;
}

export interface Prediction {
  /** argmax of the logits. */
  readonly index: number;
  readonly className: string;
  readonly logits: readonly bigint[];
}

export interface ClassifyResult {
  readonly predictions: readonly Prediction[];
  readonly timing: ClientTiming;
  readonly bytes: { readonly evaluationKeys: number; readonly upload: number; readonly download: number };
  /** The server's stage times, one entry per request. */
  readonly server: readonly ServerTiming[];
}

/** Raw u8 pixels of one image, HWC, H·W·C values (what `images.ts` decodes). */
export type ImagePixels = ArrayLike<number>;

const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

export class QheClient {
  readonly mode: InferenceMode;
  readonly modeCard: ModeCard;
  readonly plan: InferencePlan | SingleClientPlan;
  private readonly he: InferenceClient | SingleClient;
  private readonly fetch: typeof fetch;
  private session: string | null = null;
  private keyParts: Uint8Array[] | null = null;
  private keygenMs = 0;
  private pendingKeyCost = { keygenMs: 0, uploadKeysMs: 0 };

  private constructor(
    readonly server: string,
    readonly card: ModelCard,
    private readonly options: QheClientOptions,
  ) {
    this.mode = options.mode ?? (card.modes.batch ? 'batch' : 'single');
    const mc = card.modes[this.mode];
    if (!mc) throw new ServiceError('MODE_UNAVAILABLE', `QheClient: expected the server to offer mode "${this.mode}", got modes ${Object.keys(card.modes).join(', ')}`);
    this.modeCard = mc;
    this.plan = this.mode === 'single' ? singlePlanFromJson(mc.plan) : planFromJson(mc.plan);
    const mine = channelFingerprints(this.plan);
    if (mc.channels.length !== mine.length || mc.channels.some((c, j) => c.fingerprint !== mine[j]))
      throw new ServiceError('PROTOCOL', `QheClient: expected channel fingerprints that match the card's plan, got ${mc.channels.map((c) => c.fingerprint.slice(0, 8)).join(',')} vs ${mine.map((f) => f.slice(0, 8)).join(',')}`);
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    const t = performance.now();
    options.onProgress?.('keygen', 0, 1);
    this.he = this.mode === 'single' ? new SingleClient(this.plan as SingleClientPlan, { seededKeys: true }) : new InferenceClient(this.plan as InferencePlan, { seededKeys: true });
    this.he.serverKeys();
    this.keygenMs = performance.now() - t;
    this.pendingKeyCost.keygenMs = this.keygenMs;
    options.onProgress?.('keygen', 1, 1);
  }

  /** Fetches and checks the model card, rebuilds the plan and generates keys (no upload yet). */
  static async connect(server: string, options: QheClientOptions = {}): Promise<QheClient> {
    const base = server.replace(/\/+$/, '');
    const f = options.fetch ?? globalThis.fetch.bind(globalThis);
    const res = await request(f, `${base}/v1/model`, { method: 'GET' });
    const card = checkModelCard(await res.json());
    return new QheClient(base, card, options);
  }

  /** The model card's class names. */
  get classNames(): readonly string[] {
    return this.card.model.classNames;
  }

  /** Bytes of the evaluation keys this client uploads per session. */
  get evaluationKeyBytes(): number {
    return byteLength(this.keyMessage());
  }

  /** The secret-key side's noise diagnostic for channel j (tests, research). */
  get inference(): InferenceClient | SingleClient {
    return this.he;
  }

  private keyMessage(): Uint8Array[] {
    if (!this.keyParts) {
      const single = this.he instanceof SingleClient;
      const roles: KeyRole[] = single ? ['publicKey', 'relinKeys', 'galoisKeys'] : ['publicKey', 'relinKeys'];
      const frames = single
        ? (this.he as SingleClient).serverKeys().channels.flatMap((c) => [serializePublicKey(c.publicKey), serializeRelinKeys(c.relinKeys), serializeGaloisKeys(c.galoisKeys)])
        : (this.he as InferenceClient).serverKeys().channels.flatMap((c) => [serializePublicKey(c.publicKey), serializeRelinKeys(c.relinKeys)]);
      this.keyParts = encodeWire({ kind: 'keys', mode: this.mode, channels: this.plan.plainModuli.length, perChannel: roles }, frames);
    }
    return this.keyParts;
  }

  /** Uploads the evaluation keys (once; later calls reuse the session). Returns the session id. */
  async openSession(): Promise<string> {
    if (this.session) return this.session;
    const parts = this.keyMessage();
    const t = performance.now();
    this.options.onProgress?.('upload-keys', 0, 1);
    const res = await this.retrying(() => request(this.fetch, `${this.server}/v1/sessions?mode=${this.mode}`, wireInit('POST', parts)));
    const body = (await res.json()) as { session?: unknown };
    if (typeof body.session !== 'string') throw new ServiceError('PROTOCOL', `QheClient.openSession: expected a session id, got ${typeof body.session}`);
    this.session = body.session;
    this.pendingKeyCost.uploadKeysMs += performance.now() - t;
    this.options.onProgress?.('upload-keys', 1, 1);
    return this.session;
  }

  /** Ends the session on the server (its keys are dropped). */
  async close(): Promise<void> {
    const id = this.session;
    this.session = null;
    if (id) {
      try {
        await request(this.fetch, `${this.server}/v1/sessions/${id}`, { method: 'DELETE' });
      } catch (e) {
        if (!(e instanceof ServiceError && e.code === 'UNKNOWN_SESSION')) throw e;
      }
    }
  }

  /** Quantizes, encrypts, sends, decrypts: one prediction per image. */
  async classify(images: readonly ImagePixels[]): Promise<ClassifyResult> {
    const features = this.card.model.input.shape.reduce((a, b) => a * b, 1);
    const inputs = images.map((px, i) => {
      if (px.length !== features)
        throw new ServiceError('BAD_REQUEST', `QheClient.classify: expected ${features} pixels per image (${this.card.model.input.shape.join('×')}), got ${px.length} for image ${i}`);
      return quantizeInput(this.card.model.input, px);
    });
    return this.classifyQuantized(inputs);
  }

  /** As `classify`, for inputs already quantized (the model's integer inputs). */
  async classifyQuantized(inputs: readonly Int32Array[]): Promise<ClassifyResult> {
    if (inputs.length === 0) throw new ServiceError('BAD_REQUEST', 'QheClient.classify: expected at least one image, got none');
    const per = this.modeCard.maxImages;
    const predictions: Prediction[] = [];
    const server: ServerTiming[] = [];
    const sum = { encryptMs: 0, requestMs: 0, serverMs: 0, decryptMs: 0 };
    const bytes = { evaluationKeys: 0, upload: 0, download: 0 };
    const keyCost = this.pendingKeyCost;
    this.pendingKeyCost = { keygenMs: 0, uploadKeysMs: 0 };
    for (let from = 0; from < inputs.length; from += per) {
      const r = await this.runBatch(inputs.slice(from, from + per));
      predictions.push(...r.predictions);
      server.push(r.server);
      sum.encryptMs += r.encryptMs;
      sum.requestMs += r.requestMs;
      sum.serverMs += r.server.computeMs + r.server.floodMs;
      sum.decryptMs += r.decryptMs;
      bytes.upload += r.upload;
      bytes.download += r.download;
    }
    keyCost.uploadKeysMs += this.pendingKeyCost.uploadKeysMs;
    this.pendingKeyCost = { keygenMs: 0, uploadKeysMs: 0 };
    if (keyCost.uploadKeysMs > 0) bytes.evaluationKeys = this.evaluationKeyBytes;
    const timing: ClientTiming = {
      keygenMs: keyCost.keygenMs,
      uploadKeysMs: keyCost.uploadKeysMs,
      encryptMs: sum.encryptMs,
      requestMs: sum.requestMs,
      serverMs: sum.serverMs,
      overheadMs: sum.requestMs - sum.serverMs,
      decryptMs: sum.decryptMs,
      totalMs: keyCost.keygenMs + keyCost.uploadKeysMs + sum.encryptMs + sum.requestMs + sum.decryptMs,
    };
    return { predictions, timing, bytes, server };
  }

  private async runBatch(inputs: readonly Int32Array[]) {
    const k = this.plan.plainModuli.length;
    const features = this.modeCard.features;
    // Encryption: channel by channel, each ciphertext serialized (seeded) and dropped at once.
    let t = performance.now();
    const frames: Uint8Array[] = [];
    const total = k * features;
    for (let j = 0; j < k; j++) {
      let cts: Ciphertext[];
      if (this.he instanceof SingleClient) {
        // Seeded at level 0 (L limbs + a seed) or switched to the input level (2·(L − level) limbs): the smaller.
        const L = this.plan.coeffModulus.length;
        const fresh = L <= 2 * (L - (this.plan as SingleClientPlan).inputLevel);
        cts = this.he.encryptChannel(inputs[0], j, { fresh });
        this.options.onProgress?.('encrypt', (j + 1) * features, total);
      } else cts = this.he.encryptChannel(inputs, j, (d) => this.options.onProgress?.('encrypt', j * features + d, total), { symmetric: true });
      for (let f = 0; f < cts.length; f++) frames.push(serializeCiphertext(cts[f], { seeded: 'auto' }));
    }
    const parts = encodeWire({ kind: 'infer', mode: this.mode, images: inputs.length, channels: k, perChannel: features }, frames);
    const encryptMs = performance.now() - t;
    const upload = byteLength(parts);
    // The request (the session is opened or reopened here).
    t = performance.now();
    this.options.onProgress?.('request', 0, 1);
    let reopened = false;
    let keysMs = 0;
    let res: Response;
    for (;;) {
      const k0 = performance.now();
      const id = await this.openSession();
      keysMs += performance.now() - k0;
      try {
        res = await this.retrying(() => request(this.fetch, `${this.server}/v1/sessions/${id}/infer`, wireInit('POST', parts)));
        break;
      } catch (e) {
        if (!(e instanceof ServiceError && e.code === 'UNKNOWN_SESSION') || reopened) throw e;
        reopened = true; // expired on the server: upload the keys again, once
        this.session = null;
      }
    }
    const body = new Uint8Array(await res.arrayBuffer());
    const requestMs = performance.now() - t - keysMs;
    this.options.onProgress?.('request', 1, 1);
    // Decryption.
    t = performance.now();
    const outputs = this.modeCard.outputs;
    const { header, frames: out } = decodeWire(body, { maxFrameBytes: body.length, maxFrames: k * outputs }, 'QheClient.infer');
    const h = checkLogitsHeader(header, this.mode, inputs.length, k, outputs);
    const channels = Array.from({ length: k }, (_, j) =>
      out.slice(j * outputs, (j + 1) * outputs).map((f) => deserializeCiphertext(this.he.contexts[j], f)),
    );
    const logits = this.he instanceof SingleClient ? [this.he.decrypt({ channels: channels.map((c) => c[0]) })] : this.he.decrypt({ images: inputs.length, channels });
    const decryptMs = performance.now() - t;
    this.options.onProgress?.('decrypt', 1, 1);
    const predictions = logits.map((row): Prediction => {
      const index = argmax(row);
      return { index, className: this.classNames[index] ?? String(index), logits: row };
    });
    return { predictions, encryptMs, requestMs, decryptMs, server: h.timing, upload, download: body.length };
  }

  /**
   * Sends, retrying (a) 503 answers after their Retry-After, up to `retries`
   * times, and (b) up to 3 times with backoff (1, 2, 4 s), a connection the
   * server closed before answering: the keep-alive race (a pooled connection
   * closed by the server's idle timeout just as a request starts on it), or a
   * refusal the server sent without reading a large body. Both are safe: an
   * infer request changes nothing on the server, and a duplicate session only
   * idles out.
   */
  private async retrying(send: () => Promise<Response>): Promise<Response> {
    const retries = this.options.retries ?? 8;
    const cap = this.options.maxRetryWaitMs ?? 30_000;
    let resets = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (e) {
        if (e instanceof ServiceError && e.code === 'NETWORK' && e.connectionReset && resets < 3) {
          await new Promise((r) => setTimeout(r, 1000 * 2 ** resets++));
          continue;
        }
        if (!(e instanceof ServiceError) || e.status !== 503 || e.code === 'SHUTTING_DOWN' || attempt >= retries) throw e;
        const wait = Math.min(cap, 1000 * (e.retryAfter ?? 1));
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
}

function wireInit(method: string, parts: readonly Uint8Array[]): RequestInit {
  const headers = { 'Content-Type': WIRE_CONTENT_TYPE, 'Content-Length': String(byteLength(parts)) };
  if (!isNode) return { method, headers: { 'Content-Type': WIRE_CONTENT_TYPE }, body: new Blob(parts as Uint8Array<ArrayBuffer>[]) };
  // Node: stream the parts (no concatenated copy of a body that can be hundreds of MB).
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (i < parts.length) ctrl.enqueue(parts[i++]);
      else ctrl.close();
    },
  });
  return { method, headers, body, duplex: 'half' } as RequestInit;
}

/** fetch with typed errors: network failures → NETWORK, JSON error bodies → their code, anything else → PROTOCOL. */
async function request(f: typeof fetch, url: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await f(url, init);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const err = new ServiceError('NETWORK', `QheClient: expected an answer from ${url.replace(/\/sessions\/[0-9a-f]+/, '/sessions/…')}, got ${(e as Error).message ?? String(e)}${cause?.message ? ` (${cause.message})` : ''}`);
    err.connectionReset = ['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(cause?.code ?? '') || /other side closed|socket hang up/.test(cause?.message ?? '');
    throw err;
  }
  if (res.ok) return res;
  let body: { code?: unknown; message?: unknown } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON: PROTOCOL below
  }
  const retry = Number(res.headers.get('retry-after'));
  if (typeof body.code === 'string' && typeof body.message === 'string')
    throw new ServiceError(body.code as ServiceErrorCode, body.message, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  throw new ServiceError('PROTOCOL', `QheClient: expected a JSON error body with the ${res.status} answer, got ${res.headers.get('content-type') ?? 'no content type'}`);
}
