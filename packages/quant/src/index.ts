/**
 * @qhe/quant — quantisation-aware training of HE-friendly MNIST and chest X-ray networks
 * (Legiest et al. 2023; Baruch et al. 2021) and export to the integer model.
 * The TF.js-free contract lives in `@qhe/quant/model`.
 *
 * @module @qhe/quant
 */
export * from './model/index.js';
export { loadMnist, loadSplit, takeSplit, defaultMnistDir, MNIST_FILES, type Mnist, type MnistSplit } from './data/mnist.js';
export * from './data/models.js';
export { loadPneumoniaMnist, readMedMnist, PNEUMONIA_FILE, PNEUMONIA_CLASSES, type PneumoniaMnist } from './data/pneumonia.js';
export { parseMedMnist, medMnistFromArrays, MEDMNIST_SPLITS, type MedMnist, type MedMnistSplit, type MedMnistOptions } from './data/medmnist.js';
export { parseNpz } from './data/npz.js';
export { parseNpy, type NpyArray } from './data/npy.js';
export { parseIdx, readIdx, type IdxArray } from './data/idx.js';
export { Rng, permutation } from './data/prng.js';
export { initBackend } from './train/backend.js';
export { Network, networkSpec, withBatchNorm, QUADRATIC_INIT, type QuantConfig, type LayerSpec, type Params, type BatchNormParams, type Geometry, type ForwardMode } from './train/network.js';
export { train, predictFloat, logitsFloat, accuracy, balancedClassWeights, DEFAULT_TRAIN, type TrainOptions, type TrainProgress, type TrainProgressFn, type TrainResult } from './train/trainer.js';
export { exportIntegerModel } from './train/export.js';
export { runExperiment, trainTeacher, integerAccuracy, type ExperimentConfig, type ExperimentRow, type ExperimentResult } from './train/experiment.js';
export { trainJob, type TrainJobConfig, type TrainJobHooks, type TrainJobResult } from './train/train-job.js';
export { sweepJob, sweepCells, type SweepJobConfig, type SweepJobHooks, type SweepPreset, type SweepCell } from './train/sweep-job.js';
export { xrayJob, xrayCells, type XrayJobConfig, type XrayJobHooks } from './train/xray-job.js';
export { runXray, integerMetrics, floatMetrics, integerLogits, xrayKey, xrayModelName, XRAY_DEFAULTS, type XrayConfig, type XrayRow, type Metrics3 } from './train/xray.js';
export { xraySpec, XRAY_NETWORKS, type XrayNetwork } from './train/architectures.js';
export { alignScales, ADD_ALIGN_BITS, type Alignment } from './train/residual.js';
export { loadXrayRows, writeXrayReports, xrayTable, xraySvg, XRAY_CREDIT, type XrayPlan } from './report/xray.js';
export * from './config.js';
export { markdownTable } from './report/table.js';
export { svgPlot, type PlotOptions } from './report/svg.js';
