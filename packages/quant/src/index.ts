/**
 * @qhe/quant — quantisation-aware training of HE-friendly MNIST networks
 * (Legiest et al. 2023; Baruch et al. 2021) and export to the integer model.
 * The TF.js-free contract lives in `@qhe/quant/model`.
 */
export * from './model/index.js';
export { loadMnist, loadSplit, takeSplit, defaultMnistDir, MNIST_FILES, type Mnist, type MnistSplit } from './data/mnist.js';
export { parseIdx, readIdx, type IdxArray } from './data/idx.js';
export { Rng, permutation } from './data/prng.js';
export { initBackend } from './train/backend.js';
export { Network, networkSpec, type Activation, type NetworkName, type QuantConfig } from './train/network.js';
export { train, predictFloat, accuracy, DEFAULT_TRAIN, type TrainOptions } from './train/trainer.js';
export { exportIntegerModel } from './train/export.js';
export { runExperiment, trainTeacher, integerAccuracy, type ExperimentConfig, type ExperimentRow } from './train/experiment.js';
export { markdownTable } from './report/table.js';
export { svgPlot } from './report/svg.js';
