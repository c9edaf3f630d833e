/**
 * The noise model of packed programs: SEAL's invariant noise budget simulated op
 * by op (Fan & Vercauteren 2012 bounds; constants calibrated on this engine's
 * measured `invariantNoiseBudget`, as the batch planner's):
 * - fresh: log2 Q_l − log2 t − (½ log2 N + FRESH_EXTRA);
 * - a transform multiplies the noise by √(Σ f²) over its terms, f = min(|c|, t) for an
 *   integer factor and ≈ t·√N·2^VECTOR_EXTRA for a slot vector (its polynomial
 *   has coefficients uniform mod t) — which is why the first convolution uses
 *   integer weights;
 * - x²: log2 t + ½ log2 N + SQUARE_EXTRA bits;
 * - key switching (rotations, relinearization) and mod switching cap the budget
 *   at the fresh level of the current modulus (minus KEYSWITCH_EXTRA for key
 *   switching), combined as a soft minimum.
 */
import { FRESH_EXTRA, SQUARE_EXTRA, softMin } from '../planner/noise.js';
import type { ProgramOp } from './program.js';

// FRESH_EXTRA and SQUARE_EXTRA are the batch planner's (x² then relinearization
// measured at log2 t + ½ log2 N + 5.5 bits for t of 18, 20, 26 bits at N = 8192).
/** Measured at N = 8192 (t of 18, 20, 26 bits): one vector term costs log2 t + ½ log2 N − 2.5 bits, 16 terms 2 more. */
export const VECTOR_EXTRA = -2;
/** Measured: a rotation (one special prime, one prime per digit) leaves a fresh ciphertext 3–4 bits lower at every level. */
export const KEYSWITCH_EXTRA = 5;

export interface NoiseContext {
  readonly n: number;
  readonly logT: number;
  /** log2 Q at each level. */
  readonly levelLogQ: readonly number[];
}

export function freshBudget(s: NoiseContext, level: number): number {
  return s.levelLogQ[level] - s.logT - (0.5 * Math.log2(s.n) + FRESH_EXTRA);
}

/** Bits a slot-vector factor costs. */
export function vectorBits(s: NoiseContext): number {
  return s.logT + 0.5 * Math.log2(s.n) + VECTOR_EXTRA;
}

/** Budget after `op` at `level`, from budget b. */
export function budgetAfter(s: NoiseContext, op: ProgramOp, level: number, b: number): number {
  const cap = freshBudget(s, level) - KEYSWITCH_EXTRA;
  switch (op.kind) {
    case 'transform': {
      let sum = 0;
      let rotates = false;
      for (const t of op.terms) {
        // An integer factor is reduced mod t_j first (server.ts): it multiplies the noise by at most t.
        const f = typeof t.diagonal === 'number' ? Math.min(Math.abs(t.diagonal), 2 ** s.logT) : 0;
        sum += typeof t.diagonal === 'number' ? f * f : 2 ** (2 * vectorBits(s));
        if (t.baby !== 0 || t.giant !== 0) rotates = true;
      }
      const after = b - Math.max(0, 0.5 * Math.log2(sum));
      return rotates ? softMin(after, cap) : after;
    }
    case 'addPlain':
      return b;
    case 'square':
      return softMin(b - (s.logT + 0.5 * Math.log2(s.n) + SQUARE_EXTRA), cap);
    case 'polynomial': {
      // Integer coefficients are reduced mod t_j (server.ts) before they multiply.
      const coef = (v: bigint | readonly bigint[]): number => (typeof v === 'bigint' ? Math.min(s.logT, Math.log2(Math.max(1, Math.abs(Number(v))))) : vectorBits(s));
      return softMin(b - (s.logT + 0.5 * Math.log2(s.n) + SQUARE_EXTRA) - Math.max(coef(op.a), coef(op.b) - (s.logT + 0.5 * Math.log2(s.n))), cap);
    }
    case 'modSwitch':
      return softMin(b, freshBudget(s, op.level));
  }
}
