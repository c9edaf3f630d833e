/**
 * Lowers conv2d / dense / sumPool / add to one sparse linear form: output o =
 * bias[o] + Σ_k w[k]·in[idx[k]] over its terms k in [start[o], start[o+1]).
 * Padding terms (zeros) and zero weights are dropped, so interval analysis and
 * the exact forward pass share one loop and see exactly the products BFV will
 * compute. For `add` the input is the concatenation [x, t[from]] of the
 * layer's input and the earlier tensor (same size n): output o = scale·in[o] +
 * fromScale·in[n + o] (`linearInputs` builds that list).
 * ("Terms", not "taps": the worker pool's `LinearPlan.taps` is the number of
 * terms per output.)
 */
import type { IntegerLayer } from './schema.js';

export interface SparseLinear {
  readonly outSize: number;
  readonly start: Int32Array;
  readonly idx: Int32Array;
  readonly w: Float64Array;
  readonly bias: readonly bigint[];
  /** max_o Σ|w| — bounds partial sums for the exactness decision. */
  readonly maxAbsWeightSum: number;
}

export function compileLinear(layer: IntegerLayer, inShape: readonly number[], outShape: readonly number[]): SparseLinear | null {
  const idx: number[] = [];
  const w: number[] = [];
  const outSize = outShape.reduce((a, b) => a * b, 1);
  const start = new Int32Array(outSize + 1);
  let bias: bigint[];
  if (layer.type === 'conv2d') {
    const [kh, kw, cin, cout] = layer.kernelShape;
    const [H, W] = inShape;
    const [ho, wo] = outShape;
    bias = [];
    for (let y = 0; y < ho; y++) for (let x = 0; x < wo; x++) for (let co = 0; co < cout; co++) {
      const o = (y * wo + x) * cout + co;
      start[o] = idx.length;
      for (let i = 0; i < kh; i++) {
        const iy = y * layer.stride[0] + i - layer.padding.top;
        if (iy < 0 || iy >= H) continue;
        for (let j = 0; j < kw; j++) {
          const ix = x * layer.stride[1] + j - layer.padding.left;
          if (ix < 0 || ix >= W) continue;
          for (let ci = 0; ci < cin; ci++) {
            const wt = layer.weights[((i * kw + j) * cin + ci) * cout + co];
            if (wt === 0) continue;
            idx.push((iy * W + ix) * cin + ci);
            w.push(wt);
          }
        }
      }
      bias.push(layer.bias[co]);
    }
  } else if (layer.type === 'dense') {
    const [nin, nout] = layer.weightShape;
    for (let o = 0; o < nout; o++) {
      start[o] = idx.length;
      for (let i = 0; i < nin; i++) {
        const wt = layer.weights[i * nout + o];
        if (wt === 0) continue;
        idx.push(i); w.push(wt);
      }
    }
    bias = [...layer.bias];
  } else if (layer.type === 'sumPool') {
    const [, W, C] = inShape;
    const [ho, wo] = outShape;
    bias = [];
    for (let y = 0; y < ho; y++) for (let x = 0; x < wo; x++) for (let c = 0; c < C; c++) {
      const o = (y * wo + x) * C + c;
      start[o] = idx.length;
      for (let i = 0; i < layer.window[0]; i++) for (let j = 0; j < layer.window[1]; j++) {
        idx.push(((y * layer.stride[0] + i) * W + x * layer.stride[1] + j) * C + c);
        w.push(1);
      }
      bias.push(0n);
    }
  } else if (layer.type === 'add') {
    const C = inShape[inShape.length - 1];
    bias = new Array<bigint>(outSize).fill(0n);
    for (let o = 0; o < outSize; o++) {
      start[o] = idx.length;
      const c = o % C;
      const a = layer.scale.length === 1 ? layer.scale[0] : layer.scale[c];
      const b = layer.fromScale.length === 1 ? layer.fromScale[0] : layer.fromScale[c];
      if (a !== 0) { idx.push(o); w.push(a); }
      if (b !== 0) { idx.push(outSize + o); w.push(b); }
    }
  } else {
    return null;
  }
  start[outSize] = idx.length;
  let maxAbsWeightSum = 0;
  for (let o = 0; o < outSize; o++) {
    let s = 0;
    for (let k = start[o]; k < start[o + 1]; k++) s += Math.abs(w[k]);
    if (s > maxAbsWeightSum) maxAbsWeightSum = s;
  }
  return { outSize, start, idx: Int32Array.from(idx), w: Float64Array.from(w), bias, maxAbsWeightSum };
}

/**
 * The input list a layer's sparse linear form indexes: the layer's input tensor, followed for
 * `add` by the earlier tensor it reads. `tensors[k]` is tensor k (any element type).
 */
export function linearInputs<T>(layer: IntegerLayer, index: number, tensors: readonly (readonly T[])[]): readonly T[] {
  const x = tensors[index];
  return layer.type === 'add' ? [...x, ...tensors[layer.from]] : x;
}
