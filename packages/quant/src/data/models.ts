/**
 * The committed integer models (`packages/quant/models/`) and their manifest,
 * which names the default model explicitly: the `qhe` job never picks one by
 * sorting file names. Manifest format (version 1):
 *   { "format": "qhe-model-manifest", "version": 1, "default": "<file>",
 *     "models": [{ "file": "<file>", "role": "default" | "low-bits" | …, "description": "…" }] }
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail } from '../model/errors.js';

export interface ModelEntry {
  readonly file: string;
  /** What the model is for: "default", "low-bits" (the ≤4-bit comparison), "baseline", … */
  readonly role: string;
  readonly description: string;
}

export interface ModelManifest {
  readonly dir: string;
  readonly default: string;
  readonly models: readonly ModelEntry[];
}

export const MANIFEST_FILE = 'manifest.json';

/** `packages/quant/models/` of this installation (dist/data/ and src/data/ are both two levels below the package). */
export function committedModelsDir(): string {
  return fileURLToPath(new URL('../../models/', import.meta.url));
}

/** `packages/quant/results/`: the sweep's rows, table and plot. */
export function resultsDir(): string {
  return fileURLToPath(new URL('../../results/', import.meta.url));
}

/** Where `qhe train` and the sweep write models by default: `results/models/`, which git ignores. */
export function trainedModelsDir(): string {
  return join(resultsDir(), 'models');
}

/** Reads and validates `<dir>/manifest.json`; every listed file must exist. */
export function readModelManifest(dir: string = committedModelsDir()): ModelManifest {
  const path = join(dir, MANIFEST_FILE);
  const where = `readModelManifest(${path})`;
  if (!existsSync(path)) fail('FILE_MISSING', where, 'a model manifest', 'no such file');
  let j: Record<string, unknown>;
  try { j = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>; } catch (e) {
    return fail('FILE_CORRUPT', where, 'valid JSON', (e as Error).message);
  }
  if (j === null || typeof j !== 'object' || j.format !== 'qhe-model-manifest') fail('MODEL_FORMAT', where, 'format "qhe-model-manifest"', j?.format);
  if (j.version !== 1) fail('MODEL_VERSION', where, 'version 1', j.version);
  if (!Array.isArray(j.models) || j.models.length === 0) fail('MODEL_FIELD', `${where}.models`, 'a non-empty array', j.models);
  const models = (j.models as unknown[]).map((m, i): ModelEntry => {
    const e = m as Partial<ModelEntry> | null;
    if (!e || typeof e.file !== 'string' || basename(e.file) !== e.file || !e.file.endsWith('.json'))
      fail('MODEL_FIELD', `${where}.models[${i}].file`, 'a .json file name in the manifest folder', e?.file);
    if (!existsSync(join(dir, e.file))) fail('FILE_MISSING', `${where}.models[${i}].file`, 'an existing model file', e.file);
    if (typeof e.role !== 'string' || typeof e.description !== 'string') fail('MODEL_FIELD', `${where}.models[${i}]`, 'string role and description', m);
    return { file: e.file, role: e.role, description: e.description };
  });
  if (typeof j.default !== 'string' || !models.some((m) => m.file === j.default))
    fail('MODEL_FIELD', `${where}.default`, 'the file name of a listed model', j.default);
  return { dir, default: j.default, models };
}

/** Absolute path of the manifest's default model. */
export function defaultModelPath(dir: string = committedModelsDir()): string {
  const m = readModelManifest(dir);
  return join(m.dir, m.default);
}

/** Absolute path of the first model with `role` in the manifest, or null. */
export function modelPathByRole(role: string, dir: string = committedModelsDir()): string | null {
  const m = readModelManifest(dir);
  const e = m.models.find((x) => x.role === role);
  return e ? join(m.dir, e.file) : null;
}
