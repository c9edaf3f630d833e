/** Where the benchmark suites write: benchmarks/results/<suite>.{json,md,svg}. */
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** benchmarks/ (this file runs from benchmarks/dist/lib when built, from benchmarks/lib under vitest). */
const benchmarksDir = basename(dirname(here)) === 'dist' ? join(here, '..', '..') : join(here, '..');

export const resultsDir = join(benchmarksDir, 'results');

/** packages/quant/models: the committed integer models the inference suite names. */
export const modelsDir = join(benchmarksDir, '..', 'packages', 'quant', 'models');
