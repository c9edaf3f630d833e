/**
 * The `qhe xray` job (issue 12): chest X-ray experiments on PneumoniaMNIST
 * (MedMNIST v2, Yang et al. 2023; Kermany et al. 2018; CC BY 4.0) — ReLU
 * teachers and HE-friendly students of the deeper networks (`resnet`,
 * `alexnet`), Baruch et al. 2021's recipe (trainable quadratic, knowledge
 * distillation). Validation split only. Resumable like the sweep: rows are
 * appended to `<results>/xray.json` as they finish, an experiment whose key is
 * present is skipped, every integer model goes to `<results>/models/`, and
 * xray.md / xray.svg are regenerated each time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPneumoniaMnist } from '../data/pneumonia.js';
import { serializeIntegerModel } from '../model/parse.js';
import { loadXrayRows, writeXrayReports } from '../report/xray.js';
import type { XrayNetwork } from './architectures.js';
import { initBackend } from './backend.js';
import type { Network } from './network.js';
import type { TrainProgressFn } from './trainer.js';
import { runXray, XRAY_DEFAULTS, xrayKey, type Metrics3, type XrayConfig, type XrayRow } from './xray.js';

export interface XrayJobConfig extends Omit<XrayConfig, 'network' | 'activation' | 'weightBits' | 'inputBits' | 'kd' | 'progress'> {
  readonly networks: readonly XrayNetwork[];
  readonly activations: readonly ('square' | 'quadratic')[];
  readonly weightBits: readonly number[];
  readonly inputBits: readonly number[];
  readonly kd: 'both' | 'yes' | 'no';
  readonly teacherEpochs: number;
  /** Only regenerate xray.md and xray.svg from xray.json (and xray-plans.json). */
  readonly reportOnly: boolean;
  readonly resultsDir: string;
}

export interface XrayJobHooks {
  readonly progress?: TrainProgressFn;
  readonly log?: (line: string) => void;
}

/** The experiments a configuration asks for, in order (per network: activations × weight bits × input bits × KD). */
export function xrayCells(cfg: XrayJobConfig): XrayConfig[] {
  const { networks, activations, weightBits, inputBits, kd, teacherEpochs: _t, reportOnly: _r, resultsDir: _d, ...rest } = cfg;
  const cells: XrayConfig[] = [];
  for (const network of networks) for (const activation of activations) for (const wb of weightBits) for (const ib of inputBits) {
    for (const k of kd === 'both' ? [false, true] : [kd === 'yes']) cells.push({ ...rest, network, activation, weightBits: wb, inputBits: ib, kd: k });
  }
  return cells;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

export async function xrayJob(cfg: XrayJobConfig, hooks: XrayJobHooks = {}): Promise<{ rows: number; trained: number }> {
  const log = hooks.log ?? ((): void => {});
  const dir = cfg.resultsDir;
  const path = join(dir, 'xray.json');
  const rows = loadXrayRows(path);
  if (cfg.reportOnly) { writeXrayReports(dir, rows); return { rows: rows.length, trained: 0 }; }
  const cells = xrayCells(cfg);
  const done = new Set(rows.map(xrayKey));
  const todo = cells.filter((c) => !done.has(xrayKey(c)));
  log(`backend ${await initBackend()}; ${cells.length} experiments, ${cells.length - todo.length} already in ${path}, ${todo.length} to run`);
  writeXrayReports(dir, rows);
  if (todo.length === 0) return { rows: rows.length, trained: 0 };
  const data = loadPneumoniaMnist();
  const teachers = new Map<XrayNetwork, { net: Network; metrics: Metrics3 }>();
  const record = (row: XrayRow): number => {
    // Re-read before appending: another xray process may share the results folder.
    const onDisk = loadXrayRows(path);
    if (!onDisk.some((r) => xrayKey(r) === xrayKey(row))) onDisk.push(row);
    writeXrayReports(dir, onDisk);
    return onDisk.length;
  };
  let total = rows.length;
  for (const cell of todo) {
    let teacher = teachers.get(cell.network);
    if (cell.kd && !teacher) {
      const t = runXray({ ...cell, activation: 'relu', weightBits: null, inputBits: 8, kd: false, epochs: cfg.teacherEpochs, select: 'last', progress: hooks.progress }, data);
      teacher = { net: t.net, metrics: t.row.float };
      teachers.set(cell.network, teacher);
      total = record(t.row);
      log(`teacher ${cell.network}: val acc ${pct(t.row.float.accuracy)}, AUC ${t.row.float.auc.toFixed(4)}, F1 ${t.row.float.f1.toFixed(4)}`);
    }
    const r = runXray({ ...cell, progress: hooks.progress }, data, teacher);
    let row = r.row;
    if (r.model) {
      // Non-default KD options and the epoch choice name the file too (one file per experiment key).
      const kdOpts = cell.kd && (cell.temperature !== XRAY_DEFAULTS.temperature || cell.alpha !== XRAY_DEFAULTS.alpha) ? `-T${cell.temperature}-a${cell.alpha}` : '';
      const file = join('models', `${r.model.name}${kdOpts}${row.select === 'best' ? '-best' : ''}-e${cell.epochs}-s${cell.seed}.json`);
      mkdirSync(join(dir, 'models'), { recursive: true });
      writeFileSync(join(dir, file), serializeIntegerModel(r.model) + '\n');
      row = { ...row, model: file };
    }
    r.net.dispose();
    total = record(row);
    const m = row.integer ?? row.float;
    log(`${xrayKey(row)}: val acc ${pct(m.accuracy)}, AUC ${m.auc.toFixed(4)}, F1 ${m.f1.toFixed(4)}, ${row.maxIntegerBits ?? '—'} bits, ${row.trainSeconds} s`);
  }
  for (const t of teachers.values()) t.net.dispose();
  return { rows: total, trained: todo.length };
}
