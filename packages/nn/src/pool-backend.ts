/**
 * HeBackend on the worker pool (`@qhe/bfv/parallel`): the expensive, independent
 * per-neuron work — linear layers, squares, relinearizations, mod switches —
 * runs as batch calls split over the workers (CryptoNets' layout makes every
 * output neuron independent); the O(N·L) scalar fix-ups (bias, a·x² + b·x + c
 * coefficients) stay on the main thread.
 *
 * Progress: a layer's outputs are issued as several batch calls ("waves") at
 * once, and each wave reports when it is done. The pool queues every wave's
 * jobs immediately, so there is no barrier between waves and no loss of
 * parallelism; the waves only make progress visible within a layer.
 */
import type { BfvContext, Ciphertext, PublicKey, RelinKeys } from '@qhe/bfv';
import { mod } from '@qhe/bfv/math';
import { ParallelEvaluator, type WorkerPool } from '@qhe/bfv/parallel';
import type { Taps } from '@qhe/quant/model';
import { EvaluatorBackend, type HeBackend } from './backend.js';
import type { BackendFactory } from './server.js';

/** Progress updates per layer and channel the waves aim for. */
const WAVES_PER_LAYER = 24;

export class PoolBackend implements HeBackend {
  readonly name: string;
  private readonly pe: ParallelEvaluator;
  private readonly sync: EvaluatorBackend;

  constructor(readonly context: BfvContext, pool: WorkerPool, publicKey: PublicKey, private readonly relinKeys: RelinKeys) {
    this.pe = new ParallelEvaluator(context, pool);
    this.sync = new EvaluatorBackend(context, publicKey, relinKeys);
    this.name = `worker pool (${pool.size} workers)`;
  }

  /** Wave size: about WAVES_PER_LAYER waves, each at least one output per worker. */
  private waveSize(outputs: number): number {
    return Math.max(this.pe.pool.size, Math.ceil(outputs / WAVES_PER_LAYER));
  }

  async linear(inputs: readonly Ciphertext[], taps: Taps, bias: readonly bigint[], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]> {
    const t = this.context.t;
    // linearMany wants one term count per call: group outputs by their count of non-zero (mod t) taps.
    const groups = new Map<number, number[]>();
    const kept: { idx: number[]; w: number[] }[] = [];
    for (let o = 0; o < taps.outSize; o++) {
      const idx: number[] = [], w: number[] = [];
      for (let k = taps.start[o]; k < taps.start[o + 1]; k++) {
        if (mod(BigInt(taps.w[k]), t) === 0n) continue;
        idx.push(taps.idx[k]); w.push(taps.w[k]);
      }
      kept.push({ idx, w });
      if (idx.length === 0) continue;
      let g = groups.get(idx.length);
      if (!g) groups.set(idx.length, (g = []));
      g.push(o);
    }
    const out = new Array<Ciphertext>(taps.outSize);
    const wave = this.waveSize(taps.outSize);
    let done = 0;
    const finish = (o: number, ct: Ciphertext): Ciphertext => this.sync.addConstantPublic(ct, bias[o]);
    const calls: Promise<void>[] = [];
    for (const [terms, outs] of groups) {
      for (let from = 0; from < outs.length; from += wave) {
        const part = outs.slice(from, from + wave);
        const index = part.flatMap((o) => kept[o].idx), weight = part.flatMap((o) => kept[o].w);
        calls.push(this.pe.linearMany(inputs, { taps: terms, index, weight }).then(async (res) => {
          let ys = part.map((o, i) => finish(o, res[i]));
          if (relinearize && ys[0].size > 2) ys = await this.pe.relinearizeMany(ys, this.relinKeys);
          part.forEach((o, i) => { out[o] = ys[i]; });
          done += part.length;
          progress?.(done);
        }));
      }
    }
    // Neurons without non-zero taps (mod t_j) are public constants: encrypted on the main thread.
    for (let o = 0; o < taps.outSize; o++) if (kept[o].idx.length === 0) out[o] = this.sync.constant(inputs[0].level, mod(bias[o], t));
    await Promise.all(calls);
    progress?.(taps.outSize);
    return out;
  }

  async quadratic(inputs: readonly Ciphertext[], coef: (i: number) => readonly [bigint, bigint, bigint], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]> {
    const out = new Array<Ciphertext>(inputs.length);
    const wave = this.waveSize(inputs.length);
    let done = 0;
    const calls: Promise<void>[] = [];
    for (let from = 0; from < inputs.length; from += wave) {
      const xs = inputs.slice(from, from + wave);
      calls.push(this.pe.multiplyMany(xs, xs).then(async (products) => {
        let ys = products.map((y, i) => this.sync.finishQuadratic(y, xs[i], coef(from + i)));
        if (relinearize) ys = await this.pe.relinearizeMany(ys, this.relinKeys);
        ys.forEach((y, i) => { out[from + i] = y; });
        done += ys.length;
        progress?.(done);
      }));
    }
    await Promise.all(calls);
    return out;
  }

  async modSwitchTo(inputs: readonly Ciphertext[], level: number): Promise<Ciphertext[]> {
    let cur = inputs.slice();
    while (cur[0].level < level) cur = await this.pe.modSwitchToNextMany(cur);
    return cur;
  }
}

/** A BackendFactory sharing one pool across the CRT channels. */
export function poolBackend(pool: WorkerPool): BackendFactory {
  return (context, keys) => new PoolBackend(context, pool, keys.publicKey, keys.relinKeys);
}
