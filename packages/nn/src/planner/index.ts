/**
 * Parameter planner: from a quantized integer model to BFV parameters.
 *
 * 1. Plaintext modulus (Legiest et al. 2023 §3): the circuit is exact iff the
 *    plaintext space holds every integer tensor, i.e. ∏ t_j > 2·maxAbs. One
 *    batching prime when that fits below the kernel's prime size, otherwise a
 *    CRT of k batching primes, each an independent channel (CryptoNets,
 *    Gilad-Bachrach et al. ICML 2016, §4 use the same CRT split) recombined by
 *    the client (`primes.ts`).
 * 2. Modulus chain: 29-bit (u32) data primes plus one special prime no smaller
 *    than any data prime (hybrid key switching, Gentry–Halevi–Smart 2012), total
 *    log2(Q·P) within the HomomorphicEncryption.org 2018 table (MAX_LOG_Q).
 * 3. Noise: a forward simulation of the invariant noise budget (`noise.ts`).
 * 4. Schedule: lazy relinearization and greedy modulus switching (`schedule.ts`).
 * 5. Circuit privacy (option `floodingSecurity` = λ): the server floods the
 *    returned logits (bfv flooding.ts) with noise of width 2^λ·N·k·2·B_e, B_e the
 *    noise bound at the margin, so the circuit must end with
 *    margin + floodingReserveBits(N, outputs·k, λ) ≈ margin + λ + log2(N·outputs·k) + 5
 *    bits; the reserve enters the schedule's end condition like the margin.
 * 6. Among feasible (N, L, k) the planner takes the lowest estimated cost (`cost.ts`).
 * The text form is `format.ts`.
 */
import { MAX_LOG_Q, QheError, bfvParameters, floodingReserveBits, type BfvParameterLiteral } from '@qhe/bfv';
import type { IntegerModel } from '@qhe/quant/model';
import { channelCost, batchedCostModel, type CostModel } from './cost.js';
import { layerFacts, log2 } from './facts.js';
import { batchedNoiseModel, simulate, type NoiseEnv, type NoiseModel } from './noise.js';
import { crtPlainPrimes } from './primes.js';
import { relinSchedule, scheduleLevels } from './schedule.js';
import { planBasics } from './basics.js';
import type { FloodingPlan, InferencePlan, LayerPlan, PlanOptions, PlanParameters } from './types.js';

export type { FloodingPlan, InferencePlan, LayerPlan, PlanOptions, PlanParameters } from './types.js';
export { formatPlan } from './format.js';
export { batchingPrimes } from './primes.js';
export { layerFacts, layerRole, LAYER_ROLES, type LayerFacts, type LayerRole } from './facts.js';
export { batchedNoiseModel, simulate, softMin, type NoiseEnv, type NoiseModel, type NoiseHistory, type LayerNoiseRule } from './noise.js';
export { batchedCostModel, channelCost, type CostEnv, type CostModel, type LayerCostRule } from './cost.js';
export { relinSchedule, scheduleLevels } from './schedule.js';
export { assessPlan, COST_UNITS_PER_SECOND, MAX_QUIET_CHANNELS, MAX_QUIET_SECONDS, type PlanAssessment } from './assess.js';

/** The noise and cost models of a data layout. */
export interface PlanningModels {
  readonly noise: NoiseModel;
  readonly cost: CostModel;
}

/** Data layouts the planner knows; CryptoNets slot batching (one image per slot) is the default. */
export const PLANNING_MODES = Object.freeze({
  batched: Object.freeze({ noise: batchedNoiseModel, cost: batchedCostModel }),
} satisfies Record<string, PlanningModels>);

const DEGREES = [1024, 2048, 4096, 8192, 16384, 32768];

function fail(message: string): never {
  throw new QheError('INVALID_PARAMETERS', message);
}

/** Chooses N, the chain, the plaintext primes and the mod-switch/relinearization schedule. */
export function planInference(model: IntegerModel, options: PlanOptions = {}): InferencePlan {
  const { noise, cost } = PLANNING_MODES.batched;
  const { kernel, primeBits, maxPlainBits: maxT, marginBits: margin, maxAbs, need } = planBasics(model, options);
  const images = options.images ?? 8192;
  if (!Number.isInteger(images) || images < 1) fail(`planInference: expected images ≥ 1, got ${images}`);
  const lambda = options.floodingSecurity;
  if (lambda !== undefined && (!Number.isInteger(lambda) || lambda < 1 || lambda > 128))
    fail(`planInference: expected floodingSecurity an integer in [1, 128] bits, got ${lambda}`);
  const facts = layerFacts(model);
  const relin = relinSchedule(facts);
  const inputs = model.input.shape.reduce((a, b) => a * b, 1);
  const degrees = options.polyDegree ? [options.polyDegree] : DEGREES;
  let best: { plan: Omit<InferencePlan, 'coeffModulus' | 'specialModulus' | 'logQ' | 'logQP'>; literal: BfvParameterLiteral } | null = null;
  const reasons: string[] = [];
  for (const n of degrees) {
    const bound = options.allowInsecure ? primeBits * 40 : MAX_LOG_Q[128][n];
    if (bound === undefined) fail(`planInference: expected a ring degree in the security table, got ${n}`);
    const minTBits = Math.ceil(Math.log2(2 * n)) + 2;
    if (minTBits > maxT) { reasons.push(`N=${n}: no batching prime ≤ ${maxT} bits`); continue; }
    const kMin = Math.max(1, Math.ceil(log2(need) / maxT));
    for (let k = kMin; k <= kMin + 2; k++) {
      // Smallest prime size whose k largest batching primes cover 2·maxAbs + 1.
      const ts = crtPlainPrimes(need, n, k, minTBits, maxT);
      if (!ts) { reasons.push(`N=${n}: ${k} plaintext prime(s) ≤ ${maxT} bits cannot hold 2·maxAbs+1 (${log2(need).toFixed(1)} bits)`); continue; }
      const logT = Math.max(...ts.map(log2));
      const outputs = facts.length ? facts[facts.length - 1].outputs : inputs;
      const flooding: FloodingPlan | null = lambda === undefined ? null
        : { statisticalSecurity: lambda, ciphertexts: outputs * k, reserveBits: floodingReserveBits(n, outputs * k, lambda) };
      const endBits = margin + (flooding?.reserveBits ?? 0);
      const maxData = Math.floor(bound / primeBits) - 1;
      let found = false;
      for (let L = 1; L <= maxData && !found; L++) {
        const qLog = primeBits - 0.01;
        const env: NoiseEnv = { n, logT, levelLogQ: Array.from({ length: L }, (_, l) => (L - l) * qLog) };
        if (noise.fresh(env, 0) < 1) continue;
        const levels = scheduleLevels(noise, env, facts, relin, endBits);
        if (!levels) continue;
        found = true;
        const budgets = simulate(noise, env, facts, relin, levels);
        const c = channelCost(cost, { n, dataPrimes: L }, facts, relin, levels, inputs) * k * Math.ceil(images / n);
        if (!best || c < best.plan.estimatedCost) {
          let size = 2;
          const layers = facts.map((f, i): LayerPlan => {
            if (f.role === 'multiply') size = 3;
            if (relin[i]) size = 2;
            return { index: i, type: f.type, level: levels[i], relinearizeAfter: relin[i], outSize: size, predictedBudget: budgets[i], outputs: f.outputs };
          });
          best = {
            plan: {
              model: model.name, polyDegree: n, kernel, plainModuli: ts, securityBound: options.allowInsecure ? null : bound,
              maxAbs, marginBits: margin, freshBudget: noise.fresh(env, 0), layers,
              predictedFinalBudget: budgets.length ? budgets[budgets.length - 1] : noise.fresh(env, 0), estimatedCost: c,
              allowInsecure: !!options.allowInsecure, flooding,
            },
            literal: { polyDegree: n, coeffModulus: Array(L).fill(primeBits), specialModulus: [primeBits], plainModulus: ts[0], kernel, allowInsecure: options.allowInsecure },
          };
        }
      }
      if (!found) reasons.push(`N=${n}, ${k}×${log2(ts[0]).toFixed(0)}-bit t: noise budget below the ${margin}-bit margin${flooding ? ` + ${flooding.reserveBits}-bit flooding reserve` : ''} within log2(Q·P) ≤ ${bound}`);
    }
  }
  if (!best) {
    fail(`planInference(${model.name}): expected parameters within the 128-bit security bound with maxAbs = ${maxAbs} (${log2(need).toFixed(1)} bits for t) and multiplicative depth ${model.multiplicativeDepth}, got none: ${reasons.join('; ')}`);
  }
  const params = bfvParameters(best.literal);
  return Object.freeze({ ...best.plan, coeffModulus: params.coeffModulus, specialModulus: params.specialModulus, logQ: params.logQ, logQP: params.logQP });
}

/** Parameter literal for channel j of a plan (same q chain, its own t_j). */
export function channelParameters(plan: PlanParameters, j: number): BfvParameterLiteral {
  return {
    polyDegree: plan.polyDegree, kernel: plan.kernel, coeffModulus: plan.coeffModulus, specialModulus: plan.specialModulus,
    plainModulus: plan.plainModuli[j], allowInsecure: plan.allowInsecure,
  };
}
