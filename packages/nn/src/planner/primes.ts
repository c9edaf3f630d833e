/**
 * Plaintext primes for batching: t ≡ 1 (mod 2N) gives N slots (the CRT
 * decomposition of Z_t[X]/(X^N + 1) into N copies of Z_t). The planner wants
 * the largest such primes below a size bound, of any size, largest first.
 *
 * Interim home: `@qhe/bfv/math`'s `nttPrimes` is gaining this "below 2^bits"
 * mode (issue 16); once it is on main this file becomes a call to it.
 */
import { isPrime } from '@qhe/bfv/math';

/** The `count` largest primes below 2^bits with p ≡ 1 (mod 2N), largest first (fewer if the range has fewer). */
export function batchingPrimes(bits: number, n: number, count: number): bigint[] {
  const m = BigInt(2 * n);
  let p = (((1n << BigInt(bits)) - 1n) / m) * m + 1n;
  if (p >= 1n << BigInt(bits)) p -= m;
  const out: bigint[] = [];
  for (; p >= m && out.length < count; p -= m) if (isPrime(p)) out.push(p);
  return out;
}
