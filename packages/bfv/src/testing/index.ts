/**
 * `@qhe/bfv/testing`: building blocks for property-based suites against qhe.
 *
 * The idea: generate parameters, messages and whole circuits as plain data
 * (arbitraries.ts), run each circuit twice — on plaintext vectors with slotwise
 * arithmetic mod t, the specification, and on ciphertexts, the implementation
 * (circuit.ts) — and compare. Keys are the expensive part of a small test, so
 * they can be cached per context (keys.ts). digest.ts gives the canonical hashes
 * used by known-answer vectors. fast-check is an optional peer dependency; it is
 * needed only by this entry point.
 *
 * @module @qhe/bfv/testing
 */
export {
  arbParameters,
  arbMessage,
  arbSlots,
  arbNonZeroSlots,
  arbScalar,
  arbCircuit,
  arbCircuitInputs,
  arbCircuitWithInputs,
  ALL_CIRCUIT_OPS,
} from './arbitraries.js';
export type { ArbParametersOptions, MessageOptions, ArbCircuitOptions } from './arbitraries.js';
export {
  referenceEvaluate,
  runEncrypted,
  decryptSlots,
  rotateRowsReference,
  rotateColumnsReference,
  ancestors,
  formatCircuit,
} from './circuit.js';
export type { Circuit, CircuitOp, CircuitOpName, Trace, RunOptions, Slots } from './circuit.js';
export { galoisSlotsReference, linearTransformReference } from './linear.js';
export type { LinearTransformReferenceTerm } from './linear.js';
export { makeKeys, cachedKeys, cachedContext } from './keys.js';
export type { KeySet, MakeKeysOptions } from './keys.js';
export { ciphertextDigest, plaintextDigest, valuesDigest, seedFromLabel } from './digest.js';
export { smallParameters, catchQheError, throwsQheError } from './params.js';
export type { SmallParametersOptions } from './params.js';
