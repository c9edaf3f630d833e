/**
 * @qhe/nn — encrypted inference of quantized integer models (`@qhe/quant/model`)
 * on BFV (`@qhe/bfv`): parameter planner, CryptoNets slot-batched layers
 * (Gilad-Bachrach et al., ICML 2016), client/server split.
 */
export { planInference, formatPlan, channelParameters, batchingPrimes, type InferencePlan, type LayerPlan, type PlanOptions, type FloodingPlan } from './planner.js';
export {
  InferenceClient, InferenceServer, EvaluatorBackend, createChannelContexts,
  type HeBackend, type ServerKeys, type EncryptedBatch, type EncryptOptions, type LayerReport, type RunOptions, type BackendFactory,
} from './inference.js';
export { PoolBackend, poolBackend } from './pool-backend.js';
