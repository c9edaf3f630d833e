/**
 * The integer model: the contract between `quant` (which trains and exports it)
 * and `nn` (which evaluates it on BFV ciphertexts).
 *
 * BFV offers only integer-scalar × value, value + value, value + integer
 * constant and value × value (Fan & Vercauteren 2012), so the exported network
 * is a pure integer polynomial circuit: no division, rounding, requantisation
 * or comparison. Average pooling is a sum pool whose 1/k lives in the scale;
 * batch norm and biases are folded into integer weights/biases at export
 * (Legiest et al. 2023, §3: the integer sizes then grow layer by layer, and
 * their maximum fixes BFV's plaintext modulus). Activations are x² (Gilad-
 * Bachrach et al. 2016, CryptoNets) or a·x² + b·x + c (Baruch et al. 2021)
 * with integer coefficients whose scales are folded so evaluation is exact.
 * Residual connections (He et al. 2016, ResNet) are an `add` of an earlier
 * tensor: the two summands have different real scales and BFV cannot divide,
 * so both are multiplied by integer factors onto a common, finer scale.
 *
 * Tensors are flat arrays in HWC order (index (h·W + w)·C + c); `flatten`
 * therefore does not move data, it only changes the shape to [H·W·C].
 */

export const MODEL_FORMAT = 'qhe-integer-model';
/**
 * Version 2 added the `add` layer (residual connections); version-1 files
 * (sequential layers only) still load and keep their version.
 */
export const MODEL_VERSION = 2;
export const MODEL_VERSIONS = [1, 2] as const;
export type ModelVersion = (typeof MODEL_VERSIONS)[number];

export interface Padding { readonly top: number; readonly left: number; readonly bottom: number; readonly right: number; }

export interface Conv2dLayer {
  readonly type: 'conv2d';
  /** [kh, kw, cin, cout]. */
  readonly kernelShape: readonly [number, number, number, number];
  /** Flat HWIO: weights[((i·kw + j)·cin + ci)·cout + co]. Small integers. */
  readonly weights: readonly number[];
  /** Length cout, at the accumulator scale. */
  readonly bias: readonly bigint[];
  readonly stride: readonly [number, number];
  /** Zero rows/cols added around the input ('valid'/'same' resolved at export). */
  readonly padding: Padding;
}

export interface DenseLayer {
  readonly type: 'dense';
  /** [in, out]; the input must be rank 1 (after flatten). */
  readonly weightShape: readonly [number, number];
  /** Flat row-major: weights[i·out + o]. */
  readonly weights: readonly number[];
  readonly bias: readonly bigint[];
}

export interface SumPoolLayer {
  readonly type: 'sumPool';
  readonly window: readonly [number, number];
  readonly stride: readonly [number, number];
}

export interface FlattenLayer { readonly type: 'flatten'; }

export interface SquareLayer { readonly type: 'square'; }

/** y = a·x² + b·x + c per channel (last axis); arrays have length 1 (broadcast) or C. */
export interface QuadraticLayer {
  readonly type: 'quadratic';
  readonly a: readonly bigint[];
  readonly b: readonly bigint[];
  readonly c: readonly bigint[];
}

/**
 * y = scale·x + fromScale·t[from] per element, with x the layer's input and
 * t[from] an earlier tensor of the same shape (0 = the model input, i = the
 * output of layers[i−1]; from ≤ this layer's index). `scale` and `fromScale`
 * are safe integers per channel (last axis; length 1 = broadcast): the factors
 * that bring two tensors of real scales σ_x and σ_from onto the common scale
 * σ_y = σ_x/scale = σ_from/fromScale (schema version 2).
 */
export interface AddLayer {
  readonly type: 'add';
  readonly from: number;
  readonly scale: readonly number[];
  readonly fromScale: readonly number[];
}

export type IntegerLayer = Conv2dLayer | DenseLayer | SumPoolLayer | FlattenLayer | SquareLayer | QuadraticLayer | AddLayer;

export interface InputSpec {
  /** [H, W, C]. */
  readonly shape: readonly [number, number, number];
  /** Input bit width; integers lie in [min, max]. */
  readonly bits: number;
  readonly min: number;
  readonly max: number;
  /** Real input ≈ integer × scale (pixel/255 ≈ q / levels). */
  readonly scale: number;
  /** How raw u8 pixels p map to integers: q = floor((2·p·levels + 255) / 510), i.e. round(p·levels/255) half up. */
  readonly levels: number;
}

export interface TensorInfo {
  /** 0 = the input; i = output of layers[i-1]. */
  readonly shape: readonly number[];
  /** Worst-case |value| over all inputs in [min, max] (interval analysis). */
  readonly maxAbs: bigint;
  /** bitLength(maxAbs): every value satisfies |v| < 2^bits. */
  readonly bits: number;
  /** Real value ≈ integer × scale, per channel (length 1 = uniform). Informational. */
  readonly scale: readonly number[];
}

export interface IntegerModel {
  readonly format: typeof MODEL_FORMAT;
  readonly version: ModelVersion;
  readonly name: string;
  readonly input: InputSpec;
  readonly layers: readonly IntegerLayer[];
  /** layers.length + 1 entries. */
  readonly tensors: readonly TensorInfo[];
  /** max over tensors of bits. */
  readonly maxBits: number;
  /** Ciphertext × ciphertext multiplication levels: the most square/quadratic layers on any path from the input. */
  readonly multiplicativeDepth: number;
  /** Free-form training provenance (network, bit widths, accuracies, …). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

export function bitLength(v: bigint): number {
  let x = v < 0n ? -v : v;
  let n = 0;
  while (x > 0xffffffffn) { x >>= 32n; n += 32; }
  let s = Number(x);
  while (s > 0) { s = Math.floor(s / 2); n++; }
  return n;
}
