/**
 * Results as a reader sees them: every suite's JSON (benchmarks/results/<suite>.json)
 * rendered to a markdown table beside it (<suite>.md) and, where a picture says
 * more, SVG plots (<suite>*.svg) drawn with `@qhe/quant/chart`:
 *
 *   | suite        | plot                                                              |
 *   |--------------|-------------------------------------------------------------------|
 *   | ops-vs-seal  | per N: ours vs node-seal per operation, grouped bars, ratio labels |
 *   | kernels      | µs per limb per transform and N, u32 / u64 / node-seal, ratios    |
 *   | pool-scaling | speedup against workers per workload (lines), ideal scaling        |
 *   | inference    | time against the model's integer bits (scatter), ours and peer    |
 *
 * Rendering reads only the JSON (and, for integer bits, the committed model it
 * names), so `npm run bench:render` redraws every committed result without
 * re-running a benchmark, and `writeResults` (report.ts) calls it after each run.
 * The markdown is generic (every array of rows becomes a table, every other
 * field a line), so suites may add fields freely; a plot whose fields are absent
 * is left out rather than drawn wrong.
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupedBarChart, lineChart, scatterChart, type XYSeries } from '@qhe/quant/chart';
import { parseIntegerModel } from '@qhe/quant/model';
import { modelsDir, resultsDir } from './paths.js';

type Json = Record<string, unknown>;
type Row = Record<string, unknown>;

export interface Plot {
  /** File name under benchmarks/results, e.g. `ops-vs-seal-n8192.svg`. */
  readonly file: string;
  readonly title: string;
  readonly svg: string;
}

export interface Rendered {
  readonly markdown: string;
  readonly plots: readonly Plot[];
}

const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);
const rowsOf = (json: Json, key = 'rows'): Row[] => (Array.isArray(json[key]) ? (json[key] as unknown[]).filter(isRow) : []);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A cell: integers as they are, other numbers to 3 significant digits, lists shortened. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Math.abs(v) >= 1000 ? v.toFixed(0) : String(Number(v.toPrecision(3)));
  if (Array.isArray(v)) return v.length > 8 ? `${v.slice(0, 8).map(formatCell).join(', ')}, … (${v.length})` : v.map(formatCell).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v).replace(/\|/g, '\\|');
}

/** A markdown table over the union of the rows' keys, in first-seen order. */
export function markdownTable(rows: readonly Row[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(cols), line(cols.map(() => '---')), ...rows.map((r) => line(cols.map((c) => formatCell(r[c]))))].join('\n') + '\n';
}

/**
 * Rows split into tables of one shape: a row joins the first table whose columns
 * contain its keys or are contained in them (optional fields stay in one table),
 * else starts a new one (e.g. timing rows and parameter rows of one suite).
 */
export function tablesOf(rows: readonly Row[]): Row[][] {
  const tables: { keys: Set<string>; rows: Row[] }[] = [];
  for (const r of rows) {
    const keys = Object.keys(r);
    const t = tables.find((t) => keys.every((k) => t.keys.has(k)) || [...t.keys].every((k) => keys.includes(k)));
    if (t) {
      keys.forEach((k) => t.keys.add(k));
      t.rows.push(r);
    } else tables.push({ keys: new Set(keys), rows: [r] });
  }
  return tables.map((t) => t.rows);
}

/** Header lines (machine, date, method, parameters), then one table per array of rows, plots linked. */
export function renderMarkdown(suite: string, json: Json, plots: readonly Plot[]): string {
  const out = [`# ${suite}`, ''];
  const machine = [json.date && `run ${String(json.date).slice(0, 10)}`, json.node && `Node ${json.node}`, json.cpu && `${json.cpu}`, json.cores && `${json.cores} cores`].filter(Boolean);
  if (machine.length) out.push(`${machine.join(', ')}. Generated from \`${suite}.json\` by \`npm run bench:render\`.`, '');
  const skip = new Set(['suite', 'node', 'cpu', 'cores', 'date']);
  const scalars = Object.entries(json).filter(([k, v]) => !skip.has(k) && !(Array.isArray(v) && v.some(isRow)));
  for (const [k, v] of scalars) out.push(`- ${k}: ${isRow(v) ? Object.entries(v).map(([a, b]) => `${a} = ${formatCell(b)}`).join(', ') : formatCell(v)}`);
  if (scalars.length) out.push('');
  for (const p of plots) out.push(`![${p.title}](${p.file})`, '');
  for (const [k, v] of Object.entries(json)) {
    if (!Array.isArray(v) || !v.some(isRow)) continue;
    out.push(`## ${k}`, '');
    for (const table of tablesOf(v.filter(isRow))) out.push(markdownTable(table));
  }
  return out.join('\n');
}

// ---- plots per suite ---------------------------------------------------------------------------

/** ops-vs-seal: per ring degree, each operation's time for ours (per kernel / variant) and node-seal, log scale. */
function opsPlots(json: Json): Plot[] {
  const timed = rowsOf(json).filter((r) => num(r.oursMs) !== null && num(r.peerMs) !== null);
  const plots: Plot[] = [];
  for (const n of [...new Set(timed.map((r) => r.n))].sort((a, b) => Number(a) - Number(b))) {
    const rows = timed.filter((r) => r.n === n);
    const ours = [...new Set(rows.map((r) => [r.kernel, r.variant, r.preset].filter(Boolean).join(' ')))];
    const ops = [...new Set(rows.map((r) => String(r.op)))];
    const pick = (op: string, who: string) => rows.find((r) => r.op === op && [r.kernel, r.variant, r.preset].filter(Boolean).join(' ') === who);
    const series = [
      ...ours.map((who) => ({ name: `qhe ${who}`.trim(), values: ops.map((op) => num(pick(op, who)?.oursMs)) })),
      { name: 'node-seal 6.0.3', values: ops.map((op) => num(rows.find((r) => r.op === op)?.peerMs)) },
    ];
    // Labels for the u32 kernel with the default multiplication when the suite names it.
    const dflt = isRow(json.multiplication) ? json.multiplication.default : undefined;
    const first = ours.find((who) => who === `u32 ${dflt}`) ?? ours[0];
    const groupLabels = ops.map((op) => {
      const r = pick(op, first);
      const ratio = num(r?.ratio) ?? (r ? Number(r.oursMs) / Number(r.peerMs) : null);
      return ratio === null ? null : `${ratio.toFixed(2)}×`;
    });
    const title = `BFV operations, N = ${n}, one thread: time per operation (labels: median ratio qhe${first ? ` ${first}` : ''} / node-seal)`;
    plots.push({ file: `ops-vs-seal-n${n}.svg`, title, svg: groupedBarChart({ title, categories: ops, series, groupLabels, y: { label: 'ms per operation', log: true } }) });
  }
  return plots;
}

/** kernels: µs per limb for each transform and N, one bar per implementation; labels u32 / node-seal. */
function kernelPlots(json: Json): Plot[] {
  const rows = rowsOf(json).filter((r) => num(r.usPerLimb) !== null);
  if (!rows.length) return [];
  const cats = [...new Set(rows.map((r) => `${r.op} N=${r.n}`))];
  const impls = [...new Set(rows.map((r) => String(r.impl)))].sort((a, b) => Number(a === 'node-seal') - Number(b === 'node-seal') || a.localeCompare(b));
  const at = (cat: string, impl: string) => rows.find((r) => `${r.op} N=${r.n}` === cat && r.impl === impl);
  const series = impls.map((impl) => ({ name: impl === 'node-seal' ? 'node-seal 6.0.3' : `qhe ${impl}`, values: cats.map((c) => num(at(c, impl)?.usPerLimb)) }));
  const groupLabels = cats.map((c) => {
    const ours = num(at(c, 'u32')?.usPerLimb), peer = num(at(c, 'node-seal')?.usPerLimb);
    return ours !== null && peer !== null ? `${(ours / peer).toFixed(2)}×` : null;
  });
  const title = 'Ring kernels: µs per limb (labels: qhe u32 / node-seal)';
  return [{ file: 'kernels.svg', title, svg: groupedBarChart({ title, categories: cats, series, groupLabels, y: { label: 'µs per limb', log: true } }) }];
}

/** pool-scaling: speedup against workers, one line per workload (and mode), ideal scaling dashed. */
function poolPlots(json: Json): Plot[] {
  const rows = rowsOf(json).filter((r) => num(r.workers) !== null && num(r.speedup) !== null && r.peer === undefined);
  if (!rows.length) return [];
  const name = (r: Row) => `workload ${r.workload}`;
  const series: XYSeries[] = [...new Set(rows.map(name))].map((s) => ({
    name: s,
    points: rows.filter((r) => name(r) === s).map((r) => ({ x: Number(r.workers), y: Number(r.speedup), label: typeof r.mode === 'string' && r.mode !== 'whole' ? r.mode : undefined })),
  }));
  const maxW = Math.max(...rows.map((r) => Number(r.workers)));
  series.push({ name: 'ideal (linear)', reference: true, points: [{ x: 1, y: 1 }, { x: maxW, y: maxW }] });
  const title = `Worker pool scaling${json.parameters && isRow(json.parameters) && json.parameters.n ? `, N = ${json.parameters.n}` : ''}`;
  return [{ file: 'pool-scaling.svg', title, svg: lineChart({ title, series, x: { label: 'workers', include: [1], integer: true }, y: { label: 'speedup over one worker', include: [1] } }) }];
}

/** The max integer bits of a committed model (interval analysis, as the sweep reports them), or null. */
function modelBits(model: unknown): number | null {
  if (typeof model !== 'string') return null;
  const file = join(modelsDir, `${model}.json`);
  if (!existsSync(file)) return null;
  return parseIntegerModel(JSON.parse(readFileSync(file, 'utf8'))).maxBits;
}

/** inference: total time of the job against the model's integer bits, ours and node-seal. */
function inferencePlots(json: Json): Plot[] {
  const rows = rowsOf(json).map((r) => ({ r, bits: num(r.maxIntegerBits) ?? modelBits(r.model) })).filter(({ r, bits }) => bits !== null && num(r.oursMs) !== null);
  if (!rows.length) return [];
  const seen = new Set<string>();
  const ours = rows.filter(({ r }) => !seen.has(String(r.model)) && seen.add(String(r.model)));
  const label = (r: Row) => `${r.model}${num(r.accuracy) !== null ? `, ${(100 * Number(r.accuracy)).toFixed(2)} %` : ''}`;
  const workers = [...new Set(ours.map(({ r }) => r.workers))].join('/');
  const series: XYSeries[] = [{ name: `qhe (${workers} workers)`, points: ours.map(({ r, bits }) => ({ x: bits!, y: Number(r.oursMs) / 1000, label: label(r) })) }];
  const peer = rows.filter(({ r }) => num(r.peerMs) !== null);
  for (const threads of [...new Set(peer.map(({ r }) => Number(r.peerThreads ?? 1)))].sort((a, b) => b - a)) {
    const points = peer.filter(({ r }) => Number(r.peerThreads ?? 1) === threads).map(({ r, bits }) => ({ x: bits!, y: Number(r.peerMs) / 1000 }));
    series.push({ name: `node-seal 6.0.3 (${threads} thread${threads === 1 ? '' : 's'})`, points });
  }
  const title = `Encrypted inference of ${ours[0].r.images ?? ''} images: time against integer bits`;
  return [{ file: 'inference.svg', title, svg: scatterChart({ title, series, x: { label: 'max integer bits of the model', include: [0] }, y: { label: 'seconds (client + server)', include: [0] } }) }];
}

const PLOTS: Readonly<Record<string, (json: Json) => Plot[]>> = {
  'ops-vs-seal': opsPlots,
  kernels: kernelPlots,
  'pool-scaling': poolPlots,
  inference: inferencePlots,
};

/** The markdown and plots of one suite's results. */
export function renderSuite(suite: string, json: Json): Rendered {
  const plots = PLOTS[suite]?.(json) ?? [];
  return { markdown: renderMarkdown(suite, json, plots), plots };
}

/** Re-renders results/<suite>.json into <suite>.md and its plots (stale plots of the suite are removed). */
export function writeRendered(suite: string): string[] {
  const json = JSON.parse(readFileSync(join(resultsDir, `${suite}.json`), 'utf8')) as Json;
  const { markdown, plots } = renderSuite(suite, json);
  for (const f of readdirSync(resultsDir)) if (f.endsWith('.svg') && (f === `${suite}.svg` || f.startsWith(`${suite}-`))) rmSync(join(resultsDir, f));
  const written = [join(resultsDir, `${suite}.md`)];
  writeFileSync(written[0], markdown);
  for (const p of plots) {
    writeFileSync(join(resultsDir, p.file), p.svg);
    written.push(join(resultsDir, p.file));
  }
  return written;
}

/** Every suite with a JSON in benchmarks/results. */
export function suitesWithResults(): string[] {
  return readdirSync(resultsDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
}
