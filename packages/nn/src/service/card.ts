/**
 * The model card (`GET /v1/model`): everything a client needs to generate keys
 * and encrypt for this server, and everything a person should know before
 * sending an image: the model's name, input shape and quantization, class names
 * and recorded accuracy; per mode the inference plan (N, the q chain, the
 * plaintext primes t_j, the security bound, the mod-switch schedule, the Galois
 * elements the mode needs), the parameter fingerprint of every channel, and the
 * bytes a session and a request cost; whether the returned logits are
 * noise-flooded (circuit privacy) and at which statistical security; the
 * server's limits. Plans travel as JSON with bigints as decimal strings; the
 * client rebuilds them with `planFromJson`, which validates every field and
 * re-derives the fingerprints, so a card that does not describe consistent
 * parameters is refused before a key is generated.
 *
 * Runs in browsers (no `node:` imports).
 */
import { bfvParameters, parametersFingerprint } from '@qhe/bfv';
import type { InputSpec } from '@qhe/quant/model';
import { channelParameters, type FloodingPlan, type InferencePlan, type LayerPlan } from '../planner/index.js';
import type { PlanParameters } from '../planner/types.js';
import type { SinglePlanJson } from './single-plan-json.js';
import { ServiceError } from './errors.js';
import { WIRE_VERSION } from './wire.js';

/** The modes a server can offer: CryptoNets slot batching (N images per request) and one packed image. */
export type InferenceMode = 'batch' | 'single';
export const INFERENCE_MODES: readonly InferenceMode[] = Object.freeze(['batch', 'single']);

/** A field of the plan as JSON: bigints (and lists of them) as decimal strings. */
type Jsonified<T> = T extends bigint ? string : T extends readonly bigint[] ? readonly string[] : T;

/** PlanParameters as JSON: what batch and single plans share on the card. */
export type PlanParametersJson = { readonly [K in keyof PlanParameters]: Jsonified<PlanParameters[K]> };

/** InferencePlan as JSON (the model card's `plan`). */
export type PlanJson = { readonly [K in keyof InferencePlan]: Jsonified<InferencePlan[K]> };

export interface ModeCard {
  readonly mode: InferenceMode;
  /** Batch: the InferencePlan; single: what a client needs of the SinglePlan (single-plan-json.ts; no program: its diagonals are the weights). */
  readonly plan: PlanJson | SinglePlanJson;
  /** Images per request: 1..maxImages. */
  readonly maxImages: number;
  /** Input features per image (one ciphertext each in batch mode). */
  readonly features: number;
  readonly outputs: number;
  /** Inputs are accepted at levels 0..inputLevel (the first layer's level; seeded inputs are level 0). */
  readonly inputLevel: number;
  /** Evaluation keys a session of this mode uploads, per channel. */
  readonly evaluationKeys: { readonly publicKey: true; readonly relinKeys: true; readonly galoisElements: readonly number[] };
  /** Per channel: its plaintext prime and the @qhe/bfv parameter fingerprint its objects must carry. */
  readonly channels: readonly { readonly plainModulus: string; readonly fingerprint: string }[];
  /** Bytes on the wire (seeded forms where the scheme allows): the keys once per session, each request, each response. */
  readonly bytes: { readonly evaluationKeys: number; readonly request: number; readonly response: number };
}

export interface ModelCard {
  readonly service: 'qhe';
  readonly wireVersion: number;
  readonly model: {
    readonly name: string;
    readonly input: InputSpec;
    readonly outputs: number;
    readonly classNames: readonly string[];
    readonly layers: readonly string[];
    readonly multiplicativeDepth: number;
    readonly accuracy: { readonly float: number | null; readonly integer: number | null; readonly note: string };
  };
  readonly flooding: { readonly enabled: boolean; readonly statisticalSecurity: number | null; readonly note: string };
  readonly modes: { readonly batch?: ModeCard; readonly single?: ModeCard };
  readonly limits: {
    readonly maxSessions: number;
    readonly sessionIdleSeconds: number;
    readonly queueLength: number;
    readonly maxKeyBodyBytes: number;
    readonly maxInferBodyBytes: number;
  };
}

export function planToJson(plan: InferencePlan): PlanJson {
  const json: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(plan))
    json[k] = typeof v === 'bigint' ? String(v) : Array.isArray(v) && typeof v[0] === 'bigint' ? v.map(String) : k === 'layers' ? (v as LayerPlan[]).map((l) => ({ ...l })) : v;
  return json as PlanJson;
}

export function bad(what: string, got: unknown): never {
  const shown = typeof got === 'string' ? JSON.stringify(got.slice(0, 40)) : Array.isArray(got) ? `array(${got.length})` : got === null ? 'null' : typeof got;
  throw new ServiceError('PROTOCOL', `planFromJson: expected ${what}, got ${shown}`);
}

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
export const num = (o: Record<string, unknown>, k: string): number => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : bad(`a finite number "${k}"`, o[k]));
export const int = (o: Record<string, unknown>, k: string, lo: number, hi: number): number => {
  const v = num(o, k);
  return Number.isInteger(v) && v >= lo && v <= hi ? v : bad(`"${k}" an integer in [${lo}, ${hi}]`, v);
};
export const big = (v: unknown, what: string): bigint => (typeof v === 'string' && /^[0-9]{1,80}$/.test(v) ? BigInt(v) : bad(`${what} as a decimal string`, v));
export const bigs = (o: Record<string, unknown>, k: string, min: number): bigint[] => {
  const v = o[k];
  if (!Array.isArray(v) || v.length < min || v.length > 64) bad(`"${k}" a list of ${min}..64 decimal strings`, v);
  return v.map((x, i) => big(x, `${k}[${i}]`));
};

/** Rebuilds and validates an InferencePlan from its JSON (a model card's); refuses anything inconsistent. */
export function planFromJson(json: unknown): InferencePlan {
  if (!isObject(json)) bad('a plan object', json);
  const parameters = parametersFromJson(json);
  const layersIn = json.layers;
  if (!Array.isArray(layersIn) || layersIn.length < 1 || layersIn.length > 256) bad('"layers" a list of 1..256 layer plans', layersIn);
  const layers: LayerPlan[] = layersIn.map((l, i): LayerPlan => {
    if (!isObject(l)) bad(`layers[${i}] an object`, l);
    if (typeof l.type !== 'string') bad(`layers[${i}].type a string`, l.type);
    if (typeof l.relinearizeAfter !== 'boolean') bad(`layers[${i}].relinearizeAfter a boolean`, l.relinearizeAfter);
    return Object.freeze({
      index: int(l, 'index', i, i),
      type: l.type,
      level: int(l, 'level', 0, parameters.coeffModulus.length - 1),
      relinearizeAfter: l.relinearizeAfter,
      outSize: int(l, 'outSize', 2, 3),
      predictedBudget: num(l, 'predictedBudget'),
      outputs: int(l, 'outputs', 1, 1 << 24),
    });
  });
  return Object.freeze({ ...parameters, layers: Object.freeze(layers) });
}

/**
 * The parameter part of a plan's JSON (batch and single mode): every field
 * validated, every channel checked to be valid BFV parameters (primes,
 * NTT-friendliness, the security bound unless allowInsecure).
 */
export function parametersFromJson(json: Record<string, unknown>): PlanParameters {
  const kernel = json.kernel === 'u32' || json.kernel === 'u64' ? json.kernel : bad('"kernel" u32 or u64', json.kernel);
  if (typeof json.model !== 'string') bad('a string "model"', json.model);
  if (typeof json.allowInsecure !== 'boolean') bad('a boolean "allowInsecure"', json.allowInsecure);
  let flooding: FloodingPlan | null = null;
  if (json.flooding !== null) {
    const f = json.flooding;
    if (!isObject(f)) bad('"flooding" an object or null', f);
    flooding = Object.freeze({ statisticalSecurity: int(f, 'statisticalSecurity', 1, 256), ciphertexts: int(f, 'ciphertexts', 1, 1 << 30), reserveBits: num(f, 'reserveBits') });
  }
  const plan: PlanParameters = Object.freeze({
    model: json.model,
    polyDegree: int(json, 'polyDegree', 1024, 65536),
    kernel,
    coeffModulus: Object.freeze(bigs(json, 'coeffModulus', 1)),
    specialModulus: Object.freeze(bigs(json, 'specialModulus', 1)),
    plainModuli: Object.freeze(bigs(json, 'plainModuli', 1)),
    logQ: num(json, 'logQ'),
    logQP: num(json, 'logQP'),
    securityBound: json.securityBound === null ? null : num(json, 'securityBound'),
    maxAbs: big(json.maxAbs, 'maxAbs'),
    marginBits: num(json, 'marginBits'),
    freshBudget: num(json, 'freshBudget'),
    predictedFinalBudget: num(json, 'predictedFinalBudget'),
    estimatedCost: num(json, 'estimatedCost'),
    allowInsecure: json.allowInsecure,
    flooding,
  });
  for (let j = 0; j < plan.plainModuli.length; j++) {
    try {
      bfvParameters(channelParameters(plan, j));
    } catch (e) {
      bad(`valid BFV parameters for channel ${j}`, (e as Error).message);
    }
  }
  return plan;
}

/** The @qhe/bfv parameter fingerprint of each channel of a plan (what the card publishes). */
export function channelFingerprints(plan: PlanParameters): string[] {
  return plan.plainModuli.map((_, j) => parametersFingerprint(bfvParameters(channelParameters(plan, j))));
}

/** Checks a fetched card's basic shape and wire version; returns it typed. */
export function checkModelCard(json: unknown): ModelCard {
  const fn = 'checkModelCard';
  const fail = (what: string, got: unknown): never => {
    throw new ServiceError('PROTOCOL', `${fn}: expected ${what}, got ${got === null ? 'null' : typeof got === 'object' ? 'an object' : JSON.stringify(got)}`);
  };
  if (!isObject(json) || json.service !== 'qhe') fail('a qhe model card', isObject(json) ? json.service : json);
  const card = json as unknown as ModelCard;
  if (card.wireVersion !== WIRE_VERSION) fail(`wire version ${WIRE_VERSION}`, card.wireVersion);
  if (!isObject(card.model) || !isObject(card.model.input) || !Array.isArray(card.model.input.shape)) fail('a model with an input spec', card.model);
  if (!isObject(card.modes) || (!card.modes.batch && !card.modes.single)) fail('at least one mode', card.modes);
  return card;
}
