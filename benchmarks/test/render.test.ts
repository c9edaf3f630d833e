/**
 * Rendering of the committed benchmark results (lib/render.ts): every
 * results/<suite>.json gives a markdown report with one table row per result
 * row and the suite's plots, each drawing exactly the measured values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resultsDir } from '../lib/paths.js';
import { formatCell, renderSuite, suitesWithResults, tablesOf } from '../lib/render.js';

type Row = Record<string, unknown>;
const load = (suite: string) => JSON.parse(readFileSync(join(resultsDir, `${suite}.json`), 'utf8')) as Record<string, unknown> & { rows: Row[] };
const count = (s: string, re: RegExp) => s.match(re)?.length ?? 0;

describe('benchmark reports', () => {
  it('cells and tables: 3 significant digits, integers kept, rows of another shape in their own table', () => {
    expect([formatCell(0.091189), formatCell(126268.4), formatCell(8192), formatCell([1, 2.345]), formatCell('a|b')]).toEqual(['0.0912', '126268', '8192', '1, 2.35', 'a\\|b']);
    const t = tablesOf([{ op: 'a', ms: 1 }, { op: 'b', ms: 2, mode: 'x' }, { op: 'c', ours: 1, peer: 2 }]);
    expect(t.map((x) => x.length)).toEqual([2, 1]);
  });

  it('every committed suite renders: one markdown row per result row, every plot linked', () => {
    const suites = suitesWithResults();
    expect(suites).toEqual(expect.arrayContaining(['inference', 'kernels', 'ops-vs-seal', 'pool-scaling']));
    for (const suite of suites) {
      const json = load(suite);
      const { markdown, plots } = renderSuite(suite, json);
      if (['inference', 'kernels', 'ops-vs-seal', 'pool-scaling'].includes(suite)) expect(plots.length, suite).toBeGreaterThan(0);
      for (const p of plots) expect(markdown).toContain(`](${p.file})`);
      // Every array of rows in the JSON (rows, ratios, …) is tabled.
      const rowCount = Object.values(json).filter(Array.isArray).reduce((s, a) => s + (a as unknown[]).filter((r) => typeof r === 'object' && r !== null).length, 0);
      expect(count(markdown, /^\| (?!---)/gm) - count(markdown, /^\| .*\n\| ---/gm), suite).toBe(rowCount);
    }
  });

  it('ops-vs-seal: one bar per measured time (ours per kernel, and the peer), a ratio label per operation', () => {
    const json = load('ops-vs-seal');
    const { plots } = renderSuite('ops-vs-seal', json);
    const timed = json.rows.filter((r) => typeof r.oursMs === 'number' && typeof r.peerMs === 'number');
    const ns = [...new Set(timed.map((r) => r.n))];
    expect(plots.map((p) => p.file).sort()).toEqual(ns.map((n) => `ops-vs-seal-n${n}.svg`).sort());
    for (const n of ns) {
      const rows = timed.filter((r) => r.n === n);
      const svg = plots.find((p) => p.file === `ops-vs-seal-n${n}.svg`)!.svg;
      const ops = new Set(rows.map((r) => r.op));
      expect(count(svg, /<g class="bar"/g)).toBe(rows.length + ops.size);
      expect(count(svg, /class="group-label"/g)).toBe(ops.size);
    }
  });

  it('kernels, pool-scaling, inference: one bar or point per measurement', () => {
    const k = load('kernels');
    expect(count(renderSuite('kernels', k).plots[0].svg, /<g class="bar"/g)).toBe(k.rows.filter((r) => typeof r.usPerLimb === 'number').length);
    const p = load('pool-scaling');
    expect(count(renderSuite('pool-scaling', p).plots[0].svg, /<g class="pt"/g)).toBe(p.rows.filter((r) => typeof r.speedup === 'number' && r.peer === undefined).length);
    const i = load('inference');
    const models = new Set(i.rows.filter((r) => typeof r.oursMs === 'number').map((r) => r.model));
    const peers = i.rows.filter((r) => typeof r.peerMs === 'number').length;
    expect(count(renderSuite('inference', i).plots[0].svg, /<g class="pt"/g)).toBe(models.size + peers);
  });
});
