/**
 * Exact integer forward pass: computes precisely the integers BFV computes
 * (with a plaintext modulus larger than 2·maxAbs, decryption returns these
 * values). Plain doubles are used wherever the interval analysis proves every
 * partial sum stays below 2^53; elsewhere linear layers split their inputs into
 * limbs small enough that each limb's dot product is exact in doubles, and
 * combine the limbs in bigint — O(outputs·limbs) bigint work instead of
 * O(outputs·fan-in).
 */
import { compileLinear, type SparseLinear } from './compile.js';
import { fail } from './errors.js';
import type { IntegerModel } from './schema.js';
import { bitLength } from './schema.js';
import { size } from './shapes.js';

/** Values of one tensor of one image: doubles when provably exact, else bigints. */
export type IntTensor = Float64Array | bigint[];

const SAFE = 2 ** 53;

interface Plan {
  readonly sparse: (SparseLinear | null)[];
  readonly inMax: number[]; // maxAbs of each layer input, as double (may round up; only compared with 2^53)
  readonly outExact: boolean[]; // output tensor representable as doubles
  readonly inputSize: number;
}

const plans = new WeakMap<IntegerModel, Plan>();

function planFor(model: IntegerModel): Plan {
  let p = plans.get(model);
  if (p) return p;
  const shapes = model.tensors.map((t) => t.shape);
  const sparse = model.layers.map((l, i) => compileLinear(l, shapes[i], shapes[i + 1]));
  const maxAbs = model.tensors.map((t) => t.maxAbs);
  p = {
    sparse,
    inMax: maxAbs.map((m) => Number(m)),
    outExact: maxAbs.map((m) => m < BigInt(SAFE)),
    inputSize: size(model.input.shape),
  };
  plans.set(model, p);
  return p;
}

const toBig = (t: IntTensor, i: number): bigint => (t instanceof Float64Array ? BigInt(t[i]) : t[i]);

function linear(sparse: SparseLinear, x: IntTensor, inMax: number, outExact: boolean): IntTensor {
  const { start, idx, w, bias, outSize } = sparse;
  let maxBias = 0;
  for (const b of bias) maxBias = Math.max(maxBias, Math.abs(Number(b)));
  if (x instanceof Float64Array && inMax * sparse.maxAbsWeightSum + maxBias < SAFE) {
    const y = new Float64Array(outSize);
    for (let o = 0; o < outSize; o++) {
      let s = Number(bias[o]);
      for (let k = start[o]; k < start[o + 1]; k++) s += w[k] * x[idx[k]];
      y[o] = s;
    }
    return y;
  }
  // Limb split: |limb| < 2^L with 2^L·Σ|w| < 2^53 keeps each limb dot product exact.
  const L = Math.max(1, 52 - Math.ceil(Math.log2(sparse.maxAbsWeightSum + 1)));
  const inBits = bitLength(BigInt(Math.ceil(inMax)) + 1n);
  const nl = Math.max(1, Math.ceil(inBits / L));
  const limbs = splitLimbs(x, L, nl);
  const y: bigint[] = new Array(outSize);
  const BL = BigInt(L);
  for (let o = 0; o < outSize; o++) {
    let acc = 0n;
    for (let j = nl - 1; j >= 0; j--) {
      const lj = limbs[j];
      let s = 0;
      for (let k = start[o]; k < start[o + 1]; k++) s += w[k] * lj[idx[k]];
      acc = (acc << BL) + BigInt(s);
    }
    y[o] = acc + bias[o];
  }
  return outExact ? Float64Array.from(y, Number) : y;
}

/** Signed limbs: x = Σ_j limb_j·2^{jL}, every limb carries the sign of x and |limb| < 2^L. */
function splitLimbs(x: IntTensor, L: number, nl: number): Float64Array[] {
  const n = x.length;
  const limbs = Array.from({ length: nl }, () => new Float64Array(n));
  const mask = (1n << BigInt(L)) - 1n;
  const BL = BigInt(L);
  for (let i = 0; i < n; i++) {
    let v = toBig(x, i);
    const neg = v < 0n;
    if (neg) v = -v;
    for (let j = 0; j < nl; j++) {
      const l = Number(v & mask);
      limbs[j][i] = neg ? -l : l;
      v >>= BL;
    }
  }
  return limbs;
}

function polynomial(x: IntTensor, A: readonly bigint[], B: readonly bigint[], Cc: readonly bigint[], C: number, outExact: boolean): IntTensor {
  const n = x.length;
  if (x instanceof Float64Array && outExact && A.length === 1 && B.length === 1 && Cc.length === 1) {
    // Partial sums: |A|x², |B||x|, |C| each ≤ the analysed bound only if same sign; check the sum of magnitudes.
    const a = Number(A[0]), b = Number(B[0]), c = Number(Cc[0]);
    let mx = 0;
    for (let i = 0; i < n; i++) mx = Math.max(mx, Math.abs(x[i]));
    if (Math.abs(a) * mx * mx + Math.abs(b) * mx + Math.abs(c) < SAFE) {
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) y[i] = (a * x[i] + b) * x[i] + c;
      return y;
    }
  }
  const y: bigint[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const ch = i % C;
    const v = toBig(x, i);
    y[i] = (A[A.length === 1 ? 0 : ch] * v + B[B.length === 1 ? 0 : ch]) * v + Cc[Cc.length === 1 ? 0 : ch];
  }
  return outExact ? Float64Array.from(y, Number) : y;
}

function concat(a: IntTensor, b: IntTensor): IntTensor {
  if (a instanceof Float64Array && b instanceof Float64Array) {
    const y = new Float64Array(a.length + b.length);
    y.set(a); y.set(b, a.length);
    return y;
  }
  return [...Array.from(a as ArrayLike<number | bigint>, BigInt), ...Array.from(b as ArrayLike<number | bigint>, BigInt)];
}

/** Checks and converts one input image (already quantised integers). */
function inputTensor(model: IntegerModel, input: ArrayLike<number>, where: string): Float64Array {
  const n = size(model.input.shape);
  if (input.length !== n) fail('INVALID_ARGUMENT', where, `${n} input integers`, input.length);
  const x = Float64Array.from(input as ArrayLike<number>);
  const { min, max } = model.input;
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(x[i]) || x[i] < min || x[i] > max) fail('INPUT_OUT_OF_RANGE', `${where}[${i}]`, `an integer in [${min}, ${max}]`, x[i]);
  }
  return x;
}

/** Every tensor (input, then each layer's output) for one image. */
export function forwardIntegerTrace(model: IntegerModel, input: ArrayLike<number>): IntTensor[] {
  const plan = planFor(model);
  const out: IntTensor[] = [inputTensor(model, input, 'forwardInteger(input)')];
  model.layers.forEach((layer, i) => {
    const x = out[i];
    const sparse = plan.sparse[i];
    const exact = plan.outExact[i + 1];
    if (sparse && layer.type === 'add') {
      // The terms read [x, t[from]] (see compileLinear).
      out.push(linear(sparse, concat(x, out[layer.from]), Math.max(plan.inMax[i], plan.inMax[layer.from]), exact));
    } else if (sparse) out.push(linear(sparse, x, plan.inMax[i], exact));
    else if (layer.type === 'flatten') out.push(x);
    else {
      const C = model.tensors[i].shape[model.tensors[i].shape.length - 1];
      if (layer.type === 'square') out.push(polynomial(x, [1n], [0n], [0n], C, exact));
      else if (layer.type === 'quadratic') out.push(polynomial(x, layer.a, layer.b, layer.c, C, exact));
    }
  });
  return out;
}

/** Integer logits of one image. */
export function forwardInteger(model: IntegerModel, input: ArrayLike<number>): bigint[] {
  const t = forwardIntegerTrace(model, input);
  const last = t[t.length - 1];
  return Array.from(last as ArrayLike<number | bigint>, (v) => BigInt(v));
}

/** Argmax of logits (ties → lowest index), as BFV's client computes after decryption. */
export function argmax(logits: ArrayLike<number | bigint>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** Predicted classes for a batch of quantised images. */
export function predictInteger(model: IntegerModel, inputs: readonly ArrayLike<number>[]): Int32Array {
  const out = new Int32Array(inputs.length);
  inputs.forEach((x, i) => {
    const t = forwardIntegerTrace(model, x);
    out[i] = argmax(t[t.length - 1] as ArrayLike<number | bigint>);
  });
  return out;
}
