/**
 * What BFV needs from the integer sizes: decryption returns values mod t in
 * the centred range (−t/2, t/2], so every intermediate value v is recovered
 * exactly iff t > 2·max|v| (Legiest et al. 2023 §3: t is set by the largest
 * integer size).
 */
import type { IntegerModel } from './schema.js';

/** Smallest plaintext modulus t (exclusive lower bound + 1) that represents every tensor exactly: 2·maxAbs + 1. */
export function minPlainModulus(model: Pick<IntegerModel, 'tensors'>): bigint {
  let m = 0n;
  for (const t of model.tensors) if (t.maxAbs > m) m = t.maxAbs;
  return 2n * m + 1n;
}
