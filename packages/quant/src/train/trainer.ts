/**
 * Training loop: Adam on cross-entropy, optionally with knowledge distillation
 * (Hinton et al. 2015, as used by Baruch et al. 2021 §4 to close the ReLU →
 * polynomial gap): loss = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1−α)·CE.
 * Batches are drawn from a seeded permutation so runs are reproducible.
 */
import * as tf from '@tensorflow/tfjs';
import type { MnistSplit } from '../data/mnist.js';
import { permutation, Rng } from '../data/prng.js';
import { quantizeInput } from '../model/parse.js';
import { geometry, initParams, Network, networkSpec, type Activation, type LayerSpec, type NetworkName } from './network.js';

export interface TrainOptions {
  readonly network: NetworkName;
  readonly activation: Activation;
  readonly weightBits: number | null;
  readonly perChannel: boolean;
  readonly inputBits: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly teacher?: Network;
  readonly temperature: number;
  readonly alpha: number;
  /** Called after every batch (a command line rate-limits its display); false or absent = silent. */
  readonly progress?: TrainProgressFn | false;
  readonly label?: string;
  /** Custom layer list instead of the named network's. */
  readonly specs?: LayerSpec[];
  /** Batch norm after every linear layer but the last, folded at export. */
  readonly batchNorm?: boolean;
  /** Shift every training image by a random (dx, dy) ∈ {−1, 0, 1}² (seeded). */
  readonly augment?: boolean;
  /** Output classes (labels 0..classes−1). Default 10 (MNIST). */
  readonly classes?: number;
  /** Per-class weights of the loss (class imbalance); default all 1. See `balancedClassWeights`. */
  readonly classWeights?: readonly number[];
  /** Initial (a, b, c) of every trainable quadratic activation; default QUADRATIC_INIT. */
  readonly quadraticInit?: readonly [number, number, number];
  /** Called after every epoch (1-based) with the network as it stands (e.g. to keep the best on a validation split). */
  readonly onEpoch?: (net: Network, epoch: number) => void;
}

/**
 * Weights n/(k·n_c) per class c (n examples, k classes, n_c of class c): every
 * class then carries the same total weight in the loss (King & Zeng 2001's
 * "balanced" weighting, as in scikit-learn's class_weight='balanced').
 */
export function balancedClassWeights(labels: ArrayLike<number>, classes: number): number[] {
  const n = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) n[labels[i]]++;
  return n.map((c) => (c > 0 ? labels.length / (classes * c) : 0));
}

/** One training step done: where in the run it is, and the smoothed loss and batch accuracy. */
export interface TrainProgress {
  readonly label: string;
  readonly step: number;
  readonly totalSteps: number;
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
  readonly accuracy: number;
}
export type TrainProgressFn = (update: TrainProgress) => void;

export const DEFAULT_TRAIN: Omit<TrainOptions, 'network' | 'activation' | 'weightBits' | 'inputBits'> = {
  perChannel: false, epochs: 3, batchSize: 64, learningRate: 2e-3, seed: 1, temperature: 4, alpha: 0.7,
};

/** Input reals q/levels for all images of a split, u8-quantised once. */
export function quantizedInputs(split: MnistSplit, inputBits: number): Float32Array {
  const levels = 2 ** inputBits - 1;
  const q = quantizeInput({ levels, min: 0 }, split.images);
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i] / levels;
  return out;
}

/** shifts: (dx, dy) per image of the batch, or none. */
function batchTensor(x: Float32Array, idx: Int32Array | number[], from: number, to: number, shifts?: Int8Array): tf.Tensor2D {
  const b = new Float32Array((to - from) * 784);
  for (let i = from; i < to; i++) {
    const src = x.subarray(idx[i] * 784, idx[i] * 784 + 784);
    const k = i - from;
    if (shifts) translate(src, shifts[2 * k], shifts[2 * k + 1], b.subarray(k * 784, (k + 1) * 784));
    else b.set(src, k * 784);
  }
  return tf.tensor2d(b, [to - from, 784]);
}

/** out = the 28×28 image moved by (dx, dy) pixels, zero-filled (out starts zeroed). */
function translate(img: Float32Array, dx: number, dy: number, out: Float32Array): void {
  for (let y = Math.max(0, dy); y < Math.min(28, 28 + dy); y++)
    for (let x = Math.max(0, dx); x < Math.min(28, 28 + dx); x++) out[y * 28 + x] = img[(y - dy) * 28 + (x - dx)];
}

export interface TrainResult { readonly net: Network; readonly seconds: number; readonly finalLoss: number; }

export function train(opts: TrainOptions, data: MnistSplit): TrainResult {
  const rng = new Rng(opts.seed);
  // A stream of its own, so that turning augmentation on does not change the shuffles.
  const shift = opts.augment ? new Rng(opts.seed ^ 0x5bd1e995) : undefined;
  const specs = opts.specs ?? networkSpec(opts.network, { batchNorm: opts.batchNorm });
  const params = initParams(geometry(specs, [28, 28, 1]), opts.activation, rng, opts.quadraticInit);
  const classes = opts.classes ?? 10;
  const classWeights = opts.classWeights ? Float32Array.from(opts.classWeights) : null;
  if (classWeights && classWeights.length !== classes) throw new Error(`train: expected ${classes} class weights, got ${classWeights.length}`);
  const net = new Network(specs, [28, 28, 1], opts.activation, params, { weightBits: opts.weightBits, perChannel: opts.perChannel, inputBits: opts.inputBits });
  const x = quantizedInputs(data, opts.inputBits);
  const teacherX = opts.teacher ? quantizedInputs(data, 8) : null;
  const batches = Math.ceil(data.count / opts.batchSize);
  const total = batches * opts.epochs;
  const label = opts.label ?? `${opts.network}/${opts.activation}`;
  const report = opts.progress || undefined;
  const opt = tf.train.adam(opts.learningRate);
  const vars = net.trainableVariables();
  const t0 = Date.now();
  let step = 0, lossEma = NaN, accEma = NaN;
  for (let e = 0; e < opts.epochs; e++) {
    const perm = permutation(data.count, rng);
    // Step decay: the last epoch at 1/10 of the rate settles the quantised weights.
    // Batch-norm statistics are frozen in that epoch too (Jacob et al. 2018 §3.2).
    const lastEpoch = opts.epochs > 1 && e === opts.epochs - 1;
    (opt as unknown as { learningRate: number }).learningRate = opts.learningRate * (lastEpoch ? 0.1 : 1);
    for (let b = 0; b < batches; b++) {
      const from = b * opts.batchSize, to = Math.min(data.count, from + opts.batchSize);
      const labels = new Int32Array(to - from);
      for (let i = from; i < to; i++) labels[i - from] = data.labels[perm[i]];
      // The teacher sees the same shifted images as the student.
      const shifts = shift ? Int8Array.from({ length: 2 * (to - from) }, () => shift.int(3) - 1) : undefined;
      const [loss, acc] = tf.tidy(() => {
        const xb = batchTensor(x, perm, from, to, shifts);
        const yb = tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat();
        // Per-example loss weights, normalised to mean 1 over the batch.
        const wb = classWeights ? (() => { const v = Float32Array.from(labels, (l) => classWeights[l]); const m = v.reduce((a, b) => a + b, 0) / v.length; return tf.tensor1d(v.map((x) => x / m)); })() : null;
        const mean = (perExample: tf.Tensor) => (wb ? tf.mean(tf.mul(perExample, wb)) : tf.mean(perExample));
        const soft = opts.teacher && teacherX
          ? tf.softmax(tf.div(opts.teacher.forward(batchTensor(teacherX, perm, from, to, shifts)), opts.temperature))
          : null;
        let logitsOut: tf.Tensor | null = null;
        const cost = opt.minimize(() => {
          const logits = net.forward(xb, lastEpoch ? 'frozen' : 'train');
          logitsOut = tf.keep(logits);
          const ce = mean(tf.neg(tf.sum(tf.mul(yb, tf.logSoftmax(logits)), 1)));
          if (!soft) return ce as tf.Scalar;
          const logp = tf.logSoftmax(tf.div(logits, opts.temperature));
          const kl = mean(tf.sum(tf.mul(soft, tf.sub(tf.log(tf.add(soft, 1e-8)), logp)), 1));
          return tf.add(tf.mul(opts.alpha * opts.temperature ** 2, kl), tf.mul(1 - opts.alpha, ce)) as tf.Scalar;
        }, true, vars)!;
        const a = tf.mean(tf.equal(tf.argMax(logitsOut!, 1), tf.argMax(yb, 1)).toFloat());
        (logitsOut as tf.Tensor | null)?.dispose();
        return [cost.dataSync()[0], a.dataSync()[0]];
      });
      if (!Number.isFinite(loss)) throw new Error(`train: expected a finite loss, got ${loss} (epoch ${e + 1}, batch ${b + 1})`);
      lossEma = Number.isNaN(lossEma) ? loss : 0.95 * lossEma + 0.05 * loss;
      accEma = Number.isNaN(accEma) ? acc : 0.95 * accEma + 0.05 * acc;
      step++;
      report?.({ label, step, totalSteps: total, epoch: e + 1, epochs: opts.epochs, batch: b + 1, batches, loss: lossEma, accuracy: accEma });
    }
    opts.onEpoch?.(net, e + 1);
  }
  opt.dispose();
  return { net, seconds: (Date.now() - t0) / 1000, finalLoss: lossEma };
}

/** Float (fake-quantised) predictions of a network on a split. */
export function predictFloat(net: Network, split: MnistSplit, inputBits: number, batch = 500): Int32Array {
  const { logits, classes } = logitsFloat(net, split, inputBits, batch);
  const out = new Int32Array(split.count);
  for (let i = 0; i < split.count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Float (fake-quantised) logits of a network on a split: [count × classes], row-major. */
export function logitsFloat(net: Network, split: MnistSplit, inputBits: number, batch = 500): { logits: Float32Array; classes: number } {
  const x = quantizedInputs(split, inputBits);
  const idx = Array.from({ length: split.count }, (_, i) => i);
  const parts: Float32Array[] = [];
  let classes = 0;
  for (let from = 0; from < split.count; from += batch) {
    const to = Math.min(split.count, from + batch);
    const y = tf.tidy(() => net.forward(batchTensor(x, idx, from, to)));
    classes = y.shape[1];
    parts.push(y.dataSync() as Float32Array);
    y.dispose();
  }
  const logits = new Float32Array(split.count * classes);
  let o = 0;
  for (const p of parts) { logits.set(p, o); o += p.length; }
  return { logits, classes };
}

export function accuracy(pred: ArrayLike<number>, labels: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) ok++;
  return ok / labels.length;
}
