import type { IntegerModel } from '../src/model/index.js';

/** Straightforward bigint reference written from the schema's definitions, independent of compile.ts. */
export function reference(m: IntegerModel, x: readonly number[]): bigint[] {
  let t: bigint[] = x.map(BigInt);
  let shape: number[] = [...m.input.shape];
  const seen: bigint[][] = [t]; // tensor k, for add
  for (const l of m.layers) {
    if (l.type === 'conv2d') {
      const [kh, kw, cin, cout] = l.kernelShape;
      const [H, W] = shape;
      const ho = Math.floor((H + l.padding.top + l.padding.bottom - kh) / l.stride[0]) + 1;
      const wo = Math.floor((W + l.padding.left + l.padding.right - kw) / l.stride[1]) + 1;
      const y: bigint[] = [];
      for (let a = 0; a < ho; a++) for (let b = 0; b < wo; b++) for (let o = 0; o < cout; o++) {
        let s = l.bias[o];
        for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let c = 0; c < cin; c++) {
          const r = a * l.stride[0] + i - l.padding.top, q = b * l.stride[1] + j - l.padding.left;
          const v = r < 0 || r >= H || q < 0 || q >= W ? 0n : t[(r * W + q) * cin + c];
          s += BigInt(l.weights[((i * kw + j) * cin + c) * cout + o]) * v;
        }
        y.push(s);
      }
      t = y; shape = [ho, wo, cout];
    } else if (l.type === 'dense') {
      const [n, o] = l.weightShape;
      t = Array.from({ length: o }, (_, k) => t.reduce((s, v, i) => s + BigInt(l.weights[i * o + k]) * v, l.bias[k]));
      shape = [o];
    } else if (l.type === 'sumPool') {
      const [H, W, C] = shape;
      const ho = Math.floor((H - l.window[0]) / l.stride[0]) + 1, wo = Math.floor((W - l.window[1]) / l.stride[1]) + 1;
      const y: bigint[] = [];
      for (let a = 0; a < ho; a++) for (let b = 0; b < wo; b++) for (let c = 0; c < C; c++) {
        let s = 0n;
        for (let i = 0; i < l.window[0]; i++) for (let j = 0; j < l.window[1]; j++) s += t[((a * l.stride[0] + i) * W + b * l.stride[1] + j) * C + c];
        y.push(s);
      }
      t = y; shape = [ho, wo, C];
    } else if (l.type === 'flatten') {
      shape = [t.length];
    } else if (l.type === 'square') {
      t = t.map((v) => v * v);
    } else if (l.type === 'add') {
      const C = shape[shape.length - 1];
      const other = seen[l.from];
      const p = (a: readonly number[], i: number) => BigInt(a[a.length === 1 ? 0 : i % C]);
      t = t.map((v, i) => p(l.scale, i) * v + p(l.fromScale, i) * other[i]);
    } else {
      const C = shape[shape.length - 1];
      const p = (a: readonly bigint[], i: number) => a[a.length === 1 ? 0 : i % C];
      t = t.map((v, i) => p(l.a, i) * v * v + p(l.b, i) * v + p(l.c, i));
    }
    seen.push(t);
  }
  return t;
}

