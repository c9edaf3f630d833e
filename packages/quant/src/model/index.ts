/**
 * @qhe/quant/model — the TF.js-free integer model contract consumed by `nn`:
 * schema, validating loader, interval analysis and exact integer inference.
 *
 * @module @qhe/quant/model
 */
export * from './schema.js';
export { QuantError, type QuantErrorCode } from './errors.js';
export { parseIntegerModel, buildIntegerModel, integerModelToJson, serializeIntegerModel, quantizeInput } from './parse.js';
export { analyzeIntervals, quadraticRange, type IntervalAnalysis } from './interval.js';
export { forwardInteger, forwardIntegerTrace, predictInteger, argmax, type IntTensor } from './forward.js';
export { tensorShapes, layerOutputShape } from './shapes.js';
export { minPlainModulus } from './bounds.js';
export { compileLinear, linearInputs, type SparseLinear } from './compile.js';
export { binaryMetrics, rocAuc, type BinaryMetrics } from './metrics.js';
