/** The human-readable single-mode plan (`qhe plan --mode single`, and the header of `qhe run --mode single`). */
import { bitLength } from '@qhe/bfv/math';
import { planStatistics, type SinglePlan } from './planner.js';
import { formatCode } from './slots.js';

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

/** The plan as text; `measured` adds measured budgets and `ms` layer times (null = not measured). */
export function formatSinglePlan(plan: SinglePlan, measured?: readonly (number | null)[], ms?: readonly (number | null)[]): string {
  const n = plan.polyDegree, k = plan.plainModuli.length;
  const stats = planStatistics(plan);
  const lines = [
    `single-image plan for ${plan.model}: N=${n} (2 rows × ${n / 2} slots), kernel ${plan.kernel}`,
    `  q chain: ${plan.coeffModulus.length} × ${bitLength(plan.coeffModulus[0])}-bit data primes + ${plan.specialModulus.length} special; log2 Q = ${plan.logQ}, log2 Q·P = ${plan.logQP}${plan.securityBound ? ` ≤ ${plan.securityBound} (128-bit)` : ' (insecure, test only)'}`,
    `  plaintext: ${k === 1 ? 't' : `CRT of ${k} channels, t`} = ${plan.plainModuli.join(', ')} (needs > 2·maxAbs = 2·${plan.maxAbs})`,
    `  fresh budget ${plan.freshBudget.toFixed(1)} bits; margin ${plan.marginBits} bits; predicted final ${plan.predictedFinalBudget.toFixed(1)} bits`,
    ...(plan.flooding
      ? [`  noise flooding of the outputs: λ = ${plan.flooding.statisticalSecurity} bits statistical over ${plan.flooding.ciphertexts} ciphertexts; reserve ${plan.flooding.reserveBits} bits above the margin`]
      : []),
    `  client input: ${plan.input.note}, encrypted at level ${plan.inputLevel}`,
    `  work: ${stats.babies} hoisted rotations, ${stats.giants} full key switches, ${stats.vectorTerms} plaintext-vector products, ${stats.squares} squares per channel; estimated cost ${plan.estimatedCost.toFixed(0)} (${plan.workers} worker(s))`,
    '  layer         level  outputs  predicted' + (measured ? '  measured' : '') + (ms ? '  time (s)' : '') + '  layout after / method',
  ];
  for (const l of plan.layers) {
    const m = measured?.[l.index], t = ms?.[l.index];
    lines.push(
      `  ${String(l.index).padStart(2)} ${l.type.padEnd(10)} ${String(l.level).padStart(5)}  ${String(l.outputs).padStart(7)}  ${l.predictedBudget.toFixed(1).padStart(9)}` +
        (measured ? `${m === null || m === undefined ? '—' : String(m)}`.padStart(10) : '') +
        (ms ? `${t === null || t === undefined ? '—' : (t / 1000).toFixed(2)}`.padStart(10) : '') +
        `  ${l.layout}`,
    );
    if (l.type !== 'flatten') lines.push(`${' '.repeat(38 + (measured ? 10 : 0) + (ms ? 10 : 0))}${l.method}` + (l.rotations.length ? `; rotations ${l.rotations.map((c) => formatCode(n, c)).join(' ')}` : ''));
  }
  const byLevel = new Map<number, number[]>();
  for (const [g, level] of plan.galoisKeyLevels) { let a = byLevel.get(level); if (!a) byLevel.set(level, (a = [])); a.push(g); }
  lines.push(
    `  Galois steps (${plan.galoisSteps.length}): ${plan.galoisSteps.join(' ')}  ("swap" = rotateColumns)`,
    `  Galois elements: ${plan.galoisElements.join(' ')}`,
    `  keys per level: ${[...byLevel].sort((a, b) => a[0] - b[0]).map(([l, gs]) => `level ${l}: ${gs.length}`).join(', ')}; relinearization key at level ${plan.relinLevel}`,
    `  evaluation keys: ${mib(plan.keyBytesPerChannel)} MiB per channel, ${mib(plan.keyBytesPerChannel * k)} MiB in all`,
  );
  return lines.join('\n');
}
