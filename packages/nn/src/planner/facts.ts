/**
 * What the noise and cost models need to know about each layer of an integer
 * model: its kind (how it changes the ciphertexts) and its size facts (worst
 * weight norm, number of scalar products, outputs, activation coefficients).
 */
import { bitLength } from '@qhe/bfv/math';
import { compileLinear, tensorShapes, type IntegerModel } from '@qhe/quant/model';

/**
 * How a layer kind acts on ciphertexts:
 * - `linear`: integer-weighted sums of its inputs (size unchanged; absorbs a pending relinearization);
 * - `multiply`: a ciphertext product (size 2 → 3; relinearize before the next product);
 * - `reshape`: no homomorphic work (flatten: HWC data is already flat).
 */
export type LayerRole = 'linear' | 'multiply' | 'reshape';

/** The role of each layer type; a new layer type adds its line here (and its rules in noise.ts and cost.ts). */
export const LAYER_ROLES: Readonly<Record<string, LayerRole>> = {
  conv2d: 'linear', dense: 'linear', sumPool: 'linear', add: 'linear',
  square: 'multiply', quadratic: 'multiply',
  flatten: 'reshape',
};

export function layerRole(type: string): LayerRole {
  const role = LAYER_ROLES[type];
  if (role === undefined) throw new TypeError(`layerRole: expected a layer type of ${Object.keys(LAYER_ROLES).join(', ')}, got ${JSON.stringify(type)}`);
  return role;
}

export interface LayerFacts {
  readonly type: string;
  readonly role: LayerRole;
  /** Linear layers: log2 of the worst output's weight ℓ2 norm, + ½ (random-walk noise growth). */
  readonly l2Bits: number;
  /** Linear layers: scalar × ciphertext products (the non-zero terms). */
  readonly terms: number;
  readonly outputs: number;
  /** Quadratic activations: bits of the largest |a| (+1); 0 otherwise. */
  readonly coefBits: number;
  /** Residual add: the earlier tensor it reads and log2 of the largest factor on each summand. */
  readonly from?: number;
  readonly scaleBits?: number;
  readonly fromScaleBits?: number;
}

/** Per-layer facts of a model, in layer order. */
export function layerFacts(model: IntegerModel): LayerFacts[] {
  const shapes = tensorShapes(model.input.shape, model.layers);
  return model.layers.map((layer, i): LayerFacts => {
    const outputs = shapes[i + 1].reduce((a, b) => a * b, 1);
    const role = layerRole(layer.type);
    const sparse = compileLinear(layer, shapes[i], shapes[i + 1]);
    if (sparse) {
      let worst = 1;
      for (let o = 0; o < sparse.outSize; o++) {
        let s = 0;
        for (let k = sparse.start[o]; k < sparse.start[o + 1]; k++) s += sparse.w[k] * sparse.w[k];
        worst = Math.max(worst, s);
      }
      const maxBits = (f: readonly number[]): number => Math.log2(Math.max(1, ...f.map(Math.abs)));
      const add = layer.type === 'add' ? { from: layer.from, scaleBits: maxBits(layer.scale), fromScaleBits: maxBits(layer.fromScale) } : {};
      return { type: layer.type, role, l2Bits: 0.5 * Math.log2(worst) + 0.5, terms: sparse.idx.length, outputs, coefBits: 0, ...add };
    }
    if (layer.type === 'quadratic') {
      let a = 1n;
      for (const v of layer.a) a = (v < 0n ? -v : v) > a ? (v < 0n ? -v : v) : a;
      return { type: layer.type, role, l2Bits: 0, terms: 0, outputs, coefBits: log2(a) + 1 };
    }
    return { type: layer.type, role, l2Bits: 0, terms: 0, outputs, coefBits: 0 };
  });
}

/** log2 of a positive bigint of any size, as a float (exact to double precision). */
export function log2(x: bigint): number {
  const bits = bitLength(x);
  return bits > 53 ? Math.log2(Number(x >> BigInt(bits - 53))) + (bits - 53) : Math.log2(Number(x));
}
