/**
 * Chest X-ray results on disk: results/xray.json (rows appended as trainings
 * finish), and the derived results/xray.md table and results/xray.svg plot —
 * validation accuracy against max integer bits and against the predicted
 * encrypted time. The predicted times come from `@qhe/nn`'s planner (quant
 * never imports BFV): `qhe xray-plans` writes results/xray-plans.json, keyed
 * by model file, and the report joins it in when present.
 * Every table and figure credits the data: PneumoniaMNIST (MedMNIST v2, Yang
 * et al. 2023), images from Kermany et al. 2018, CC BY 4.0.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../model/errors.js';
import type { XrayRow } from '../train/xray.js';
import { loadRowsFile } from './rows.js';

export const XRAY_CREDIT = 'Data: PneumoniaMNIST (MedMNIST v2, Yang et al., Scientific Data 2023) from Kermany et al., Cell 2018; CC BY 4.0. Validation split (524 images).';

/** What nn's planner predicts for a model file (results/xray-plans.json). */
export interface XrayPlan {
  readonly n: number;
  readonly logQ: number;
  readonly tCount: number;
  /** Predicted seconds to classify the 524 validation images encrypted (one batch). */
  readonly predictedSeconds: number;
}

export function loadXrayRows(path: string): XrayRow[] {
  return loadRowsFile<XrayRow>(path, 'loadXrayRows');
}

export function loadXrayPlans(dir: string): Record<string, XrayPlan> {
  const p = join(dir, 'xray-plans.json');
  if (!existsSync(p)) return {};
  try { return (JSON.parse(readFileSync(p, 'utf8')) as { plans: Record<string, XrayPlan> }).plans ?? {}; } catch (e) {
    return fail('FILE_CORRUPT', `loadXrayPlans(${p})`, 'valid JSON', (e as Error).message);
  }
}

const pct = (x: number | undefined | null): string => (x === null || x === undefined ? '—' : (x * 100).toFixed(2));
const f4 = (x: number | undefined | null): string => (x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(4));
const actName = (a: string): string => (a === 'relu' ? 'ReLU (teacher, float)' : a === 'square' ? 'x²' : 'a·x²+b·x+c');

export function sortXrayRows(rows: readonly XrayRow[]): XrayRow[] {
  const act = { relu: 0, square: 1, quadratic: 2 } as const;
  return [...rows].sort((a, b) => a.network.localeCompare(b.network) || a.width - b.width || act[a.activation] - act[b.activation]
    || (b.weightBits ?? 99) - (a.weightBits ?? 99) || b.inputBits - a.inputBits || Number(a.kd) - Number(b.kd) || a.epochs - b.epochs || a.seed - b.seed);
}

export function xrayTable(rows: readonly XrayRow[], plans: Record<string, XrayPlan> = {}): string {
  const head = '| network | activation | KD (T, α) | weight / input bits | epochs | val acc % | val AUC | val F1 | teacher acc % / AUC | Δacc / ΔAUC (pt) | max int bits | depth | N, log Q, t primes | predicted enc. s (524 img) | train s |\n'
    + '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n';
  return head + sortXrayRows(rows).map((r) => {
    const m = r.integer ?? r.float;
    const p = r.model ? plans[r.model] : undefined;
    const gap = r.teacher ? `${((r.teacher.accuracy - m.accuracy) * 100).toFixed(2)} / ${((r.teacher.auc - m.auc) * 100).toFixed(2)}` : '—';
    return `| ${r.network}${r.width === 8 ? '' : ` (width ${r.width})`} | ${actName(r.activation)} | ${r.kd ? `yes (${r.temperature}, ${r.alpha})` : 'no'} | ${r.weightBits ?? 'float'} / ${r.inputBits} | ${r.epochs}${r.selectedEpoch ? ` (kept ${r.selectedEpoch})` : ''} | ${pct(m.accuracy)} | ${f4(m.auc)} | ${f4(m.f1)} | ${r.teacher ? `${pct(r.teacher.accuracy)} / ${f4(r.teacher.auc)}` : '—'} | ${gap} | ${r.maxIntegerBits ?? '—'} | ${r.multiplicativeDepth ?? '—'} | ${p ? `${p.n}, ${p.logQ}, ${p.tCount}` : '—'} | ${p ? p.predictedSeconds.toFixed(0) : '—'} | ${r.trainSeconds} |`;
  }).join('\n') + '\n';
}

const COLORS: Record<string, string> = { square: '#1f77b4', quadratic: '#d62728', relu: '#2ca02c' };
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Two panels per network: validation accuracy vs max integer bits, and vs predicted encrypted seconds (log scale). */
export function xraySvg(rows: readonly XrayRow[], plans: Record<string, XrayPlan> = {}): string {
  const pts = rows.filter((r) => r.integer && r.maxIntegerBits !== null);
  const nets = [...new Set(pts.map((r) => r.network))].sort();
  const W = 420, H = 320, m = { l: 60, r: 20, t: 40, b: 50 };
  const parts: string[] = [];
  const panels: { net: string; axis: 'bits' | 'time' }[] = nets.flatMap((net) => [{ net, axis: 'bits' as const }, { net, axis: 'time' as const }]);
  panels.forEach(({ net, axis }, pi) => {
    const rs = pts.filter((r) => r.network === net && (axis === 'bits' || (r.model && plans[r.model])));
    const teacher = rows.find((r) => r.network === net && r.activation === 'relu');
    const xv = (r: XrayRow): number => (axis === 'bits' ? r.maxIntegerBits! : Math.log10(plans[r.model!].predictedSeconds));
    const ox = pi * W;
    parts.push(`<text x="${ox + W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(net)}: accuracy vs ${axis === 'bits' ? 'integer bits' : 'predicted encrypted time'}</text>`);
    parts.push(`<rect x="${ox + m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#999"/>`);
    if (rs.length === 0) {
      parts.push(`<text x="${ox + W / 2}" y="${H / 2}" text-anchor="middle" font-size="12">no planner predictions yet (qhe xray-plans)</text>`);
      return;
    }
    const xs = rs.map(xv), ys = rs.map((r) => r.integer!.accuracy * 100);
    if (teacher) ys.push(teacher.float.accuracy * 100);
    const pad = (lo: number, hi: number, step: number): [number, number] => (hi - lo < step ? [lo - step / 2, hi + step / 2] : [lo, hi]);
    const [x0, x1] = axis === 'bits' ? pad(Math.floor(Math.min(...xs) / 10) * 10, Math.ceil(Math.max(...xs) / 10) * 10, 10) : pad(Math.floor(Math.min(...xs) * 4) / 4, Math.ceil(Math.max(...xs) * 4) / 4, 0.5);
    const [y0, y1] = pad(Math.floor(Math.min(...ys)) - 0.5, Math.min(100, Math.ceil(Math.max(...ys)) + 0.5), 1);
    const sx = (x: number) => ox + m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
    const sy = (y: number) => m.t + (1 - (y - y0) / (y1 - y0)) * (H - m.t - m.b);
    for (let k = 0; k <= 5; k++) {
      const a = x0 + ((x1 - x0) * k) / 5, b = y0 + ((y1 - y0) * k) / 5;
      parts.push(`<text x="${sx(a)}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${axis === 'bits' ? a.toFixed(0) : (10 ** a).toPrecision(2)}</text>`);
      parts.push(`<text x="${ox + m.l - 6}" y="${sy(b) + 4}" text-anchor="end" font-size="11">${b.toFixed(1)}</text>`);
    }
    parts.push(`<text x="${ox + W / 2}" y="${H - 12}" text-anchor="middle" font-size="12">${axis === 'bits' ? 'max integer bits (interval analysis)' : 'predicted encrypted seconds, 524 images (log scale)'}</text>`);
    parts.push(`<text x="${ox + 16}" y="${H / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 ${ox + 16} ${H / 2})">validation accuracy %</text>`);
    if (teacher) {
      const y = sy(teacher.float.accuracy * 100);
      parts.push(`<line x1="${ox + m.l}" x2="${ox + W - m.r}" y1="${y}" y2="${y}" stroke="${COLORS.relu}" stroke-dasharray="4 3"/>`);
      parts.push(`<text x="${ox + W - m.r - 4}" y="${y - 4}" text-anchor="end" font-size="10" fill="${COLORS.relu}">ReLU teacher (float)</text>`);
    }
    for (const r of rs) {
      const c = COLORS[r.activation];
      const x = sx(xv(r)), y = sy(r.integer!.accuracy * 100);
      parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="5" fill="${r.kd ? c : 'white'}" stroke="${c}" stroke-width="2"><title>${esc(`${r.activation} w${r.weightBits} in${r.inputBits}${r.kd ? ' KD' : ''}: ${(r.integer!.accuracy * 100).toFixed(2)}%, AUC ${r.integer!.auc.toFixed(4)}, ${r.maxIntegerBits} bits`)}</title></circle>`);
      parts.push(`<text x="${(x + 7).toFixed(1)}" y="${(y + 4).toFixed(1)}" font-size="9">w${r.weightBits}/in${r.inputBits}</text>`);
    }
  });
  const width = Math.max(1, panels.length) * W;
  const legend = [['square', 'x²'], ['quadratic', 'a·x²+b·x+c']].map(([k, l], i) =>
    `<circle cx="${20 + i * 150}" cy="${H + 14}" r="5" fill="${COLORS[k]}" stroke="${COLORS[k]}"/><text x="${30 + i * 150}" y="${H + 18}" font-size="11">${l}</text>`).join('')
    + `<text x="320" y="${H + 18}" font-size="11">filled = distilled from the ReLU teacher, hollow = labels only</text>`
    + `<text x="20" y="${H + 38}" font-size="10">${esc(XRAY_CREDIT)}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 50}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n${legend}\n</svg>\n`;
}

export function writeXrayReports(dir: string, rows: readonly XrayRow[]): void {
  mkdirSync(dir, { recursive: true });
  const plans = loadXrayPlans(dir);
  writeFileSync(join(dir, 'xray.json'), JSON.stringify({ description: `qhe chest X-ray experiments (issue 12). ${XRAY_CREDIT} Metrics are fractions of the validation split.`, rows }, null, 1) + '\n');
  writeFileSync(join(dir, 'xray.md'), `# Chest X-rays: PneumoniaMNIST, deeper HE-friendly networks\n\n${XRAY_CREDIT}\n\nGenerated by \`npm run xray\` (\`qhe xray\`) from results/xray.json; N, log Q, plaintext primes and predicted encrypted times from \`npm run qhe -- xray-plans\`. `
    + 'Metrics are on the validation split, for the exact integer model (students) or the float network (ReLU teachers); Δ = teacher − student. '
    + 'MedMNIST v2 reports 85.4% test accuracy for ResNet-18 (28) on this dataset (the test split is not in this repository).\n\n'
    + xrayTable(rows, plans));
  writeFileSync(join(dir, 'xray.svg'), xraySvg(rows, plans));
}
