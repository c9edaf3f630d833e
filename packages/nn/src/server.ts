/**
 * The server of encrypted inference: public and relinearization keys only; it
 * evaluates the integer model layer by layer on CryptoNets slot-batched
 * ciphertexts (Gilad-Bachrach et al., ICML 2016: integer-scalar × ciphertext
 * products and sums, no rotations, so N images cost the same as one).
 *
 * Residual adds (integer model v2) read a tensor kept from earlier in the
 * network; the server keeps those ciphertexts until their last reader.
 *
 * Channel-major order: the CRT channels are independent circuits, so the
 * server runs one channel through the whole network before the next. Only one
 * channel's working set (its inputs, one layer's outputs) is alive at a time,
 * and the parallelism, which lies across the neurons of a layer, is the same.
 */
import { Ciphertext, PublicKey, QheError, RelinKeys, type BfvContext } from '@qhe/bfv';
import { compileLinear, tensorShapes, type IntegerModel, type SparseLinear } from '@qhe/quant/model';
import { EvaluatorBackend, type HeBackend } from './backend.js';
import type { EncryptedBatch, ServerKeys } from './client.js';
import type { InferencePlan } from './planner/index.js';

export interface LayerReport {
  readonly index: number;
  readonly type: string;
  /** The CRT channel this report is about. */
  readonly channel: number;
  readonly ms: number;
  readonly level: number;
  readonly outputs: number;
  readonly predictedBudget: number;
  /** One output ciphertext of the channel, for client-side budget probes. */
  readonly sample: Ciphertext;
}

export interface RunOptions {
  /** `work` = the layer's outputs in this channel (0 for flatten). */
  readonly onLayerStart?: (index: number, type: string, work: number, channel: number) => void;
  readonly onProgress?: (index: number, done: number, work: number, channel: number) => void;
  readonly onLayer?: (report: LayerReport) => void;
}

export type BackendFactory = (context: BfvContext, keys: ServerKeys['channels'][number]) => HeBackend;

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const ZERO_BIAS = (n: number): bigint[] => new Array<bigint>(n).fill(0n);

/** One tap per element: out[e] = f[channel(e)]·in[e] (HWC, channel = last axis). */
function channelScale(f: readonly number[], shape: readonly number[]): SparseLinear {
  const n = count(shape), C = shape[shape.length - 1];
  const w = Float64Array.from({ length: n }, (_, e) => f[f.length === 1 ? 0 : e % C]);
  return {
    outSize: n, start: Int32Array.from({ length: n + 1 }, (_, o) => o), idx: Int32Array.from({ length: n }, (_, e) => e), w,
    bias: ZERO_BIAS(n), maxAbsWeightSum: Math.max(...Array.from(w, Math.abs)),
  };
}

export class InferenceServer {
  private readonly backends: HeBackend[];
  private readonly shapes: number[][];

  constructor(readonly plan: InferencePlan, readonly model: IntegerModel, keys: ServerKeys, backend?: BackendFactory) {
    if (keys.channels.length !== plan.plainModuli.length)
      throw new QheError('MISSING_KEY', `InferenceServer: expected keys for ${plan.plainModuli.length} channels, got ${keys.channels.length}`);
    for (const ch of keys.channels) {
      if (!(ch.publicKey instanceof PublicKey) || !(ch.relinKeys instanceof RelinKeys) || Object.keys(ch).some((k) => k !== 'publicKey' && k !== 'relinKeys'))
        throw new QheError('INVALID_ARGUMENT', `InferenceServer: expected only { publicKey, relinKeys } per channel, got { ${Object.keys(ch).join(', ')} }`);
    }
    const make = backend ?? ((ctx, k) => new EvaluatorBackend(ctx, k.publicKey, k.relinKeys));
    this.backends = keys.channels.map((k) => make(k.publicKey.context, k));
    this.shapes = tensorShapes(model.input.shape, model.layers);
  }

  get backendName(): string { return this.backends[0].name; }

  /** Every channel of a batch, one after the other; the batch's ciphertexts are left untouched. */
  async run(batch: EncryptedBatch, options: RunOptions = {}): Promise<EncryptedBatch> {
    if (batch.channels.length !== this.backends.length)
      throw new QheError('LENGTH_MISMATCH', `InferenceServer.run: expected ${this.backends.length} channels, got ${batch.channels.length}`);
    const channels: Ciphertext[][] = [];
    for (const [j, cts] of batch.channels.entries()) channels.push(await this.runChannel(j, cts.slice(), options));
    return { images: batch.images, channels };
  }

  /**
   * Channel j through the whole network. Takes ownership of `inputs`: the
   * array is emptied when the first layer has consumed it, so the caller's
   * reference does not keep the channel's input ciphertexts alive.
   */
  async runChannel(j: number, inputs: Ciphertext[], options: RunOptions = {}): Promise<Ciphertext[]> {
    const fn = 'InferenceServer.runChannel';
    if (!Number.isInteger(j) || j < 0 || j >= this.backends.length)
      throw new QheError('INVALID_ARGUMENT', `${fn}: expected a channel in [0, ${this.backends.length}), got ${j}`);
    const features = count(this.shapes[0]);
    if (!Array.isArray(inputs) || inputs.length !== features)
      throw new QheError('LENGTH_MISMATCH', `${fn}: expected ${features} ciphertexts, got ${Array.isArray(inputs) ? inputs.length : typeof inputs}`);
    const be = this.backends[j];
    let cur: Ciphertext[] = inputs.splice(0);
    // Tensors a residual add reads later (tensor k = output of layer k − 1), kept until their last reader.
    const lastRead = new Map<number, number>();
    this.model.layers.forEach((l, i) => { if (l.type === 'add') lastRead.set(l.from, i); });
    const kept = new Map<number, Ciphertext[]>();
    // Copies of the arrays: mod switching and products consume (empty) the arrays they are given.
    if (lastRead.has(0)) kept.set(0, cur.slice());
    for (const [i, layer] of this.model.layers.entries()) {
      const lp = this.plan.layers[i];
      const start = performance.now();
      const outCount = count(this.shapes[i + 1]);
      const work = layer.type === 'flatten' ? 0 : outCount;
      options.onLayerStart?.(i, layer.type, work, j);
      const report = (done: number): void => options.onProgress?.(i, done, work, j);
      // Mod switching replaces the layer's inputs (the old level's ciphertexts are dropped here).
      if (cur[0].level < lp.level) cur = await be.modSwitchTo(cur, lp.level);
      const sparse = compileLinear(layer, this.shapes[i], this.shapes[i + 1]);
      if (layer.type === 'add') {
        // y = scale·x + fromScale·t[from]: the kept tensor is multiplied by fromScale at its own
        // level (larger budget; the planner's noise model assumes this order), switched down
        // to this layer's level, then summed with factor 1.
        const skip = kept.get(layer.from)!;
        let s = await be.linear(skip, channelScale(layer.fromScale, this.shapes[i]), ZERO_BIAS(skip.length), false);
        if (s[0].level < lp.level) s = await be.modSwitchTo(s, lp.level);
        const unit = compileLinear({ ...layer, fromScale: [1] }, this.shapes[i], this.shapes[i + 1])!;
        cur = await be.linear([...cur, ...s], unit, unit.bias, lp.relinearizeAfter, report);
      } else if (sparse) cur = await be.linear(cur, sparse, sparse.bias, lp.relinearizeAfter, report);
      else if (layer.type === 'square') cur = await be.quadratic(cur, () => [1n, 0n, 0n], lp.relinearizeAfter, report);
      else if (layer.type === 'quadratic') {
        const C = this.shapes[i + 1][this.shapes[i + 1].length - 1];
        const pick = (arr: readonly bigint[], k: number): bigint => (arr.length === 1 ? arr[0] : arr[k % C]);
        cur = await be.quadratic(cur, (k) => [pick(layer.a, k), pick(layer.b, k), pick(layer.c, k)], lp.relinearizeAfter, report);
      } // flatten: HWC data is already flat
      if (lastRead.has(i + 1)) kept.set(i + 1, cur.slice());
      for (const [k, last] of lastRead) if (last === i) kept.delete(k);
      options.onLayer?.({ index: i, type: layer.type, channel: j, ms: performance.now() - start, level: cur[0].level, outputs: outCount, predictedBudget: lp.predictedBudget, sample: cur[0] });
    }
    return cur;
  }
}
