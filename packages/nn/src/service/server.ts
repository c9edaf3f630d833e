/**
 * `qhe serve`: encrypted inference as an HTTP/1.1 service. The server holds the
 * model and the evaluation keys clients upload; it never sees an image or a
 * secret key.
 *
 * Why node:http and not a framework (fastify, express): the service has six
 * routes and binary bodies of up to hundreds of MB whose frames must be
 * processed as they arrive, with backpressure, byte caps counted on the stream,
 * and answers (413, 503) given before a body is read. node:http gives exactly
 * that with nothing in between; a framework's body parsers buffer by default,
 * and its routing and JSON schemas would replace a dozen lines here while
 * adding a dependency to a security-relevant server. Each route validates its
 * input itself, with typed errors.
 *
 * Routes (all errors: JSON { code, message }, errors.ts):
 *   GET    /v1/model                 the model card (card.ts)
 *   POST   /v1/sessions              evaluation keys (wire "keys") → 201 { session, mode, … }
 *   POST   /v1/sessions/{id}/infer   ciphertexts (wire "infer") → 200 wire "logits"
 *   DELETE /v1/sessions/{id}         → 204
 *   GET    /v1/health                liveness, sessions, queue depth, memory
 *   GET    /, /app.js, …             the browser client (packages/nn/web), when built
 *
 * Request life (infer): session lookup, media type (415), Content-Length against
 * the cap derived from the parameters (413), admission to the bounded job queue
 * (503 + Retry-After when full) — all before a body byte is read; then the body
 * is read frame by frame (wire.ts), each ciphertext loaded as it completes, and
 * channel j is evaluated as soon as its ciphertexts are in while channel j + 1
 * streams (one channel ahead at most, so memory stays at about two channels).
 * The answer is sent once every channel is done, so a defect anywhere in the
 * body is still a clean 4xx.
 *
 * Shutdown (`close()`, SIGTERM/SIGINT in the CLI): stop accepting connections,
 * answer new requests on open connections with 503 SHUTTING_DOWN, let admitted
 * jobs finish, then end the worker pool.
 *
 * Logging: one line per request with method, route (session ids shortened),
 * status, error code and time — never a body, a key, a ciphertext or an error
 * message (which may quote request fields).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serializeCiphertext, type Ciphertext } from '@qhe/bfv';
import { WorkerPool } from '@qhe/bfv/parallel';
import type { IntegerModel } from '@qhe/quant/model';
import { planInference, type InferencePlan, type PlanOptions } from '../planner/index.js';
import { planSingle, type SinglePlan } from '../single/planner.js';
import type { InferenceMode, ModelCard } from './card.js';
import { ServiceError, asServiceError, refuse } from './errors.js';
import { checkInferHeader, checkKeysHeader, type ServerTiming } from './messages.js';
import { ModeRuntime, type SessionKeys } from './runtime.js';
import { JobQueue } from './queue.js';
import { SessionStore, type Session } from './sessions.js';
import { WIRE_CONTENT_TYPE, WIRE_VERSION, WireDecoder, encodeWire, type WireHeader } from './wire.js';
import { DEFAULT_FLOODING_SECURITY } from '@qhe/bfv';

export interface ServiceOptions {
  readonly model: IntegerModel;
  readonly host?: string;
  /** 0 = any free port (see `url`). Default 8080. */
  readonly port?: number;
  /** Worker threads (default: all cores). Ignored when `pool` is given. */
  readonly workers?: number;
  /** A pool to use instead of creating one (not closed by `close()`). */
  readonly pool?: WorkerPool;
  /** Noise-flood the returned logits (circuit privacy). Default true. */
  readonly flooding?: boolean;
  /** λ of the flooding, bits. Default 40. */
  readonly floodingSecurity?: number;
  /** Planner options (tests: polyDegree + allowInsecure; images per batch); single mode takes kernel, polyDegree, marginBits, allowInsecure. */
  readonly plan?: Omit<PlanOptions, 'floodingSecurity'>;
  /** The modes to offer. Default both: batch (many images per request) and single (one image, lower latency). */
  readonly modes?: readonly InferenceMode[];
  readonly maxSessions?: number;
  /** Cap on the memory all sessions' keys take together (as loaded, worker copies included). Default 4 GiB. */
  readonly maxSessionBytes?: number;
  readonly sessionIdleSeconds?: number;
  /** Requests that may wait for the running one. Default 8. */
  readonly queueLength?: number;
  /** Folder of the built browser client (index.html, app.js, …); null: none. Default: packages/nn/web/dist when present. */
  readonly webRoot?: string | null;
  /** One line per request (no contents); default: none. */
  readonly log?: (line: string) => void;
}

interface SessionValue {
  readonly runtime: ModeRuntime;
  readonly keys: SessionKeys;
}

const DEFAULT_WEB_ROOT = new URL('../../web/dist/', import.meta.url);
const MIME: Readonly<Record<string, string>> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };
const DRAIN_LIMIT = 16 * 2 ** 20;
const SESSION_ROUTE = /^\/v1\/sessions\/([^/]+)(\/infer)?$/;

export class InferenceService {
  readonly card: ModelCard;
  private readonly runtimes: Partial<Record<InferenceMode, ModeRuntime>>;
  private readonly sessions: SessionStore<SessionValue>;
  private readonly queue: JobQueue;
  private readonly static: Map<string, { body: Buffer; type: string }>;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private active = 0;
  private closing: Promise<void> | undefined;
  private readonly log: (line: string) => void;

  private constructor(
    private readonly http: Server,
    private readonly pool: WorkerPool,
    private readonly ownsPool: boolean,
    readonly plans: { readonly batch?: InferencePlan; readonly single?: SinglePlan },
    options: ServiceOptions,
  ) {
    const model = options.model;
    this.log = options.log ?? (() => {});
    this.runtimes = {};
    for (const mode of ['batch', 'single'] as const) {
      const plan = plans[mode];
      if (plan) this.runtimes[mode] = new ModeRuntime(mode, plan, model, pool);
    }
    const idleMs = (options.sessionIdleSeconds ?? 900) * 1000;
    this.sessions = new SessionStore<SessionValue>(
      { maxSessions: options.maxSessions ?? 16, maxBytes: options.maxSessionBytes ?? 4 * 2 ** 30, idleMs },
      () => randomBytes(16).toString('hex'),
      (s) => s.value.runtime.closeSession(s.value.keys),
    );
    this.queue = new JobQueue({ concurrency: 1, maxWaiting: options.queueLength ?? 8 });
    this.static = loadStatic(options.webRoot === undefined ? (existsSync(DEFAULT_WEB_ROOT) ? DEFAULT_WEB_ROOT.pathname : null) : options.webRoot);
    const flooding = options.flooding ?? true;
    const lambda = options.floodingSecurity ?? DEFAULT_FLOODING_SECURITY;
    const meta = model.metadata;
    const outputs = this.anyRuntime().outputs;
    const classNames = Array.isArray(meta.classNames) && meta.classNames.length === outputs ? meta.classNames.map(String) : Array.from({ length: outputs }, (_, i) => String(i));
    const runtimes = Object.values(this.runtimes) as ModeRuntime[];
    this.card = Object.freeze({
      service: 'qhe' as const,
      wireVersion: WIRE_VERSION,
      model: {
        name: model.name,
        input: model.input,
        outputs,
        classNames,
        layers: model.layers.map((l) => l.type),
        multiplicativeDepth: model.multiplicativeDepth,
        accuracy: {
          float: typeof meta.floatAccuracy === 'number' ? meta.floatAccuracy : null,
          integer: typeof meta.integerAccuracy === 'number' ? meta.integerAccuracy : null,
          note: 'as recorded in the model file by its trainer',
        },
      },
      flooding: flooding
        ? { enabled: true, statisticalSecurity: lambda, note: `returned logits are re-randomized and noise-flooded: within statistical distance 2^-${lambda} of what any other weights would give under the same plan; in single mode the slots that hold no logit are masked with fresh uniform values` }
        : { enabled: false, statisticalSecurity: null, note: 'flooding is OFF (--no-flooding): the noise of returned logits depends on the weights and may reveal information about the model' },
      modes: Object.fromEntries(runtimes.map((r) => [r.mode, r.card])),
      limits: {
        maxSessions: this.sessions.limits.maxSessions,
        sessionIdleSeconds: idleMs / 1000,
        queueLength: this.queue.limits.maxWaiting,
        maxKeyBodyBytes: Math.max(...runtimes.map((r) => r.maxKeyBodyBytes)),
        maxInferBodyBytes: Math.max(...runtimes.map((r) => r.maxInferBodyBytes)),
      },
    });
    http.on('request', (req, res) => void this.handle(req, res));
  }

  /** Plans the model, starts the pool and listens. */
  static async start(options: ServiceOptions): Promise<InferenceService> {
    const flooding = options.flooding ?? true;
    const lambda = options.floodingSecurity ?? DEFAULT_FLOODING_SECURITY;
    const modes = options.modes ?? ['batch', 'single'];
    if (!Array.isArray(modes) || modes.length === 0 || modes.some((m) => m !== 'batch' && m !== 'single'))
      throw new ServiceError('BAD_REQUEST', `InferenceService.start: expected modes, a non-empty list of "batch" and "single", got ${JSON.stringify(modes)}`);
    const floodingOption = flooding ? { floodingSecurity: lambda } : {};
    const pool = options.pool ?? new WorkerPool(options.workers === undefined ? {} : { size: options.workers });
    const o = options.plan ?? {};
    const plans = {
      ...(modes.includes('batch') ? { batch: planInference(options.model, { ...o, ...floodingOption }) } : {}),
      ...(modes.includes('single')
        ? { single: planSingle(options.model, { kernel: o.kernel, polyDegree: o.polyDegree, marginBits: o.marginBits, allowInsecure: o.allowInsecure, workers: pool.size, ...floodingOption }) }
        : {}),
    };
    // Idle keep-alive connections live 65 s (longer than typical client pools keep
    // them, which narrows the race of a request on a connection being closed);
    // no request timeout: a queued request's body waits, by design, for its turn.
    const http = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 });
    let service: InferenceService;
    try {
      service = new InferenceService(http, pool, !options.pool, plans, options);
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
          http.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      if (!options.pool) await pool.close();
      throw e;
    }
    return service;
  }

  get url(): string {
    const a = this.http.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  private anyRuntime(): ModeRuntime {
    return (this.runtimes.batch ?? this.runtimes.single)!;
  }

  /** Graceful: stop accepting, 503 new requests, finish admitted jobs, end the pool. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closing';
      const stopped = new Promise<void>((resolve) => this.http.close(() => resolve()));
      this.http.closeIdleConnections();
      await this.queue.drained();
      while (this.active > 0) await new Promise((r) => setTimeout(r, 20));
      this.http.closeAllConnections();
      await stopped;
      this.sessions.close();
      if (this.ownsPool) await this.pool.close();
      this.state = 'closed';
    })();
    return this.closing;
  }

  // ---- dispatch ------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = performance.now();
    const path = (req.url ?? '/').split('?')[0];
    const route = path.replace(SESSION_ROUTE, (_m, id: string, infer?: string) => `/v1/sessions/${id.slice(0, 8)}…${infer ?? ''}`);
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    this.active++;
    let code = '';
    try {
      if (this.state !== 'open') {
        res.setHeader('Connection', 'close');
        throw new ServiceError('SHUTTING_DOWN', `${req.method} ${route}: expected a running server, got one shutting down`, 5);
      }
      await this.route(req, res, path);
    } catch (e) {
      const err = asServiceError(e);
      code = ` ${err.code}`;
      await this.sendError(req, res, err);
    } finally {
      this.active--;
      this.log(`${req.method} ${route} ${res.statusCode}${code} ${(performance.now() - start).toFixed(0)} ms`);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    const allow = (methods: string): void => {
      if (!methods.split(', ').includes(method)) {
        res.setHeader('Allow', methods);
        refuse('METHOD_NOT_ALLOWED', `${method} ${path}`, `one of ${methods}`, method);
      }
    };
    if (path === '/v1/model') {
      allow('GET');
      return this.sendJson(res, 200, this.card);
    }
    if (path === '/v1/health') {
      allow('GET');
      // ?gc=1 collects first when node runs with --expose-gc (memory tests: resident memory without uncollected garbage).
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc && new URL(req.url ?? '/', 'http://x').searchParams.get('gc') === '1') gc();
      const mem = process.memoryUsage();
      return this.sendJson(res, 200, { status: 'ok', sessions: this.sessions.size, sessionBytes: this.sessions.totalBytes, queue: this.queue.depth, memory: { rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external, arrayBuffers: mem.arrayBuffers } });
    }
    if (path === '/v1/sessions') {
      allow('POST');
      return this.createSession(req, res);
    }
    const m = SESSION_ROUTE.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1]);
      if (m[2]) {
        allow('POST');
        return this.infer(req, res, id);
      }
      allow('DELETE');
      if (!this.sessions.delete(id)) refuse('UNKNOWN_SESSION', `DELETE /v1/sessions/{id}`, 'a live session id', 'an unknown one');
      res.statusCode = 204;
      res.end();
      return;
    }
    const file = this.static.get(path === '/' ? '/index.html' : path);
    if (file && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.body.length, 'Cache-Control': 'no-cache' });
      res.end(method === 'HEAD' ? undefined : file.body);
      return;
    }
    refuse('NOT_FOUND', `${method} ${path}`, 'a route of /v1 (model, sessions, sessions/{id}/infer, health) or a page of the browser client', 'no such route');
  }

  // ---- sessions ----------------------------------------------------------------------

  private async createSession(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fn = 'POST /v1/sessions';
    this.checkMediaType(req, fn);
    // The mode comes from the query (?mode=single); the keys header must agree.
    const mode = (new URL(req.url ?? '/', 'http://x').searchParams.get('mode') ?? 'batch') as InferenceMode;
    const rt = this.runtimes[mode];
    if (!rt) refuse('MODE_UNAVAILABLE', fn, `a mode this server offers (${Object.keys(this.runtimes).join(', ')})`, JSON.stringify(mode));
    const limit = rt.maxKeyBodyBytes;
    this.checkLength(req, fn, limit);
    this.sessions.assertRoom(rt.sessionMemoryBytes);
    const frames: Uint8Array[] = [];
    const decoder = new WireDecoder({ maxFrameBytes: rt.maxKeyFrameBytes, maxFrames: rt.contexts.length * rt.roles.length }, fn);
    let bytes = 0;
    await this.readBody(req, fn, limit, (chunk) => {
      const had = decoder.header;
      const got = decoder.push(chunk);
      if (!had && decoder.header) checkKeysHeader(decoder.header, mode, rt.contexts.length, rt.roles);
      for (const f of got) {
        bytes += f.length;
        frames.push(f);
      }
    });
    checkKeysHeader(decoder.end(), mode, rt.contexts.length, rt.roles);
    const keys = rt.openSession(frames);
    let session: Session<SessionValue>;
    try {
      session = this.sessions.create({ runtime: rt, keys }, keys.memoryBytes);
    } catch (e) {
      rt.closeSession(keys);
      throw e;
    }
    this.sendJson(res, 201, { session: session.id, mode, evaluationKeyBytes: bytes, idleTimeoutSeconds: this.sessions.limits.idleMs / 1000 });
  }

  // ---- inference ---------------------------------------------------------------------

  private async infer(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const fn = 'POST /v1/sessions/{id}/infer';
    const session = this.sessions.acquire(id, fn);
    let admitted = false;
    const admittedAt = performance.now();
    let started = admittedAt;
    try {
      this.checkMediaType(req, fn);
      const rt = session.value.runtime;
      this.checkLength(req, fn, rt.maxInferBodyBytes);
      await this.queue.admit(fn);
      admitted = true;
      started = performance.now();
      const timing = { queueMs: started - admittedAt, receiveMs: 0, deserializeMs: 0, computeMs: 0, floodMs: 0, serializeMs: 0, totalMs: 0 };
      const k = rt.contexts.length;
      let outputs: Ciphertext[][] = [];
      const single: Ciphertext[][] = [];
      let header: WireHeader | null = null;
      let inputs: Ciphertext[] = [];
      let frame = 0;
      let failure: unknown = null;
      let running: Promise<void> = Promise.resolve();
      const decoder = new WireDecoder({ maxFrameBytes: rt.maxCiphertextBytes, maxFrames: k * rt.features }, fn);
      await this.readBody(req, fn, rt.maxInferBodyBytes, async (chunk) => {
        if (failure) throw failure;
        const frames = decoder.push(chunk);
        if (!header && decoder.header) header = checkInferHeader(decoder.header, rt.mode, k, rt.features, rt.card.maxImages);
        for (const f of frames) {
          const j = Math.floor(frame / rt.features);
          const t = performance.now();
          inputs.push(rt.loadInput(session.value.keys, j, f, frame));
          timing.deserializeMs += performance.now() - t;
          frame++;
          if (inputs.length === rt.features) {
            const batch = inputs;
            inputs = [];
            if (rt.mode === 'single') {
              single[j] = batch; // the packed program advances every channel together: evaluated once all are in
              continue;
            }
            await running; // one channel evaluates while the next one streams in
            if (failure) throw failure;
            running = rt.evaluateChannel(session.value.keys, j, batch).then(
              (r) => {
                outputs[j] = r.outputs;
                timing.computeMs += r.computeMs;
                timing.floodMs += r.floodMs;
              },
              (e: unknown) => {
                failure = e;
              },
            );
          }
        }
      });
      timing.receiveMs = performance.now() - started;
      const h = checkInferHeader(decoder.end(), rt.mode, k, rt.features, rt.card.maxImages);
      await running;
      if (failure) throw failure;
      if (rt.mode === 'single') {
        const r = await rt.evaluateSingle(session.value.keys, single);
        outputs = r.outputs;
        timing.computeMs = r.computeMs;
        timing.floodMs = r.floodMs;
      }
      const t = performance.now();
      const frames = outputs.flatMap((cts) => cts.map((ct) => serializeCiphertext(ct, { seeded: false })));
      timing.serializeMs = performance.now() - t;
      timing.totalMs = performance.now() - started;
      const parts = encodeWire({ kind: 'logits', mode: rt.mode, images: h.images, channels: k, perChannel: rt.outputs, flooding: rt.plan.flooding?.statisticalSecurity ?? null, timing: round(timing) }, frames);
      await this.sendWire(res, parts, timing);
    } finally {
      if (admitted) this.queue.done(performance.now() - started);
      this.sessions.release(session);
    }
  }

  // ---- bodies --------------------------------------------------------------------

  private checkMediaType(req: IncomingMessage, fn: string): void {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== WIRE_CONTENT_TYPE) {
      throw new ServiceError('UNSUPPORTED_MEDIA_TYPE', `${fn}: expected Content-Type ${WIRE_CONTENT_TYPE}, got ${type ? JSON.stringify(type.slice(0, 60)) : 'none'}`);
    }
  }

  private checkLength(req: IncomingMessage, fn: string, limit: number): void {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit)
      throw new ServiceError('BODY_TOO_LARGE', `${fn}: expected a body of at most ${limit} bytes for this plan, got Content-Length ${Number(declared)}`);
  }

  /** Streams the body into `onChunk` (awaited: backpressure), counting bytes against `limit`. */
  private async readBody(req: IncomingMessage, fn: string, limit: number, onChunk: (chunk: Uint8Array) => void | Promise<void>): Promise<void> {
    let seen = 0;
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      seen += chunk.length;
      if (seen > limit) throw new ServiceError('BODY_TOO_LARGE', `${fn}: expected a body of at most ${limit} bytes for this plan, got more`);
      await onChunk(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
  }

  // ---- answers -------------------------------------------------------------------

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    res.end(text);
  }

  private async sendWire(res: ServerResponse, parts: readonly Uint8Array[], timing: ServerTiming): Promise<void> {
    let total = 0;
    for (const p of parts) total += p.length;
    res.writeHead(200, {
      'Content-Type': WIRE_CONTENT_TYPE,
      'Content-Length': total,
      'Cache-Control': 'no-store',
      'Server-Timing': `queue;dur=${timing.queueMs.toFixed(1)}, receive;dur=${timing.receiveMs.toFixed(1)}, compute;dur=${timing.computeMs.toFixed(1)}, flood;dur=${timing.floodMs.toFixed(1)}, serialize;dur=${timing.serializeMs.toFixed(1)}`,
    });
    for (const p of parts) if (!res.write(p)) await new Promise<void>((resolve) => res.once('drain', resolve));
    await new Promise<void>((resolve) => res.end(resolve));
  }

  /**
   * The JSON error. A request whose body is still arriving is drained first when
   * it is small (≤ 16 MiB declared), 503s included, so the client reads the
   * answer instead of a reset connection (a server that closes a connection its
   * client is still writing to makes the client's socket fail before it reads
   * the answer). Larger bodies, and 413s, get the answer at once and the
   * connection closes after it: reading hundreds of MB to refuse them would cost
   * more than the client's retry (QheClient retries a reset connection).
   */
  private async sendError(req: IncomingMessage, res: ServerResponse, err: ServiceError): Promise<void> {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? Infinity);
    const early = err.code === 'BODY_TOO_LARGE' || !(declared <= DRAIN_LIMIT);
    if (!req.complete && !early) {
      await new Promise<void>((resolve) => {
        req.on('end', resolve).on('error', resolve).on('close', resolve);
        req.resume();
      });
    }
    if (!req.complete) res.setHeader('Connection', 'close');
    if (err.retryAfter !== undefined) res.setHeader('Retry-After', String(err.retryAfter));
    this.sendJson(res, err.status, err.toJSON());
  }
}

function round(t: ServerTiming): ServerTiming {
  const r = (x: number): number => Math.round(x * 10) / 10;
  return { queueMs: r(t.queueMs), receiveMs: r(t.receiveMs), deserializeMs: r(t.deserializeMs), computeMs: r(t.computeMs), floodMs: r(t.floodMs), serializeMs: r(t.serializeMs), totalMs: r(t.totalMs) };
}

function loadStatic(root: string | null): Map<string, { body: Buffer; type: string }> {
  const files = new Map<string, { body: Buffer; type: string }>();
  if (!root || !existsSync(root)) return files;
  for (const name of readdirSync(root)) {
    const ext = name.slice(name.lastIndexOf('.'));
    const type = MIME[ext];
    if (type) files.set(`/${name}`, { body: readFileSync(join(root, name)), type });
  }
  return files;
}
