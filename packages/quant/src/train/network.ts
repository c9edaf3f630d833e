/**
 * The two MNIST networks and their TF.js forward pass, on flat HWC tensors
 * [B, H·W·C] so that every layer's memory order equals the exported integer
 * model's.
 * - CryptoNets (Gilad-Bachrach et al. 2016): conv 5×5, 5 maps, stride 2 (input
 *   padded by one row/col top-left → 13×13×5) → act → dense 100 → act → dense 10.
 * - Seed 2 (Legiest et al. 2023, MNIST net): conv 5×5 s2 5 maps → x² →
 *   conv 5×5 s2 50 maps → x² → dense 10 (valid padding: 12×12×5 → 4×4×50).
 * Activations: ReLU (float teacher only), x² (CryptoNets), or the trainable
 * a·x² + b·x + c of Baruch et al. 2021 (one (a, b, c) per activation layer).
 * Batch norm (Ioffe & Szegedy 2015) after a linear layer is folded into that
 * layer's weights and bias before fake quantization, as Jacob et al. 2018 §3.2
 * do for integer-only inference: w' = w·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε), with
 * batch statistics while training and the moving statistics when frozen or
 * evaluating, so the grid trained on is the grid exported and the integer
 * model has no batch-norm layer at all.
 * Convolution is im2col + matMul because the wasm backend has no
 * Conv2DBackpropFilter: the first layer gathers patches (its input needs no
 * gradient); later layers multiply by a constant 0/1 im2col matrix so the
 * input gradient is a plain matMul too.
 */
import * as tf from '@tensorflow/tfjs';
import type { Padding } from '../model/schema.js';
import { Rng } from '../data/prng.js';
import { fakeQuantBias, fakeQuantWeights, leadingExponent, mm, mmConst, quantizeLeading } from './ops.js';
import { alignScales } from './residual.js';

import type { Activation, NetworkName } from '../config.js';

export type { Activation, NetworkName } from '../config.js';

export type LayerSpec =
  | { kind: 'conv'; k: number; cout: number; stride: number; padding: Padding }
  | { kind: 'dense'; out: number }
  | { kind: 'act' }
  | { kind: 'flatten' }
  /** Average pooling in the float model = sum pooling in the integer model, 1/k folded into the scale. */
  | { kind: 'avgPool'; window: number; stride: number }
  /** Batch norm of the preceding conv/dense layer's outputs (per output channel); folded into that layer. */
  | { kind: 'batchNorm' }
  /** Residual sum with the output of specs[from] (−1 = the network input), scales aligned by integer factors (residual.ts). */
  | { kind: 'add'; from: number };

/** Keras's defaults. */
export const BN_EPSILON = 1e-3;
export const BN_MOMENTUM = 0.99;

export function networkSpec(name: NetworkName, options: { batchNorm?: boolean } = {}): LayerSpec[] {
  const specs = baseSpec(name);
  return options.batchNorm ? withBatchNorm(specs) : specs;
}

/** Batch norm after every linear layer but the last (whose outputs are the logits); residual `from` indices follow. */
export function withBatchNorm(specs: readonly LayerSpec[]): LayerSpec[] {
  const lastLinear = specs.map((s) => s.kind === 'conv' || s.kind === 'dense').lastIndexOf(true);
  const bn = (s: LayerSpec, i: number) => (s.kind === 'conv' || s.kind === 'dense') && i !== lastLinear;
  const moved: number[] = [];
  let shift = 0;
  specs.forEach((s, i) => { moved.push(i + shift); if (bn(s, i)) shift++; });
  return specs.flatMap((s, i) => {
    const t: LayerSpec = s.kind === 'add' && s.from >= 0 ? { kind: 'add', from: moved[s.from] } : s;
    return bn(s, i) ? [t, { kind: 'batchNorm' as const }] : [t];
  });
}

function baseSpec(name: NetworkName): LayerSpec[] {
  if (name === 'cryptonets') {
    return [
      { kind: 'conv', k: 5, cout: 5, stride: 2, padding: { top: 1, left: 1, bottom: 0, right: 0 } },
      { kind: 'act' }, { kind: 'flatten' }, { kind: 'dense', out: 100 }, { kind: 'act' }, { kind: 'dense', out: 10 },
    ];
  }
  const valid = { top: 0, left: 0, bottom: 0, right: 0 };
  return [
    { kind: 'conv', k: 5, cout: 5, stride: 2, padding: valid }, { kind: 'act' },
    { kind: 'conv', k: 5, cout: 50, stride: 2, padding: valid }, { kind: 'act' },
    { kind: 'flatten' }, { kind: 'dense', out: 10 },
  ];
}

export interface QuantConfig {
  /** Weight bits (2..8) per linear layer; null = float. */
  readonly weightBits: number | null;
  readonly perChannel: boolean;
  /** Input bit width: the input's real scale is 1/(2^bits − 1). */
  readonly inputBits: number;
}

/** Static geometry of one layer (shapes and im2col maps). */
export interface Geometry {
  readonly spec: LayerSpec;
  readonly inShape: number[];
  readonly outShape: number[];
  /** Rows K of the weight matrix for linear layers. */
  readonly rows: number;
  /** Input channel of each weight row (for the per-channel grid). */
  readonly rowChannel: Int32Array;
  /** conv: patch gather index (input size = zero) of length Ho·Wo·K. */
  readonly gather?: Int32Array;
}

export function geometry(specs: LayerSpec[], input: [number, number, number]): Geometry[] {
  let shape: number[] = [...input];
  let channels = input[2];
  const outShapes: number[][] = [];
  return specs.map((spec, index) => {
    const g = layerGeometry(spec, index);
    outShapes.push(g.outShape);
    return g;
  });

  function layerGeometry(spec: LayerSpec, index: number): Geometry {
    const inShape = shape;
    if (spec.kind === 'add') {
      const other = spec.from < 0 ? [...input] : outShapes[spec.from];
      if (!other || spec.from >= index || other.join(',') !== inShape.join(',')) {
        throw new Error(`network: expected add at layer ${index} to read an earlier output of shape [${inShape.join(',')}], got from = ${spec.from}${other ? ` of shape [${other.join(',')}]` : ''}`);
      }
      return { spec, inShape, outShape: shape, rows: 0, rowChannel: new Int32Array(0) };
    }
    if (spec.kind === 'conv') {
      const [H, W, C] = inShape;
      const p = spec.padding;
      const ho = Math.floor((H + p.top + p.bottom - spec.k) / spec.stride) + 1;
      const wo = Math.floor((W + p.left + p.right - spec.k) / spec.stride) + 1;
      const K = spec.k * spec.k * C;
      const gather = new Int32Array(ho * wo * K);
      let n = 0;
      for (let y = 0; y < ho; y++) for (let x = 0; x < wo; x++) for (let i = 0; i < spec.k; i++) for (let j = 0; j < spec.k; j++) for (let c = 0; c < C; c++) {
        const r = y * spec.stride + i - p.top, q = x * spec.stride + j - p.left;
        gather[n++] = r < 0 || r >= H || q < 0 || q >= W ? H * W * C : (r * W + q) * C + c;
      }
      shape = [ho, wo, spec.cout];
      channels = spec.cout;
      return { spec, inShape, outShape: shape, rows: K, rowChannel: Int32Array.from({ length: K }, (_, k) => k % C), gather };
    }
    if (spec.kind === 'dense') {
      const n = inShape[0];
      const ch = channels;
      shape = [spec.out];
      channels = spec.out;
      return { spec, inShape, outShape: shape, rows: n, rowChannel: Int32Array.from({ length: n }, (_, k) => k % ch) };
    }
    if (spec.kind === 'avgPool') {
      const [H, W, C] = inShape;
      const ho = Math.floor((H - spec.window) / spec.stride) + 1, wo = Math.floor((W - spec.window) / spec.stride) + 1;
      // gather[(o·window² + t)] = input index of tap t of output o (HWC)
      const gather = new Int32Array(ho * wo * C * spec.window * spec.window);
      let n = 0;
      for (let y = 0; y < ho; y++) for (let x = 0; x < wo; x++) for (let c = 0; c < C; c++) for (let i = 0; i < spec.window; i++) for (let j = 0; j < spec.window; j++) {
        gather[n++] = ((y * spec.stride + i) * W + x * spec.stride + j) * C + c;
      }
      shape = [ho, wo, C];
      return { spec, inShape, outShape: shape, rows: 0, rowChannel: new Int32Array(0), gather };
    }
    if (spec.kind === 'flatten') shape = [inShape.reduce((a, b) => a * b, 1)];
    return { spec, inShape, outShape: shape, rows: 0, rowChannel: new Int32Array(0) };
  }
}

/** A per-channel multiplier as a tensor broadcastable over [B, H·W·C] (HWC order); a scalar when uniform. */
function channelVector(v: number[], shape: readonly number[], C: number): tf.Tensor | number {
  if (v.every((x) => x === v[0])) return v[0];
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor2d(Float32Array.from({ length: n }, (_, e) => v[e % C]), [1, n]);
}

/** One batch-norm layer: trainable γ, β and the (non-trainable) moving statistics, per channel. */
export interface BatchNormParams {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;
  /** Training steps seen (for the warm-up of the moving averages). */
  readonly updates: { count: number };
}

export interface Params {
  readonly weights: (tf.Variable | null)[];
  /** null also for a linear layer followed by batch norm: β replaces its bias. */
  readonly biases: (tf.Variable | null)[];
  /** Per activation layer: [a, b, c] (trainable for 'quadratic'). */
  readonly coeffs: (tf.Variable | null)[];
  /** Per batch-norm layer. */
  readonly bn: (BatchNormParams | null)[];
}

/** Folded per-channel scale γ/√(σ²+ε) and shift β − μ·γ/√(σ²+ε). */
export function foldBatchNorm(bn: BatchNormParams, mean: tf.Tensor, variance: tf.Tensor): { scale: tf.Tensor; shift: tf.Tensor } {
  const scale = tf.div(bn.gamma, tf.sqrt(tf.add(variance, BN_EPSILON)));
  return { scale, shift: tf.sub(bn.beta, tf.mul(mean, scale)) };
}

export const outChannels = (g: Geometry): number => (g.spec.kind === 'conv' ? g.spec.cout : g.spec.kind === 'dense' ? g.spec.out : 0);
const followedByBatchNorm = (geo: Geometry[], i: number): boolean => geo[i + 1]?.spec.kind === 'batchNorm';

/**
 * Initial (a, b, c) of the trainable quadratic a·x² + b·x + c (Baruch et al.
 * 2021 train these coefficients with the weights, starting from a ReLU-like
 * parabola): x²/4 + x/2 interpolates ReLU at x = −2, 0, 2.
 */
export const QUADRATIC_INIT: readonly [number, number, number] = [0.25, 0.5, 0];

export function initParams(geo: Geometry[], act: Activation, rng: Rng, quadraticInit: readonly [number, number, number] = QUADRATIC_INIT): Params {
  return {
    weights: geo.map((g) => {
      if (g.spec.kind !== 'conv' && g.spec.kind !== 'dense') return null;
      const out = g.spec.kind === 'conv' ? g.spec.cout : g.spec.out;
      const std = Math.sqrt(2 / (g.rows + out)); // Glorot normal: keeps x² layers from blowing up at init
      return tf.variable(tf.tensor2d(Float32Array.from({ length: g.rows * out }, () => rng.normal() * std), [g.rows, out]));
    }),
    biases: geo.map((g, i) => (outChannels(g) && !followedByBatchNorm(geo, i) ? tf.variable(tf.zeros([outChannels(g)])) : null)),
    coeffs: geo.map((g) => (g.spec.kind === 'act' && act === 'quadratic' ? tf.variable(tf.tensor1d([...quadraticInit])) : null)),
    bn: geo.map((g, i) => {
      if (g.spec.kind !== 'batchNorm') return null;
      const c = i > 0 ? outChannels(geo[i - 1]) : 0;
      if (!c) throw new Error(`network: expected batchNorm right after a conv or dense layer, got it at layer ${i}`);
      return {
        gamma: tf.variable(tf.ones([c])), beta: tf.variable(tf.zeros([c])),
        movingMean: tf.variable(tf.zeros([c]), false), movingVariance: tf.variable(tf.ones([c]), false),
        updates: { count: 0 },
      };
    }),
  };
}

/**
 * 'train': batch statistics, moving statistics updated; 'frozen': training with
 * the moving statistics fixed (Jacob et al. 2018 freeze them for the last
 * steps, so the final updates see exactly the exported grid); 'eval'.
 */
export type ForwardMode = 'train' | 'frozen' | 'eval';

export class Network {
  readonly geo: Geometry[];
  private readonly im2col: (tf.Tensor2D | null)[];
  private readonly im2colT: (tf.Tensor2D | null)[];
  private readonly gatherIdx: (tf.Tensor1D | null)[];
  private readonly rowChan: (tf.Tensor1D | null)[];

  constructor(readonly specs: LayerSpec[], readonly input: [number, number, number], readonly act: Activation, readonly params: Params, readonly quant: QuantConfig) {
    this.geo = geometry(specs, input);
    this.gatherIdx = this.geo.map((g, i) => (g.gather && i === 0 ? tf.tensor1d(g.gather, 'int32') : null));
    this.im2col = this.geo.map((g, i) => {
      if (g.spec.kind === 'avgPool') {
        const n = g.inShape.reduce((a, b) => a * b, 1), out = g.outShape.reduce((a, b) => a * b, 1);
        const k = g.spec.window * g.spec.window;
        const m = new Float32Array(n * out);
        g.gather!.forEach((src, t) => { m[src * out + Math.floor(t / k)] = 1 / k; });
        return tf.tensor2d(m, [n, out]);
      }
      if (!g.gather || i === 0) return null;
      const n = g.inShape.reduce((a, b) => a * b, 1);
      const m = new Float32Array(n * g.gather.length);
      g.gather.forEach((src, col) => { if (src < n) m[src * g.gather!.length + col] = 1; });
      return tf.tensor2d(m, [n, g.gather.length]);
    });
    this.im2colT = this.im2col.map((m) => (m ? tf.transpose(m) as tf.Tensor2D : null));
    this.rowChan = this.geo.map((g) => (g.rows ? tf.tensor1d(g.rowChannel, 'int32') : null));
  }

  /** Index of the last linear layer: it is always per-tensor so argmax over integer logits is the float argmax. */
  private lastLinear(): number {
    let l = -1;
    this.geo.forEach((g, i) => { if (g.rows) l = i; });
    return l;
  }

  /**
   * Logits for a batch x [B, H·W·C] (already input-quantised reals). The real
   * scale σ of every tensor (per channel after per-channel layers) is tracked
   * in float64 on the JS side — it underflows float32 after two squarings — so
   * that weights and biases are fake-quantised on exactly the grids of the
   * exported integer circuit.
   */
  forward(x: tf.Tensor2D, mode: ForwardMode = 'eval'): tf.Tensor2D {
    let h: tf.Tensor2D = x;
    const B = x.shape[0];
    const q = this.quant;
    let sigma: number[] = [1 / (2 ** q.inputBits - 1)];
    const sigma0 = sigma;
    const last = this.lastLinear();
    // Outputs and scales of every layer, for residual sums.
    const hs: tf.Tensor2D[] = [], sigmas: number[][] = [];
    this.geo.forEach((g, i) => {
      const s = g.spec;
      if (s.kind === 'add') {
        const skip = s.from < 0 ? x : hs[s.from];
        if (q.weightBits === null) h = tf.add(h, skip) as tf.Tensor2D;
        else {
          // The integer circuit computes α·X + β·S on the grid σ_y: in reals, x·(α·σ_y/σ_x) + s·(β·σ_y/σ_s).
          const sf = s.from < 0 ? sigma0 : sigmas[s.from];
          const al = alignScales(sigma, sf);
          const C = g.inShape[g.inShape.length - 1];
          const mult = (f: number[], from: number[]) => channelVector(al.sigma.map((sy, c) => (f[c] * sy) / (from.length === 1 ? from[0] : from[c])), g.inShape, C);
          h = tf.add(tf.mul(h, mult(al.scale, sigma)), tf.mul(skip, mult(al.fromScale, sf))) as tf.Tensor2D;
          sigma = al.sigma;
        }
      } else if (s.kind === 'conv' || s.kind === 'dense') {
        let w = this.params.weights[i]! as unknown as tf.Tensor2D;
        let bias: tf.Tensor = this.params.biases[i] ?? tf.zeros([outChannels(g)]);
        let cols: tf.Tensor2D;
        if (s.kind === 'conv') {
          const K = g.rows;
          const P = g.gather!.length / K;
          if (i === 0) {
            const xp = tf.concat([h, tf.zeros([B, 1])], 1);
            cols = tf.reshape(tf.gather(xp, this.gatherIdx[i]!, 1), [B * P, K]);
          } else {
            cols = tf.reshape(mmConst(h, this.im2col[i]!, this.im2colT[i]!), [B * P, K]);
          }
        } else cols = h;
        const bn = this.params.bn[i + 1];
        if (bn) {
          let mean: tf.Tensor = bn.movingMean, variance: tf.Tensor = bn.movingVariance;
          if (mode === 'train') {
            // Batch statistics of the float pre-activation (over images and positions).
            const m = tf.moments(mm(cols, w), 0);
            mean = m.mean, variance = m.variance;
            // A plain running mean for the first 1/(1 − momentum) steps, so short runs
            // do not export statistics still biased toward the initial (0, 1).
            const k = ++bn.updates.count, mom = Math.min(BN_MOMENTUM, 1 - 1 / k);
            bn.movingMean.assign(tf.add(tf.mul(bn.movingMean, mom), tf.mul(mean, 1 - mom)));
            bn.movingVariance.assign(tf.add(tf.mul(bn.movingVariance, mom), tf.mul(variance, 1 - mom)));
          }
          const f = foldBatchNorm(bn, mean, variance);
          w = tf.mul(w, f.scale) as tf.Tensor2D;
          bias = f.shift;
        }
        if (q.weightBits !== null) {
          let rmax = sigma[0];
          let r: tf.Tensor2D | null = null;
          if (sigma.length > 1) {
            rmax = Math.max(...sigma);
            r = tf.tensor2d(Float32Array.from(g.rowChannel, (c) => sigma[c] / rmax), [g.rows, 1]);
          }
          const perCh = q.perChannel && i !== last;
          const fq = fakeQuantWeights(w, r, q.weightBits, perCh);
          w = fq.wq;
          const stepAbs = Array.from(fq.step.dataSync(), (v) => v * rmax);
          if (Math.min(...stepAbs) > 1e-20) bias = fakeQuantBias(bias, tf.tensor1d(stepAbs.length === 1 ? new Array(bias.shape[0]).fill(stepAbs[0]) : stepAbs));
          sigma = stepAbs;
        }
        const y = tf.add(mm(cols, w), bias);
        h = tf.reshape(y, [B, -1]) as tf.Tensor2D;
      } else if (s.kind === 'avgPool') {
        h = mmConst(h, this.im2col[i]!, this.im2colT[i]!);
        sigma = sigma.map((v) => v / (s.window * s.window));
      } else if (s.kind === 'act') {
        if (this.act === 'relu') h = tf.relu(h);
        else if (this.act === 'square') {
          h = tf.square(h);
          sigma = sigma.map((v) => v * v);
        } else {
          const c = this.params.coeffs[i]!;
          const [a, b, k] = tf.split(c, 3) as tf.Tensor[];
          const F = 2 ** leadingExponent(a.dataSync()[0]);
          h = tf.add(tf.add(tf.mul(q.weightBits === null ? a : quantizeLeading(a, F), tf.square(h)), tf.mul(b, h)), k);
          sigma = sigma.map((v) => (v * v) / F);
        }
      }
      hs.push(h); sigmas.push(sigma);
    });
    return h;
  }

  trainableVariables(): tf.Variable[] {
    const bn = this.params.bn.flatMap((b) => (b ? [b.gamma, b.beta] : []));
    return [...this.params.weights, ...this.params.biases, ...this.params.coeffs, ...bn].filter((v): v is tf.Variable => v !== null);
  }

  dispose(): void {
    [...this.im2col, ...this.im2colT, ...this.gatherIdx, ...this.rowChan].forEach((t) => t?.dispose());
  }
}
