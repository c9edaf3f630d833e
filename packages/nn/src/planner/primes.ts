/**
 * Plaintext primes for batching: t ≡ 1 (mod 2N) gives N slots (the CRT
 * decomposition of Z_t[X]/(X^N + 1) into N copies of Z_t). The planner wants
 * the largest such primes below a size bound, of any size, largest first:
 * `@qhe/bfv/math`'s prime search in its `below` mode.
 */
import { nttPrimesDescending } from '@qhe/bfv/math';

/** The `count` largest primes below 2^bits with p ≡ 1 (mod 2N), largest first (fewer if the range has fewer). */
export function batchingPrimes(bits: number, n: number, count: number): bigint[] {
  const out: bigint[] = [];
  if (count > 0) for (const p of nttPrimesDescending({ bits, n, size: 'below' })) if (out.push(p) === count) break;
  return out;
}
