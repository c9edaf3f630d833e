#!/usr/bin/env node
/**
 * The sweep of issue 5: networks × weight bits × input bits × activation × KD.
 * The full grid (~180 trainings) is selectable but too long for one session, so
 * it is resumable: rows are appended to results/sweep.json as they finish and
 * rows already present (same configuration key) are skipped. The markdown table
 * and SVG plot are regenerated from whatever rows exist.
 * Usage: sweep [--preset resolve|grid|full] [--cells net/act/wb/ib/kd|nokd,…] [--networks a,b] [--weight-bits 8,4] [--input-bits 8,2]
 *   [--activations square,quadratic] [--kd both|yes|no] [--epochs N] [--teacher-epochs N]
 *   [--seed N] [--per-channel] [--batch-norm] [--augment] [--report-only] [--results dir] [--quiet]
 * Env: QHE_SWEEP_PRESET overrides the default preset.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '../data/mnist.js';
import { fail } from '../model/errors.js';
import { serializeIntegerModel } from '../model/parse.js';
import { loadRows, rowKey, writeReports } from '../report/rows.js';
import { initBackend } from '../train/backend.js';
import { runExperiment, trainTeacher, type ExperimentConfig, type ExperimentRow } from '../train/experiment.js';
import type { Activation, Network, NetworkName } from '../train/network.js';
import { boolArg, choiceArg, intArg, parseArgs } from './args.js';
import { evalTeacher } from './teacher-eval.js';

type Cell = Omit<ExperimentConfig, 'teacherEpochs' | 'progress'>;

const list = (v: string | undefined, def: string[]): string[] => (v === undefined ? def : v.split(',').map((s) => s.trim()).filter(Boolean));

/** The subset that answers the resolve targets: 8-bit vs ≤4-bit, teacher vs x²/quadratic ± KD. */
function resolveCells(network: NetworkName, epochs: number, seed: number, perChannel: boolean): Cell[] {
  const c = (activation: Activation, weightBits: number, inputBits: number, kd: boolean): Cell => ({ network, activation, weightBits, inputBits, kd, epochs, seed, perChannel });
  // Order = priority: the 8-bit baseline, then the ≤4-bit candidates, then the quadratic students.
  return [
    c('square', 8, 8, false), c('square', 8, 8, true),
    c('square', 4, 2, true), c('square', 3, 2, true), c('square', 2, 2, true), c('square', 4, 4, true), c('square', 4, 2, false),
    c('quadratic', 8, 8, true), c('quadratic', 8, 8, false), c('quadratic', 4, 2, true),
  ];
}

/** --cells network/activation/weightBits/inputBits/kd|nokd,… — an explicit cell list. */
function explicitCells(v: string, epochs: number, seed: number, perChannel: boolean): Cell[] {
  return list(v, []).map((c) => {
    const [network, activation, wb, ib, kd] = c.split('/');
    if (!['cryptonets', 'seed2'].includes(network) || !['square', 'quadratic'].includes(activation) || !['kd', 'nokd'].includes(kd)
      || ![wb, ib].every((b) => Number.isInteger(Number(b)) && Number(b) >= 2 && Number(b) <= 8)) {
      fail('INVALID_ARGUMENT', '--cells', 'network/activation/weightBits/inputBits/kd|nokd', c);
    }
    return { network: network as NetworkName, activation: activation as Activation, weightBits: Number(wb), inputBits: Number(ib), kd: kd === 'kd', epochs, seed, perChannel };
  });
}

function gridCells(a: Map<string, string>, epochs: number, seed: number, perChannel: boolean): Cell[] {
  const nets = list(a.get('networks'), ['cryptonets', 'seed2']) as NetworkName[];
  const wbits = list(a.get('weight-bits'), ['2', '3', '4', '6', '8']).map(Number);
  const ibits = list(a.get('input-bits'), ['2', '4', '8']).map(Number);
  const acts = list(a.get('activations'), ['square', 'quadratic']) as Activation[];
  const kd = choiceArg(a, 'kd', 'both', ['both', 'yes', 'no'] as const);
  const kds = kd === 'both' ? [false, true] : [kd === 'yes'];
  for (const n of nets) if (n !== 'cryptonets' && n !== 'seed2') fail('INVALID_ARGUMENT', '--networks', 'cryptonets|seed2', n);
  for (const b of [...wbits, ...ibits]) if (!Number.isInteger(b) || b < 2 || b > 8) fail('INVALID_ARGUMENT', '--weight-bits/--input-bits', 'integers in 2..8', b);
  const cells: Cell[] = [];
  for (const network of nets) for (const activation of acts) for (const weightBits of wbits) for (const inputBits of ibits) for (const k of kds) {
    cells.push({ network, activation, weightBits, inputBits, kd: k, epochs, seed, perChannel });
  }
  return cells;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir = a.get('results') ?? join(pkg, 'results');
  const path = join(dir, 'sweep.json');
  const rows = loadRows(path);
  if (boolArg(a, 'report-only')) { writeReports(dir, rows); return; }
  const preset = choiceArg(a, 'preset', (process.env.QHE_SWEEP_PRESET as 'resolve' | 'full' | 'grid' | undefined) ?? 'resolve', ['resolve', 'grid', 'full'] as const);
  const epochs = intArg(a, 'epochs', 8, 1, 1000);
  const teacherEpochs = intArg(a, 'teacher-epochs', epochs, 1, 1000);
  const seed = intArg(a, 'seed', 1, 0, 2 ** 31);
  const perChannel = boolArg(a, 'per-channel');
  const progress = !boolArg(a, 'quiet');
  const nets = list(a.get('networks'), ['cryptonets', 'seed2']) as NetworkName[];
  const batchNorm = boolArg(a, 'batch-norm');
  const augment = boolArg(a, 'augment');
  const cells = (a.has('cells') ? explicitCells(a.get('cells')!, epochs, seed, perChannel) : preset === 'resolve' ? nets.flatMap((n) => resolveCells(n, epochs, seed, perChannel)) : gridCells(a, epochs, seed, perChannel))
    .map((c) => ({ ...c, ...(batchNorm ? { batchNorm } : {}), ...(augment ? { augment } : {}) }));
  const done = new Set(rows.map(rowKey));
  const todo = cells.filter((c) => !done.has(rowKey(c)));
  process.stderr.write(`backend ${await initBackend()}; ${cells.length} cells, ${cells.length - todo.length} already in ${path}, ${todo.length} to run\n`);
  writeReports(dir, rows);
  if (todo.length === 0) return;
  const mnist = loadMnist();
  const teachers = new Map<NetworkName, Network>();
  const modelsDir = join(dir, 'models');
  for (const cell of todo) {
    let teacher: Network | undefined;
    if (cell.kd) {
      teacher = teachers.get(cell.network);
      if (!teacher) {
        const t = trainTeacher({ network: cell.network, teacherEpochs, seed, progress }, mnist.train);
        teacher = t.net;
        teachers.set(cell.network, teacher);
        const { floatAccuracy } = evalTeacher(t.net, mnist);
        const trow: ExperimentRow = { network: cell.network, weightBits: null, inputBits: 8, activation: 'relu', kd: false, floatAccuracy, integerAccuracy: null, maxIntegerBits: null, trainSeconds: Math.round(t.seconds * 10) / 10, epochs: teacherEpochs, seed, perChannel: false };
        if (!done.has(rowKey(trow))) { rows.push(trow); done.add(rowKey(trow)); writeReports(dir, rows); }
        process.stderr.write(`teacher ${cell.network}: float ${(floatAccuracy * 100).toFixed(2)}%\n`);
      }
    }
    const r = runExperiment({ ...cell, teacherEpochs, progress }, mnist, teacher);
    r.net.dispose();
    if (r.model) {
      mkdirSync(modelsDir, { recursive: true });
      writeFileSync(join(modelsDir, `${r.model.name}-e${cell.epochs}-s${cell.seed}${cell.perChannel ? '-pc' : ''}.json`), serializeIntegerModel(r.model) + '\n'); // -bn is in the model name
    }
    // Re-read before appending: another sweep process may share the results folder.
    const onDisk = loadRows(path);
    const keys = new Set(onDisk.map(rowKey));
    for (const x of rows) if (!keys.has(rowKey(x))) { onDisk.push(x); keys.add(rowKey(x)); }
    if (!keys.has(rowKey(r.row))) onDisk.push(r.row);
    rows.splice(0, rows.length, ...onDisk);
    writeReports(dir, rows);
    process.stderr.write(`${rowKey(r.row)}: float ${(r.row.floatAccuracy * 100).toFixed(2)}%, integer ${r.row.integerAccuracy === null ? '—' : (r.row.integerAccuracy * 100).toFixed(2) + '%'}, ${r.row.maxIntegerBits ?? '—'} bits, ${r.row.trainSeconds}s\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`\n${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
  process.exit(1);
});
