/** `qhe plan [model.json]`: the BFV parameters and schedule the planner chooses for a model, without running it. */
import { assessPlan, formatPlan, planInference } from '../planner/index.js';
import { defineCommand } from './command.js';
import { imagesFlag, jsonFlag, kernelFlag, loadModel, modeFlag, modelFlag, modelPath, toJson } from './common.js';
import { flagError, intFlag } from './flags.js';
import { availableParallelism } from 'node:os';
import { formatSinglePlan } from '../single/format.js';
import { planSingle } from '../single/planner.js';

export const planCommand = defineCommand({
  name: 'plan',
  summary: 'show the BFV parameters, noise budgets and schedule planned for a model',
  positional: { usage: '[model.json]', min: 0, max: 1 },
  flags: {
    model: modelFlag, mode: modeFlag, images: imagesFlag, kernel: kernelFlag, json: jsonFlag,
    workers: intFlag({ help: 'workers the single-mode plan optimizes for (channels run in ⌈k / workers⌉ rounds)', default: availableParallelism(), min: 1, max: 256, defaultLabel: `all cores (${availableParallelism()})` }),
  },
  run(f, positional, io) {
    if (positional.length && f.model !== undefined) flagError('qhe plan', 'the model as a positional argument or --model, not both', `${JSON.stringify(positional[0])} and --model ${JSON.stringify(f.model)}`);
    const path = modelPath(io, positional[0] ?? f.model);
    const model = loadModel('qhe plan', path);
    if (f.mode === 'single') {
      const plan = planSingle(model, { kernel: f.kernel, workers: f.workers });
      if (!f.json) return void io.out(formatSinglePlan(plan));
      const { program: _p, input, outputSlots, galoisKeyLevels, ...rest } = plan;
      return void io.out(toJson({ ...rest, modelPath: path, input: { kind: input.kind, ciphertexts: input.ciphertexts.length, note: input.note }, outputSlots: [...outputSlots], galoisKeyLevels: [...galoisKeyLevels] }));
    }
    const plan = planInference(model, { images: f.images, kernel: f.kernel });
    const { warnings, estimatedSeconds, channelWorkingSetBytes, keyBytes } = assessPlan(plan, model);
    for (const w of warnings) io.err.write(`warning: ${w}\n`);
    io.out(f.json ? toJson({ ...plan, modelPath: path, assessment: { estimatedSeconds, channelWorkingSetBytes, keyBytes, warnings } }) : formatPlan(plan));
  },
});
