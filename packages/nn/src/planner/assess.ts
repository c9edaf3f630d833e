/**
 * What a plan will cost the user, in their units: seconds (from the cost
 * model, calibrated on the default job) and bytes (exact ciphertext and key
 * sizes), and the warnings for plans that are feasible but absurd — a model
 * whose integers need many CRT channels runs every layer once per channel.
 */
import { bitLength } from '@qhe/bfv/math';
import type { IntegerModel } from '@qhe/quant/model';
import type { InferencePlan } from './types.js';

/**
 * Cost-model units per second on the reference machine (2 cores, worker pool):
 * the default CryptoNets job (estimated 1.94e11 units) took 126 s there.
 */
export const COST_UNITS_PER_SECOND = 1.94e11 / 126;
/** Above this many CRT channels a plan is accepted only with a warning. */
export const MAX_QUIET_CHANNELS = 8;
/** Above this estimated time (reference machine) a plan is accepted only with a warning. */
export const MAX_QUIET_SECONDS = 20 * 60;

export interface PlanAssessment {
  readonly channels: number;
  /** Estimated run time on the reference machine (2 cores), seconds. */
  readonly estimatedSeconds: number;
  /** Bytes of one ciphertext of size 2 at level 0. */
  readonly ciphertextBytes: number;
  /** The largest (inputs + outputs) ciphertext bytes of one layer of one channel: the server's working set. */
  readonly channelWorkingSetBytes: number;
  /** Public + relinearization keys of all channels. */
  readonly keyBytes: number;
  readonly warnings: readonly string[];
}

const gib = (b: number): string => `${(b / 2 ** 30).toFixed(2)} GiB`;
const duration = (s: number): string => (s < 120 ? `${s.toFixed(0)} s` : s < 7200 ? `${(s / 60).toFixed(0)} min` : `${(s / 3600).toFixed(1)} h`);

/** `model` is the plan's model (for its input size). */
export function assessPlan(plan: InferencePlan, model: Pick<IntegerModel, 'input'>): PlanAssessment {
  const n = plan.polyDegree;
  const word = plan.kernel === 'u32' ? 4 : 8;
  const L = plan.coeffModulus.length;
  const ctBytes = (size: number, level: number): number => size * (L - level) * n * word;
  // Layer i holds its inputs (switched to its level) and its outputs.
  let working = 0;
  let prev = { count: model.input.shape.reduce((a, b) => a * b, 1), size: 2 };
  for (const l of plan.layers) {
    working = Math.max(working, prev.count * ctBytes(prev.size, l.level) + l.outputs * ctBytes(l.outSize, l.level));
    prev = { count: l.outputs, size: l.outSize };
  }
  const channels = plan.plainModuli.length;
  // Public key: 2 polynomials over Q·P; relinearization key: one digit per data prime, 2 polynomials over Q·P each.
  const qp = L + plan.specialModulus.length;
  const keyBytes = channels * (2 * qp * n * word + L * 2 * qp * n * word);
  const estimatedSeconds = plan.estimatedCost / COST_UNITS_PER_SECOND;
  const warnings: string[] = [];
  if (channels > MAX_QUIET_CHANNELS || estimatedSeconds > MAX_QUIET_SECONDS) {
    warnings.push(
      `costly plan: ${channels} CRT channel(s) of ${[...new Set(plan.plainModuli.map(bitLength))].join('/')}-bit t for integers of ${bitLength(plan.maxAbs)} bits `
      + `(every layer runs once per channel); estimated ${duration(estimatedSeconds)} on 2 cores (the default CryptoNets job: ≈ 2 min), `
      + `${gib(channels * working)} of ciphertexts over the channels (${gib(working)} at a time), ${gib(keyBytes)} of keys. `
      + 'Smaller integers (fewer weight/input bits, smaller biases) need fewer channels.',
    );
  }
  return { channels, estimatedSeconds, ciphertextBytes: ctBytes(2, 0), channelWorkingSetBytes: working, keyBytes, warnings };
}
