/**
 * Hand-written SVG scatter plot (no plotting dependency) of the sweep: test
 * error of the exact integer model against its max integer bits — the
 * trade-off of Legiest et al. 2023, Fig. 3 — one panel per network.
 *
 * Encoding: colour = activation, fill = distilled (filled) or labels only
 * (hollow), marker shape = training regime (epochs, batch norm, augmentation),
 * so that short and long runs are never confused. The error axis is
 * logarithmic (0.5 %–50 % in one panel, 1-2-5 ticks); the bits axis has round
 * ticks. Only the Pareto front (no other point has as few bits and a lower
 * error) and the highlighted rows (the committed models) are labelled; every
 * point has a tooltip.
 */
import type { ExperimentRow } from '../train/experiment.js';
import { MARKER_SHAPES, coord as num, escapeXml as esc, logTicks, marker, niceTicks, type MarkerShape as Shape } from './chart.js';

export { niceTicks, logTicks } from './chart.js';

export interface PlotOptions {
  /** Extra labels by row (e.g. the committed models), keyed by the caller's row key. */
  readonly highlight?: (row: ExperimentRow) => string | null;
}

const COLORS: Record<string, string> = { square: '#1f77b4', quadratic: '#d62728', relu: '#2ca02c' };
const ACTIVATION_LABEL: Record<string, string> = { square: 'x²', quadratic: 'a·x² + b·x + c' };

/** The training regime of a row: its series (one marker shape each). */
export function regimeOf(r: Pick<ExperimentRow, 'epochs' | 'batchNorm' | 'augment'>): string {
  return `${r.epochs} epoch${r.epochs === 1 ? '' : 's'}${r.batchNorm ? ', batch norm' : ''}${r.augment ? ', ±1 px shifts' : ''}`;
}

/** Indices of the rows on the Pareto front of (bits ↓, error ↓): no other row has ≤ bits and < error. */
export function paretoFront(points: readonly { bits: number; error: number }[]): number[] {
  const order = points.map((_, i) => i).sort((a, b) => points[a].bits - points[b].bits || points[a].error - points[b].error);
  const front: number[] = [];
  let best = Infinity;
  for (const i of order) if (points[i].error < best) { front.push(i); best = points[i].error; }
  return front;
}

interface Box { x0: number; y0: number; x1: number; y1: number }
const overlap = (a: Box, b: Box): number => Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) * Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));

/**
 * Greedy label placement: each label takes, of eight positions around its
 * anchor, the one that overlaps the labels already placed (heavily), the
 * markers (lightly) and the outside of the panel least.
 */
class LabelPlacer {
  private readonly placed: Box[] = [];
  constructor(private readonly area: Box, private readonly markers: readonly { x: number; y: number }[]) {}

  /** Places `text` next to one of the anchors (several: e.g. both ends of a line). */
  place(anchors: readonly { x: number; y: number }[], text: string, fontSize: number): { x: number; y: number; anchor: 'start' | 'end' } {
    const w = text.length * fontSize * 0.56, h = fontSize * 1.1;
    const offsets: [number, number, 'start' | 'end'][] = [[8, -6, 'start'], [8, 12, 'start'], [-8, -6, 'end'], [-8, 12, 'end'], [10, -16, 'start'], [10, 22, 'start'], [-10, -16, 'end'], [-10, 22, 'end']];
    let best: { score: number; box: Box; pos: { x: number; y: number; anchor: 'start' | 'end' } } | null = null;
    for (const { x, y } of anchors) for (const [dx, dy, anchor] of offsets) {
      const bx = anchor === 'start' ? x + dx : x + dx - w;
      const box = { x0: bx, y0: y + dy - h * 0.8, x1: bx + w, y1: y + dy + h * 0.2 };
      let score = 0;
      for (const p of this.placed) score += 10 * overlap(box, p);
      for (const m of this.markers) score += overlap(box, { x0: m.x - 4, y0: m.y - 4, x1: m.x + 4, y1: m.y + 4 });
      score += 20 * (w * h - overlap(box, this.area));
      if (!best || score < best.score) best = { score, box, pos: { x: x + dx, y: y + dy, anchor } };
    }
    this.placed.push(best!.box);
    return best!.pos;
  }
}

export function svgPlot(rows: readonly ExperimentRow[], options: PlotOptions = {}): string {
  const pts = rows.filter((r) => r.integerAccuracy !== null && r.maxIntegerBits !== null);
  const nets = [...new Set(pts.map((r) => r.network))].sort();
  const regimes = [...new Set(pts.map(regimeOf))].sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
  const shapeOf = (r: ExperimentRow): Shape => MARKER_SHAPES[regimes.indexOf(regimeOf(r)) % MARKER_SHAPES.length];
  const W = 520, H = 400, m = { l: 66, r: 24, t: 40, b: 52 };
  const legendH = 48 + 18 * Math.ceil(regimes.length / 3);
  const width = Math.max(1, nets.length) * W;
  const parts: string[] = [];
  const error = (acc: number): number => Math.max(100 * (1 - acc), 0.01);
  nets.forEach((net, ni) => {
    const rs = pts.filter((r) => r.network === net);
    const teachers = rows.filter((r) => r.network === net && r.activation === 'relu');
    const teacher = teachers.sort((a, b) => b.floatAccuracy - a.floatAccuracy)[0];
    const data = rs.map((r) => ({ r, bits: r.maxIntegerBits!, error: error(r.integerAccuracy!) }));
    const errs = data.map((d) => d.error).concat(teacher ? [error(teacher.floatAccuracy)] : []);
    const xt = niceTicks(Math.min(...data.map((d) => d.bits)), Math.max(...data.map((d) => d.bits)));
    const yt = logTicks(Math.min(...errs), Math.max(...errs));
    const [x0, x1] = [xt[0], xt[xt.length - 1]], [y0, y1] = [yt[0], yt[yt.length - 1]];
    const ox = ni * W;
    const pw = W - m.l - m.r, ph = H - m.t - m.b;
    const sx = (x: number): number => ox + m.l + ((x - x0) / (x1 - x0 || 1)) * pw;
    // Log axis, error grows downwards (better models at the top).
    const sy = (e: number): number => m.t + (Math.log10(e / y0) / (Math.log10(y1 / y0) || 1)) * ph;
    parts.push(`<g class="panel" data-network="${esc(net)}">`);
    parts.push(`<text x="${ox + W / 2}" y="22" text-anchor="middle" font-weight="bold" font-size="14">${esc(net)}</text>`);
    for (const v of xt) {
      parts.push(`<line x1="${num(sx(v))}" x2="${num(sx(v))}" y1="${m.t}" y2="${m.t + ph}" stroke="#eee"/>`);
      parts.push(`<text class="xtick" x="${num(sx(v))}" y="${m.t + ph + 16}" text-anchor="middle" font-size="11">${v}</text>`);
    }
    for (const v of yt) {
      parts.push(`<line x1="${ox + m.l}" x2="${ox + m.l + pw}" y1="${num(sy(v))}" y2="${num(sy(v))}" stroke="#eee"/>`);
      parts.push(`<text class="ytick" x="${ox + m.l - 6}" y="${num(sy(v) + 4)}" text-anchor="end" font-size="11">${v}</text>`);
    }
    parts.push(`<rect x="${ox + m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
    parts.push(`<text x="${ox + m.l + pw / 2}" y="${H - 14}" text-anchor="middle" font-size="12">max integer bits of the model (interval analysis)</text>`);
    parts.push(`<text x="${ox + 16}" y="${m.t + ph / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 ${ox + 16} ${m.t + ph / 2})">integer test error % (log scale)</text>`);
    if (teacher) {
      const y = sy(error(teacher.floatAccuracy));
      parts.push(`<line x1="${ox + m.l}" x2="${ox + m.l + pw}" y1="${num(y)}" y2="${num(y)}" stroke="${COLORS.relu}" stroke-dasharray="5 3"/>`);
    }
    const front = paretoFront(data);
    const onFront = new Set(front);
    // The front as a step line, under the markers.
    const steps = front.map((i) => data[i]);
    if (steps.length > 1) {
      const d = steps.map((p, k) => (k === 0 ? `M${num(sx(p.bits))},${num(sy(p.error))}` : `H${num(sx(p.bits))}V${num(sy(p.error))}`)).join('');
      parts.push(`<path class="front" d="${d}" fill="none" stroke="#888" stroke-width="1" stroke-dasharray="2 2"/>`);
    }
    // Hollow (labels only) after filled so both stay visible where they overlap.
    const order = data.map((_, i) => i).sort((a, b) => Number(data[b].r.kd) - Number(data[a].r.kd));
    for (const i of order) {
      const { r, bits, error: e } = data[i];
      const c = COLORS[r.activation] ?? '#555';
      const tip = `${ACTIVATION_LABEL[r.activation] ?? r.activation} w${r.weightBits}/in${r.inputBits}${r.kd ? ' KD' : ''}, ${regimeOf(r)}: ${(100 * r.integerAccuracy!).toFixed(2)} %, ${bits} bits`;
      parts.push(`<g class="pt" data-regime="${esc(regimeOf(r))}"><title>${esc(tip)}</title>${marker(shapeOf(r), sx(bits), sy(e), 4.5, r.kd ? c : 'white', c)}</g>`);
    }
    // Labels: the committed models first (bold), then the front from few bits to many, then the teacher line.
    const placer = new LabelPlacer({ x0: ox + m.l, y0: m.t, x1: ox + m.l + pw, y1: m.t + ph }, data.map((d) => ({ x: sx(d.bits), y: sy(d.error) })));
    const labelled = data.map((d, i) => ({ i, extra: options.highlight?.(d.r) ?? null }))
      .filter(({ i, extra }) => extra !== null || onFront.has(i))
      .sort((a, b) => Number(b.extra !== null) - Number(a.extra !== null) || data[a.i].bits - data[b.i].bits);
    for (const { i, extra } of labelled) {
      const { r, bits, error: e } = data[i];
      const x = sx(bits), y = sy(e);
      if (extra !== null) parts.push(`<circle class="highlight" cx="${num(x)}" cy="${num(y)}" r="9" fill="none" stroke="black" stroke-width="1.4"/>`);
      const text = `${extra !== null ? `${extra}: ` : ''}w${r.weightBits}/in${r.inputBits}${r.kd ? ' KD' : ''} ${(100 * r.integerAccuracy!).toFixed(2)} %`;
      const at = placer.place([{ x, y }], text, 9.5);
      parts.push(`<text class="label" x="${num(at.x)}" y="${num(at.y)}" text-anchor="${at.anchor}" font-size="9.5"${extra !== null ? ' font-weight="bold"' : ''}>${esc(text)}</text>`);
    }
    if (teacher) {
      const text = `ReLU teacher, float, ${regimeOf(teacher)}: ${(100 * teacher.floatAccuracy).toFixed(2)} %`;
      const y = sy(error(teacher.floatAccuracy));
      const at = placer.place([{ x: ox + m.l + pw - 4, y }, { x: ox + m.l + 4, y }], text, 9.5);
      parts.push(`<text x="${num(at.x)}" y="${num(at.y)}" text-anchor="${at.anchor}" font-size="9.5" fill="${COLORS.relu}">${esc(text)}</text>`);
    }
    parts.push('</g>');
  });
  // Legend: colour, fill, the front and highlights; then one marker per training regime.
  const ly = H + 18;
  const legend: string[] = [];
  let lx = 20;
  for (const a of ['square', 'quadratic']) {
    legend.push(marker('circle', lx, ly, 5, COLORS[a], COLORS[a]), `<text x="${lx + 10}" y="${ly + 4}" font-size="11">${esc(ACTIVATION_LABEL[a])}</text>`);
    lx += a === 'square' ? 50 : 120;
  }
  legend.push(marker('circle', lx, ly, 5, '#555', '#555'), `<text x="${lx + 10}" y="${ly + 4}" font-size="11">distilled from the ReLU teacher</text>`);
  lx += 200;
  legend.push(marker('circle', lx, ly, 5, 'white', '#555'), `<text x="${lx + 10}" y="${ly + 4}" font-size="11">labels only</text>`);
  lx += 90;
  legend.push(`<path d="M${lx - 6},${ly}H${lx + 12}" stroke="#888" stroke-dasharray="2 2"/><text x="${lx + 18}" y="${ly + 4}" font-size="11">Pareto front (labelled)</text>`);
  lx += 160;
  legend.push(`<circle cx="${lx}" cy="${ly}" r="8" fill="none" stroke="black" stroke-width="1.4"/><text x="${lx + 14}" y="${ly + 4}" font-size="11">committed model</text>`);
  lx += 130;
  legend.push(`<path d="M${lx - 6},${ly}H${lx + 14}" stroke="${COLORS.relu}" stroke-dasharray="5 3"/><text x="${lx + 20}" y="${ly + 4}" font-size="11">best ReLU teacher (float)</text>`);
  regimes.forEach((g, k) => {
    const x = 20 + (k % 3) * 240, y = ly + 26 + 18 * Math.floor(k / 3);
    legend.push(`<g class="legend-regime">${marker(MARKER_SHAPES[k % MARKER_SHAPES.length], x, y, 5, '#555', '#555')}<text x="${x + 10}" y="${y + 4}" font-size="11">${esc(g)}</text></g>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + legendH}" viewBox="0 0 ${width} ${H + legendH}" font-family="DejaVu Sans, Arial, sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n${legend.join('\n')}\n</svg>\n`;
}
