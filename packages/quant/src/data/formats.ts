/**
 * `@qhe/quant/formats`: the dataset file parsers that run in browsers too (no
 * `node:` imports): MNIST idx, NumPy .npy/.npz and the MedMNIST .npz layout.
 * Bytes in, arrays out; reading files is the Node-side loaders' job (data/).
 */
export { parseIdx, type IdxArray } from './idx-format.js';
export { parseNpy, type NpyArray, type NpyDtype, type NpyData } from './npy.js';
export { parseNpz } from './npz.js';
export { parseMedMnist, medMnistFromArrays, MEDMNIST_SPLITS, type MedMnist, type MedMnistSplit, type MedMnistSplitName, type MedMnistOptions } from './medmnist.js';
