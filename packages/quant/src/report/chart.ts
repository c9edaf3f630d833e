/**
 * Dependency-free SVG charts for the project's reports (the QAT sweep plot in
 * svg.ts, the benchmark tables in benchmarks/lib): grouped bars, lines and
 * scatter plots, each with a title, a legend, round axis ticks and one colour
 * and marker shape per series. Imported by benchmarks as `@qhe/quant/chart`
 * (no TF.js behind it).
 *
 * Ticks: linear axes use multiples of a 1-2-2.5-5 × 10^k step (`niceTicks`);
 * logarithmic axes use 1-2-5 per decade over at most three decades and powers
 * of ten beyond (`logTicks`, `axisTicks`). Colours are the Okabe–Ito palette
 * (distinguishable with the common colour-vision deficiencies); the marker
 * shape repeats the distinction for print.
 *
 * @module @qhe/quant/chart
 */

/** Marker shapes, in the order series receive them. */
export const MARKER_SHAPES = ['circle', 'square', 'triangle', 'diamond', 'triangle-down', 'plus'] as const;
export type MarkerShape = (typeof MARKER_SHAPES)[number];

/** Okabe–Ito colours, in the order series receive them. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'] as const;

export const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** A coordinate to one decimal. */
export const coord = (x: number): string => (Math.round(x * 10) / 10).toString();

/** Round ticks covering [lo, hi]: multiples of a 1-2-2.5-5 × 10^k step, about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  const span = Math.max(hi - lo, 1e-9);
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9))!;
  const first = Math.floor(lo / step + 1e-9), last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** 1-2-5 ticks (per decade) covering [lo, hi] > 0, for a log axis. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of [1, 2, 5]) ticks.push(Number((m * 10 ** e).toPrecision(3)));
  const first = ticks.filter((t) => t <= lo).at(-1) ?? ticks[0];
  const last = ticks.find((t) => t >= hi) ?? ticks[ticks.length - 1];
  return ticks.filter((t) => t >= first && t <= last);
}

/** Ticks for an axis over [lo, hi]: `niceTicks`, or on a log axis `logTicks` up to three decades and powers of ten beyond. */
export function axisTicks(lo: number, hi: number, log = false): number[] {
  if (!log) return niceTicks(lo, hi);
  if (Math.log10(hi / lo) <= 3) return logTicks(lo, hi);
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo) + 1e-9); e <= Math.ceil(Math.log10(hi) - 1e-9); e++) ticks.push(Number((10 ** e).toPrecision(3)));
  return ticks;
}

/** A tick value as text: up to 4 significant digits, thousands as k. */
export function formatTick(v: number): string {
  if (Math.abs(v) >= 10_000) return `${Number((v / 1000).toPrecision(4))}k`;
  return String(Number(v.toPrecision(4)));
}

/** One marker centred at (x, y) with radius r. */
export function marker(shape: MarkerShape, x: number, y: number, r: number, fill: string, stroke: string): string {
  const style = `fill="${fill}" stroke="${stroke}" stroke-width="1.6"`;
  const n = coord;
  switch (shape) {
    case 'circle': return `<circle cx="${n(x)}" cy="${n(y)}" r="${r}" ${style}/>`;
    case 'square': return `<rect x="${n(x - r * 0.9)}" y="${n(y - r * 0.9)}" width="${n(1.8 * r)}" height="${n(1.8 * r)}" ${style}/>`;
    case 'triangle': return `<path d="M${n(x)},${n(y - 1.2 * r)}L${n(x + 1.1 * r)},${n(y + 0.8 * r)}L${n(x - 1.1 * r)},${n(y + 0.8 * r)}Z" ${style}/>`;
    case 'triangle-down': return `<path d="M${n(x)},${n(y + 1.2 * r)}L${n(x + 1.1 * r)},${n(y - 0.8 * r)}L${n(x - 1.1 * r)},${n(y - 0.8 * r)}Z" ${style}/>`;
    case 'diamond': return `<path d="M${n(x)},${n(y - 1.3 * r)}L${n(x + 1.1 * r)},${n(y)}L${n(x)},${n(y + 1.3 * r)}L${n(x - 1.1 * r)},${n(y)}Z" ${style}/>`;
    case 'plus': return `<path d="M${n(x - r)},${n(y)}H${n(x + r)}M${n(x)},${n(y - r)}V${n(y + r)}" fill="none" stroke="${stroke}" stroke-width="2.4"/>`;
  }
}

// ---- charts ----------------------------------------------------------------------------------

export interface Axis {
  readonly label: string;
  /** Logarithmic scale (all values > 0). */
  readonly log?: boolean;
  /** Values the range must include besides the data (e.g. 0, or 1 for a speedup). */
  readonly include?: readonly number[];
  /** Only integer ticks (counts such as workers). */
  readonly integer?: boolean;
}

export interface XYPoint {
  readonly x: number;
  readonly y: number;
  /** Text written next to the point. */
  readonly label?: string;
}

export interface XYSeries {
  readonly name: string;
  readonly points: readonly XYPoint[];
  /** A reference series (e.g. ideal scaling): dashed line, no markers. */
  readonly reference?: boolean;
}

export interface XYChart {
  readonly title: string;
  readonly x: Axis;
  readonly y: Axis;
  readonly series: readonly XYSeries[];
  readonly width?: number;
  readonly height?: number;
}

export interface BarSeries {
  readonly name: string;
  /** One value per category (null: no bar). */
  readonly values: readonly (number | null)[];
}

export interface BarChart {
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
  readonly y: Axis;
  /** Text above each group (e.g. a ratio between its bars); null for none. */
  readonly groupLabels?: readonly (string | null)[];
  readonly width?: number;
  readonly height?: number;
}

const MARGIN = { l: 72, r: 24, t: 44, b: 58 };
const FONT = 'DejaVu Sans, Arial, sans-serif';

interface Scale {
  readonly ticks: number[];
  readonly at: (v: number) => number;
}

function scale(values: readonly number[], axis: Axis, from: number, to: number): Scale {
  const vs = [...values, ...(axis.include ?? [])].filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  const lo = vs.length ? Math.min(...vs) : axis.log ? 1 : 0;
  const hi = vs.length ? Math.max(...vs) : lo + 1;
  let ticks = axisTicks(lo, hi === lo ? (axis.log ? hi * 10 : hi + 1) : hi, axis.log);
  if (axis.integer && !axis.log && ticks.some((t) => !Number.isInteger(t))) ticks = niceTicks(Math.floor(lo), Math.ceil(Math.max(hi, lo + 1)), Math.max(1, Math.ceil(hi) - Math.floor(lo)));
  const [t0, t1] = [ticks[0], ticks[ticks.length - 1]];
  const f = axis.log ? (v: number) => Math.log10(v / t0) / Math.log10(t1 / t0) : (v: number) => (v - t0) / (t1 - t0);
  return { ticks, at: (v: number) => from + f(v) * (to - from) };
}

/** The frame: background, title, grid, ticks, axis labels; returns its parts and the plot area. */
function frame(title: string, width: number, height: number, x: { axis: Axis; scale: Scale } | { categories: readonly string[] }, y: { axis: Axis; scale: Scale }, b = MARGIN.b): string[] {
  const { l, r, t } = MARGIN;
  const parts = [`<text x="${width / 2}" y="24" text-anchor="middle" font-weight="bold" font-size="14">${escapeXml(title)}</text>`];
  for (const v of y.scale.ticks) {
    const py = coord(y.scale.at(v));
    parts.push(`<line x1="${l}" x2="${width - r}" y1="${py}" y2="${py}" stroke="#e6e6e6"/>`);
    parts.push(`<text class="ytick" x="${l - 6}" y="${coord(y.scale.at(v) + 4)}" text-anchor="end" font-size="11">${formatTick(v)}</text>`);
  }
  if ('axis' in x) {
    for (const v of x.scale.ticks) {
      const px = coord(x.scale.at(v));
      parts.push(`<line x1="${px}" x2="${px}" y1="${t}" y2="${height - b}" stroke="#e6e6e6"/>`);
      parts.push(`<text class="xtick" x="${px}" y="${height - b + 16}" text-anchor="middle" font-size="11">${formatTick(v)}</text>`);
    }
    parts.push(`<text x="${(l + width - r) / 2}" y="${height - 14}" text-anchor="middle" font-size="12">${escapeXml(x.axis.label)}${x.axis.log ? ' (log scale)' : ''}</text>`);
  }
  parts.push(`<rect x="${l}" y="${t}" width="${width - l - r}" height="${height - t - b}" fill="none" stroke="#999"/>`);
  const yl = `${escapeXml(y.axis.label)}${y.axis.log ? ' (log scale)' : ''}`;
  parts.push(`<text x="16" y="${(t + height - b) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${(t + height - b) / 2})">${yl}</text>`);
  return parts;
}

/** The legend below the plot: one item per series (its marker, or a line for reference series). */
function legend(items: readonly { name: string; shape: MarkerShape | 'bar' | 'dash'; colour: string }[], width: number, top: number): { parts: string[]; height: number } {
  const parts: string[] = [];
  let x = MARGIN.l, y = top + 14;
  for (const it of items) {
    const w = 34 + it.name.length * 6.4;
    if (x + w > width - MARGIN.r && x > MARGIN.l) {
      x = MARGIN.l;
      y += 18;
    }
    const symbol =
      it.shape === 'bar'
        ? `<rect x="${x - 6}" y="${y - 6}" width="12" height="12" fill="${it.colour}"/>`
        : it.shape === 'dash'
          ? `<path d="M${x - 8},${y}H${x + 8}" stroke="${it.colour}" stroke-width="1.6" stroke-dasharray="5 3"/>`
          : marker(it.shape, x, y, 5, it.colour, it.colour);
    parts.push(`<g class="legend-item" data-series="${escapeXml(it.name)}">${symbol}<text x="${x + 12}" y="${y + 4}" font-size="11">${escapeXml(it.name)}</text></g>`);
    x += w;
  }
  return { parts, height: y - top + 12 };
}

function document(width: number, height: number, parts: readonly string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${Math.ceil(height)}" viewBox="0 0 ${width} ${Math.ceil(height)}" font-family="${FONT}">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}

function xyChart(c: XYChart, lines: boolean): string {
  const width = c.width ?? 640, height = c.height ?? 400;
  const pts = c.series.flatMap((s) => s.points);
  const sx = scale(pts.map((p) => p.x), c.x, MARGIN.l, width - MARGIN.r);
  const sy = scale(pts.map((p) => p.y), c.y, height - MARGIN.b, MARGIN.t);
  const parts = frame(c.title, width, height, { axis: c.x, scale: sx }, { axis: c.y, scale: sy });
  const items: { name: string; shape: MarkerShape | 'dash'; colour: string }[] = [];
  let k = 0;
  for (const s of c.series) {
    const colour = s.reference ? '#777777' : PALETTE[k % PALETTE.length];
    const shape = MARKER_SHAPES[k % MARKER_SHAPES.length];
    if (!s.reference) k++;
    items.push({ name: s.name, shape: s.reference ? 'dash' : shape, colour });
    const sorted = lines ? [...s.points].sort((a, b) => a.x - b.x) : s.points;
    parts.push(`<g class="series" data-series="${escapeXml(s.name)}">`);
    if ((lines || s.reference) && sorted.length > 1) {
      const d = sorted.map((p, i) => `${i ? 'L' : 'M'}${coord(sx.at(p.x))},${coord(sy.at(p.y))}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="${s.reference ? 1.4 : 2}"${s.reference ? ' stroke-dasharray="5 3"' : ''}/>`);
    }
    if (!s.reference)
      for (const p of sorted) {
        const x = sx.at(p.x), y = sy.at(p.y);
        parts.push(`<g class="pt"><title>${escapeXml(`${s.name}: ${formatTick(p.x)}, ${formatTick(p.y)}`)}</title>${marker(shape, x, y, 4.5, colour, colour)}</g>`);
        // Labels go right of the point, or left of it where they would leave the plot.
        const left = p.label !== undefined && x + 8 + p.label.length * 5.6 > width - MARGIN.r;
        if (p.label) parts.push(`<text class="label" x="${coord(left ? x - 8 : x + 8)}" y="${coord(y - 7)}" font-size="10" text-anchor="${left ? 'end' : 'start'}">${escapeXml(p.label)}</text>`);
      }
    parts.push('</g>');
  }
  const lg = legend(items, width, height);
  return document(width, height + lg.height, [...parts, ...lg.parts]);
}

/** Lines through each series' points (sorted by x), markers on the points. */
export function lineChart(c: XYChart): string {
  return xyChart(c, true);
}

/** Markers only (reference series still drawn as dashed lines). */
export function scatterChart(c: XYChart): string {
  return xyChart(c, false);
}

/** Groups of bars, one group per category and one bar (colour) per series; optional text above each group. */
export function groupedBarChart(c: BarChart): string {
  const per = c.series.length;
  const groupWidth = Math.max(40, per * 16 + 18);
  const width = c.width ?? Math.max(560, MARGIN.l + MARGIN.r + c.categories.length * groupWidth);
  const height = c.height ?? 440;
  const bottom = 96; // room for the rotated category names
  const values = c.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const sy = scale(values, { ...c.y, include: [...(c.y.include ?? []), ...(c.y.log ? [] : [0])] }, height - bottom, MARGIN.t + 18);
  const parts = frame(c.title, width, height, { categories: c.categories }, { axis: c.y, scale: sy }, bottom);
  const slot = (width - MARGIN.l - MARGIN.r) / Math.max(1, c.categories.length);
  const barW = Math.min(16, (slot * 0.8) / Math.max(1, per));
  const base = sy.at(sy.ticks[0]);
  c.categories.forEach((cat, i) => {
    const cx = MARGIN.l + slot * (i + 0.5);
    let top = base;
    c.series.forEach((s, j) => {
      const v = s.values[i];
      if (v === null || v === undefined || !(v > 0 || !c.y.log)) return;
      const x = cx + (j - per / 2) * barW;
      const y = sy.at(v);
      top = Math.min(top, y);
      parts.push(`<g class="bar" data-series="${escapeXml(s.name)}" data-category="${escapeXml(cat)}"><title>${escapeXml(`${cat}, ${s.name}: ${formatTick(v)}`)}</title><rect x="${coord(x)}" y="${coord(Math.min(y, base))}" width="${coord(barW - 1)}" height="${coord(Math.abs(base - y))}" fill="${PALETTE[j % PALETTE.length]}"/></g>`);
    });
    const label = c.groupLabels?.[i];
    if (label) parts.push(`<text class="group-label" x="${coord(cx)}" y="${coord(top - 5)}" text-anchor="middle" font-size="10">${escapeXml(label)}</text>`);
    const ly = height - bottom + 14;
    parts.push(`<text class="category" x="${coord(cx)}" y="${coord(ly)}" text-anchor="end" font-size="11" transform="rotate(-35 ${coord(cx)} ${coord(ly)})">${escapeXml(cat)}</text>`);
  });
  const lg = legend(c.series.map((s, j) => ({ name: s.name, shape: 'bar' as const, colour: PALETTE[j % PALETTE.length] })), width, height);
  return document(width, height + lg.height, [...parts, ...lg.parts]);
}
