/**
 * Export of a trained (fake-quantised) network to the integer model.
 * Walking the layers with the per-channel real scale σ of the current tensor:
 * - linear: v = w·σ(row channel); step s_o = max|v|/qmax; W = round(v/s_o)
 *   (the same grid fakeQuantWeights trains on), bias B = round(b/s_o), new σ = s.
 *   Unquantised (float) networks are exported at 8 bits.
 * - x²: σ → σ².
 * - a·x² + b·x + c (Baruch et al. 2021) with real input σ·X: choose f so that
 *   A = round(a·2^f) keeps ≥ 8 significant bits; then B = round(b·2^f/σ),
 *   C = round(c·2^f/σ²) and the output scale is σ²/2^f — exact in integers.
 * - batch norm: already folded into the preceding linear layer with the moving
 *   statistics (w·γ/√(σ²+ε), β − μ·γ/√(σ²+ε), as the network's eval forward
 *   pass), so it exports nothing.
 * - residual add: both summands multiplied onto a common grid by integer
 *   factors (residual.ts), exactly as the training forward pass does.
 * Activations are never requantised: BFV cannot round (Legiest et al. 2023 §3).
 */
import { buildIntegerModel } from '../model/parse.js';
import type { IntegerLayer, IntegerModel } from '../model/schema.js';
import * as tf from '@tensorflow/tfjs';
import { foldBatchNorm, type Network } from './network.js';
import { leadingExponent } from './ops.js';
import { alignScales } from './residual.js';

export function exportIntegerModel(net: Network, inputBits: number, name: string, metadata: Record<string, unknown> = {}): IntegerModel {
  const levels = 2 ** inputBits - 1;
  const bits = net.quant.weightBits ?? 8;
  let sigma: number[] = [1 / levels];
  const layers: IntegerLayer[] = [];
  const scales: number[][] = [[...sigma]];
  let lastLinear = -1;
  net.geo.forEach((g, i) => { if (g.rows) lastLinear = i; });
  // Per layer spec: the exported tensor holding its output and that tensor's scale (for residual sums).
  const tensorOf: number[] = [], sigmaOf: number[][] = [];
  net.geo.forEach((g, i) => {
    const s = g.spec;
    if (s.kind === 'add') {
      const al = alignScales(sigma, s.from < 0 ? scales[0] : sigmaOf[s.from]);
      layers.push({ type: 'add', from: s.from < 0 ? 0 : tensorOf[s.from], scale: al.scale, fromScale: al.fromScale });
      sigma = al.sigma;
    } else if (s.kind === 'conv' || s.kind === 'dense') {
      const { w, b } = foldedLinear(net, i);
      const O = s.kind === 'conv' ? s.cout : s.out;
      const K = g.rows;
      const qmax = 2 ** (bits - 1) - 1;
      const perCh = net.quant.perChannel && net.quant.weightBits !== null && i !== lastLinear;
      const v = new Float64Array(K * O);
      for (let k = 0; k < K; k++) {
        const sk = sigma.length === 1 ? sigma[0] : sigma[g.rowChannel[k]];
        for (let o = 0; o < O; o++) v[k * O + o] = w[k * O + o] * sk;
      }
      const step = new Array<number>(O).fill(0);
      for (let o = 0; o < O; o++) for (let k = 0; k < K; k++) step[o] = Math.max(step[o], Math.abs(v[k * O + o]));
      if (!perCh) { const m = Math.max(...step); step.fill(m); }
      // No floor: after two squarings scales are ~1e-30 and legitimately tiny (float64 holds them).
      for (let o = 0; o < O; o++) step[o] = step[o] > 0 ? step[o] / qmax : 1;
      const weights = Array.from(v, (x, n) => Math.round(x / step[n % O]) + 0); // +0 turns -0 into 0 for JSON
      const bias = Array.from(b, (x, o) => BigInt(Math.round(x / step[o])));
      if (s.kind === 'conv') {
        layers.push({ type: 'conv2d', kernelShape: [s.k, s.k, g.inShape[2], s.cout], weights, bias, stride: [s.stride, s.stride], padding: s.padding });
      } else {
        if (g.inShape.length !== 1) throw new Error('export: expected dense after flatten');
        layers.push({ type: 'dense', weightShape: [K, O], weights, bias });
      }
      sigma = perCh ? step : [step[0]];
    } else if (s.kind === 'avgPool') {
      layers.push({ type: 'sumPool', window: [s.window, s.window], stride: [s.stride, s.stride] });
      sigma = sigma.map((x) => x / (s.window * s.window));
    } else if (s.kind === 'batchNorm') {
      tensorOf.push(layers.length); sigmaOf.push(sigma);
      return; // folded into the layer before
    } else if (s.kind === 'flatten') {
      layers.push({ type: 'flatten' });
    } else if (s.kind === 'act') {
      if (net.act === 'relu') throw new Error('export: expected a polynomial activation (x² or quadratic), got relu');
      if (net.act === 'square') {
        layers.push({ type: 'square' });
        sigma = sigma.map((x) => x * x);
      } else {
        const [a, b, c] = Array.from(net.params.coeffs[i]!.dataSync());
        const f = leadingExponent(a);
        const F = 2 ** f;
        layers.push({
          type: 'quadratic',
          a: [BigInt(Math.round(a * F))],
          b: sigma.map((sg) => BigInt(Math.round((b * F) / sg))),
          c: sigma.map((sg) => BigInt(Math.round((c * F) / (sg * sg)))),
        });
        sigma = sigma.map((x) => (x * x) / F);
      }
    }
    scales.push([...sigma]);
    tensorOf.push(layers.length); sigmaOf.push(sigma);
  });
  return buildIntegerModel({
    name,
    input: { shape: [28, 28, 1], bits: inputBits, levels, min: 0, max: levels, scale: 1 / levels },
    layers, scales, metadata,
  });
}

/** Weights [K, O] and bias [O] of linear layer i, with a following batch norm folded in (moving statistics). */
function foldedLinear(net: Network, i: number): { w: Float32Array; b: Float32Array } {
  return tf.tidy(() => {
    const w = net.params.weights[i]!;
    const bn = net.params.bn[i + 1];
    if (!bn) return { w: w.dataSync() as Float32Array, b: net.params.biases[i]!.dataSync() as Float32Array };
    const f = foldBatchNorm(bn, bn.movingMean, bn.movingVariance);
    return { w: tf.mul(w, f.scale).dataSync() as Float32Array, b: f.shift.dataSync() as Float32Array };
  });
}
