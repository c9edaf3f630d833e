/**
 * HeBackend on the worker pool (`@qhe/bfv/parallel`): the expensive, independent
 * per-neuron work — linear layers, squares, relinearizations, mod switches —
 * runs as batch calls split over the workers (CryptoNets' layout makes every
 * output neuron independent); the O(N·L) scalar fix-ups (bias, a·x² + b·x + c
 * coefficients) stay on the main thread.
 */
import type { BfvContext, Ciphertext, PublicKey, RelinKeys } from '@qhe/bfv';
import { ParallelEvaluator, type WorkerPool } from '@qhe/bfv/parallel';
import type { Taps } from '@qhe/quant/model';
import { EvaluatorBackend, type BackendFactory, type HeBackend } from './inference.js';

export class PoolBackend implements HeBackend {
  readonly name: string;
  private readonly pe: ParallelEvaluator;
  private readonly sync: EvaluatorBackend;

  constructor(readonly context: BfvContext, pool: WorkerPool, publicKey: PublicKey, private readonly relinKeys: RelinKeys) {
    this.pe = new ParallelEvaluator(context, pool);
    this.sync = new EvaluatorBackend(context, publicKey, relinKeys);
    this.name = `worker pool (${pool.size} workers)`;
  }

  async linear(inputs: readonly Ciphertext[], taps: Taps, bias: readonly bigint[], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]> {
    const t = this.context.t;
    // linearMany wants a fixed tap count per call: group outputs by their count of non-zero (mod t) taps.
    const groups = new Map<number, { outs: number[]; index: number[]; weight: number[] }>();
    const kept: { idx: number[]; w: number[] }[] = [];
    for (let o = 0; o < taps.outSize; o++) {
      const idx: number[] = [], w: number[] = [];
      for (let k = taps.start[o]; k < taps.start[o + 1]; k++) {
        if (BigInt(taps.w[k]) % t === 0n) continue;
        idx.push(taps.idx[k]); w.push(taps.w[k]);
      }
      kept.push({ idx, w });
      if (idx.length === 0) continue;
      let g = groups.get(idx.length);
      if (!g) groups.set(idx.length, (g = { outs: [], index: [], weight: [] }));
      g.outs.push(o); g.index.push(...idx); g.weight.push(...w);
    }
    const out = new Array<Ciphertext>(taps.outSize);
    await Promise.all([...groups.entries()].map(async ([count, g]) => {
      const res = await this.pe.linearMany(inputs, { taps: count, index: g.index, weight: g.weight });
      g.outs.forEach((o, i) => { out[o] = res[i]; });
    }));
    // Bias and empty neurons: cheap, on the main thread through the sync backend (no taps → encrypted constant).
    const empty = { outSize: 1, start: Int32Array.of(0, 0), idx: new Int32Array(0), w: new Float64Array(0), bias: [], maxAbsWeightSum: 0 };
    for (let o = 0; o < taps.outSize; o++) {
      if (kept[o].idx.length === 0) out[o] = (await this.sync.linear(inputs, empty, [bias[o]], false))[0];
      else out[o] = this.sync.addConstantPublic(out[o], bias[o]);
    }
    const res = relinearize && out[0].size > 2 ? await this.pe.relinearizeMany(out, this.relinKeys) : out;
    progress?.(taps.outSize);
    return res;
  }

  async quadratic(inputs: readonly Ciphertext[], coef: (i: number) => readonly [bigint, bigint, bigint], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]> {
    const out: Ciphertext[] = [];
    // Waves of outputs so the progress bar moves; each wave still fills every worker several times over.
    const wave = Math.max(64, this.pe.pool.size * 16);
    for (let from = 0; from < inputs.length; from += wave) {
      const xs = inputs.slice(from, from + wave);
      let ys = await this.pe.multiplyMany(xs, xs);
      ys = ys.map((y, i) => this.sync.finishQuadratic(y, xs[i], coef(from + i)));
      if (relinearize) ys = await this.pe.relinearizeMany(ys, this.relinKeys);
      out.push(...ys);
      progress?.(out.length);
    }
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
