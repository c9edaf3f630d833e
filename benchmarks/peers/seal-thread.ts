/**
 * node-seal in its own worker thread (its own V8 isolate), driven by
 * `SealThread` from the suites.
 *
 * Why: node-seal grows its WebAssembly memory, and growing detaches the old
 * ArrayBuffer. The first detach in an isolate invalidates V8's
 * "ArrayBuffer detaching" protector, after which optimized code re-checks
 * every typed-array access: measured on Node 20.20, our add loop slowed from
 * 0.89 to 1.30 ns per element and every typed-array kernel of qhe by 20–45%
 * once node-seal had set up a context in the same isolate. A qhe user never
 * pays that, so the peer must not make us pay it either: ours runs on the
 * main thread, the peer here, and the suites alternate between them op by op.
 */
import { parentPort } from 'node:worker_threads';
import { serveThread } from '../lib/thread-server.js';
import { Bench } from 'tinybench';
import { medianMs, timeBatch, type BatchTime } from '../lib/report.js';
import { bfvOpNames, loadSeal, sealBfvOps, sealNttTasks, type BfvOpName, type SealBfvOps, type SealNttTasks } from './seal.js';

export interface BenchOptions { readonly time: number; readonly iterations: number }

/** The requests the thread answers; each returns a structured-clonable value. */
export interface SealThreadApi {
  /** Sets up (and verifies) the single-op closures for ring degree n. */
  setupOps(n: number): Omit<SealBfvOps, 'ops' | 'verify' | 'dispose'>;
  /** Median ms of one op set up by `setupOps` (tinybench). */
  benchOp(name: BfvOpName, options: BenchOptions): number;
  /**
   * One timed batch: `reps` back-to-back calls of an op set up by `setupOps`,
   * ms per call, wall and CPU (timed inside the thread, so message latency is not included).
   */
  timeOp(name: BfvOpName, reps: number): BatchTime;
  setupNtt(n: number): Pick<SealNttTasks, 'limbs' | 'primeBits'>;
  /** Median ms of a forward and an inverse NTT of a whole ciphertext. */
  benchNtt(options: BenchOptions): { ntt: number; intt: number };
  dispose(): void;
}

async function median(fn: () => void, o: BenchOptions): Promise<number> {
  const bench = new Bench({ time: o.time, iterations: o.iterations, warmup: true });
  bench.add('peer', fn);
  await bench.run();
  return medianMs(bench.tasks[0]);
}

if (parentPort) {
  const port = parentPort;
  const seal = await loadSeal();
  let ops: SealBfvOps | null = null;
  let ntt: SealNttTasks | null = null;
  const free = (): void => {
    ops?.dispose(), (ops = null);
    ntt?.dispose(), (ntt = null);
  };
  const api: { [K in keyof SealThreadApi]: (...a: Parameters<SealThreadApi[K]>) => Promise<ReturnType<SealThreadApi[K]>> | ReturnType<SealThreadApi[K]> } = {
    setupOps(n) {
      free();
      ops = sealBfvOps(seal, n);
      for (const name of bfvOpNames) ops.ops[name]();
      ops.verify();
      const { ops: _o, verify: _v, dispose: _d, ...info } = ops;
      return info;
    },
    benchOp: (name, o) => median(ops!.ops[name], o),
    timeOp: (name, reps) => timeBatch(ops!.ops[name], reps),
    setupNtt(n) {
      free();
      ntt = sealNttTasks(seal, n);
      return { limbs: ntt.limbs, primeBits: ntt.primeBits };
    },
    async benchNtt(o) {
      return { ntt: await median(ntt!.ntt, o), intt: await median(ntt!.intt, o) };
    },
    dispose: free,
  };
  serveThread(port, api);
}
