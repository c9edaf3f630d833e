/**
 * The `qhe train` job: one experiment (optional ReLU teacher for distillation →
 * quantization-aware student → float and exact integer test accuracy) and the
 * integer model written to `out`. The command line (`@qhe/nn`'s `qhe train`)
 * parses the flags and loads this module only when it trains, so the other
 * subcommands never load TF.js.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadMnist, takeSplit } from '../data/mnist.js';
import { fail } from '../model/errors.js';
import { serializeIntegerModel } from '../model/parse.js';
import { initBackend } from './backend.js';
import { runExperiment, trainTeacher, type ExperimentConfig, type ExperimentRow } from './experiment.js';
import type { TrainProgressFn } from './trainer.js';

export interface TrainJobConfig extends Omit<ExperimentConfig, 'progress'> {
  /** Training images used (the first ones of the 60,000). */
  readonly trainSize: number;
  readonly backend: 'wasm' | 'cpu';
  /** Where the integer model goes (ignored for `relu`, which exports none). */
  readonly out: string;
  /** Replace an existing file at `out`; otherwise the job refuses to write over it. */
  readonly overwrite: boolean;
}

export interface TrainJobHooks {
  readonly progress?: TrainProgressFn;
  /** Status lines (backend, image counts). */
  readonly log?: (line: string) => void;
}

export interface TrainJobResult {
  readonly row: ExperimentRow;
  readonly backend: string;
  readonly trainImages: number;
  /** The written model file, or null for a ReLU (float) run. */
  readonly modelPath: string | null;
  readonly teacherSeconds: number | null;
  /** Per-tensor integer bits and multiplicative depth of the exported model. */
  readonly tensorBits: readonly number[] | null;
  readonly multiplicativeDepth: number | null;
}

export async function trainJob(cfg: TrainJobConfig, hooks: TrainJobHooks = {}): Promise<TrainJobResult> {
  const backend = await initBackend(cfg.backend);
  const full = loadMnist();
  const mnist = { train: takeSplit(full.train, cfg.trainSize), test: full.test };
  hooks.log?.(`backend ${backend}; ${mnist.train.count} training images`);
  const teacher = cfg.kd ? trainTeacher({ ...cfg, progress: hooks.progress }, mnist.train) : undefined;
  const r = runExperiment({ ...cfg, progress: hooks.progress, log: hooks.log }, mnist, teacher?.net);
  teacher?.net.dispose();
  r.net.dispose();
  if (r.model) {
    mkdirSync(dirname(cfg.out), { recursive: true });
    try {
      // 'wx' fails if the file appeared meanwhile: a model is never replaced without `overwrite`.
      writeFileSync(cfg.out, serializeIntegerModel(r.model) + '\n', { flag: cfg.overwrite ? 'w' : 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') fail('INVALID_ARGUMENT', 'trainJob out', 'a path that does not exist (or overwrite)', cfg.out);
      throw e;
    }
  }
  return {
    row: r.row, backend, trainImages: mnist.train.count, modelPath: r.model ? cfg.out : null, teacherSeconds: teacher?.seconds ?? null,
    tensorBits: r.model ? r.model.tensors.map((t) => t.bits) : null, multiplicativeDepth: r.model?.multiplicativeDepth ?? null,
  };
}
