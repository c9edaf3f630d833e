/**
 * `qhe xray-plans [--results DIR] [--images N]`: plans every chest X-ray
 * integer model of the quant results (results/models/xray-*.json) for the 524
 * validation images and predicts its encrypted time on this machine
 * (`predictSeconds`, op timings measured once per (N, chain length)); writes
 * results/xray-plans.json, which `npm run xray -- --report-only` joins into
 * results/xray.md and the accuracy-vs-time plot. quant never imports BFV, so
 * this bridge lives here.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QheError } from '@qhe/bfv';
import { parseIntegerModel } from '@qhe/quant/model';
import { resultsDir as quantResultsDir } from '@qhe/quant/data';
import { planInference } from '../planner/index.js';
import { measureOpTimings, predictSeconds, type OpTimings } from '../predict.js';
import { defineCommand, userPath } from './command.js';
import { intFlag, stringFlag } from './flags.js';

export const xrayPlansCommand = defineCommand({
  name: 'xray-plans',
  summary: 'plan every trained chest X-ray model and predict its encrypted time → packages/quant/results/xray-plans.json',
  flags: {
    results: stringFlag({ help: 'results folder of qhe xray', placeholder: 'DIR', defaultLabel: 'packages/quant/results' }),
    images: intFlag({ help: 'images per encrypted run', default: 524, min: 1, max: 100000 }),
  },
  notes: 'Then `qhe xray --report-only` joins the predictions into xray.md and the accuracy-vs-time plot.',
  run(f, _positional, io) {
    xrayPlans(f.results === undefined ? quantResultsDir() : userPath(io, f.results), f.images, (s) => io.out(s));
  },
});

export function xrayPlans(resultsDir: string, images: number, log: (s: string) => void): Record<string, unknown> {
  const dir = join(resultsDir, 'models');
  if (!existsSync(dir)) throw new QheError('INVALID_ARGUMENT', `qhe xray-plans: expected a folder of trained models, got ${JSON.stringify(dir)} (no such folder)`);
  const timings = new Map<string, OpTimings>();
  const plans: Record<string, unknown> = {};
  for (const f of readdirSync(dir).filter((x) => x.startsWith('xray-') && x.endsWith('.json')).sort()) {
    const model = parseIntegerModel(readFileSync(join(dir, f), 'utf8'));
    try {
      const plan = planInference(model, { images });
      const key = `${plan.polyDegree}/${plan.coeffModulus.length}`;
      if (!timings.has(key)) timings.set(key, measureOpTimings(plan));
      const s = predictSeconds(plan, model, timings.get(key)!, images);
      plans[`models/${f}`] = { n: plan.polyDegree, logQ: plan.logQ, tCount: plan.plainModuli.length, predictedSeconds: Math.round(s * 10) / 10, maxBits: model.maxBits, depth: model.multiplicativeDepth };
      log(`${f}: N=${plan.polyDegree}, log Q=${plan.logQ}, ${plan.plainModuli.length} t primes → predicted ${s.toFixed(0)} s on 1 core for ${images} images`);
    } catch (e) {
      plans[`models/${f}`] = { error: (e as Error).message };
      log(`${f}: not plannable: ${(e as Error).message}`);
    }
  }
  const out = { description: `Planner predictions for ${images} encrypted images (qhe xray-plans); seconds on one core of this machine, op timings measured at each plan's parameters.`, timings: Object.fromEntries(timings), plans };
  writeFileSync(join(resultsDir, 'xray-plans.json'), JSON.stringify(out, null, 1) + '\n');
  return out;
}
