/**
 * @qhe/quant — quantisation-aware training of HE-friendly MNIST networks
 * (Legiest et al. 2023; Baruch et al. 2021) and export to the integer model.
 * The TF.js-free contract lives in `@qhe/quant/model`.
 */
export * from './model/index.js';
export { loadMnist, loadSplit, takeSplit, defaultMnistDir, MNIST_FILES, type Mnist, type MnistSplit } from './data/mnist.js';
export * from './data/models.js';
export { parseIdx, readIdx, type IdxArray } from './data/idx.js';
export { Rng, permutation } from './data/prng.js';
export { initBackend } from './train/backend.js';
export { Network, networkSpec, type QuantConfig } from './train/network.js';
export { train, predictFloat, accuracy, DEFAULT_TRAIN, type TrainOptions, type TrainProgress, type TrainProgressFn } from './train/trainer.js';
export { exportIntegerModel } from './train/export.js';
export { runExperiment, trainTeacher, integerAccuracy, type ExperimentConfig, type ExperimentRow } from './train/experiment.js';
export { trainJob, type TrainJobConfig, type TrainJobHooks, type TrainJobResult } from './train/train-job.js';
export { sweepJob, sweepCells, type SweepJobConfig, type SweepJobHooks, type SweepPreset } from './train/sweep-job.js';
export * from './config.js';
export { markdownTable } from './report/table.js';
export { svgPlot } from './report/svg.js';
