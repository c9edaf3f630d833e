/**
 * `@qhe/bfv/parallel`: BFV on many cores. A WorkerPool of
 * `worker_threads` that hold the parameters and evaluation keys once, and a
 * ParallelEvaluator whose operations are promises computed in place on
 * SharedArrayBuffer-backed ciphertexts, bit-identical to the synchronous
 * Evaluator. See pool.ts (scheduling, faults), evaluator.ts (parallelism) and
 * operations.ts (the table of operations a worker runs).
 *
 * @module @qhe/bfv/parallel
 */
export { WorkerPool } from './pool.js';
export type { WorkerPoolOptions } from './pool.js';
export { ParallelEvaluator, splitRange } from './evaluator.js';
export type { ParallelEvaluatorOptions, MapOptions, MapFunction, MapEnvironment, LinearPlan } from './evaluator.js';
export { adoptShared, isShared } from './protocol.js';
export { SHARED_COLLECTION_BYTES, noteSharedAllocation, sharedCollections } from './collector.js';
export type { SharedCiphertext } from './protocol.js';
export { OPERATIONS } from './operations.js';
export type {
  ArgCodec,
  ArgCodecs,
  CallerScope,
  EvaluatorOp,
  EvaluatorOpDefinition,
  EvaluatorOpName,
  JobItem,
  OperationArgs,
  OperationName,
  Operations,
  Shape,
  Task,
  TaskArgs,
  TaskName,
  WorkerScope,
} from './operations.js';
