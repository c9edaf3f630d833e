#!/usr/bin/env node
/**
 * `xray`: chest X-ray experiments on PneumoniaMNIST (MedMNIST v2, Yang et al.
 * 2023; Kermany et al. 2018; CC BY 4.0) — ReLU teachers and HE-friendly
 * students of the deeper networks (`resnet`, `alexnet`), Baruch et al. 2021's
 * recipe (trainable quadratic, knowledge distillation). Validation split only.
 * Resumable like `sweep`: rows are appended to results/xray.json as they finish
 * and an experiment whose key is present is skipped; every integer model goes
 * to results/models/; the markdown table and SVG are regenerated each time.
 *
 *   xray [--networks resnet,alexnet] [--activations square,quadratic] [--weight-bits 4,6,8] [--input-bits 4,8]
 *        [--kd both|yes|no] [--epochs N] [--teacher-epochs N] [--seed N] [--width N] [--no-batch-norm] [--no-augment]
 *        [--balance weighted|none] [--temperature T] [--alpha A] [--lr R] [--batch N] [--results dir] [--report-only] [--quiet]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPneumoniaMnist } from '../data/pneumonia.js';
import { fail } from '../model/errors.js';
import { serializeIntegerModel } from '../model/parse.js';
import { loadXrayRows, writeXrayReports } from '../report/xray.js';
import { XRAY_NETWORKS, type XrayNetwork } from '../train/architectures.js';
import { initBackend } from '../train/backend.js';
import type { Activation, Network } from '../train/network.js';
import { fmt } from '../train/progress.js';
import { runXray, XRAY_DEFAULTS, xrayKey, type Metrics3, type XrayConfig, type XrayRow } from '../train/xray.js';
import { boolArg, choiceArg, intArg, parseArgs } from './args.js';

const list = (v: string | undefined, def: string[]): string[] => (v === undefined ? def : v.split(',').map((s) => s.trim()).filter(Boolean));

function numArg(a: Map<string, string>, k: string, def: number, min: number, max: number): number {
  const v = a.get(k);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) fail('INVALID_ARGUMENT', `--${k}`, `a number in [${min}, ${max}]`, v);
  return n;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.has('help')) {
    process.stdout.write(`usage: xray [--networks resnet,alexnet] [--activations square,quadratic] [--weight-bits 4,8] [--input-bits 4]
  [--kd both|yes|no] [--epochs N] [--teacher-epochs N] [--seed N] [--width N] [--no-batch-norm] [--no-augment]
  [--balance weighted|none] [--temperature T] [--alpha A] [--lr R] [--batch N] [--results dir] [--report-only] [--quiet]\n`);
    return;
  }
  const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir = a.get('results') ?? join(pkg, 'results');
  const path = join(dir, 'xray.json');
  if (boolArg(a, 'report-only')) { writeXrayReports(dir, loadXrayRows(path)); return; }
  const nets = list(a.get('networks'), ['resnet', 'alexnet']);
  for (const n of nets) if (!XRAY_NETWORKS.includes(n as XrayNetwork)) fail('INVALID_ARGUMENT', '--networks', XRAY_NETWORKS.join('|'), n);
  const acts = list(a.get('activations'), ['square', 'quadratic']);
  for (const x of acts) if (x !== 'square' && x !== 'quadratic') fail('INVALID_ARGUMENT', '--activations', 'square|quadratic', x);
  const bitsList = (k: string, def: string[]) => list(a.get(k), def).map((b) => {
    const n = Number(b);
    if (!Number.isInteger(n) || n < 2 || n > 8) fail('INVALID_ARGUMENT', `--${k}`, 'integers in 2..8', b);
    return n;
  });
  const wbits = bitsList('weight-bits', ['4', '8']);
  const ibits = bitsList('input-bits', ['4']);
  const kd = choiceArg(a, 'kd', 'both', ['both', 'yes', 'no'] as const);
  const base = {
    ...XRAY_DEFAULTS,
    epochs: intArg(a, 'epochs', XRAY_DEFAULTS.epochs, 1, 1000),
    seed: intArg(a, 'seed', XRAY_DEFAULTS.seed, 0, 2 ** 31),
    width: intArg(a, 'width', XRAY_DEFAULTS.width, 1, 256),
    batchNorm: !boolArg(a, 'no-batch-norm'),
    augment: !boolArg(a, 'no-augment'),
    balance: choiceArg(a, 'balance', XRAY_DEFAULTS.balance, ['weighted', 'none'] as const),
    temperature: numArg(a, 'temperature', XRAY_DEFAULTS.temperature, 0.1, 100),
    alpha: numArg(a, 'alpha', XRAY_DEFAULTS.alpha, 0, 1),
    learningRate: numArg(a, 'lr', XRAY_DEFAULTS.learningRate, 1e-6, 1),
    batchSize: intArg(a, 'batch', XRAY_DEFAULTS.batchSize, 1, 4096),
    progress: !boolArg(a, 'quiet'),
  };
  const teacherEpochs = intArg(a, 'teacher-epochs', base.epochs, 1, 1000);
  const cells: XrayConfig[] = [];
  for (const network of nets as XrayNetwork[]) for (const activation of acts as Activation[]) for (const weightBits of wbits) for (const inputBits of ibits) {
    for (const k of kd === 'both' ? [false, true] : [kd === 'yes']) cells.push({ ...base, network, activation, weightBits, inputBits, kd: k });
  }
  const rows = loadXrayRows(path);
  const done = new Set(rows.map(xrayKey));
  const todo = cells.filter((c) => !done.has(xrayKey(c)));
  process.stderr.write(`backend ${await initBackend()}; ${cells.length} experiments, ${cells.length - todo.length} already in ${path}, ${todo.length} to run\n`);
  writeXrayReports(dir, rows);
  if (todo.length === 0) return;
  const data = loadPneumoniaMnist();
  const teachers = new Map<XrayNetwork, { net: Network; metrics: Metrics3 }>();
  const record = (row: XrayRow): void => {
    // Re-read before appending: another xray process may share the results folder.
    const onDisk = loadXrayRows(path);
    if (!onDisk.some((r) => xrayKey(r) === xrayKey(row))) onDisk.push(row);
    writeXrayReports(dir, onDisk);
  };
  for (const cell of todo) {
    let teacher = teachers.get(cell.network);
    if (cell.kd && !teacher) {
      const t = runXray({ ...cell, activation: 'relu', weightBits: null, inputBits: 8, kd: false, epochs: teacherEpochs }, data);
      teacher = { net: t.net, metrics: t.row.float };
      teachers.set(cell.network, teacher);
      record(t.row);
      process.stderr.write(`teacher ${cell.network}: val acc ${(t.row.float.accuracy * 100).toFixed(2)}%, AUC ${t.row.float.auc.toFixed(4)}, F1 ${t.row.float.f1.toFixed(4)}\n`);
    }
    const r = runXray(cell, data, teacher);
    let row = r.row;
    if (r.model) {
      const file = join('models', `${r.model.name}-e${cell.epochs}-s${cell.seed}.json`);
      mkdirSync(join(dir, 'models'), { recursive: true });
      writeFileSync(join(dir, file), serializeIntegerModel(r.model) + '\n');
      row = { ...row, model: file };
    }
    r.net.dispose();
    record(row);
    const m = row.integer ?? row.float;
    process.stderr.write(`${xrayKey(row)}: val acc ${(m.accuracy * 100).toFixed(2)}%, AUC ${m.auc.toFixed(4)}, F1 ${m.f1.toFixed(4)}, ${row.maxIntegerBits ?? '—'} bits, ${fmt(row.trainSeconds)}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`\n${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
  process.exit(1);
});
