/**
 * `@qhe/quant/data`: the files quant ships, without TF.js — the MNIST idx
 * loader and the committed integer models with their manifest — for consumers
 * (such as `@qhe/nn`'s `qhe` command) that need no training.
 */
export * from './mnist.js';
export * from './idx.js';
export * from './models.js';
