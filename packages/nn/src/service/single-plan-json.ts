/**
 * The single-mode plan as a model card publishes it: what a client needs to
 * make keys, encrypt one image and read the logits (SingleClientPlan) — the
 * parameters, the input layout (LoLa's convolution representation: which input
 * pixel each slot of each input ciphertext holds), the output slots, the Galois
 * elements with the level each key is made for, the relinearization level —
 * and never the packed program, whose diagonals are the model's weights.
 *
 * Slot maps travel as runs: flat quadruples [slot, count, first, step] meaning
 * map[slot + i] = first + i·step for i < count; slots in no run hold no input.
 * A slot map of N entries (N up to 32768, dozens of ciphertexts) is then a few
 * hundred numbers instead of a megabyte of JSON. `singlePlanFromJson` checks
 * every field (ranges, the runs inside the ring and the image, keys levels
 * inside the chain) and the parameters as card.ts does for batch plans.
 *
 * Runs in browsers (no `node:` imports).
 */
import type { SingleClientPlan } from '../single/client.js';
import { bad, int, isObject, parametersFromJson, type PlanParametersJson } from './card.js';

const ZERO = -1;

export interface SinglePlanJson extends PlanParametersJson {
  readonly mode: 'single';
  readonly inputLevel: number;
  readonly inputSize: number;
  readonly inputMin: number;
  readonly inputMax: number;
  readonly input: { readonly kind: string; readonly note: string; readonly runs: readonly (readonly number[])[] };
  readonly outputSlots: readonly number[];
  /** [Galois element, level its key is made for], ascending by element. */
  readonly galoisKeys: readonly (readonly [number, number])[];
  readonly galoisSteps: readonly string[];
  readonly relinLevel: number;
  /** Per layer, for people reading the card: type, level, predicted budget. */
  readonly layers: readonly { readonly type: string; readonly level: number; readonly predictedBudget: number }[];
}

/** The runs of a slot map (header). */
export function slotRuns(map: Int32Array): number[] {
  const runs: number[] = [];
  let i = 0;
  while (i < map.length) {
    if (map[i] === ZERO) { i++; continue; }
    const first = map[i];
    const step = i + 1 < map.length && map[i + 1] !== ZERO ? map[i + 1] - first : 0;
    let count = 1;
    while (i + count < map.length && map[i + count] !== ZERO && map[i + count] === first + count * step) count++;
    runs.push(i, count, first, step);
    i += count;
  }
  return runs;
}

function slotMapFromRuns(runs: unknown, n: number, size: number, what: string): Int32Array {
  if (!Array.isArray(runs) || runs.length % 4 !== 0 || runs.length > 4 * n) bad(`${what} a list of [slot, count, first, step] quadruples`, runs);
  const map = new Int32Array(n).fill(ZERO);
  let end = 0;
  for (let r = 0; r < runs.length; r += 4) {
    const [slot, count, first, step] = runs.slice(r, r + 4) as number[];
    if (![slot, count, first, step].every(Number.isSafeInteger) || slot < end || count < 1 || slot + count > n)
      bad(`${what} runs of integers, ascending and inside the ${n} slots`, `[${runs.slice(r, r + 4).join(', ')}]`);
    const last = first + (count - 1) * step;
    if (first < 0 || first >= size || last < 0 || last >= size) bad(`${what} input indices in [0, ${size})`, `${first}..${last}`);
    for (let i = 0; i < count; i++) map[slot + i] = first + i * step;
    end = slot + count;
  }
  return map;
}

export function singlePlanToJson(plan: SingleClientPlan & { readonly layers: readonly { readonly type: string; readonly level: number; readonly predictedBudget: number }[] }): SinglePlanJson {
  return {
    mode: 'single',
    model: plan.model,
    polyDegree: plan.polyDegree,
    kernel: plan.kernel,
    coeffModulus: plan.coeffModulus.map(String),
    specialModulus: plan.specialModulus.map(String),
    plainModuli: plan.plainModuli.map(String),
    logQ: plan.logQ,
    logQP: plan.logQP,
    securityBound: plan.securityBound,
    maxAbs: String(plan.maxAbs),
    marginBits: plan.marginBits,
    freshBudget: plan.freshBudget,
    predictedFinalBudget: plan.predictedFinalBudget,
    estimatedCost: plan.estimatedCost,
    allowInsecure: plan.allowInsecure,
    flooding: plan.flooding ? { ...plan.flooding } : null,
    inputLevel: plan.inputLevel,
    inputSize: plan.inputSize,
    inputMin: plan.inputMin,
    inputMax: plan.inputMax,
    input: { kind: plan.input.kind, note: plan.input.note, runs: plan.input.ciphertexts.map(slotRuns) },
    outputSlots: [...plan.outputSlots],
    galoisKeys: [...plan.galoisKeyLevels].sort((a, b) => a[0] - b[0]),
    galoisSteps: [...plan.galoisSteps],
    relinLevel: plan.relinLevel,
    layers: plan.layers.map((l) => ({ type: l.type, level: l.level, predictedBudget: l.predictedBudget })),
  };
}

/** Rebuilds and validates a SingleClientPlan from a model card's JSON; refuses anything inconsistent. */
export function singlePlanFromJson(json: unknown): SingleClientPlan {
  if (!isObject(json) || json.mode !== 'single') bad('a single-mode plan object', isObject(json) ? json.mode : json);
  const p = parametersFromJson(json);
  const n = p.polyDegree;
  const top = p.coeffModulus.length - 1;
  // The packed layout needs slots: every t_j a batching prime (t ≡ 1 mod 2N).
  for (const t of p.plainModuli) if (t % BigInt(2 * n) !== 1n) bad(`plaintext moduli ≡ 1 (mod ${2 * n}) (batching)`, String(t));
  const inputMin = int(json, 'inputMin', -(2 ** 30), 2 ** 30);
  const inputMax = int(json, 'inputMax', inputMin, 2 ** 30);
  const inputSize = int(json, 'inputSize', 1, n * 64);
  const input = json.input;
  if (!isObject(input) || !['im2col', 'windowed', 'replicated'].includes(input.kind as string) || typeof input.note !== 'string' || !Array.isArray(input.runs) || input.runs.length < 1 || input.runs.length > 4096)
    bad('"input" { kind, note, runs: 1..4096 slot maps }', input);
  const ciphertexts = input.runs.map((r, i) => slotMapFromRuns(r, n, inputSize, `input.runs[${i}]`));
  const outs = json.outputSlots;
  if (!Array.isArray(outs) || outs.length < 1 || outs.length > n || !outs.every((s) => Number.isInteger(s) && s >= 0 && s < n)) bad(`"outputSlots" 1..${n} slots in [0, ${n})`, outs);
  const gk = json.galoisKeys;
  if (!Array.isArray(gk) || gk.length > 2 * n) bad('"galoisKeys" a list of [element, level] pairs', gk);
  const galoisKeyLevels = new Map<number, number>();
  for (const pair of gk) {
    if (!Array.isArray(pair) || pair.length !== 2) bad('"galoisKeys" entries [element, level]', pair);
    const [g, level] = pair as unknown[];
    if (!Number.isInteger(g) || (g as number) < 3 || (g as number) >= 2 * n || (g as number) % 2 !== 1 || galoisKeyLevels.has(g as number)) bad(`distinct odd Galois elements in [3, ${2 * n})`, g);
    if (!Number.isInteger(level) || (level as number) < 0 || (level as number) > top) bad(`Galois key levels in [0, ${top}]`, level);
    galoisKeyLevels.set(g as number, level as number);
  }
  const steps = json.galoisSteps;
  if (!Array.isArray(steps) || !steps.every((s) => typeof s === 'string' && s.length <= 40)) bad('"galoisSteps" a list of strings', steps);
  if (!Array.isArray(json.layers)) bad('"layers" a list', json.layers);
  return Object.freeze({
    ...p,
    mode: 'single' as const,
    inputLevel: int(json, 'inputLevel', 0, top),
    inputSize,
    inputMin,
    inputMax,
    input: Object.freeze({ kind: input.kind as 'im2col' | 'windowed' | 'replicated', note: input.note, ciphertexts: Object.freeze(ciphertexts) }),
    outputSlots: Int32Array.from(outs as number[]),
    galoisElements: Object.freeze([...galoisKeyLevels.keys()].sort((a, b) => a - b)),
    galoisSteps: Object.freeze(steps as string[]),
    galoisKeyLevels,
    relinLevel: int(json, 'relinLevel', 0, top),
  });
}
