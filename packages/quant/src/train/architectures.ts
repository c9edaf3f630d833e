/**
 * Deeper HE-friendly networks for 28 × 28 chest X-rays (PneumoniaMNIST), each
 * kept to multiplicative depth 3 so that BFV stays practical (every
 * activation squares the integer size and costs one ciphertext level):
 * - `resnet`: a small ResNet (He et al. 2016) — a strided stem, sum pooling,
 *   one residual block (conv → act → conv, plus the skip connection) and a
 *   pooled linear classifier. The skip is an integer `add` with aligned scales.
 * - `alexnet`: an AlexNet-style stack (Krizhevsky et al. 2012, as scaled down
 *   for HE by Baruch et al. 2021): a 5 × 5 strided conv, sum pooling, two 3 × 3
 *   convs, sum pooling, linear classifier.
 * Activations sit after pooling where possible (fewer ciphertext squares).
 * Average pooling trains as average and exports as a sum pool (1/k in the scale).
 */
import type { Padding } from '../model/schema.js';
import type { LayerSpec } from './network.js';

export const XRAY_NETWORKS = ['resnet', 'alexnet'] as const;
export type XrayNetwork = (typeof XRAY_NETWORKS)[number];

export interface XrayNetworkOptions {
  /** Output classes (PneumoniaMNIST: 2). */
  readonly classes?: number;
  /** Channels of the first conv; later layers scale with it. Default 8. */
  readonly width?: number;
}

const pad = (top: number, left: number, bottom = top, right = left): Padding => ({ top, left, bottom, right });

export function xraySpec(name: XrayNetwork, options: XrayNetworkOptions = {}): LayerSpec[] {
  const classes = options.classes ?? 2;
  const w = options.width ?? 8;
  if (name === 'resnet') {
    return [
      { kind: 'conv', k: 3, cout: w, stride: 2, padding: pad(1, 1, 0, 0) }, // 28 → 14
      { kind: 'avgPool', window: 2, stride: 2 }, // → 7×7×w
      { kind: 'act' }, // 2: the block's input
      { kind: 'conv', k: 3, cout: w, stride: 1, padding: pad(1, 1) },
      { kind: 'act' },
      { kind: 'conv', k: 3, cout: w, stride: 1, padding: pad(1, 1) },
      { kind: 'add', from: 2 }, // skip connection
      { kind: 'act' },
      { kind: 'avgPool', window: 3, stride: 2 }, // → 3×3×w
      { kind: 'flatten' },
      { kind: 'dense', out: classes },
    ];
  }
  const w2 = Math.round(1.5 * w);
  return [
    { kind: 'conv', k: 5, cout: w, stride: 2, padding: pad(2, 2) }, // 28 → 14
    { kind: 'avgPool', window: 2, stride: 2 }, // → 7×7×w
    { kind: 'act' },
    { kind: 'conv', k: 3, cout: w2, stride: 1, padding: pad(1, 1) },
    { kind: 'act' },
    { kind: 'conv', k: 3, cout: w2, stride: 1, padding: pad(1, 1) },
    { kind: 'avgPool', window: 3, stride: 2 }, // → 3×3×w2
    { kind: 'act' },
    { kind: 'flatten' },
    { kind: 'dense', out: classes },
  ];
}
