/**
 * The `qhe sweep` job (issue 5): networks × weight bits × input bits ×
 * activation × distillation. The full grid (~180 trainings) does not fit one
 * session, so the sweep is resumable: rows are appended to
 * `<results>/sweep.json` as they finish, rows already present (same
 * configuration key) are skipped, and the markdown table and SVG plot are
 * regenerated from whatever rows exist. Trained models go to
 * `<results>/models/` (not committed).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Activation, NetworkName, SweepCellFields } from '../config.js';
import { loadMnist } from '../data/mnist.js';
import { serializeIntegerModel } from '../model/parse.js';
import { loadRows, rowKey, writeReports } from '../report/rows.js';
import { initBackend } from './backend.js';
import { runExperiment, trainTeacher, type ExperimentConfig, type ExperimentRow } from './experiment.js';
import type { Network } from './network.js';
import { evalTeacher } from './teacher-eval.js';
import type { TrainProgressFn } from './trainer.js';

export type SweepPreset = 'resolve' | 'grid' | 'full';

export interface SweepJobConfig {
  /** `resolve`: the cells that answer the targets; `grid`/`full`: the product of the lists below. */
  readonly preset: SweepPreset;
  /** Explicit cells (overrides the preset). */
  readonly cells: readonly SweepCellFields[] | null;
  readonly networks: readonly NetworkName[];
  readonly weightBits: readonly number[];
  readonly inputBits: readonly number[];
  readonly activations: readonly Exclude<Activation, 'relu'>[];
  readonly kd: 'both' | 'yes' | 'no';
  readonly epochs: number;
  readonly teacherEpochs: number;
  readonly seed: number;
  readonly perChannel: boolean;
  readonly batchNorm: boolean;
  readonly augment: boolean;
  /** Only regenerate sweep.md and sweep.svg from sweep.json. */
  readonly reportOnly: boolean;
  readonly resultsDir: string;
}

export interface SweepJobHooks {
  readonly progress?: TrainProgressFn;
  readonly log?: (line: string) => void;
}

/** One cell of the sweep grid: an experiment's configuration without the job-wide fields. */
export type SweepCell = Omit<ExperimentConfig, 'teacherEpochs' | 'progress'>;

/** The subset that answers the resolve targets: 8-bit vs ≤4-bit, teacher vs x²/quadratic ± KD, in priority order. */
function resolveCells(network: NetworkName): SweepCellFields[] {
  const c = (activation: 'square' | 'quadratic', weightBits: number, inputBits: number, kd: boolean): SweepCellFields => ({ network, activation, weightBits, inputBits, kd });
  return [
    c('square', 8, 8, false), c('square', 8, 8, true),
    c('square', 4, 2, true), c('square', 3, 2, true), c('square', 2, 2, true), c('square', 4, 4, true), c('square', 4, 2, false),
    c('quadratic', 8, 8, true), c('quadratic', 8, 8, false), c('quadratic', 4, 2, true),
  ];
}

function gridCells(cfg: SweepJobConfig): SweepCellFields[] {
  const kds = cfg.kd === 'both' ? [false, true] : [cfg.kd === 'yes'];
  const cells: SweepCellFields[] = [];
  for (const network of cfg.networks) for (const activation of cfg.activations) for (const weightBits of cfg.weightBits)
    for (const inputBits of cfg.inputBits) for (const kd of kds) cells.push({ network, activation, weightBits, inputBits, kd });
  return cells;
}

/** The cells a configuration asks for, with the run options applied. */
export function sweepCells(cfg: SweepJobConfig): SweepCell[] {
  const fields = cfg.cells ?? (cfg.preset === 'resolve' ? cfg.networks.flatMap(resolveCells) : gridCells(cfg));
  return fields.map((f) => ({
    ...f, epochs: cfg.epochs, seed: cfg.seed, perChannel: cfg.perChannel,
    ...(cfg.batchNorm ? { batchNorm: true } : {}), ...(cfg.augment ? { augment: true } : {}),
  }));
}

export async function sweepJob(cfg: SweepJobConfig, hooks: SweepJobHooks = {}): Promise<{ rows: number; trained: number }> {
  const log = hooks.log ?? ((): void => {});
  const dir = cfg.resultsDir;
  const path = join(dir, 'sweep.json');
  const rows = loadRows(path);
  if (cfg.reportOnly) { writeReports(dir, rows); return { rows: rows.length, trained: 0 }; }
  const cells = sweepCells(cfg);
  const done = new Set(rows.map(rowKey));
  const todo = cells.filter((c) => !done.has(rowKey(c)));
  log(`backend ${await initBackend()}; ${cells.length} cells, ${cells.length - todo.length} already in ${path}, ${todo.length} to run`);
  writeReports(dir, rows);
  if (todo.length === 0) return { rows: rows.length, trained: 0 };
  const mnist = loadMnist();
  const teachers = new Map<NetworkName, Network>();
  const modelsDir = join(dir, 'models');
  for (const cell of todo) {
    let teacher: Network | undefined;
    if (cell.kd) {
      teacher = teachers.get(cell.network);
      if (!teacher) {
        const t = trainTeacher({ network: cell.network, teacherEpochs: cfg.teacherEpochs, seed: cfg.seed, progress: hooks.progress }, mnist.train);
        teacher = t.net;
        teachers.set(cell.network, teacher);
        const { floatAccuracy } = evalTeacher(t.net, mnist);
        const trow: ExperimentRow = { network: cell.network, weightBits: null, inputBits: 8, activation: 'relu', kd: false, floatAccuracy, integerAccuracy: null, maxIntegerBits: null, trainSeconds: Math.round(t.seconds * 10) / 10, epochs: cfg.teacherEpochs, seed: cfg.seed, perChannel: false };
        if (!done.has(rowKey(trow))) { rows.push(trow); done.add(rowKey(trow)); writeReports(dir, rows); }
        log(`teacher ${cell.network}: float ${(floatAccuracy * 100).toFixed(2)}%`);
      }
    }
    const r = runExperiment({ ...cell, teacherEpochs: cfg.teacherEpochs, progress: hooks.progress, log: hooks.log }, mnist, teacher);
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
    log(`${rowKey(r.row)}: float ${(r.row.floatAccuracy * 100).toFixed(2)}%, integer ${r.row.integerAccuracy === null ? '—' : (r.row.integerAccuracy * 100).toFixed(2) + '%'}, ${r.row.maxIntegerBits ?? '—'} bits, ${r.row.trainSeconds}s`);
  }
  for (const t of teachers.values()) t.dispose();
  return { rows: rows.length, trained: todo.length };
}
