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

/** Bits of the smallest adequate t: bitLength(2·maxAbs + 1) = maxBits + 1. */
export function minPlainModulusBits(model: Pick<IntegerModel, 'tensors'>): number {
  return minPlainModulus(model).toString(2).length;
}

/** Centred representative of v mod t, as BFV decryption returns it. */
export function centre(v: bigint, t: bigint): bigint {
  let r = v % t;
  if (r < 0n) r += t;
  return r > t / 2n ? r - t : r;
}
