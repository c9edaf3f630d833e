/**
 * `qhe sweep`: the resumable QAT sweep of issue 5 (networks × weight bits ×
 * input bits × activation × distillation) → sweep.json, sweep.md, sweep.svg
 * and models/ under the results folder (`@qhe/quant`'s `sweepJob`).
 */
import { join } from 'node:path';
import { NETWORKS, SWEEP_CELL_SYNTAX, parseSweepCell, type SweepCellFields } from '@qhe/quant/config';
import { resultsDir as quantResultsDir } from '@qhe/quant/data';
import { defineCommand, userPath } from './command.js';
import { progressFlag } from './common.js';
import { boolFlag, choiceFlag, customFlag, intFlag, listFlag, optionalFlag, stringFlag } from './flags.js';
import { Progress } from './progress.js';
import { trainProgress } from './train-progress.js';

const bits = (min: number): ReturnType<typeof intFlag> => intFlag({ help: '', default: 8, min, max: 8 });
const presetFlag = choiceFlag({ help: 'resolve: the cells of the issue targets; grid/full: the product of the lists below', choices: ['resolve', 'grid', 'full'], default: 'resolve' });

export const sweepCommand = defineCommand({
  name: 'sweep',
  summary: 'the resumable quantization sweep → packages/quant/results/ (sweep.json, sweep.md, sweep.svg)',
  flags: {
    preset: optionalFlag(presetFlag, '$QHE_SWEEP_PRESET, else resolve'),
    cells: optionalFlag(listFlag<SweepCellFields>({
      help: `explicit cells (${SWEEP_CELL_SYNTAX}), instead of the preset`, default: [],
      item: customFlag<SweepCellFields>({ help: '', placeholder: 'CELL', default: null as never, expected: SWEEP_CELL_SYNTAX, read: parseSweepCell }),
    }), 'the preset\'s cells'),
    networks: listFlag({ help: 'networks (grid)', default: NETWORKS, item: choiceFlag({ help: '', choices: NETWORKS, default: 'cryptonets' }) }),
    weightBits: listFlag({ help: 'weight bits (grid)', default: [2, 3, 4, 6, 8], item: bits(2) }),
    inputBits: listFlag({ help: 'input bits (grid)', default: [2, 4, 8], item: bits(2) }),
    activations: listFlag({ help: 'activations (grid)', default: ['square', 'quadratic'] as const, item: choiceFlag({ help: '', choices: ['square', 'quadratic'] as const, default: 'square' }) }),
    kd: choiceFlag({ help: 'distillation (grid)', choices: ['both', 'yes', 'no'], default: 'both' }),
    epochs: intFlag({ help: 'training epochs per cell', default: 8, min: 1, max: 1000 }),
    teacherEpochs: optionalFlag(intFlag({ help: 'teacher epochs', default: 8, min: 1, max: 1000 }), 'same as --epochs'),
    seed: intFlag({ help: 'seed', default: 1, min: 0, max: 2 ** 31 }),
    perChannel: boolFlag({ help: 'one weight scale per output channel' }),
    batchNorm: boolFlag({ help: 'batch norm, folded at export' }),
    augment: boolFlag({ help: 'random ±1 px shifts of the training images' }),
    reportOnly: boolFlag({ help: 'only regenerate sweep.md and sweep.svg from sweep.json' }),
    results: stringFlag({ help: 'results folder', placeholder: 'DIR', defaultLabel: 'packages/quant/results' }),
    progress: progressFlag,
  },
  notes: 'Rows already in sweep.json (same configuration) are skipped, so an interrupted sweep resumes where it stopped.',
  async run(f, _positional, io) {
    const envPreset = io.env.QHE_SWEEP_PRESET;
    const preset = f.preset ?? (envPreset === undefined ? 'resolve' : presetFlag.parse(envPreset, 'qhe sweep $QHE_SWEEP_PRESET'));
    const resultsDir = f.results === undefined ? quantResultsDir() : userPath(io, f.results);
    const progress = new Progress(io.err, { mode: f.progress });
    try {
      const { sweepJob } = await import('@qhe/quant');
      const r = await sweepJob({
        preset, cells: f.cells ?? null, networks: f.networks, weightBits: f.weightBits, inputBits: f.inputBits, activations: f.activations, kd: f.kd,
        epochs: f.epochs, teacherEpochs: f.teacherEpochs ?? f.epochs, seed: f.seed, perChannel: f.perChannel, batchNorm: f.batchNorm, augment: f.augment,
        reportOnly: f.reportOnly, resultsDir,
      }, { progress: trainProgress(progress), log: (line) => progress.note(line) });
      io.out(`${r.trained} cell(s) trained; ${r.rows} row(s) in ${join(resultsDir, 'sweep.json')}`);
    } finally {
      progress.close();
    }
  },
});
