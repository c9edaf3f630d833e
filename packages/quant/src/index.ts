/**
 * @qhe/quant — quantisation-aware training of HE-friendly MNIST networks
 * (Legiest et al. 2023; Baruch et al. 2021) and export to the integer model.
 * The TF.js-free contract lives in `@qhe/quant/model`.
 *
 * @module @qhe/quant
 */
export * from './model/index.js';
export { loadMnist, loadSplit, takeSplit, defaultMnistDir, MNIST_FILES, type Mnist, type MnistSplit } from './data/mnist.js';
export * from './data/models.js';
export { parseIdx, readIdx, type IdxArray } from './data/idx.js';
export { Rng, permutation } from './data/prng.js';
export { initBackend } from './train/backend.js';
export { Network, networkSpec, type QuantConfig, type LayerSpec, type Params, type BatchNormParams, type Geometry, type ForwardMode } from './train/network.js';
export { train, predictFloat, accuracy, DEFAULT_TRAIN, type TrainOptions, type TrainProgress, type TrainProgressFn, type TrainResult } from './train/trainer.js';
export { exportIntegerModel } from './train/export.js';
export { runExperiment, trainTeacher, integerAccuracy, type ExperimentConfig, type ExperimentRow, type ExperimentResult } from './train/experiment.js';
export { trainJob, type TrainJobConfig, type TrainJobHooks, type TrainJobResult } from './train/train-job.js';
export { sweepJob, sweepCells, type SweepJobConfig, type SweepJobHooks, type SweepPreset, type SweepCell } from './train/sweep-job.js';
export * from './config.js';
export { markdownTable } from './report/table.js';
export { svgPlot, type PlotOptions } from './report/svg.js';
