/**
 * JSON (de)serialisation of the integer model with a validating loader. Every
 * field is checked ("field: expected X, got Y"), shapes are propagated, and the
 * stored integer sizes are re-derived by interval analysis and must match, so
 * `nn` can size BFV's plaintext modulus from a file without trusting it.
 * Big integers (biases, coefficients, maxAbs) are decimal strings because they
 * exceed 2^53; weights are small and stay JSON numbers.
 */
import { fail, QuantError } from './errors.js';
import { analyzeIntervals } from './interval.js';
import {
  MODEL_FORMAT, MODEL_VERSION, MODEL_VERSIONS, type ModelVersion,
  type IntegerLayer, type IntegerModel, type InputSpec, type Padding, type TensorInfo,
} from './schema.js';
import { size } from './shapes.js';

type Obj = Record<string, unknown>;

const F = 'MODEL_FIELD' as const;

function obj(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(F, where, 'an object', v);
  return v as Obj;
}
function int(v: unknown, where: string, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    fail(F, where, `a safe integer in [${min}, ${max}]`, v);
  }
  return v;
}
function num(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(F, where, 'a finite number', v);
  return v;
}
function str(v: unknown, where: string): string {
  if (typeof v !== 'string') fail(F, where, 'a string', v);
  return v;
}
function big(v: unknown, where: string): bigint {
  if (typeof v !== 'string' || !/^-?(0|[1-9][0-9]*)$/.test(v)) fail(F, where, 'a decimal integer string', v);
  return BigInt(v);
}
function arr(v: unknown, where: string, len?: number): unknown[] {
  if (!Array.isArray(v)) fail(F, where, len === undefined ? 'an array' : `an array of length ${len}`, v);
  if (len !== undefined && v.length !== len) fail(F, where, `an array of length ${len}`, v);
  return v;
}
const ints = (v: unknown, where: string, len: number, min = -Infinity, max = Infinity): number[] =>
  arr(v, where, len).map((x, i) => int(x, `${where}[${i}]`, min, max));
const bigs = (v: unknown, where: string, len?: number): bigint[] =>
  arr(v, where, len).map((x, i) => big(x, `${where}[${i}]`));

function padding(v: unknown, where: string): Padding {
  const o = obj(v, where);
  const p = (k: string) => int(o[k], `${where}.${k}`, 0, 1 << 16);
  return { top: p('top'), left: p('left'), bottom: p('bottom'), right: p('right') };
}

/** `index` = the layer's position (an `add` may read tensors 0..index). */
function layer(v: unknown, where: string, index: number, version: ModelVersion): IntegerLayer {
  const o = obj(v, where);
  const type = o.type;
  switch (type) {
    case 'conv2d': {
      const ks = ints(o.kernelShape, `${where}.kernelShape`, 4, 1, 1 << 16) as [number, number, number, number];
      return {
        type, kernelShape: ks,
        weights: ints(o.weights, `${where}.weights`, size(ks)),
        bias: bigs(o.bias, `${where}.bias`, ks[3]),
        stride: ints(o.stride, `${where}.stride`, 2, 1, 1 << 16) as [number, number],
        padding: padding(o.padding, `${where}.padding`),
      };
    }
    case 'dense': {
      const ws = ints(o.weightShape, `${where}.weightShape`, 2, 1, 1 << 24) as [number, number];
      return { type, weightShape: ws, weights: ints(o.weights, `${where}.weights`, ws[0] * ws[1]), bias: bigs(o.bias, `${where}.bias`, ws[1]) };
    }
    case 'sumPool':
      return {
        type,
        window: ints(o.window, `${where}.window`, 2, 1, 1 << 16) as [number, number],
        stride: ints(o.stride, `${where}.stride`, 2, 1, 1 << 16) as [number, number],
      };
    case 'flatten':
    case 'square':
      return { type };
    case 'quadratic':
      return { type, a: bigs(o.a, `${where}.a`), b: bigs(o.b, `${where}.b`), c: bigs(o.c, `${where}.c`) };
    case 'add': {
      if (version < 2) fail(F, `${where}.type`, 'one of conv2d|dense|sumPool|flatten|square|quadratic (add needs version 2)', type);
      // Factors stay exact in doubles (the sparse linear weights): |v| ≤ 2^53 − 1.
      const factors = (v: unknown, k: string): number[] => arr(v, `${where}.${k}`).map((x, i) => int(x, `${where}.${k}[${i}]`));
      return { type, from: int(o.from, `${where}.from`, 0, index), scale: factors(o.scale, 'scale'), fromScale: factors(o.fromScale, 'fromScale') };
    }
    default:
      return fail(F, `${where}.type`, `one of conv2d|dense|sumPool|flatten|square|quadratic${version >= 2 ? '|add' : ''}`, type);
  }
}

function inputSpec(v: unknown): InputSpec {
  const o = obj(v, 'input');
  const shape = ints(o.shape, 'input.shape', 3, 1, 1 << 16) as [number, number, number];
  const bits = int(o.bits, 'input.bits', 1, 16);
  const min = int(o.min, 'input.min');
  const max = int(o.max, 'input.max', min);
  const levels = int(o.levels, 'input.levels', 1);
  const scale = num(o.scale, 'input.scale');
  return { shape, bits, min, max, scale, levels };
}

/** Parses and validates an integer model (a JSON string or an already-parsed value). */
export function parseIntegerModel(json: unknown): IntegerModel {
  let root: unknown = json;
  if (typeof json === 'string') {
    try { root = JSON.parse(json); } catch (e) { fail('MODEL_FORMAT', 'parseIntegerModel', 'valid JSON', (e as Error).message); }
  }
  const o = obj(root, 'model');
  if (o.format !== MODEL_FORMAT) fail('MODEL_FORMAT', 'format', JSON.stringify(MODEL_FORMAT), o.format);
  if (!MODEL_VERSIONS.includes(o.version as ModelVersion)) fail('MODEL_VERSION', 'version', MODEL_VERSIONS.join(' or '), o.version);
  const version = o.version as ModelVersion;
  const name = str(o.name, 'name');
  const input = inputSpec(o.input);
  const layers = arr(o.layers, 'layers').map((l, i) => layer(l, `layers[${i}]`, i, version));
  if (layers.length === 0) fail(F, 'layers', 'at least one layer', layers);
  const analysis = analyzeIntervals(input, layers); // throws MODEL_SHAPE on inconsistent shapes
  const ts = arr(o.tensors, 'tensors', layers.length + 1);
  const tensors: TensorInfo[] = ts.map((t, i) => {
    const w = `tensors[${i}]`;
    const to = obj(t, w);
    const shape = ints(to.shape, `${w}.shape`, analysis.shapes[i].length, 1);
    if (shape.some((d, k) => d !== analysis.shapes[i][k])) fail('MODEL_SHAPE', `${w}.shape`, `[${analysis.shapes[i].join(',')}]`, `[${shape.join(',')}]`);
    const maxAbs = big(to.maxAbs, `${w}.maxAbs`);
    if (maxAbs !== analysis.maxAbs[i]) fail(F, `${w}.maxAbs`, `${analysis.maxAbs[i]} (interval analysis)`, to.maxAbs);
    const bits = int(to.bits, `${w}.bits`, 0);
    if (bits !== analysis.bits[i]) fail(F, `${w}.bits`, `${analysis.bits[i]} (interval analysis)`, bits);
    const scale = arr(to.scale, `${w}.scale`).map((s, k) => num(s, `${w}.scale[${k}]`));
    return { shape, maxAbs, bits, scale };
  });
  const maxBits = int(o.maxBits, 'maxBits', 0);
  if (maxBits !== analysis.maxBits) fail(F, 'maxBits', `${analysis.maxBits} (interval analysis)`, maxBits);
  const depth = int(o.multiplicativeDepth, 'multiplicativeDepth', 0);
  if (depth !== analysis.multiplicativeDepth) fail(F, 'multiplicativeDepth', `${analysis.multiplicativeDepth}`, depth);
  const metadata = o.metadata === undefined ? {} : obj(o.metadata, 'metadata');
  return { format: MODEL_FORMAT, version, name, input, layers, tensors, maxBits, multiplicativeDepth: depth, metadata };
}

/** Builds a model from layers, deriving tensor statistics by interval analysis. */
export function buildIntegerModel(spec: {
  name: string; input: InputSpec; layers: readonly IntegerLayer[];
  scales?: readonly (readonly number[])[]; metadata?: Record<string, unknown>;
}): IntegerModel {
  const a = analyzeIntervals(spec.input, spec.layers);
  const tensors: TensorInfo[] = a.shapes.map((shape, i) => ({
    shape, maxAbs: a.maxAbs[i], bits: a.bits[i], scale: spec.scales?.[i] ? [...spec.scales[i]] : [1],
  }));
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, name: spec.name, input: spec.input, layers: [...spec.layers],
    tensors, maxBits: a.maxBits, multiplicativeDepth: a.multiplicativeDepth, metadata: spec.metadata ?? {},
  };
}

/** The JSON value of a model (bigints as decimal strings). */
export function integerModelToJson(m: IntegerModel): Record<string, unknown> {
  const s = (xs: readonly bigint[]) => xs.map(String);
  return {
    format: m.format, version: m.version, name: m.name, input: m.input,
    maxBits: m.maxBits, multiplicativeDepth: m.multiplicativeDepth,
    tensors: m.tensors.map((t) => ({ shape: t.shape, maxAbs: t.maxAbs.toString(), bits: t.bits, scale: t.scale })),
    layers: m.layers.map((l) => {
      switch (l.type) {
        case 'conv2d': return { ...l, bias: s(l.bias) };
        case 'dense': return { ...l, bias: s(l.bias) };
        case 'quadratic': return { type: l.type, a: s(l.a), b: s(l.b), c: s(l.c) };
        default: return { ...l };
      }
    }),
    metadata: m.metadata,
  };
}

export function serializeIntegerModel(m: IntegerModel): string {
  return JSON.stringify(integerModelToJson(m));
}

/** Quantises raw u8 pixels: q = round(p·levels/255) half up, computed exactly in integers. */
export function quantizeInput(input: Pick<InputSpec, 'levels' | 'min'>, pixels: ArrayLike<number>): Int32Array {
  const q = new Int32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const p = pixels[i];
    if (!Number.isInteger(p) || p < 0 || p > 255) fail('INPUT_OUT_OF_RANGE', `quantizeInput(pixels[${i}])`, 'an integer in [0, 255]', p);
    q[i] = Math.floor((2 * p * input.levels + 255) / 510) + input.min;
  }
  return q;
}

export { QuantError };
