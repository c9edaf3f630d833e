/**
 * @qhe/nn — encrypted inference of quantized integer models (`@qhe/quant/model`)
 * on BFV (`@qhe/bfv`): parameter planner, CryptoNets slot-batched layers
 * (Gilad-Bachrach et al., ICML 2016), client/server split.
 *
 * @module @qhe/nn
 */
export {
  planInference, formatPlan, channelParameters, batchingPrimes, assessPlan, PLANNING_MODES,
  type InferencePlan, type LayerPlan, type PlanOptions, type PlanParameters, type PlanningModels, type PlanAssessment, type FloodingPlan,
  type NoiseModel, type NoiseEnv, type NoiseHistory, type LayerNoiseRule, type CostModel, type CostEnv, type LayerCostRule, type LayerFacts, type LayerRole,
} from './planner/index.js';
export { InferenceClient, createChannelContexts, type ServerKeys, type EncryptedBatch, type EncryptOptions } from './client.js';
export { InferenceServer, type LayerReport, type RunOptions, type BackendFactory } from './server.js';
export { EvaluatorBackend, type HeBackend } from './backend.js';
export { PoolBackend, poolBackend } from './pool-backend.js';
export { measureOpTimings, planOperations, predictSeconds, type OpTimings, type LayerOps } from './predict.js';
export { planSingle, verifyPlan, encodeInputSlots, type SinglePlan, type SinglePlanOptions, type SingleLayerPlan } from './single/planner.js';
export type { ClientEncoding } from './single/compile.js';
export { SingleClient, createSingleContexts, type SingleClientPlan, type SingleClientOptions, type SingleServerKeys, type EncryptedImage, type EncryptedLogits } from './single/client.js';
export { SingleServer, singlePoolBackend, prepareSingleProgram, type PreparedProgram, type PreparedOp, type SingleLayerReport, type SingleRunOptions, type SingleBackendFactory } from './single/server.js';
export { EvaluatorSingleBackend, PoolSingleBackend, type SingleBackend, type SingleBackendKeys } from './single/backend.js';
export { simulateProgram, type PackedProgram, type ProgramOp, type TransformTerm } from './single/program.js';
export { formatSinglePlan } from './single/format.js';
