/**
 * Residual sums under integer-only arithmetic. A skip connection (He et al.
 * 2016) adds two tensors whose real scales differ: x = σ_x·X (the block's
 * output) and s = σ_s·S (the block's input). BFV cannot divide or rescale, so
 * both integers are multiplied onto a common, finer grid σ_y:
 *   Y = α·X + β·S,  α = round(σ_x/σ_y),  β = round(σ_s/σ_y).
 * σ_y = min(σ_x, σ_s)/2^k: the finer tensor's factor is exactly 2^k and the
 * other factor is rounded; k is the smallest that keeps the rounded factor's
 * relative error ≤ 2^−ADD_ALIGN_BITS (k = 0 once the ratio reaches
 * 2^(ADD_ALIGN_BITS−1), the usual case after a conv layer). Training applies
 * the same rounded factors (the real multipliers α·σ_y/σ_x ≈ 1 and β·σ_y/σ_s ≈ 1),
 * so the grid trained on is the grid exported.
 */

export const ADD_ALIGN_BITS = 8;

export interface Alignment {
  /** α per channel (length 1 when both scales are uniform). */
  readonly scale: number[];
  /** β per channel. */
  readonly fromScale: number[];
  /** σ_y per channel. */
  readonly sigma: number[];
}

/** Integer factors aligning per-channel scales σ_x and σ_s (length 1 = uniform). */
export function alignScales(sx: readonly number[], ss: readonly number[], bits = ADD_ALIGN_BITS): Alignment {
  const n = Math.max(sx.length, ss.length);
  if ((sx.length !== 1 && sx.length !== n) || (ss.length !== 1 && ss.length !== n)) {
    throw new Error(`alignScales: expected scales of length 1 or ${n}, got ${sx.length} and ${ss.length}`);
  }
  const scale: number[] = [], fromScale: number[] = [], sigma: number[] = [];
  for (let c = 0; c < n; c++) {
    const a = sx.length === 1 ? sx[0] : sx[c];
    const b = ss.length === 1 ? ss[0] : ss[c];
    if (!(a > 0) || !(b > 0)) throw new Error(`alignScales: expected positive scales, got ${a} and ${b}`);
    const ratio = Math.max(a, b) / Math.min(a, b);
    const k = Math.max(0, Math.ceil(bits - 1 - Math.log2(ratio)));
    const sy = Math.min(a, b) / 2 ** k;
    const fa = Math.round(a / sy), fb = Math.round(b / sy);
    if (!Number.isSafeInteger(fa) || !Number.isSafeInteger(fb)) {
      throw new Error(`alignScales: expected factors below 2^53, got scale ratio ${ratio.toExponential(3)}`);
    }
    scale.push(fa); fromScale.push(fb); sigma.push(sy);
  }
  return { scale, fromScale, sigma };
}
