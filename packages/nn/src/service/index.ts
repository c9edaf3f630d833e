/**
 * `@qhe/nn/service`: encrypted inference as a network service.
 *
 * - Client side (runs in browsers too): `QheClient`, the model card types and
 *   `planFromJson`, the wire format, image decoding (`decodeImage`), `ServiceError`.
 * - Server side (Node): `InferenceService` (`qhe serve`).
 */
export { QheClient, type QheClientOptions, type ClassifyResult, type ClientTiming, type ClientStage, type Prediction, type ImagePixels } from './client.js';
export { singlePlanFromJson, singlePlanToJson, slotRuns, type SinglePlanJson } from './single-plan-json.js';
export { planFromJson, planToJson, parametersFromJson, checkModelCard, channelFingerprints, INFERENCE_MODES, type ModelCard, type ModeCard, type PlanJson, type PlanParametersJson, type InferenceMode } from './card.js';
export { ServiceError, type ServiceErrorCode } from './errors.js';
export { decodeImage, decodeImages, type DecodedImage } from './images.js';
export { WIRE_CONTENT_TYPE, WIRE_MAGIC, WIRE_VERSION, WireDecoder, encodeWire, decodeWire, type WireHeader, type WireLimits } from './wire.js';
export type { ServerTiming, KeyRole, KeysHeader, InferHeader, LogitsHeader } from './messages.js';
export { InferenceService, type ServiceOptions } from './server.js';
export { nodeFetch } from './node-fetch.js';
