/**
 * Scalar arithmetic in Z_q on bigints: the exact (and slow) reference that the
 * kernels' precomputation and the tests' oracles are built on.
 * Contracts: every function takes any bigint for its value arguments and q ≥ 2,
 * and returns the canonical representative in [0, q).
 */
import { fail } from './errors.js';

/** x mod q in [0, q), for any bigint x (also negative). */
export function mod(x: bigint, q: bigint): bigint {
  const r = x % q;
  return r < 0n ? r + q : r;
}

/** Centred representative of x mod q in (−q/2, q/2]. */
export function centre(x: bigint, q: bigint): bigint {
  const r = mod(x, q);
  return r > q >> 1n ? r - q : r;
}

/**
 * The smallest modulus m whose centred range (−m/2, m/2] holds every integer v with
 * |v| ≤ maxAbs: 2·maxAbs + 1. BFV decryption returns values mod t centred, so this is
 * the least plaintext modulus (or CRT product of plaintext moduli) that computes a
 * circuit exactly when maxAbs bounds every intermediate value. maxAbs ≥ 0.
 */
export function minCentredModulus(maxAbs: bigint): bigint {
  if (typeof maxAbs !== 'bigint' || maxAbs < 0n) fail('INVALID_ARGUMENT', 'minCentredModulus', 'a bigint maxAbs ≥ 0', maxAbs);
  return 2n * maxAbs + 1n;
}

/** b^e mod q in [0, q); e ≥ 0. */
export function powMod(b: bigint, e: bigint, q: bigint): bigint {
  if (e < 0n) fail('INVALID_ARGUMENT', 'powMod', 'a non-negative exponent', e);
  let result = 1n % q;
  let base = mod(b, q);
  let exp = e;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % q;
    base = (base * base) % q;
    exp >>= 1n;
  }
  return result;
}

/** a^{-1} mod q in [1, q); throws if gcd(a, q) ≠ 1. */
export function invMod(a: bigint, q: bigint): bigint {
  let [oldR, r] = [mod(a, q), q];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) fail('INVALID_ARGUMENT', 'invMod', `a value invertible mod ${q}`, a);
  return mod(oldS, q);
}

/** Number of bits of a non-negative bigint (0 for 0). */
export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Product of a list of bigints. */
export function product(xs: readonly bigint[]): bigint {
  let p = 1n;
  for (const x of xs) p *= x;
  return p;
}
