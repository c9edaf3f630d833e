/**
 * @qhe/nn — encrypted inference of quantized integer models (`@qhe/quant/model`)
 * on BFV (`@qhe/bfv`): parameter planner, CryptoNets slot-batched layers
 * (Gilad-Bachrach et al., ICML 2016), client/server split.
 */
export {
  planInference, formatPlan, channelParameters, batchingPrimes, assessPlan, PLANNING_MODES,
  type InferencePlan, type LayerPlan, type PlanOptions, type PlanningModels, type PlanAssessment, type FloodingPlan,
} from './planner/index.js';
export { InferenceClient, createChannelContexts, type ServerKeys, type EncryptedBatch, type EncryptOptions } from './client.js';
export { InferenceServer, type LayerReport, type RunOptions, type BackendFactory } from './server.js';
export { EvaluatorBackend, type HeBackend } from './backend.js';
export { PoolBackend, poolBackend } from './pool-backend.js';
