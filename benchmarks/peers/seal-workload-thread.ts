/**
 * node-seal running its share of a pool-scaling workload (seal.ts: workload A,
 * workload C) in its own worker thread (its own isolate; seal-thread.ts explains
 * why). bench:pool starts as many of these threads as qhe has workers, each an
 * independent SEAL instance with its share of the ciphertexts (equal cores: a
 * SEAL user with two cores runs two instances), and one more holding the whole
 * workload for the one-thread rows.
 */
import { parentPort } from 'node:worker_threads';
import { serveThread } from '../lib/thread-server.js';
import { loadSeal, sealWorkloadA, sealWorkloadC, type SealWorkload } from './seal.js';

export type SealWorkloadShare =
  | { readonly workload: 'a'; readonly n: number; readonly first: number; readonly count: number }
  | { readonly workload: 'c'; readonly n: number; readonly positions?: { readonly from: number; readonly to: number } };

export interface SealWorkloadThreadApi {
  /** Builds (replacing any previous) the share, runs it once and verifies it by decryption; returns its size. */
  setup(share: SealWorkloadShare): { items: number };
  /** One run of the share; ms measured inside the thread. */
  run(): number;
  dispose(): void;
}

if (parentPort) {
  const port = parentPort;
  const seal = await loadSeal();
  let current: SealWorkload | null = null;
  const free = (): void => {
    current?.dispose();
    current = null;
  };
  const api: { [K in keyof SealWorkloadThreadApi]: (...a: Parameters<SealWorkloadThreadApi[K]>) => ReturnType<SealWorkloadThreadApi[K]> } = {
    setup(share) {
      free();
      let items: number;
      if (share.workload === 'a') {
        current = sealWorkloadA(seal, share.n, share.count, share.first);
        items = share.count;
      } else {
        const c = sealWorkloadC(seal, share.n, { positions: share.positions });
        current = c;
        items = c.outputs.length;
      }
      current.run();
      current.verify();
      return { items };
    },
    run() {
      const t0 = performance.now();
      current!.run();
      return performance.now() - t0;
    },
    dispose: free,
  };
  serveThread(port, api);
}
