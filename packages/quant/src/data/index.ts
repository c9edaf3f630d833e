/**
 * `@qhe/quant/data`: the files quant ships, without TF.js — the dataset
 * loaders (MNIST idx, MedMNIST `.npz`) and the committed integer models with
 * their manifest — for consumers (such as `@qhe/nn`'s `qhe` command) that need
 * no training.
 */
export * from './mnist.js';
export * from './idx.js';
export * from './npy.js';
export * from './npz.js';
export * from './medmnist.js';
export * from './pneumonia.js';
export * from './models.js';
