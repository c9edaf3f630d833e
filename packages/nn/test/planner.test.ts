import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_LOG_Q } from '@qhe/bfv';
import { defaultModelPath } from '@qhe/quant/data';
import { parseIntegerModel, tensorShapes, type IntegerModel } from '@qhe/quant/model';
import { assessPlan, formatPlan, planInference, type InferencePlan } from '../src/index.js';
import { batchedCostModel, batchedNoiseModel, layerFacts, layerRole, simulate, type NoiseEnv } from '../src/planner/index.js';
import { tinyMnistModel } from './fixtures.js';

/** Trial-division oracle (independent of the Miller–Rabin in @qhe/bfv). */
function isPrimeSlow(p: bigint): boolean {
  if (p < 2n) return false;
  for (let d = 2n; d * d <= p; d++) if (p % d === 0n) return false;
  return true;
}
/** The k largest primes ≡ 1 (mod 2N) below 2^bits, by trial division. */
function largestBatchingPrimes(bits: number, n: number, k: number): bigint[] {
  const m = BigInt(2 * n), out: bigint[] = [];
  for (let p = ((1n << BigInt(bits)) - 1n) / m * m + 1n; p > m && out.length < k; p -= m) if (p < 1n << BigInt(bits) && isPrimeSlow(p)) out.push(p);
  return out;
}
const product = (xs: readonly bigint[]) => xs.reduce((a, b) => a * b, 1n);
const maxAbsOf = (m: IntegerModel) => m.tensors.reduce((a, t) => (t.maxAbs > a ? t.maxAbs : a), 0n);

/** Checks a plan and its text against values computed here from the model. */
function checkPlanAndText(model: IntegerModel, plan: InferencePlan): void {
  const n = plan.polyDegree, k = plan.plainModuli.length, L = plan.coeffModulus.length;
  const maxAbs = maxAbsOf(model);
  // Plaintext: k batching primes, the largest below a common size bound, covering 2·maxAbs + 1.
  expect(plan.maxAbs).toBe(maxAbs);
  const bits = plan.plainModuli[0].toString(2).length;
  expect(plan.plainModuli).toEqual(largestBatchingPrimes(bits, n, k));
  expect(product(plan.plainModuli)).toBeGreaterThan(2n * maxAbs);
  expect(product(largestBatchingPrimes(bits - 1, n, k))).toBeLessThanOrEqual(2n * maxAbs); // the smallest size that covers
  // Layers: types and outputs from the model, relinearization after the linear layer that follows a product.
  const shapes = tensorShapes(model.input.shape, model.layers);
  expect(plan.layers.map((l) => l.type)).toEqual(model.layers.map((l) => l.type));
  expect(plan.layers.map((l) => l.outputs)).toEqual(shapes.slice(1).map((s) => s.reduce((a, b) => a * b, 1)));
  let size = 2, pending = false;
  for (const l of plan.layers) {
    const role = layerRole(l.type);
    if (role === 'multiply') { size = 3; pending = true; }
    if (l.relinearizeAfter) { expect(pending).toBe(true); size = 2; pending = false; }
    expect(l.outSize).toBe(size);
  }
  expect(pending).toBe(false);
  for (let i = 1; i < plan.layers.length; i++) expect(plan.layers[i].level).toBeGreaterThanOrEqual(plan.layers[i - 1].level);
  expect(plan.predictedFinalBudget).toBeGreaterThanOrEqual(plan.marginBits);
  // Budgets: the noise model re-run on the plan's own schedule gives the plan's values, and the
  // schedule is greedy: switching any layer (and the rest) one level lower misses the margin.
  const env: NoiseEnv = { n, logT: Math.max(...plan.plainModuli.map((t) => Math.log2(Number(t)))), levelLogQ: Array.from({ length: L }, (_, l) => (L - l) * 28.99) };
  const facts = layerFacts(model), relin = plan.layers.map((l) => l.relinearizeAfter), levels = plan.layers.map((l) => l.level);
  expect(batchedNoiseModel.fresh(env, 0)).toBe(plan.freshBudget);
  expect(simulate(batchedNoiseModel, env, facts, relin, levels)).toEqual(plan.layers.map((l) => l.predictedBudget));
  for (let i = 0; i < levels.length; i++) {
    if (layerRole(plan.layers[i].type) === 'reshape' || levels[i] + 1 >= L) continue;
    const lower = levels.map((v, j) => (j >= i ? Math.max(v, levels[i] + 1) : v));
    expect(simulate(batchedNoiseModel, env, facts, relin, lower).at(-1)!).toBeLessThan(plan.marginBits);
  }

  // The text: header lines from the plan's values, one row per layer with its fields in order.
  const text = formatPlan(plan).split('\n');
  expect(text[0]).toBe(`plan for ${model.name}: N=${n} (${n} slots), kernel ${plan.kernel}`);
  expect(text[1]).toBe(`  q chain: ${L} × 29-bit data primes + 1 special; log2 Q = ${plan.logQ}, log2 Q·P = ${plan.logQP} ≤ ${MAX_LOG_Q[128][n]} (128-bit)`);
  expect(text[2]).toBe(`  plaintext: ${k === 1 ? 't' : `CRT of ${k} channels, t`} = ${plan.plainModuli.join(', ')} (needs > 2·maxAbs = 2·${maxAbs})`);
  expect(text[3]).toBe(`  fresh budget ${plan.freshBudget.toFixed(1)} bits; margin ${plan.marginBits} bits`);
  expect(text[4]).toMatch(/^ {2}layer +level +relin +ct size +outputs +predicted budget$/);
  expect(text).toHaveLength(5 + plan.layers.length);
  plan.layers.forEach((l, i) => {
    const cells = text[5 + i].trim().split(/\s+/);
    expect(cells).toEqual([String(i), l.type, String(l.level), ...(l.relinearizeAfter ? ['yes'] : []), String(l.outSize), String(l.outputs), l.predictedBudget.toFixed(1)]);
  });
  const measured = formatPlan(plan, plan.layers.map((l) => (l.type === 'flatten' ? null : 7))).split('\n');
  plan.layers.forEach((l, i) => expect(measured[5 + i].trim().split(/\s+/).at(-1)).toBe(l.type === 'flatten' ? '—' : '7'));
}

describe('planner', () => {
  it('the default model: plan and formatPlan agree with values computed from the model', () => {
    const model = parseIntegerModel(readFileSync(defaultModelPath(), 'utf8'));
    const plan = planInference(model);
    checkPlanAndText(model, plan);
    // Depth 2 with CryptoNets' lazy relinearization: after each dense that follows a square.
    expect(plan.layers.filter((l) => l.relinearizeAfter).map((l) => l.type)).toEqual(['dense', 'dense']);
    expect(plan.plainModuli.length).toBeGreaterThan(1);
    expect(plan.logQP).toBeLessThanOrEqual(MAX_LOG_Q[128][plan.polyDegree]);
  });

  it('a linear model: one t, and the text and values agree', () => {
    const model = tinyMnistModel();
    const plan = planInference(model);
    expect(plan.plainModuli).toHaveLength(1);
    checkPlanAndText(model, plan);
  });

  it('noise and cost models are per layer type: an unknown type is named', () => {
    expect(() => layerRole('residualAdd')).toThrow(/expected a layer type of .*got "residualAdd"/);
    expect(Object.keys(batchedNoiseModel.layers).sort()).toEqual(Object.keys(batchedCostModel.layers).sort());
  });

  it('assessPlan: the default model needs no warning; 650-bit integers (≥ 20 channels) get one with the cost', () => {
    const model = parseIntegerModel(readFileSync(defaultModelPath(), 'utf8'));
    const quiet = assessPlan(planInference(model), model);
    expect(quiet.warnings).toEqual([]);
    expect(quiet.estimatedSeconds).toBeGreaterThan(30);
    expect(quiet.estimatedSeconds).toBeLessThan(20 * 60);
    const huge = tinyMnistModel('huge', 650);
    const plan = planInference(huge);
    const a = assessPlan(plan, huge);
    expect(a.channels).toBe(plan.plainModuli.length);
    expect(a.channels).toBeGreaterThanOrEqual(20);
    expect(a.warnings).toHaveLength(1);
    expect(a.warnings[0]).toContain(`${a.channels} CRT channel(s)`);
    // One ciphertext: 2 polynomials × L primes × N words of 4 bytes.
    expect(a.ciphertextBytes).toBe(2 * plan.coeffModulus.length * plan.polyDegree * 4);
  });
});
