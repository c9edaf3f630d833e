/**
 * Plaintext primes for batching: t ≡ 1 (mod 2N) gives N slots (the CRT
 * decomposition of Z_t[X]/(X^N + 1) into N copies of Z_t). The planner wants
 * the largest such primes below a size bound, of any size, largest first:
 * `@qhe/bfv/math`'s prime search in its `below` mode.
 */
import { nttPrimesDescending } from '@qhe/bfv/math';
import { log2 } from './facts.js';

/** The `count` largest primes below 2^bits with p ≡ 1 (mod 2N), largest first (fewer if the range has fewer). */
export function batchingPrimes(bits: number, n: number, count: number): bigint[] {
  const out: bigint[] = [];
  if (count > 0) for (const p of nttPrimesDescending({ bits, n, size: 'below' })) if (out.push(p) === count) break;
  return out;
}

/**
 * The CRT plaintext primes of a plan with k channels: the k largest batching primes
 * below 2^b for the smallest b ≥ minBits whose product is ≥ need (the centred range
 * then holds every integer of the model), or null when none up to maxBits does.
 */
export function crtPlainPrimes(need: bigint, n: number, k: number, minBits: number, maxBits: number): bigint[] | null {
  for (let b = Math.max(minBits, Math.ceil(log2(need) / k)); b <= maxBits; b++) {
    const cand = batchingPrimes(b, n, k);
    if (cand.length === k && cand.reduce((a, c) => a * c, 1n) >= need) return cand;
  }
  return null;
}
