/**
 * Interval analysis of the integer circuit (Legiest et al. 2023, §3.2: the
 * "integer size" of each layer is the bit length of its worst-case value). Every
 * element carries an exact integer interval [lo, hi]; linear layers add
 * min/max of w·[lo, hi] per tap, x² and a·x² + b·x + c are evaluated exactly
 * over the integer interval (endpoints plus the integers next to the vertex),
 * so the bound is tight per element, not merely per tensor.
 */
import { compileLinear, linearInputs } from './compile.js';
import type { IntegerLayer, InputSpec } from './schema.js';
import { bitLength } from './schema.js';
import { size, tensorShapes } from './shapes.js';

export interface IntervalAnalysis {
  readonly shapes: number[][];
  /** Per tensor (input, then each layer output), per element. */
  readonly lo: bigint[][];
  readonly hi: bigint[][];
  readonly maxAbs: bigint[];
  readonly bits: number[];
  readonly maxBits: number;
  readonly multiplicativeDepth: number;
}

export function analyzeIntervals(input: Pick<InputSpec, 'shape' | 'min' | 'max'>, layers: readonly IntegerLayer[]): IntervalAnalysis {
  const shapes = tensorShapes(input.shape, layers);
  const n0 = size(shapes[0]);
  const lo: bigint[][] = [new Array<bigint>(n0).fill(BigInt(input.min))];
  const hi: bigint[][] = [new Array<bigint>(n0).fill(BigInt(input.max))];
  // Multiplicative depth per tensor: the longest chain of square/quadratic layers behind it.
  const depth: number[] = [0];
  layers.forEach((layer, li) => {
    const sparse = compileLinear(layer, shapes[li], shapes[li + 1]);
    depth.push(layer.type === 'add' ? Math.max(depth[li], depth[layer.from]) : depth[li] + (sparse || layer.type === 'flatten' ? 0 : 1));
    const L = sparse ? linearInputs(layer, li, lo) : lo[li], H = sparse ? linearInputs(layer, li, hi) : hi[li];
    if (sparse) {
      const nlo: bigint[] = [], nhi: bigint[] = [];
      for (let o = 0; o < sparse.outSize; o++) {
        let a = sparse.bias[o], b = sparse.bias[o];
        for (let k = sparse.start[o]; k < sparse.start[o + 1]; k++) {
          const w = BigInt(sparse.w[k]);
          const p = w * L[sparse.idx[k]], q = w * H[sparse.idx[k]];
          if (p < q) { a += p; b += q; } else { a += q; b += p; }
        }
        nlo.push(a); nhi.push(b);
      }
      lo.push(nlo); hi.push(nhi);
    } else if (layer.type === 'flatten') {
      lo.push(lo[li]); hi.push(hi[li]);
    } else {
      const C = shapes[li][shapes[li].length - 1];
      const nlo: bigint[] = [], nhi: bigint[] = [];
      for (let e = 0; e < L.length; e++) {
        const c = e % C;
        const [A, B, K] = layer.type === 'quadratic'
          ? [pick(layer.a, c), pick(layer.b, c), pick(layer.c, c)]
          : [1n, 0n, 0n];
        const [m, M] = quadraticRange(A, B, K, L[e], H[e]);
        nlo.push(m); nhi.push(M);
      }
      lo.push(nlo); hi.push(nhi);
    }
  });
  const maxAbs = lo.map((l, t) => {
    let m = 0n;
    for (let e = 0; e < l.length; e++) {
      const a = l[e] < 0n ? -l[e] : l[e];
      const b = hi[t][e] < 0n ? -hi[t][e] : hi[t][e];
      if (a > m) m = a;
      if (b > m) m = b;
    }
    return m;
  });
  const bits = maxAbs.map(bitLength);
  return { shapes, lo, hi, maxAbs, bits, maxBits: Math.max(...bits), multiplicativeDepth: Math.max(...depth) };
}

const pick = (arr: readonly bigint[], c: number): bigint => (arr.length === 1 ? arr[0] : arr[c]);

/** Exact [min, max] of A·x² + B·x + C over integers x in [lo, hi]. */
export function quadraticRange(A: bigint, B: bigint, C: bigint, lo: bigint, hi: bigint): [bigint, bigint] {
  const f = (x: bigint): bigint => (A * x + B) * x + C;
  const cands = [lo, hi];
  if (A !== 0n) {
    const v = floorDiv(-B, 2n * A);
    for (const x of [v, v + 1n]) if (x > lo && x < hi) cands.push(x);
  }
  let m = f(cands[0]), M = m;
  for (const x of cands) { const y = f(x); if (y < m) m = y; if (y > M) M = y; }
  return [m, M];
}

export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}
