/**
 * Moving plaintexts (mod t) into R_Q.
 *
 * - `addScaledPlain`: c0 += Δ·m with Δ·m computed as SEAL's
 *   multiply_add_plain_with_scaling_variant does: ⌊Q/t⌋·m + ⌊((Q mod t)·m + ⌊t/2⌋)/t⌋,
 *   i.e. round(Q·m/t). Without the second term, an error of up to t joins the
 *   fresh noise, which is larger than the noise itself for t ≈ 2^20.
 * - `liftCentered`: m with coefficients in [0, t) → the centred integers
 *   (−t/2, t/2] in every limb, for plaintext products (half the noise of the
 *   [0, t) lift).
 */
import type { Plaintext } from './ciphertext.js';
import type { LevelData } from './context.js';
import type { RnsPoly } from './math/poly.js';

/** Exact with float64 when (Q mod t)·m + t < 2^53, i.e. t < 2^26. */
const FLOAT_EXACT_T = 1n << 26n;

/** ⌊((Q mod t)·m_k + ⌊t/2⌋)/t⌋ for every coefficient, as safe integers (< t). */
function roundingCorrection(level: LevelData, pt: Plaintext, t: bigint): number[] {
  const n = pt.data.length;
  const out = new Array<number>(n);
  if (t < FLOAT_EXACT_T && pt.data instanceof Int32Array) {
    const r = Number(level.qModT), tn = Number(t), h = Math.floor(tn / 2);
    const m = pt.data;
    for (let k = 0; k < n; k++) {
      const num = r * m[k] + h; // < 2^52: exact
      let q = Math.floor(num / tn);
      if (q * tn > num) q--;
      else if ((q + 1) * tn <= num) q++;
      out[k] = q;
    }
  } else {
    const r = level.qModT, h = t >> 1n;
    const m = pt.coefficients();
    for (let k = 0; k < n; k++) out[k] = Number((r * m[k] + h) / t);
  }
  return out;
}

/** c0 += round(Q_l·m/t) over the level base; `scratch` one limb. */
export function addScaledPlain(level: LevelData, pt: Plaintext, t: bigint, c0: RnsPoly, sign: 1 | -1 = 1): void {
  const kernel = level.base.kernel;
  const fix = roundingCorrection(level, pt, t);
  const tmp = kernel.alloc(level.base.n);
  for (let i = 0; i < level.base.size; i++) {
    const op = level.base.ops[i];
    op.fromNumbers(fix, tmp);
    op.mulScalarForeignAcc(pt.data, level.deltaModQ[i], tmp);
    if (sign === 1) op.add(c0.limb(i), tmp, c0.limb(i));
    else op.sub(c0.limb(i), tmp, c0.limb(i));
  }
}

/** The centred lift of m into every limb of `out` (coefficient form). */
export function liftCentered(pt: Plaintext, t: bigint, out: RnsPoly): void {
  const base = out.base;
  if (pt.data instanceof Int32Array) {
    const tn = Number(t), half = tn / 2, m = pt.data;
    for (let i = 0; i < base.size; i++) {
      const qi = Number(base.primes[i]), o = out.limb(i) as Int32Array;
      // v > t/2 lifts to v − t < 0, stored as v − t + q_i ∈ [0, q_i) (t ≤ q_i); v ≤ t/2 < q_i stays.
      if (tn <= qi) for (let k = 0; k < m.length; k++) { const v = m[k]; o[k] = v > half ? v - tn + qi : v; }
      else base.ops[i].fromNumbers(Array.from(m, (v) => (v > half ? v - tn : v)), o);
    }
  } else {
    const half = t >> 1n;
    const centred = pt.coefficients().map((v) => (v > half ? v - t : v));
    for (let i = 0; i < base.size; i++) base.ops[i].fromBigInts(centred, out.limb(i));
  }
  out.representation = 'coeff';
}
