/**
 * Shape propagation through the integer layer list. Convolution output size
 * follows the usual formula ⌊(H + pad − k)/s⌋ + 1 with explicit zero padding;
 * sum pooling is unpadded ('valid').
 */
import { fail } from './errors.js';
import type { IntegerLayer } from './schema.js';

/** `prior[k]` = shape of tensor k (needed by `add`, which reads an earlier tensor). */
export function layerOutputShape(s: readonly number[], layer: IntegerLayer, where: string, prior: readonly (readonly number[])[] = []): number[] {
  switch (layer.type) {
    case 'conv2d': {
      if (s.length !== 3) fail('MODEL_SHAPE', where, 'a rank-3 [H,W,C] input to conv2d', `[${s.join(',')}]`);
      const [kh, kw, cin, cout] = layer.kernelShape;
      if (cin !== s[2]) fail('MODEL_SHAPE', `${where}.kernelShape[2]`, `input channels ${s[2]}`, cin);
      const p = layer.padding;
      const ho = Math.floor((s[0] + p.top + p.bottom - kh) / layer.stride[0]) + 1;
      const wo = Math.floor((s[1] + p.left + p.right - kw) / layer.stride[1]) + 1;
      if (ho < 1 || wo < 1) fail('MODEL_SHAPE', where, 'a kernel that fits the padded input', `[${kh},${kw}] on [${s.join(',')}]`);
      return [ho, wo, cout];
    }
    case 'dense': {
      if (s.length !== 1) fail('MODEL_SHAPE', where, 'a rank-1 input to dense (add flatten)', `[${s.join(',')}]`);
      if (layer.weightShape[0] !== s[0]) fail('MODEL_SHAPE', `${where}.weightShape[0]`, `input size ${s[0]}`, layer.weightShape[0]);
      return [layer.weightShape[1]];
    }
    case 'sumPool': {
      if (s.length !== 3) fail('MODEL_SHAPE', where, 'a rank-3 [H,W,C] input to sumPool', `[${s.join(',')}]`);
      const ho = Math.floor((s[0] - layer.window[0]) / layer.stride[0]) + 1;
      const wo = Math.floor((s[1] - layer.window[1]) / layer.stride[1]) + 1;
      if (ho < 1 || wo < 1) fail('MODEL_SHAPE', where, 'a window that fits the input', `[${layer.window.join(',')}] on [${s.join(',')}]`);
      return [ho, wo, s[2]];
    }
    case 'flatten':
      return [s.reduce((a, b) => a * b, 1)];
    case 'square':
      return [...s];
    case 'quadratic': {
      const c = s[s.length - 1];
      for (const k of ['a', 'b', 'c'] as const) {
        const n = layer[k].length;
        if (n !== 1 && n !== c) fail('MODEL_SHAPE', `${where}.${k}`, `length 1 or ${c} (channels)`, n);
      }
      return [...s];
    }
    case 'add': {
      const other = prior[layer.from];
      if (!other) fail('MODEL_SHAPE', `${where}.from`, `an earlier tensor index in [0, ${prior.length - 1}]`, layer.from);
      if (other.length !== s.length || other.some((d, k) => d !== s[k])) fail('MODEL_SHAPE', `${where}.from`, `tensor ${layer.from} of the input's shape [${s.join(',')}]`, `[${other.join(',')}]`);
      const c = s[s.length - 1];
      for (const k of ['scale', 'fromScale'] as const) {
        const n = layer[k].length;
        if (n !== 1 && n !== c) fail('MODEL_SHAPE', `${where}.${k}`, `length 1 or ${c} (channels)`, n);
      }
      return [...s];
    }
  }
}

export function tensorShapes(input: readonly number[], layers: readonly IntegerLayer[]): number[][] {
  const out: number[][] = [[...input]];
  layers.forEach((l, i) => out.push(layerOutputShape(out[i], l, `layers[${i}]`, out)));
  return out;
}

export const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
