/**
 * HeBackend on the worker pool (`@qhe/bfv/parallel`): the expensive, independent
 * per-neuron work — linear layers, squares, relinearizations, mod switches —
 * runs as batch calls split over the workers (CryptoNets' layout makes every
 * output neuron independent); the O(N·L) scalar fix-ups (bias, a·x² + b·x + c
 * coefficients) stay on the main thread.
 *
 * Waves: a layer's outputs are computed as several batch calls ("waves"),
 * each reporting progress when done. Linear layers issue all their waves at
 * once (their outputs need every input until the end). Element-wise layers
 * (products, mod switches) keep two waves in flight and take their inputs
 * wave by wave (`take`), so an input is freed as soon as its output exists
 * and a layer's old and new ciphertexts never coexist in full; two waves in
 * flight keep the pool busy across the wave boundaries.
 */
import type { BfvContext, Ciphertext, PublicKey, RelinKeys } from '@qhe/bfv';
import { mod } from '@qhe/bfv/math';
import { ParallelEvaluator, type WorkerPool } from '@qhe/bfv/parallel';
import type { SparseLinear } from '@qhe/quant/model';
import { EvaluatorBackend, take, type HeBackend } from './backend.js';
import type { BackendFactory } from './server.js';

/** Progress updates per layer and channel the waves aim for. */
const WAVES_PER_LAYER = 24;
/** Element-wise waves in flight at once (one computing while the next is queued). */
const WAVES_IN_FLIGHT = 2;

/** Calls `run(from, to)` on consecutive waves of [0, count), at most `inFlight` at a time, in order of `from`. */
async function inWaves(count: number, wave: number, inFlight: number, run: (from: number, to: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const from = next, to = Math.min(count, from + wave);
      next = to;
      await run(from, to);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, Math.ceil(count / wave)) }, lane));
}

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

  async linear(inputs: readonly Ciphertext[], layer: SparseLinear, bias: readonly bigint[], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]> {
    // linearMany takes inputs of one size; a residual add right after a product sums a size-3 and a
    // size-2 tensor (two terms per output, cheap): the main thread does it, the pool relinearizes.
    if (inputs.some((ct) => ct.size !== inputs[0].size)) {
      const out = await this.sync.linear(inputs, layer, bias, false, progress);
      return relinearize && out.some((ct) => ct.size > 2) ? this.pe.relinearizeMany(out, this.relinKeys) : out;
    }
    const t = this.context.t;
    // linearMany wants one term count (its `taps`) per call: group outputs by their count of non-zero (mod t) terms.
    const groups = new Map<number, number[]>();
    const kept: { idx: number[]; w: number[] }[] = [];
    for (let o = 0; o < layer.outSize; o++) {
      const idx: number[] = [], w: number[] = [];
      for (let k = layer.start[o]; k < layer.start[o + 1]; k++) {
        if (mod(BigInt(layer.w[k]), t) === 0n) continue;
        idx.push(layer.idx[k]); w.push(layer.w[k]);
      }
      kept.push({ idx, w });
      if (idx.length === 0) continue;
      let g = groups.get(idx.length);
      if (!g) groups.set(idx.length, (g = []));
      g.push(o);
    }
    const out = new Array<Ciphertext>(layer.outSize);
    const wave = this.waveSize(layer.outSize);
    let done = 0;
    const finish = (o: number, ct: Ciphertext): Ciphertext => this.sync.addConstantPublic(ct, bias[o]);
    const calls: Promise<void>[] = [];
    // Relinearizations queue behind the layer's products: progress counts the products, the key switches follow.
    const relins: Promise<void>[] = [];
    for (const [terms, outs] of groups) {
      for (let from = 0; from < outs.length; from += wave) {
        const part = outs.slice(from, from + wave);
        const index = part.flatMap((o) => kept[o].idx), weight = part.flatMap((o) => kept[o].w);
        calls.push(this.pe.linearMany(inputs, { taps: terms, index, weight }).then((res) => {
          const ys = part.map((o, i) => finish(o, res[i]));
          part.forEach((o, i) => { out[o] = ys[i]; });
          if (relinearize && ys[0].size > 2)
            relins.push(this.pe.relinearizeMany(ys, this.relinKeys).then((zs) => part.forEach((o, i) => { out[o] = zs[i]; })));
          done += part.length;
          progress?.(done);
        }));
      }
    }
    // Neurons without non-zero terms (mod t_j) are public constants: encrypted on the main thread.
    for (let o = 0; o < layer.outSize; o++) if (kept[o].idx.length === 0) out[o] = this.sync.constant(inputs[0].level, mod(bias[o], t));
    await Promise.all(calls);
    await Promise.all(relins);
    progress?.(layer.outSize);
    return out;
  }

  async quadratic(inputs: Ciphertext[], coef: (i: number) => readonly [bigint, bigint, bigint], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]> {
    const out = new Array<Ciphertext>(inputs.length);
    let done = 0;
    await inWaves(inputs.length, this.waveSize(inputs.length), WAVES_IN_FLIGHT, async (from, to) => {
      const xs = take(inputs, from, to);
      const products = await this.pe.multiplyMany(xs, xs);
      let ys = products.map((y, i) => this.sync.finishQuadratic(y, xs[i], coef(from + i)));
      if (relinearize) ys = await this.pe.relinearizeMany(ys, this.relinKeys);
      ys.forEach((y, i) => { out[from + i] = y; });
      done += ys.length;
      progress?.(done);
    });
    return out;
  }

  async modSwitchTo(inputs: Ciphertext[], level: number): Promise<Ciphertext[]> {
    const out = new Array<Ciphertext>(inputs.length);
    await inWaves(inputs.length, this.waveSize(inputs.length), WAVES_IN_FLIGHT, async (from, to) => {
      let cur = take(inputs, from, to);
      while (cur[0].level < level) cur = await this.pe.modSwitchToNextMany(cur);
      cur.forEach((ct, i) => { out[from + i] = ct; });
    });
    return out;
  }
}

/** A BackendFactory sharing one pool across the CRT channels. */
export function poolBackend(pool: WorkerPool): BackendFactory {
  return (context, keys) => new PoolBackend(context, pool, keys.publicKey, keys.relinKeys);
}
