/**
 * `qhe xray`: chest X-ray experiments on PneumoniaMNIST (MedMNIST v2, Yang et
 * al. 2023; Kermany et al. 2018; CC BY 4.0) — ReLU teachers and HE-friendly
 * students of the deeper networks (small ResNet, AlexNet-style), Baruch et
 * al. 2021's recipe — measured on the validation split only → xray.json,
 * xray.md, xray.svg and models/ under the results folder (`@qhe/quant`'s
 * `xrayJob`). Resumable: experiments already in xray.json are skipped.
 */
import { join } from 'node:path';
import { resultsDir as quantResultsDir } from '@qhe/quant/data';
import { defineCommand, userPath } from './command.js';
import { progressFlag } from './common.js';
import { boolFlag, choiceFlag, customFlag, intFlag, listFlag, optionalFlag, stringFlag } from './flags.js';
import { Progress } from './progress.js';
import { trainProgress } from './train-progress.js';

const bits = intFlag({ help: '', default: 4, min: 2, max: 8 });
const unit = (help: string, def: number, lo: number, hi: number) => customFlag<number>({
  help, placeholder: 'X', default: def, expected: `a number in [${lo}, ${hi}]`,
  read: (raw) => { const v = Number(raw); return raw.trim() !== '' && Number.isFinite(v) && v >= lo && v <= hi ? v : null; },
});

export const xrayCommand = defineCommand({
  name: 'xray',
  summary: 'chest X-ray (PneumoniaMNIST) teachers and HE-friendly students, validation metrics → packages/quant/results/xray.*',
  flags: {
    networks: listFlag({ help: 'networks', default: ['resnet', 'alexnet'] as const, item: choiceFlag({ help: '', choices: ['resnet', 'alexnet'] as const, default: 'resnet' }) }),
    activations: listFlag({ help: 'student activations', default: ['square', 'quadratic'] as const, item: choiceFlag({ help: '', choices: ['square', 'quadratic'] as const, default: 'square' }) }),
    weightBits: listFlag({ help: 'weight bits', default: [4, 8], item: bits }),
    inputBits: listFlag({ help: 'input bits', default: [4], item: bits }),
    kd: choiceFlag({ help: 'knowledge distillation from the ReLU teacher', choices: ['both', 'yes', 'no'], default: 'both' }),
    temperature: unit('distillation temperature T', 4, 0.1, 100),
    alpha: unit('distillation weight α (loss = α·T²·KL + (1 − α)·CE)', 0.5, 0, 1),
    epochs: intFlag({ help: 'student epochs', default: 30, min: 1, max: 1000 }),
    teacherEpochs: optionalFlag(intFlag({ help: 'teacher epochs', default: 30, min: 1, max: 1000 }), 'same as --epochs'),
    width: intFlag({ help: 'channels of the first conv (later layers scale with it)', default: 8, min: 1, max: 256 }),
    balance: choiceFlag({ help: 'class imbalance (388 normal / 3,494 pneumonia): weighted = loss weights n/(2·n_c)', choices: ['weighted', 'none'], default: 'weighted' }),
    noBatchNorm: boolFlag({ help: 'no batch norm (default: after every conv, folded at export)' }),
    noAugment: boolFlag({ help: 'no ±1 px shifts of the training images' }),
    lr: unit('Adam learning rate (the last epoch runs at 1/10)', 2e-3, 1e-6, 1),
    batch: intFlag({ help: 'batch size', default: 64, min: 1, max: 4096 }),
    seed: intFlag({ help: 'seed', default: 1, min: 0, max: 2 ** 31 }),
    select: choiceFlag({ help: 'student kept: the last epoch, or the best epoch of the second half on the validation split (exact integer accuracy, then AUC)', choices: ['last', 'best'], default: 'last' }),
    reportOnly: boolFlag({ help: 'only regenerate xray.md and xray.svg (joining xray-plans.json)' }),
    results: stringFlag({ help: 'results folder', placeholder: 'DIR', defaultLabel: 'packages/quant/results' }),
    progress: progressFlag,
  },
  notes: 'Every number is measured on the 524 validation images; the official test split is not in the repository. '
    + '`qhe xray-plans` then adds the planner\'s parameters and predicted encrypted time per model.',
  async run(f, _positional, io) {
    const resultsDir = f.results === undefined ? quantResultsDir() : userPath(io, f.results);
    const progress = new Progress(io.err, { mode: f.progress });
    try {
      const { xrayJob } = await import('@qhe/quant');
      const r = await xrayJob({
        networks: f.networks, activations: f.activations, weightBits: f.weightBits, inputBits: f.inputBits, kd: f.kd,
        temperature: f.temperature, alpha: f.alpha, epochs: f.epochs, teacherEpochs: f.teacherEpochs ?? f.epochs, width: f.width,
        balance: f.balance, batchNorm: !f.noBatchNorm, augment: !f.noAugment, perChannel: false, learningRate: f.lr, batchSize: f.batch,
        seed: f.seed, select: f.select, reportOnly: f.reportOnly, resultsDir,
      }, { progress: trainProgress(progress), log: (line) => progress.note(line) });
      io.out(`${r.trained} experiment(s) trained; ${r.rows} row(s) in ${join(resultsDir, 'xray.json')}`);
    } finally {
      progress.close();
    }
  },
});
