/**
 * Hand-written SVG scatter plot (no plotting dependency): integer accuracy
 * against max integer bits — the trade-off of Legiest et al. 2023, Fig. 3 —
 * one panel per network, colour = activation, filled = distilled.
 */
import type { ExperimentRow } from '../train/experiment.js';

const COLORS: Record<string, string> = { square: '#1f77b4', quadratic: '#d62728', relu: '#2ca02c' };
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function svgPlot(rows: readonly ExperimentRow[]): string {
  const pts = rows.filter((r) => r.integerAccuracy !== null && r.maxIntegerBits !== null);
  const nets = [...new Set(pts.map((r) => r.network))].sort();
  const W = 460, H = 340, m = { l: 60, r: 20, t: 40, b: 50 };
  const width = Math.max(1, nets.length) * W;
  const parts: string[] = [];
  nets.forEach((net, ni) => {
    const rs = pts.filter((r) => r.network === net);
    const teacher = rows.find((r) => r.network === net && r.activation === 'relu');
    const xs = rs.map((r) => r.maxIntegerBits!), ys = rs.map((r) => r.integerAccuracy! * 100);
    if (teacher) ys.push(teacher.floatAccuracy * 100);
    const x0 = Math.floor(Math.min(...xs) / 10) * 10, x1 = Math.ceil(Math.max(...xs) / 10) * 10 + (Math.max(...xs) === Math.min(...xs) ? 10 : 0);
    const y0 = Math.floor(Math.min(...ys) * 2) / 2 - 0.5, y1 = Math.min(100, Math.ceil(Math.max(...ys) * 2) / 2 + 0.25);
    const ox = ni * W;
    const sx = (x: number) => ox + m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
    const sy = (y: number) => m.t + (1 - (y - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
    parts.push(`<text x="${ox + W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(net)}</text>`);
    parts.push(`<rect x="${ox + m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#999"/>`);
    for (let k = 0; k <= 5; k++) {
      const xv = x0 + ((x1 - x0) * k) / 5, yv = y0 + ((y1 - y0) * k) / 5;
      parts.push(`<text x="${sx(xv)}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${xv.toFixed(0)}</text>`);
      parts.push(`<text x="${ox + m.l - 6}" y="${sy(yv) + 4}" text-anchor="end" font-size="11">${yv.toFixed(2)}</text>`);
    }
    parts.push(`<text x="${ox + W / 2}" y="${H - 12}" text-anchor="middle" font-size="12">max integer bits (interval analysis)</text>`);
    parts.push(`<text x="${ox + 16}" y="${H / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 ${ox + 16} ${H / 2})">integer test accuracy %</text>`);
    if (teacher) {
      const y = sy(teacher.floatAccuracy * 100);
      parts.push(`<line x1="${ox + m.l}" x2="${ox + W - m.r}" y1="${y}" y2="${y}" stroke="${COLORS.relu}" stroke-dasharray="4 3"/>`);
      parts.push(`<text x="${ox + W - m.r - 4}" y="${y - 4}" text-anchor="end" font-size="10" fill="${COLORS.relu}">ReLU teacher (float)</text>`);
    }
    for (const r of rs) {
      const c = COLORS[r.activation];
      const x = sx(r.maxIntegerBits!), y = sy(r.integerAccuracy! * 100);
      parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="5" fill="${r.kd ? c : 'white'}" stroke="${c}" stroke-width="2"><title>${esc(`${r.activation} w${r.weightBits} in${r.inputBits}${r.kd ? ' KD' : ''}: ${(r.integerAccuracy! * 100).toFixed(2)}%, ${r.maxIntegerBits} bits`)}</title></circle>`);
      parts.push(`<text x="${(x + 7).toFixed(1)}" y="${(y + 4).toFixed(1)}" font-size="9">w${r.weightBits}/in${r.inputBits}</text>`);
    }
  });
  const legend = [['square', 'x²'], ['quadratic', 'a·x²+b·x+c']].map(([k, l], i) =>
    `<circle cx="${20 + i * 150}" cy="${H + 14}" r="5" fill="${COLORS[k]}" stroke="${COLORS[k]}"/><text x="${30 + i * 150}" y="${H + 18}" font-size="11">${l}</text>`).join('')
    + `<text x="320" y="${H + 18}" font-size="11">filled = distilled from the ReLU teacher, hollow = labels only</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 30}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n${legend}\n</svg>\n`;
}
