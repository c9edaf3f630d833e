/**
 * The dependency-free SVG charts (src/report/chart.ts) used by the benchmark
 * reports and the sweep plot: round ticks, one legend entry and one marker shape
 * / colour per series, one bar per value, labels inside the picture; and each
 * chart type renders to PNG (resvg) with its series' colours drawn.
 */
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { MARKER_SHAPES, PALETTE, axisTicks, formatTick, groupedBarChart, lineChart, niceTicks, scatterChart } from '../src/report/chart.js';

const px = (svg: string) => {
  const png = new Resvg(svg).render();
  const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
  expect([png.width, png.height]).toEqual([w, h]);
  return png.pixels;
};
const count = (pixels: Uint8Array, hex: string) => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < pixels.length; i += 4) if (Math.abs(pixels[i] - r) < 6 && Math.abs(pixels[i + 1] - g) < 6 && Math.abs(pixels[i + 2] - b) < 6) n++;
  return n;
};
const ticks = (svg: string, axis: 'x' | 'y') => [...svg.matchAll(new RegExp(`class="${axis}tick"[^>]*>([^<]*)<`, 'g'))].map((m) => m[1]);

describe('chart ticks', () => {
  it('linear: 1-2-2.5-5 × 10^k steps; log: 1-2-5 per decade up to three decades, powers of ten beyond', () => {
    expect(niceTicks(0, 7.3)).toEqual([0, 2, 4, 6, 8]);
    expect(axisTicks(0.87, 27.5, true)).toEqual([0.5, 1, 2, 5, 10, 20, 50]);
    expect(axisTicks(0.013, 531, true)).toEqual([0.01, 0.1, 1, 10, 100, 1000]);
    expect([formatTick(0.25), formatTick(1234), formatTick(100000), formatTick(1 / 3)]).toEqual(['0.25', '1234', '100k', '0.3333']);
  });
});

describe('groupedBarChart', () => {
  const categories = ['encode', 'multiply', 'relinearize'];
  const series = [{ name: 'ours', values: [0.2, 31, 8] }, { name: 'peer', values: [0.15, 23, null] }];
  const svg = groupedBarChart({ title: 'ops', categories, series, groupLabels: ['1.3×', '1.35×', null], y: { label: 'ms', log: true } });

  it('one bar per value, one legend entry per series, the group labels, round log ticks covering the data', () => {
    expect(svg.match(/<g class="bar"/g)).toHaveLength(5);
    expect(svg.match(/<g class="legend-item"/g)).toHaveLength(2);
    expect([...svg.matchAll(/class="group-label"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['1.3×', '1.35×']);
    expect(svg.match(/class="category"/g)).toHaveLength(3);
    const ys = ticks(svg, 'y').map(Number);
    expect(ys[0]).toBeLessThanOrEqual(0.15);
    expect(ys.at(-1)).toBeGreaterThanOrEqual(31);
    for (const t of ys) expect(String(t)).toMatch(/^(0\.)?0*[125]0*$/);
  });

  it('renders to PNG with both series colours', () => {
    const pixels = px(svg);
    expect(count(pixels, PALETTE[0])).toBeGreaterThan(300);
    expect(count(pixels, PALETTE[1])).toBeGreaterThan(300);
  });
});

describe('lineChart and scatterChart', () => {
  const series = [
    { name: 'a', points: [{ x: 1, y: 1 }, { x: 2, y: 1.85 }, { x: 4, y: 3.4 }] },
    { name: 'b', points: [{ x: 1, y: 1 }, { x: 2, y: 1.7, label: 'a label that is long enough to need the left side' }] },
    { name: 'ideal', reference: true, points: [{ x: 1, y: 1 }, { x: 4, y: 4 }] },
  ];
  const line = lineChart({ title: 'scaling', series, x: { label: 'workers', integer: true }, y: { label: 'speedup', include: [1] } });
  const scatter = scatterChart({ title: 'scatter', series: series.slice(0, 2), x: { label: 'bits', include: [0] }, y: { label: 's' } });

  it('markers of distinct shapes per series, the reference dashed and in the legend, integer ticks on an integer axis', () => {
    expect(line.match(/<g class="pt"/g)).toHaveLength(5);
    expect(line.match(/<g class="legend-item"/g)).toHaveLength(3);
    expect(line).toContain('stroke-dasharray="5 3"');
    expect(line).toMatch(/<g class="series" data-series="a">[\s\S]*?<circle/);
    expect(line).toMatch(/<g class="series" data-series="b">[\s\S]*?<rect/);
    expect(MARKER_SHAPES.slice(0, 2)).toEqual(['circle', 'square']);
    expect(ticks(line, 'x')).toEqual(['1', '2', '3', '4']);
    expect(ticks(scatter, 'x')[0]).toBe('0');
  });

  it('labels stay inside the picture (anchored left of a point near the right edge)', () => {
    expect(scatter).toMatch(/class="label"[^>]*text-anchor="end"/);
    const pixels = px(line);
    expect(count(pixels, PALETTE[0])).toBeGreaterThan(100);
    expect(count(pixels, PALETTE[1])).toBeGreaterThan(100);
  });
});
