/**
 * Circuit privacy of the returned logits, tested statistically: two models
 * that differ only in weights (B's are smaller, so the plan made for A holds
 * for both) are evaluated by the server's own code path (ModeRuntime: the
 * worker-pool evaluator, then re-randomization and flooding) on the same
 * encrypted inputs. The client computes the returned noise with its secret key
 * (c0 + c1·s − Δ·m, centred; Decryptor.noiseCoefficients).
 *
 * With flooding (λ = 40) a two-sample Kolmogorov–Smirnov test and a χ² test on
 * pooled-quantile histograms, each at α = 10⁻⁴ (a false alarm once in 5,000 runs), must not tell the two noise
 * samples apart; without flooding the same tests must tell them apart (so they
 * have power here). Both decrypt to the exact logits either way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { serializePublicKey, serializeRelinKeys } from '@qhe/bfv';
import { WorkerPool } from '@qhe/bfv/parallel';
import { forwardInteger, type IntegerModel } from '@qhe/quant/model';
import { InferenceClient, type InferencePlan } from '../../src/index.js';
import { planInference } from '../../src/planner/index.js';
import { ModeRuntime } from '../../src/service/runtime.js';
import { lcg, tinyModel } from './helpers.js';

const pool = new WorkerPool({ size: 1 });
afterAll(() => pool.close());

const modelA = tinyModel(7, 7, 'A');
const modelB = tinyModel(8, 2, 'B'); // same architecture, other (smaller) weights
const N = 1024;
const ALPHA = 0.0001;

/** Two-sample KS statistic D = sup |F_a − F_b|. */
function ksStatistic(a: number[], b: number[]): number {
  const x = [...a].sort((p, q) => p - q), y = [...b].sort((p, q) => p - q);
  let i = 0, j = 0, d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}
const ksCritical = (n: number, m: number): number => Math.sqrt(-Math.log(ALPHA / 2) / 2) * Math.sqrt((n + m) / (n * m));

/** χ² of the 2 × 10 table of counts in the pooled sample's deciles; df = 9, critical value at α = 10⁻⁴: 33.72. */
function chiSquare(a: number[], b: number[]): number {
  const pooled = [...a, ...b].sort((p, q) => p - q);
  const edges = Array.from({ length: 9 }, (_, k) => pooled[Math.floor(((k + 1) * pooled.length) / 10)]);
  const bin = (v: number): number => { let k = 0; while (k < 9 && v >= edges[k]) k++; return k; };
  const ca = new Array<number>(10).fill(0), cb = new Array<number>(10).fill(0);
  for (const v of a) ca[bin(v)]++;
  for (const v of b) cb[bin(v)]++;
  let chi = 0;
  for (let k = 0; k < 10; k++) {
    const tot = ca[k] + cb[k];
    if (tot === 0) continue;
    const ea = (tot * a.length) / (a.length + b.length), eb = (tot * b.length) / (a.length + b.length);
    chi += (ca[k] - ea) ** 2 / ea + (cb[k] - eb) ** 2 / eb;
  }
  return chi;
}
const CHI2_CRITICAL_DF9 = 33.72;

/** Returned noise (as numbers) of every output coefficient, and the decrypted logits, for `model` under `plan`. */
async function returnedNoise(plan: InferencePlan, model: IntegerModel, client: InferenceClient, xs: Int32Array[]): Promise<{ noise: number[]; logits: bigint[][] }> {
  const rt = new ModeRuntime('batch', plan, model, pool);
  const frames = client.serverKeys().channels.flatMap((c) => [serializePublicKey(c.publicKey), serializeRelinKeys(c.relinKeys)]);
  const session = rt.openSession(frames);
  try {
    const channels = [];
    const noise: number[] = [];
    for (let j = 0; j < plan.plainModuli.length; j++) {
      const { outputs } = await rt.evaluateChannel(session, j, client.encryptChannel(xs, j, undefined, { symmetric: true }));
      for (const ct of outputs) for (const e of client.noiseCoefficients(j, ct)) noise.push(Number(e));
      channels.push(outputs);
    }
    return { noise, logits: client.decrypt({ images: xs.length, channels }) };
  } finally {
    rt.closeSession(session);
  }
}

describe('noise flooding hides the weights (two-sample tests on the returned noise)', () => {
  const r = lcg(99);
  const xs = Array.from({ length: N }, () => Int32Array.from({ length: 36 }, () => Math.floor(r() * 16)));

  for (const flooding of [true, false]) {
    it(flooding ? 'flooding on (λ = 40): KS and χ² cannot tell model A from model B' : 'flooding off: the same tests tell them apart (power)', async () => {
      const plan = planInference(modelA, { polyDegree: N, allowInsecure: true, images: N, ...(flooding ? { floodingSecurity: 40 } : {}) });
      expect(plan.flooding !== null).toBe(flooding);
      const client = new InferenceClient(plan);
      const a = await returnedNoise(plan, modelA, client, xs);
      const b = await returnedNoise(plan, modelB, client, xs);
      expect(a.logits).toEqual(xs.map((x) => forwardInteger(modelA, x)));
      expect(b.logits).toEqual(xs.map((x) => forwardInteger(modelB, x)));
      const d = ksStatistic(a.noise, b.noise), dCrit = ksCritical(a.noise.length, b.noise.length);
      const chi = chiSquare(a.noise, b.noise);
      if (flooding) {
        expect(d).toBeLessThan(dCrit);
        expect(chi).toBeLessThan(CHI2_CRITICAL_DF9);
      } else {
        expect(d).toBeGreaterThan(dCrit);
        expect(chi).toBeGreaterThan(CHI2_CRITICAL_DF9);
      }
      console.log(`flooding ${flooding ? 'on ' : 'off'}: ${a.noise.length} + ${b.noise.length} noise samples, KS D = ${d.toFixed(4)} (critical ${dCrit.toFixed(4)} at α = ${ALPHA}), χ² = ${chi.toFixed(1)} (critical ${CHI2_CRITICAL_DF9})`);
    });
  }
});
