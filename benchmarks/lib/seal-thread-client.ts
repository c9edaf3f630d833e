/**
 * The suites' handle on `peers/seal-thread.ts`: node-seal in its own isolate
 * (see that file for why), called like an async object.
 */
import { Worker } from 'node:worker_threads';
import type { SealThreadApi } from '../peers/seal-thread.js';

/** The async face of a thread API: every method returns a promise of its (awaited) result. */
export type Remote<Api> = { [K in keyof Api]: Api[K] extends (...a: infer P) => infer R ? (...a: P) => Promise<Awaited<R>> : never };

/**
 * A worker thread answering `{ id, method, args }` messages with `{ id, value | error }`
 * (peers/seal-thread.ts by default; other peer threads speak the same protocol).
 */
export class SealThread<Api = SealThreadApi> {
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private next = 1;
  readonly api: Remote<Api>;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: { id: number; value?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(`node-seal thread: ${m.error}`));
      else p.resolve(m.value);
    });
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', (code) => this.failAll(new Error(`node-seal thread exited with code ${code}`)));
    this.api = new Proxy({} as Remote<Api>, {
      get: (_t, method: string) => (...args: unknown[]) => this.call(method, args),
    });
  }

  static async start<Api = SealThreadApi>(url: URL = new URL('../peers/seal-thread.js', import.meta.url)): Promise<SealThread<Api>> {
    const worker = new Worker(url);
    const thread = new SealThread<Api>(worker);
    await new Promise<unknown>((resolve, reject) => thread.pending.set(0, { resolve, reject }));
    return thread;
  }

  /**
   * `count` threads running the same file, each its own independent node-seal
   * instance: how a SEAL user with `count` cores runs one job (equal-core comparisons).
   */
  static async startMany<Api = SealThreadApi>(count: number, url?: URL): Promise<SealThread<Api>[]> {
    const threads: SealThread<Api>[] = [];
    try {
      for (let i = 0; i < count; i++) threads.push(await SealThread.start<Api>(url));
    } catch (e) {
      await Promise.all(threads.map((t) => t.close()));
      throw e;
    }
    return threads;
  }

  private call(method: string, args: unknown[]): Promise<never> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  async close(): Promise<void> {
    const api = this.api as unknown as { dispose?: () => Promise<unknown> };
    await api.dispose?.().catch(() => undefined);
    await this.worker.terminate();
  }
}

/**
 * Splits work items between `parts` threads round robin (item j to thread j mod parts),
 * dropping empty parts: the CRT channels of a plan, one share per node-seal thread.
 */
export function splitRoundRobin<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: Math.max(1, Math.min(parts, items.length)) }, () => []);
  items.forEach((x, j) => out[j % out.length].push(x));
  return out;
}

/** Splits [0, count) into `parts` contiguous ranges of sizes differing by at most one: [from, to) each. */
export function splitRange(count: number, parts: number): { from: number; to: number }[] {
  const k = Math.max(1, Math.min(parts, count));
  return Array.from({ length: k }, (_, i) => ({ from: Math.floor((i * count) / k), to: Math.floor(((i + 1) * count) / k) }));
}
