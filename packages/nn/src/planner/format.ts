/** The human-readable plan (`qhe plan`, and the `qhe` job's header and report). */
import { bitLength } from '@qhe/bfv/math';
import type { InferencePlan } from './types.js';

/** The plan as text; `measured` adds a column of measured budgets (null = not measured). */
export function formatPlan(plan: InferencePlan, measured?: readonly (number | null)[]): string {
  const lines = [
    `plan for ${plan.model}: N=${plan.polyDegree} (${plan.polyDegree} slots), kernel ${plan.kernel}`,
    `  q chain: ${plan.coeffModulus.length} × ${bitLength(plan.coeffModulus[0])}-bit data primes + ${plan.specialModulus.length} special; log2 Q = ${plan.logQ}, log2 Q·P = ${plan.logQP}${plan.securityBound ? ` ≤ ${plan.securityBound} (128-bit)` : ' (insecure, test only)'}`,
    `  plaintext: ${plan.plainModuli.length === 1 ? 't' : `CRT of ${plan.plainModuli.length} channels, t`} = ${plan.plainModuli.join(', ')} (needs > 2·maxAbs = 2·${plan.maxAbs})`,
    `  fresh budget ${plan.freshBudget.toFixed(1)} bits; margin ${plan.marginBits} bits`,
    ...(plan.flooding
      ? [`  noise flooding of the outputs: λ = ${plan.flooding.statisticalSecurity} bits statistical over ${plan.flooding.ciphertexts} ciphertexts; reserve ${plan.flooding.reserveBits} bits above the margin`]
      : []),
    '  layer          level  relin  ct size  outputs  predicted budget' + (measured ? '  measured' : ''),
  ];
  for (const l of plan.layers) {
    const m = measured?.[l.index];
    lines.push(`  ${String(l.index).padStart(2)} ${l.type.padEnd(10)} ${String(l.level).padStart(6)}  ${(l.relinearizeAfter ? 'yes' : '').padEnd(5)}  ${String(l.outSize).padStart(7)}  ${String(l.outputs).padStart(7)}  ${l.predictedBudget.toFixed(1).padStart(16)}` + (measured ? `  ${m === null || m === undefined ? '—' : m}`.padStart(10) : ''));
  }
  return lines.join('\n');
}
