/** Markdown table of sweep rows (accuracies in %, as fractions of the 10,000 test images). */
import type { ExperimentRow } from '../train/experiment.js';

const pct = (x: number | null): string => (x === null ? '—' : (x * 100).toFixed(2));

export function sortRows(rows: readonly ExperimentRow[]): ExperimentRow[] {
  const act = { relu: 0, square: 1, quadratic: 2 } as const;
  return [...rows].sort((a, b) => a.network.localeCompare(b.network) || act[a.activation] - act[b.activation]
    || (b.weightBits ?? 99) - (a.weightBits ?? 99) || b.inputBits - a.inputBits || Number(a.kd) - Number(b.kd) || a.epochs - b.epochs);
}

export function markdownTable(rows: readonly ExperimentRow[]): string {
  const head = '| network | activation | KD | weight bits | input bits | epochs | float acc % | integer acc % | max integer bits | train s |\n|---|---|---|---|---|---|---|---|---|---|\n';
  return head + sortRows(rows).map((r) =>
    `| ${r.network} | ${r.activation === 'relu' ? 'ReLU (teacher)' : r.activation === 'square' ? 'x²' : 'a·x²+b·x+c'}${r.batchNorm ? ' + BN' : ''}${r.augment ? ' (aug)' : ''} | ${r.kd ? 'yes' : 'no'} | ${r.weightBits ?? 'float'}${r.perChannel ? ' (per-ch)' : ''} | ${r.inputBits} | ${r.epochs} | ${pct(r.floatAccuracy)} | ${pct(r.integerAccuracy)} | ${r.maxIntegerBits ?? '—'} | ${r.trainSeconds ?? '—'} |`).join('\n') + '\n';
}
