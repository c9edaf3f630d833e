/**
 * NTT-friendly primes and roots of unity.
 *
 * A negacyclic NTT of length N mod q needs a primitive 2N-th root of unity ψ,
 * which exists iff q ≡ 1 (mod 2N); so does batching (N plaintext slots) mod t.
 * Primality is decided by Miller–Rabin with the first twelve prime bases, which
 * is deterministic for every n < ψ12 ≈ 3.18·10^23 (so for all 64-bit inputs):
 * Sorenson & Webster, "Strong pseudoprimes to twelve prime bases", Math. Comp.
 * 86 (2017).
 * The prime search has two size modes: `exact` (q has exactly `bits` bits, the
 * coefficient-modulus primes, as SEAL's CoeffModulus::Create) and `below` (the
 * largest q < 2^bits of any size, as plaintext primes t are chosen: the largest
 * batching primes under a size bound).
 * Root choice follows SEAL (util/numth.cpp): the smallest primitive 2N-th root,
 * so that tables and known-answer vectors are reproducible across runs.
 */
import { fail } from './errors.js';
import { MIN_PRIME_BITS, RING_MAX_LOG_N, RING_MIN_LOG_N, U64_MAX_PRIME_BITS } from './limits.js';
import { powMod } from './zq.js';

const MR_BASES = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n];

/** Deterministic primality for 0 ≤ n < 3.18·10^23 (covers all 64-bit n). */
export function isPrime(n: bigint): boolean {
  if (n < 2n) return false;
  for (const p of MR_BASES) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  witness: for (const a of MR_BASES) {
    let x = powMod(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue witness;
    }
    return false;
  }
  return true;
}

/** Throws unless n is a power of two with RING_MIN_LOG_N ≤ log2 n ≤ RING_MAX_LOG_N. */
export function assertRingDegree(fn: string, n: number): void {
  const ok = Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0 && n >= 1 << RING_MIN_LOG_N && n <= 1 << RING_MAX_LOG_N;
  if (!ok) fail('INVALID_RING_DEGREE', fn, `a power of two N in [2^${RING_MIN_LOG_N}, 2^${RING_MAX_LOG_N}]`, n);
}

/** Throws unless q is a prime ≡ 1 (mod 2n) of at most maxBits bits. */
export function assertNttPrime(fn: string, q: bigint, n: number, maxBits: number): void {
  if (typeof q !== 'bigint') fail('INVALID_PRIME', fn, 'a bigint prime', q);
  if (q.toString(2).length > maxBits) fail('PRIME_TOO_LARGE', fn, `a prime of at most ${maxBits} bits`, q);
  if (!isPrime(q)) fail('INVALID_PRIME', fn, 'a prime', q);
  if (q % BigInt(2 * n) !== 1n) fail('PRIME_NOT_NTT_FRIENDLY', fn, `a prime ≡ 1 (mod 2N = ${2 * n})`, q);
}

/**
 * Which primes a search may return, by size.
 * - `exact`: q in [2^(bits−1), 2^bits), i.e. exactly `bits` bits (coefficient-modulus primes).
 * - `below`: any q < 2^bits, down to the smallest candidate 2n + 1 (plaintext primes: the
 *   largest batching primes under a size bound).
 */
export type PrimeSize = 'exact' | 'below';

export interface PrimeRange {
  /** Size bound of each prime: q < 2^bits (and q ≥ 2^(bits−1) in `exact` mode); in [MIN_PRIME_BITS, U64_MAX_PRIME_BITS]. */
  readonly bits: number;
  /** Ring degree: primes are ≡ 1 (mod 2n). */
  readonly n: number;
  /** Default `exact`. */
  readonly size?: PrimeSize;
  /** Primes that must not be returned (e.g. ones already in the chain, or t). */
  readonly exclude?: readonly bigint[];
}

export interface PrimeSearch extends PrimeRange {
  readonly count: number;
}

/**
 * Every prime q ≡ 1 (mod 2n) in the range, largest first, lazily: for searches whose
 * stopping rule is not a count (e.g. "the fewest largest primes whose product covers X").
 * The arguments are validated on the call, not on the first `next()`.
 */
export function nttPrimesDescending(range: PrimeRange): Generator<bigint, void, undefined> {
  return descending('nttPrimesDescending', range);
}

/**
 * `count` distinct primes q ≡ 1 (mod 2n) in the range, largest first (searching down
 * from 2^bits, as SEAL's CoeffModulus::Create does). Throws PRIME_SEARCH_EXHAUSTED
 * when the range holds fewer.
 */
export function nttPrimes(search: PrimeSearch): bigint[] {
  const fn = 'nttPrimes';
  const { bits, n, count, size = 'exact' } = search;
  if (!Number.isInteger(count) || count < 0) fail('INVALID_ARGUMENT', fn, 'a count ≥ 0', count);
  const primes = descending(fn, search);
  const found: bigint[] = [];
  if (count > 0) for (const q of primes) if (found.push(q) === count) break;
  if (found.length < count) {
    const what = size === 'exact' ? `of ${bits} bits` : `below 2^${bits}`;
    fail('PRIME_SEARCH_EXHAUSTED', fn, `${count} primes ${what} ≡ 1 (mod ${2 * n})`, found.length);
  }
  return found;
}

/** Validates, then returns the (lazy) search; shared by both entry points. */
function descending(fn: string, { bits, n, size = 'exact', exclude = [] }: PrimeRange): Generator<bigint, void, undefined> {
  assertRingDegree(fn, n);
  if (!Number.isInteger(bits) || bits < MIN_PRIME_BITS || bits > U64_MAX_PRIME_BITS)
    fail('INVALID_ARGUMENT', fn, `bits in [${MIN_PRIME_BITS}, ${U64_MAX_PRIME_BITS}]`, bits);
  if (size !== 'exact' && size !== 'below') fail('INVALID_ARGUMENT', fn, "size 'exact' or 'below'", size);
  const step = BigInt(2 * n);
  const top = 1n << BigInt(bits);
  // Exclusive lower end: 2^(bits−1), or 1 (the smallest candidate is then 2n + 1).
  const low = size === 'exact' ? top >> 1n : 1n;
  const skip = new Set(exclude);
  // Largest candidate ≡ 1 (mod 2n) below 2^bits.
  let first = ((top - 1n) / step) * step + 1n;
  if (first >= top) first -= step;
  return (function* search() {
    for (let q = first; q > low; q -= step) if (!skip.has(q) && isPrime(q)) yield q;
  })();
}

/** Whether r is a primitive `order`-th root of unity mod q (order a power of two). */
export function isPrimitiveRoot(r: bigint, order: number, q: bigint): boolean {
  return powMod(r, BigInt(order / 2), q) === q - 1n;
}

/**
 * The smallest primitive `order`-th root of unity mod q, `order` a power of two
 * dividing q − 1. Method: g^((q−1)/order) for a generator-like g is a primitive
 * root of that order iff its (order/2)-th power is −1; of all such roots we take
 * the minimum (enumerate the odd powers of one of them), as SEAL does.
 */
export function minimalPrimitiveRoot(order: number, q: bigint): bigint {
  const fn = 'minimalPrimitiveRoot';
  if ((q - 1n) % BigInt(order) !== 0n) fail('PRIME_NOT_NTT_FRIENDLY', fn, `q ≡ 1 (mod ${order})`, q);
  const cofactor = (q - 1n) / BigInt(order);
  let root = 0n;
  for (let g = 2n; g < q; g++) {
    const candidate = powMod(g, cofactor, q);
    if (isPrimitiveRoot(candidate, order, q)) {
      root = candidate;
      break;
    }
  }
  if (root === 0n) fail('INVALID_PRIME', fn, `a prime with a primitive ${order}-th root`, q);
  // Every primitive root of order 2^k is root^j for odd j; pick the smallest.
  const square = (root * root) % q;
  let best = root;
  let current = root;
  for (let j = 1; j < order / 2; j++) {
    current = (current * square) % q;
    if (current < best) best = current;
  }
  return best;
}

/** Throws unless m is an integer modulus in [2, 2^maxBits) (no primality or NTT requirement). */
export function assertPlainModulus(fn: string, m: bigint, maxBits: number): void {
  if (typeof m !== 'bigint' || m < 2n) fail('INVALID_ARGUMENT', fn, 'a bigint modulus ≥ 2', m);
  if (m.toString(2).length > maxBits) fail('PRIME_TOO_LARGE', fn, `a modulus of at most ${maxBits} bits`, m);
}
