/**
 * `@qhe/quant/data`: the MNIST idx loader without TF.js, for consumers (such as
 * `@qhe/nn`'s `qhe` demo) that only need the images.
 */
export * from './mnist.js';
export * from './idx.js';
