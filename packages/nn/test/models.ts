/**
 * Small integer models shared by the tests: deterministic weights (an LCG, no
 * Math.random: reproducible failures), sizes that N = 1024–2048 plans hold.
 */
import { buildIntegerModel, type IntegerLayer, type IntegerModel } from '@qhe/quant/model';

/** Deterministic numbers in [0, 1). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 6×6×1 input (4-bit), conv 3×3×2 stride 2, square, dense 18 → 4: depth 1. */
export function tinyModel(weightMax = 7, name = 'tiny', options: { seed?: number; metadata?: Record<string, unknown> } = {}): IntegerModel {
  const r = lcg(options.seed ?? 7);
  const w = (k: number) => Array.from({ length: k }, () => Math.round((r() * 2 - 1) * weightMax));
  const layers: IntegerLayer[] = [
    { type: 'conv2d', kernelShape: [3, 3, 1, 2], weights: w(18), bias: [3n, -5n], stride: [2, 2], padding: { top: 1, left: 1, bottom: 0, right: 0 } },
    { type: 'square' },
    { type: 'flatten' },
    { type: 'dense', weightShape: [18, 4], weights: w(72), bias: [1n, 0n, -2n, 7n] },
  ];
  return buildIntegerModel({ name, input: { shape: [6, 6, 1], bits: 4, min: 0, max: 15, levels: 15, scale: 1 / 15 }, layers, ...(options.metadata ? { metadata: options.metadata } : {}) });
}

/** 4×4×1 input (4-bit), conv 2×2×2 stride 2, square, dense 8 → 3: the cheapest model with every layer kind of CryptoNets (load tests). */
export function microModel(seed = 5, name = 'micro'): IntegerModel {
  const r = lcg(seed);
  const w = (k: number) => Array.from({ length: k }, () => Math.round((r() * 2 - 1) * 7));
  const layers: IntegerLayer[] = [
    { type: 'conv2d', kernelShape: [2, 2, 1, 2], weights: w(8), bias: [2n, -1n], stride: [2, 2], padding: { top: 0, left: 0, bottom: 0, right: 0 } },
    { type: 'square' },
    { type: 'flatten' },
    { type: 'dense', weightShape: [8, 3], weights: w(24), bias: [1n, -3n, 2n] },
  ];
  return buildIntegerModel({ name, input: { shape: [4, 4, 1], bits: 4, min: 0, max: 15, levels: 15, scale: 1 / 15 }, layers });
}
