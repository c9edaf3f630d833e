#!/usr/bin/env node
/**
 * `qhe train`: quantisation-aware training of an HE-friendly MNIST network
 * (Legiest et al. 2023; Baruch et al. 2021 for quadratic activations + KD),
 * export to the integer model JSON and exact integer evaluation.
 * Usage: qhe train --network cryptonets|seed2 --weight-bits 2..8 --input-bits 1..8
 *   --activation square|quadratic|relu [--kd] [--epochs N] [--teacher-epochs N]
 *   [--per-channel] [--batch-norm] [--augment] [--seed N] [--train-size N] [--out path.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadMnist, takeSplit } from '../data/mnist.js';
import { serializeIntegerModel } from '../model/parse.js';
import { initBackend } from '../train/backend.js';
import { runExperiment, trainTeacher } from '../train/experiment.js';
import { fmt } from '../train/progress.js';
import { boolArg, choiceArg, intArg, parseArgs } from './args.js';

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.has('help')) {
    process.stdout.write('usage: qhe train --network cryptonets|seed2 --weight-bits 2..8 --input-bits 1..8 --activation square|quadratic|relu\n'
      + '  [--kd] [--epochs N] [--teacher-epochs N] [--per-channel] [--batch-norm] [--augment] [--seed N] [--train-size N] [--backend wasm|cpu] [--quiet] [--out path.json]\n');
    return;
  }
  const backend = await initBackend(choiceArg(a, 'backend', 'wasm', ['wasm', 'cpu'] as const));
  const cfg = {
    network: choiceArg(a, 'network', 'cryptonets', ['cryptonets', 'seed2'] as const),
    weightBits: intArg(a, 'weight-bits', 8, 2, 8),
    inputBits: intArg(a, 'input-bits', 8, 1, 8),
    activation: choiceArg(a, 'activation', 'square', ['square', 'quadratic', 'relu'] as const),
    kd: boolArg(a, 'kd'),
    epochs: intArg(a, 'epochs', 3, 1, 1000),
    teacherEpochs: intArg(a, 'teacher-epochs', 3, 1, 1000),
    seed: intArg(a, 'seed', 1, 0, 2 ** 31),
    perChannel: boolArg(a, 'per-channel'),
    batchNorm: boolArg(a, 'batch-norm'),
    augment: boolArg(a, 'augment'),
    progress: !boolArg(a, 'quiet'),
  };
  const out = a.get('out') ?? `packages/quant/models/${cfg.network}-${cfg.activation}-w${cfg.weightBits}-in${cfg.inputBits}${cfg.kd ? '-kd' : ''}${cfg.batchNorm ? '-bn' : ''}${cfg.augment ? '-aug' : ''}.json`;
  const full = loadMnist();
  const mnist = { train: takeSplit(full.train, intArg(a, 'train-size', 60000, 1, 60000)), test: full.test };
  process.stderr.write(`backend ${backend}; ${mnist.train.count} training images\n`);
  const teacher = cfg.kd ? trainTeacher(cfg, mnist.train) : undefined;
  const r = runExperiment(cfg, mnist, teacher?.net);
  if (r.model) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, serializeIntegerModel(r.model) + '\n');
  }
  const row = r.row;
  const lines = [
    `network            ${row.network} (${row.activation}${row.kd ? ', distilled' : ''})`,
    `weight/input bits  ${row.weightBits ?? 'float'} / ${row.inputBits}${row.perChannel ? ' (per channel)' : ''}${row.batchNorm ? ', batch norm folded' : ''}${row.augment ? ', ±1 px shifts' : ''}`,
    `float accuracy     ${(row.floatAccuracy * 100).toFixed(2)}%`,
    `integer accuracy   ${row.integerAccuracy === null ? 'n/a (ReLU)' : (row.integerAccuracy * 100).toFixed(2) + '%'}`,
    `max integer bits   ${row.maxIntegerBits ?? 'n/a'}${r.model ? `  (per tensor: ${r.model.tensors.map((t) => t.bits).join(', ')}; depth ${r.model.multiplicativeDepth})` : ''}`,
    `train time         ${fmt(row.trainSeconds)}${teacher ? ` (+ teacher ${fmt(teacher.seconds)})` : ''}`,
    r.model ? `model              ${out}` : '',
  ];
  process.stdout.write(lines.filter(Boolean).join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`\n${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
  process.exit(1);
});
