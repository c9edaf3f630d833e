/** `qhe plan [model.json]`: the BFV parameters and schedule the planner chooses for a model, without running it. */
import { assessPlan, formatPlan, planInference } from '../planner/index.js';
import { defineCommand } from './command.js';
import { imagesFlag, jsonFlag, kernelFlag, loadModel, modelFlag, modelPath, toJson } from './common.js';
import { flagError } from './flags.js';

export const planCommand = defineCommand({
  name: 'plan',
  summary: 'show the BFV parameters, noise budgets and schedule planned for a model',
  positional: { usage: '[model.json]', min: 0, max: 1 },
  flags: { model: modelFlag, images: imagesFlag, kernel: kernelFlag, json: jsonFlag },
  run(f, positional, io) {
    if (positional.length && f.model !== undefined) flagError('qhe plan', 'the model as a positional argument or --model, not both', `${JSON.stringify(positional[0])} and --model ${JSON.stringify(f.model)}`);
    const path = modelPath(io, positional[0] ?? f.model);
    const model = loadModel('qhe plan', path);
    const plan = planInference(model, { images: f.images, kernel: f.kernel });
    const { warnings, estimatedSeconds, channelWorkingSetBytes, keyBytes } = assessPlan(plan, model);
    for (const w of warnings) io.err.write(`warning: ${w}\n`);
    io.out(f.json ? toJson({ ...plan, modelPath: path, assessment: { estimatedSeconds, channelWorkingSetBytes, keyBytes, warnings } }) : formatPlan(plan));
  },
});
