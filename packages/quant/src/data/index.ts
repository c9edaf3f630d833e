/**
 * `@qhe/quant/data`: the dataset loaders without TF.js (MNIST idx, MedMNIST
 * `.npz`), for consumers such as `@qhe/nn`'s `qhe` CLI that only need images.
 */
export * from './mnist.js';
export * from './idx.js';
export * from './npy.js';
export * from './npz.js';
export * from './medmnist.js';
export * from './pneumonia.js';
