/**
 * WorkerPool: a fixed set of `worker_threads` running qhe's worker (worker.ts),
 * a FIFO job queue, and the registry of what every worker must hold.
 *
 * Sent once per worker, not per job: each parameter set (the worker rebuilds
 * its BfvContext, hence its NTT tables, from the frozen parameters) and each
 * evaluation key set (residues copied once into SharedArrayBuffers that all
 * workers read). A replacement worker receives the same registrations, in the
 * same order, before its first job.
 *
 * Scheduling: a worker holds at most one job. A job is a list of operations
 * (batch calls chunk their lists into jobs), so the round trip per job is paid
 * per chunk, and a worker that dies takes exactly one job with it: that job's
 * promise rejects with WORKER_FAILED naming the operation, the worker is
 * replaced, and the queued jobs run on the replacement. Jobs are never
 * retried (an operation may have written part of its output), so none runs
 * twice, and every job settles: it resolves, rejects with its error, rejects
 * with WORKER_FAILED, or rejects with POOL_CLOSED.
 *
 * Loading: from built JavaScript the worker is `./worker.js` next to this file.
 * From TypeScript sources (vitest, tsx) it is `./worker.ts`, loaded through
 * tsx's `tsImport`: on Node 20, `execArgv: ['--import', 'tsx']` does not reach
 * a worker's entry module (ERR_UNKNOWN_FILE_EXTENSION), while tsImport from an
 * eval'd bootstrap does.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { assertContext, type BfvContext } from '../context.js';
import { GaloisKeys, RelinKeys, type KSwitchKey } from '../keys.js';
import { QheError, fail, type QheErrorCode } from '../math/errors.js';
import type { JobItem } from './operations.js';
import { contextKey, sharedCopy, type FromWorker, type KeyPayload, type SharedKSwitchKey, type ToWorker } from './protocol.js';

export interface WorkerPoolOptions {
  /** Number of workers (default: `os.availableParallelism()`). */
  readonly size?: number;
}

interface Job {
  readonly id: number;
  /** Operation name used in error messages. */
  readonly op: string;
  readonly ctx: string;
  readonly items: readonly JobItem[];
  readonly resolve: (results: unknown[]) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly index: number;
  worker: Worker;
  ready: boolean;
  job: Job | null;
  /** The last 'error' event, reported when the worker exits. */
  error: Error | undefined;
}

/** Most workers a pool starts (each is an isolate with its own tables and keys). */
const MAX_POOL_SIZE = 256;

/** Consecutive workers that die before becoming ready: past this, the pool gives up. */
const MAX_START_FAILURES = 3;

function spawnWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker.js', here));
  const require = createRequire(here);
  const tsxApi = new URL('dist/esm/api/index.mjs', pathToFileURL(require.resolve('tsx/package.json'))).href;
  const entry = new URL('./worker.ts', here).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}));`;
  return new Worker(boot, { eval: true });
}

export class WorkerPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  /** Everything a fresh worker must receive before jobs, in order. */
  private readonly registrations: ToWorker[] = [];
  private readonly contexts = new Set<string>();
  private readonly keyIds = new WeakMap<RelinKeys | GaloisKeys, number>();
  private nextJob = 1;
  private nextKey = 1;
  private startFailures = 0;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closed: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  constructor(options: WorkerPoolOptions = {}) {
    if (options === null || typeof options !== 'object') fail('INVALID_ARGUMENT', 'WorkerPool', 'an options object { size? } or undefined', options);
    const size = options.size ?? availableParallelism();
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_POOL_SIZE)
      fail('INVALID_ARGUMENT', 'WorkerPool', `a size in [1, ${MAX_POOL_SIZE}]`, size);
    this.size = size;
    for (let i = 0; i < size; i++) this.slots.push(this.start(i));
  }

  /** The live Worker objects (diagnostics and fault-injection tests; replaced workers appear here). */
  get workers(): readonly Worker[] {
    return this.slots.map((s) => s.worker);
  }

  /** Jobs waiting for a worker plus jobs running. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.job).length;
  }

  get isClosed(): boolean {
    return this.state !== 'open';
  }

  private start(index: number): Slot {
    const worker = spawnWorker();
    const slot: Slot = { index, worker, ready: false, job: null, error: undefined };
    for (const r of this.registrations) worker.postMessage(r);
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (e) => (slot.error = e));
    worker.on('exit', (code) => this.onExit(slot, worker, code));
    return slot;
  }

  private broadcast(m: ToWorker): void {
    this.registrations.push(m);
    for (const s of this.slots) s.worker.postMessage(m);
  }

  /** Sends the parameters of `ctx` to every worker (once per pool). */
  registerContext(ctx: BfvContext): void {
    assertContext('WorkerPool.registerContext', ctx);
    const key = contextKey(ctx);
    if (this.contexts.has(key)) return;
    this.contexts.add(key);
    this.broadcast({ t: 'context', ctx: key, params: ctx.params });
  }

  /**
   * Copies a key set into shared memory and registers it with every worker
   * (once per key object); returns the id jobs refer to it by.
   */
  registerKeys(keys: RelinKeys | GaloisKeys): number {
    if (!(keys instanceof RelinKeys) && !(keys instanceof GaloisKeys)) fail('INVALID_ARGUMENT', 'WorkerPool.registerKeys', 'RelinKeys or GaloisKeys', keys);
    const known = this.keyIds.get(keys);
    if (known !== undefined) return known;
    const ctx = keys.context;
    this.registerContext(ctx);
    const share = (k: KSwitchKey): SharedKSwitchKey => ({
      b: k.digits.map((d) => sharedCopy(ctx, d.b.data)),
      a: k.digits.map((d) => sharedCopy(ctx, d.a.data)),
      level: k.level,
    });
    let payload: KeyPayload;
    if (keys instanceof RelinKeys) payload = { kind: 'relin', key: share(keys.key) };
    else payload = { kind: 'galois', keys: [...keys.keys].map(([elt, k]) => ({ elt, key: share(k) })) };
    const id = this.nextKey++;
    this.keyIds.set(keys, id);
    this.broadcast({ t: 'keys', keyId: id, ctx: contextKey(ctx), payload });
    return id;
  }

  /**
   * Forgets a key set registered with `registerKeys` (e.g. when a server session
   * ends): workers drop their copy, a replacement worker no longer receives it,
   * and the shared residues can be collected. Jobs already queued that use the
   * key must have settled (a later job referring to it fails with WORKER_FAILED);
   * registering the same object again gives it a new id. Unknown keys: no-op.
   */
  releaseKeys(keys: RelinKeys | GaloisKeys): void {
    const id = this.keyIds.get(keys);
    if (id === undefined) return;
    this.keyIds.delete(keys);
    const at = this.registrations.findIndex((r) => r.t === 'keys' && r.keyId === id);
    if (at >= 0) this.registrations.splice(at, 1);
    for (const s of this.slots) s.worker.postMessage({ t: 'release', keyId: id } satisfies ToWorker);
  }

  /**
   * Queues one job (a list of operations run in order on one worker) and
   * resolves with their results. `op` names the job in errors.
   */
  run(ctx: BfvContext, op: string, items: readonly JobItem[]): Promise<unknown[]> {
    assertContext('WorkerPool.run', ctx);
    if (typeof op !== 'string') fail('INVALID_ARGUMENT', 'WorkerPool.run', 'an operation name', op);
    if (!Array.isArray(items)) fail('INVALID_ARGUMENT', 'WorkerPool.run', 'a list of job items', items);
    if (this.state !== 'open') return Promise.reject(new QheError('POOL_CLOSED', `${op}: expected an open WorkerPool, got a closed one`));
    this.registerContext(ctx);
    return new Promise<unknown[]>((resolve, reject) => {
      this.queue.push({ id: this.nextJob++, op, ctx: contextKey(ctx), items, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (const s of this.slots) {
      if (this.queue.length === 0) break;
      if (!s.ready || s.job) continue;
      const job = this.queue.shift()!;
      s.job = job;
      s.worker.postMessage({ t: 'job', job: job.id, ctx: job.ctx, items: job.items } satisfies ToWorker);
    }
    if (this.drained && this.pending === 0) this.drained();
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.t === 'ready') {
      slot.ready = true;
      this.startFailures = 0;
    } else {
      const job = slot.job;
      if (!job || job.id !== m.job) return; // cannot happen: one job per worker
      slot.job = null;
      if (m.t === 'done') job.resolve(m.results as unknown[]);
      else if (m.code !== undefined) job.reject(new QheError(m.code as QheErrorCode, m.message.startsWith(`${job.op}`) ? m.message : `${job.op}: ${m.message}`));
      else job.reject(new QheError('WORKER_FAILED', `${job.op}: expected the job to complete, got ${m.name}: ${m.message}`));
    }
    this.pump();
  }

  private onExit(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    const job = slot.job;
    slot.job = null;
    const wasReady = slot.ready;
    slot.ready = false;
    const reason = `worker ${slot.index} exited with code ${code}${slot.error ? ` (${slot.error.message})` : ''}`;
    if (job) job.reject(new QheError('WORKER_FAILED', `${job.op}: expected the job to complete, got ${reason}`));
    if (this.state === 'closed') return;
    if (!wasReady && ++this.startFailures >= MAX_START_FAILURES) {
      // Workers cannot start (e.g. the worker module is missing): fail everything rather than respawn forever.
      this.state = 'closed';
      for (const j of this.queue.splice(0)) j.reject(new QheError('WORKER_FAILED', `${j.op}: expected a worker to start, got ${reason} ${MAX_START_FAILURES} times`));
      void this.terminateAll();
      this.drained?.();
      return;
    }
    this.slots[slot.index] = this.start(slot.index);
    this.pump();
  }

  private async terminateAll(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  /**
   * Lets every queued and running job finish, then ends every worker. Jobs
   * submitted after `close()` reject with POOL_CLOSED. Idempotent.
   */
  close(): Promise<void> {
    if (!this.closed) {
      this.state = 'closing';
      this.closed = new Promise<void>((resolve) => {
        this.drained = resolve;
        this.pump();
      }).then(async () => {
        this.state = 'closed';
        await this.terminateAll();
      });
    }
    return this.closed;
  }

  /** Ends every worker now; queued and running jobs reject with POOL_CLOSED. */
  async terminate(): Promise<void> {
    if (this.state === 'closed') return this.closed ?? Promise.resolve();
    this.state = 'closed';
    const error = (j: Job) => new QheError('POOL_CLOSED', `${j.op}: expected the job to complete, got WorkerPool.terminate()`);
    for (const j of this.queue.splice(0)) j.reject(error(j));
    for (const s of this.slots) {
      if (s.job) s.job.reject(error(s.job));
      s.job = null;
    }
    this.closed = this.terminateAll();
    this.drained?.();
    return this.closed;
  }
}
