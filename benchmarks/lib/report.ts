/**
 * Shared plumbing of the benchmark suites: machine description, medians from
 * tinybench tasks, the results under benchmarks/results/ (<suite>.json, and the
 * markdown table and plots rendered from it, render.ts) and a printed table. Timings on the shared 2-core machines move by 2× between runs,
 * so every suite measures ours and the peer in the same run and reports ratios.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import type { Task } from 'tinybench';
import { resultsDir } from './paths.js';
import { writeRendered } from './render.js';

export { resultsDir } from './paths.js';

export function machine(): { node: string; cpu: string; cores: number } {
  return { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism() };
}

/** Median latency of a finished tinybench task, in milliseconds. */
export function medianMs(task: Task | undefined): number {
  const result = task?.result as { latency?: { p50?: number }; error?: unknown } | undefined;
  if (!result || result.error || result.latency?.p50 === undefined)
    throw new Error(`benchmark task ${task?.name ?? '?'} did not complete: ${String(result?.error ?? 'no result')}`);
  return result.latency.p50;
}

/** Median of plain numbers (for hand-timed runs such as whole workloads). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Quartiles of plain numbers by linear interpolation between order statistics
 * (the "type 7" estimator of R and NumPy's default): q1, median, q3.
 */
export function quartiles(xs: readonly number[]): { q1: number; median: number; q3: number } {
  if (xs.length === 0) throw new Error('quartiles: expected at least one value, got none');
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number): number => {
    const h = (s.length - 1) * p, lo = Math.floor(h);
    return lo + 1 < s.length ? s[lo] + (h - lo) * (s[lo + 1] - s[lo]) : s[lo];
  };
  return { q1: at(0.25), median: at(0.5), q3: at(0.75) };
}

/** Time per call of one batch: wall clock, and CPU time of the whole process (user + system). */
export interface BatchTime { readonly wallMs: number; readonly cpuMs: number }

/**
 * Runs `fn` `reps` times back to back; ms per call (one timed batch of an
 * alternating comparison). CPU time is process-wide (Node 20 has no per-thread
 * clock): it is the batch's own work only while the process's other threads
 * wait, as in the suites, where one side runs while the other awaits it. Under
 * load it is the steadier measure: wall time also counts the slices the
 * scheduler gives to other processes.
 */
export function timeBatch(fn: () => void, reps: number): BatchTime {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs: wall / reps, cpuMs: (c.user + c.system) / 1000 / reps };
}

/** Writes results/<suite>.json, then its markdown table and plots (render.ts); returns the JSON's path. */
export function writeResults(suite: string, payload: Record<string, unknown>): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${suite}.json`);
  writeFileSync(file, JSON.stringify({ suite, ...machine(), date: new Date().toISOString(), ...payload }, null, 2) + '\n');
  writeRendered(suite);
  return file;
}

/** Prints rows as an aligned table; numbers to 3 significant digits. */
export function printTable(rows: readonly Record<string, unknown>[]): void {
  if (rows.length === 0) return;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const fmt = (v: unknown): string =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(3)) : v === undefined ? '' : String(v);
  const cells = rows.map((r) => cols.map((c) => fmt(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (xs: string[]): string => xs.map((x, i) => x.padStart(widths[i])).join('  ');
  console.log(line(cols));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) console.log(line(row));
}

/** Rows as a GitHub markdown table (numbers to 3 significant digits), written to benchmarks/results/<suite>.md. */
export function writeMarkdownTable(suite: string, title: string, rows: readonly Record<string, unknown>[], notes: readonly string[] = []): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const fmt = (v: unknown): string =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(3)) : v === undefined || v === null ? '' : String(v).replace(/\|/g, '\\|');
  const lines = [`# ${title}`, '', `${machine().cpu}, ${machine().cores} cores, Node ${machine().node}, ${new Date().toISOString()}`, '',
    `| ${cols.join(' | ')} |`, `| ${cols.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${cols.map((c) => fmt(r[c])).join(' | ')} |`)];
  if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${suite}.md`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}
