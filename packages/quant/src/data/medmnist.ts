/**
 * The MedMNIST `.npz` layout (Yang et al., "MedMNIST v2 — a large-scale
 * lightweight benchmark for 2D and 3D biomedical image classification",
 * Scientific Data 10, 41, 2023): per split s ∈ {train, val, test} the keys
 * `s_images` (uint8 [n, H, W] or [n, H, W, C]) and `s_labels` (integer
 * [n, 1] or [n]). Any non-empty subset of the splits may be present (the
 * repository's PneumoniaMNIST file has train and val only); every other key,
 * dtype or shape is a typed error. Images stay raw u8 in HWC order so that
 * input quantisation is an exact integer function of the pixels, as for MNIST.
 * No `node:` imports here (browsers parse the same bytes).
 */
import { fail } from '../model/errors.js';
import type { MnistSplit } from './mnist.js';
import type { NpyArray } from './npy.js';
import { parseNpz } from './npz.js';

export const MEDMNIST_SPLITS = ['train', 'val', 'test'] as const;
export type MedMnistSplitName = (typeof MEDMNIST_SPLITS)[number];

/** One split: `count` images of `shape` [H, W, C] (raw u8, HWC) and labels 0..classes−1. */
export interface MedMnistSplit extends MnistSplit {
  readonly shape: readonly [number, number, number];
}

export type MedMnist = Partial<Record<MedMnistSplitName, MedMnistSplit>>;

export interface MedMnistOptions {
  /** Labels must lie in [0, classes). Default: no upper bound beyond u8. */
  readonly classes?: number;
  /** Required image shape [H, W, C]. */
  readonly shape?: readonly [number, number, number];
  /** Splits that must be present. */
  readonly require?: readonly MedMnistSplitName[];
}

/** Validates the arrays of a MedMNIST `.npz` (already unzipped) and returns its splits. */
export function medMnistFromArrays(arrays: ReadonlyMap<string, NpyArray>, name: string, options: MedMnistOptions = {}): MedMnist {
  const where = `loadMedMnist(${name})`;
  const known = new Set(MEDMNIST_SPLITS.flatMap((s) => [`${s}_images`, `${s}_labels`]));
  for (const key of arrays.keys()) {
    if (!known.has(key)) fail('FILE_CORRUPT', where, `only the keys ${[...known].join(', ')}`, key);
  }
  const out: { -readonly [K in MedMnistSplitName]?: MedMnistSplit } = {};
  let shape0: readonly [number, number, number] | null = null;
  for (const s of MEDMNIST_SPLITS) {
    const im = arrays.get(`${s}_images`), lb = arrays.get(`${s}_labels`);
    if (!im && !lb) continue;
    if (!im || !lb) fail('FILE_CORRUPT', where, `both ${s}_images and ${s}_labels`, `only ${im ? `${s}_images` : `${s}_labels`}`);
    const split = toSplit(im, lb, `${where}.${s}`, options);
    if (shape0 && split.shape.some((d, i) => d !== shape0![i])) fail('FILE_CORRUPT', `${where}.${s}_images`, `image shape [${shape0.join(',')}] like the other splits`, `[${split.shape.join(',')}]`);
    shape0 = split.shape;
    out[s] = split;
  }
  if (!shape0) fail('FILE_CORRUPT', where, 'at least one split (train_*, val_* or test_*)', `keys [${[...arrays.keys()].join(', ')}]`);
  for (const s of options.require ?? []) if (!out[s]) fail('FILE_CORRUPT', where, `a ${s} split`, `splits [${Object.keys(out).join(', ')}]`);
  return out;
}

/** Parses the bytes of a MedMNIST `.npz`. */
export function parseMedMnist(buf: Uint8Array, name: string, options: MedMnistOptions = {}): MedMnist {
  return medMnistFromArrays(parseNpz(buf, name), name, options);
}

function toSplit(im: NpyArray, lb: NpyArray, where: string, o: MedMnistOptions): MedMnistSplit {
  if (im.dtype !== 'u1') fail('FILE_CORRUPT', `${where}_images`, 'dtype uint8', im.dtype);
  if (im.shape.length !== 3 && im.shape.length !== 4) fail('FILE_CORRUPT', `${where}_images`, 'shape [n, H, W] or [n, H, W, C]', `[${im.shape.join(',')}]`);
  const [n, H, W, C = 1] = im.shape;
  if (H < 1 || W < 1 || C < 1) fail('FILE_CORRUPT', `${where}_images`, 'non-empty images', `[${im.shape.join(',')}]`);
  const shape: [number, number, number] = [H, W, C];
  if (o.shape && o.shape.some((d, i) => d !== shape[i])) fail('FILE_CORRUPT', `${where}_images`, `images of shape [${o.shape.join(',')}]`, `[${shape.join(',')}]`);
  const flatLabels = lb.shape.length === 1 || (lb.shape.length === 2 && lb.shape[1] === 1);
  if (!flatLabels) fail('FILE_CORRUPT', `${where}_labels`, 'shape [n, 1] or [n] (single-label classification)', `[${lb.shape.join(',')}]`);
  if (lb.shape[0] !== n) fail('FILE_CORRUPT', `${where}_labels`, `${n} labels (one per image)`, lb.shape[0]);
  const labels = new Uint8Array(n);
  const max = Math.min(o.classes ?? 256, 256);
  for (let i = 0; i < n; i++) {
    const v = Number(lb.data[i]);
    if (!Number.isInteger(v) || v < 0 || v >= max) fail('FILE_CORRUPT', `${where}_labels[${i}]`, `a label in [0, ${max - 1}]`, v);
    labels[i] = v;
  }
  return { count: n, images: im.data as Uint8Array, labels, shape };
}
