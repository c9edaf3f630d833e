/** Small integer models for planner and CLI tests (deterministic, no Math.random). */
import { buildIntegerModel, type IntegerLayer, type IntegerModel } from '@qhe/quant/model';

export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

const weights = (r: () => number, k: number, max: number): number[] => Array.from({ length: k }, () => Math.round((r() * 2 - 1) * max));

/**
 * A linear MNIST-shaped model (28×28×1 → conv 7×7 stride 7 → 4×4×2 → dense 10),
 * 2-bit inputs: depth 0, one small t, planned at N = 4096; `biasBits` makes the
 * dense bias (and so the integers) that large, to force many CRT channels.
 */
export function tinyMnistModel(name = 'tiny-mnist', biasBits = 0): IntegerModel {
  const r = lcg(5);
  const big = biasBits > 0 ? 1n << BigInt(biasBits) : 0n;
  const layers: IntegerLayer[] = [
    { type: 'conv2d', kernelShape: [7, 7, 1, 2], weights: weights(r, 98, 3), bias: [1n, -2n], stride: [7, 7], padding: { top: 0, left: 0, bottom: 0, right: 0 } },
    { type: 'flatten' },
    { type: 'dense', weightShape: [32, 10], weights: weights(r, 320, 3), bias: Array.from({ length: 10 }, (_, i) => BigInt(i - 5) + (i % 2 ? big : -big)) },
  ];
  return buildIntegerModel({ name, input: { shape: [28, 28, 1], bits: 2, min: 0, max: 3, levels: 3, scale: 1 / 3 }, layers });
}
