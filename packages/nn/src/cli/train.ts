/**
 * `qhe train`: quantization-aware training of an HE-friendly MNIST network
 * (Legiest et al. 2023; Baruch et al. 2021 for quadratic activations + KD),
 * export to the integer model JSON and exact integer evaluation. TF.js is
 * loaded only here (dynamic import), after the flags and the output path are
 * checked. A model is never written over an existing file without --force;
 * the default output is under packages/quant/results/models/ (not committed).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVATIONS, INPUT_BITS, NETWORKS, WEIGHT_BITS, modelName } from '@qhe/quant/config';
import { trainedModelsDir } from '@qhe/quant/data';
import { defineCommand, userPath } from './command.js';
import { progressFlag } from './common.js';
import { boolFlag, choiceFlag, flagError, intFlag, stringFlag } from './flags.js';
import { Progress } from './progress.js';
import { trainProgress } from './train-progress.js';

const duration = (s: number): string => {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${Math.round(s % 60).toString().padStart(2, '0')}s` : `${s.toFixed(0)}s`;
};

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'quantization-aware training of an MNIST network, exported as an integer model',
  flags: {
    network: choiceFlag({ help: 'network architecture', choices: NETWORKS, default: 'cryptonets' }),
    activation: choiceFlag({ help: 'activation (relu = float teacher only, no integer model)', choices: ACTIVATIONS, default: 'square' }),
    weightBits: intFlag({ help: 'weight bits of the linear layers', default: 8, ...WEIGHT_BITS }),
    inputBits: intFlag({ help: 'input bits (pixel levels 2^bits − 1)', default: 8, ...INPUT_BITS }),
    kd: boolFlag({ help: 'distil from a ReLU teacher trained first' }),
    epochs: intFlag({ help: 'training epochs', default: 3, min: 1, max: 1000 }),
    teacherEpochs: intFlag({ help: 'teacher epochs (with --kd)', default: 3, min: 1, max: 1000 }),
    seed: intFlag({ help: 'seed of initialisation, shuffles and augmentation', default: 1, min: 0, max: 2 ** 31 }),
    perChannel: boolFlag({ help: 'one weight scale per output channel' }),
    batchNorm: boolFlag({ help: 'batch norm after each hidden linear layer, folded at export' }),
    augment: boolFlag({ help: 'random ±1 px shifts of the training images' }),
    trainSize: intFlag({ help: 'training images (the first ones of the 60,000)', default: 60000, min: 1, max: 60000 }),
    backend: choiceFlag({ help: 'TF.js backend', choices: ['wasm', 'cpu'], default: 'wasm' }),
    out: stringFlag({ help: 'where to write the integer model', placeholder: 'PATH', defaultLabel: 'packages/quant/results/models/<model name>.json' }),
    force: boolFlag({ help: 'overwrite an existing --out file' }),
    progress: progressFlag,
  },
  notes: 'The committed models (packages/quant/models/, listed in its manifest.json) are used by `qhe run`; a new model is used with `qhe run --model PATH`.',
  async run(f, _positional, io) {
    const cfg = { network: f.network, activation: f.activation, weightBits: f.weightBits, inputBits: f.inputBits, kd: f.kd, batchNorm: f.batchNorm, augment: f.augment };
    const out = f.out === undefined ? join(trainedModelsDir(), `${modelName(cfg)}.json`) : userPath(io, f.out);
    if (f.activation !== 'relu' && existsSync(out) && !f.force)
      flagError('qhe train --out', 'a file that does not exist yet (or --force to overwrite it)', `${JSON.stringify(out)}, which exists`);
    const progress = new Progress(io.err, { mode: f.progress });
    try {
      const { trainJob } = await import('@qhe/quant');
      const r = await trainJob(
        { ...cfg, epochs: f.epochs, teacherEpochs: f.teacherEpochs, seed: f.seed, perChannel: f.perChannel, trainSize: f.trainSize, backend: f.backend, out, overwrite: f.force },
        { progress: trainProgress(progress), log: (line) => progress.note(line) },
      );
      const row = r.row;
      io.out([
        `network            ${row.network} (${row.activation}${row.kd ? ', distilled' : ''})`,
        `weight/input bits  ${row.weightBits ?? 'float'} / ${row.inputBits}${row.perChannel ? ' (per channel)' : ''}${row.batchNorm ? ', batch norm folded' : ''}${row.augment ? ', ±1 px shifts' : ''}`,
        `float accuracy     ${(row.floatAccuracy * 100).toFixed(2)}%`,
        `integer accuracy   ${row.integerAccuracy === null ? 'n/a (ReLU)' : (row.integerAccuracy * 100).toFixed(2) + '%'}`,
        `max integer bits   ${row.maxIntegerBits ?? 'n/a'}${r.tensorBits ? `  (per tensor: ${r.tensorBits.join(', ')}; depth ${r.multiplicativeDepth})` : ''}`,
        `train time         ${duration(row.trainSeconds)}${r.teacherSeconds !== null ? ` (+ teacher ${duration(r.teacherSeconds)})` : ''}`,
        ...(r.modelPath ? [`model              ${r.modelPath}`, `run it             npm run qhe -- run --model ${r.modelPath}`] : []),
      ].join('\n'));
    } finally {
      progress.close();
    }
  },
});
