import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { committedModelLabels, loadRows, rowKey } from '../src/report/rows.js';
import { logTicks, niceTicks, paretoFront, regimeOf, svgPlot } from '../src/report/svg.js';

const rows = loadRows(join(__dirname, '..', 'results', 'sweep.json'));
const labels = committedModelLabels();
const svg = svgPlot(rows, { highlight: (r) => labels.get(rowKey(r)) ?? null });
const integerRows = rows.filter((r) => r.integerAccuracy !== null);

describe('sweep plot', () => {
  it('round ticks: 1-2-2.5-5 × 10^k steps on the bits axis, 1-2-5 per decade on the error axis', () => {
    expect(niceTicks(19, 131)).toEqual([0, 20, 40, 60, 80, 100, 120, 140]);
    expect(niceTicks(3, 4.2)).toEqual([3, 3.2, 3.4, 3.6, 3.8, 4, 4.2]);
    expect(logTicks(0.87, 27.5)).toEqual([0.5, 1, 2, 5, 10, 20, 50]);
    for (const m of svg.matchAll(/class="xtick"[^>]*>([^<]*)</g)) expect(Number(m[1]) % 10).toBe(0);
    for (const m of svg.matchAll(/class="ytick"[^>]*>([^<]*)</g)) expect(String(Number(m[1]).toPrecision(1)).replace(/e.*$/, '')).toMatch(/^(1|2|5|0\.[125])$/);
  });

  it('one marker per integer row, one series (marker shape) per training regime, in the legend', () => {
    expect(svg.match(/<g class="pt"/g)).toHaveLength(integerRows.length);
    const regimes = new Set(integerRows.map(regimeOf));
    expect(regimes.size).toBeGreaterThan(1); // 2-, 8- and 15-epoch runs are in the sweep
    expect(svg.match(/<g class="legend-regime">/g)).toHaveLength(regimes.size);
    for (const g of regimes) expect(svg).toContain(`data-regime="${g}"`);
  });

  it('labels only the Pareto front and the committed models', () => {
    const labelled = svg.match(/<text class="label"/g)?.length ?? 0;
    let expected = 0;
    for (const net of new Set(integerRows.map((r) => r.network))) {
      const rs = integerRows.filter((r) => r.network === net);
      const front = new Set(paretoFront(rs.map((r) => ({ bits: r.maxIntegerBits!, error: 1 - r.integerAccuracy! }))));
      expected += rs.filter((r, i) => front.has(i) || labels.has(rowKey(r))).length;
    }
    expect(labelled).toBe(expected);
    expect(labelled).toBeLessThan(integerRows.length / 3);
    expect([...labels.values()]).toContain('default');
    expect(svg).toContain('default: w8/in8');
  });

  it('paretoFront: no row outside the front has as few bits and a lower error', () => {
    const pts = [{ bits: 10, error: 5 }, { bits: 20, error: 3 }, { bits: 20, error: 4 }, { bits: 30, error: 3.5 }, { bits: 40, error: 1 }];
    expect(paretoFront(pts).sort()).toEqual([0, 1, 4]);
  });

  it('renders to PNG (resvg): the image has the SVG size and draws both activation colours', () => {
    const png = new Resvg(svg).render();
    const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    expect([png.width, png.height]).toEqual([w, h]);
    const px = png.pixels;
    const count = (r: number, g: number, b: number) => { let n = 0; for (let i = 0; i < px.length; i += 4) if (Math.abs(px[i] - r) < 8 && Math.abs(px[i + 1] - g) < 8 && Math.abs(px[i + 2] - b) < 8) n++; return n; };
    expect(count(0x1f, 0x77, 0xb4)).toBeGreaterThan(500); // x² markers
    expect(count(0xd6, 0x27, 0x28)).toBeGreaterThan(500); // quadratic markers
    expect(png.asPng().subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(join(__dirname, '..', 'results', 'sweep.svg'), 'utf8')).toBe(svg); // the committed plot is this one
  });
});
