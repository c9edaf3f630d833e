/**
 * NTT-friendly primes and roots of unity.
 *
 * A negacyclic NTT of length N mod q needs a primitive 2N-th root of unity ψ,
 * which exists iff q ≡ 1 (mod 2N). Primality is decided by Miller–Rabin with the
 * first twelve prime bases, which is deterministic for every n < 3.3·10^24 (so
 * for all 64-bit inputs): Sorenson & Webster, "Strong pseudoprimes to twelve
 * prime bases", Math. Comp. 86 (2017).
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

export interface PrimeSearch {
  /** Size of each prime: q in [2^(bits−1), 2^bits). */
  readonly bits: number;
  /** Ring degree: primes are ≡ 1 (mod 2n). */
  readonly n: number;
  readonly count: number;
  /** Primes that must not be returned (e.g. ones already in the chain, or t). */
  readonly exclude?: readonly bigint[];
}

/**
 * `count` distinct primes q ≡ 1 (mod 2n) with exactly `bits` bits, largest first
 * (searching down from 2^bits, as SEAL's CoeffModulus::Create does).
 */
export function nttPrimes({ bits, n, count, exclude = [] }: PrimeSearch): bigint[] {
  const fn = 'nttPrimes';
  assertRingDegree(fn, n);
  if (!Number.isInteger(bits) || bits < MIN_PRIME_BITS || bits > U64_MAX_PRIME_BITS)
    fail('INVALID_ARGUMENT', fn, `bits in [${MIN_PRIME_BITS}, ${U64_MAX_PRIME_BITS}]`, bits);
  if (!Number.isInteger(count) || count < 0) fail('INVALID_ARGUMENT', fn, 'a count ≥ 0', count);
  const step = BigInt(2 * n);
  const low = 1n << BigInt(bits - 1);
  const skip = new Set(exclude);
  const found: bigint[] = [];
  // Largest candidate ≡ 1 mod 2n below 2^bits.
  let q = ((1n << BigInt(bits)) - 1n) / step * step + 1n;
  if (q >= 1n << BigInt(bits)) q -= step;
  for (; found.length < count && q > low; q -= step) {
    if (!skip.has(q) && isPrime(q)) found.push(q);
  }
  if (found.length < count)
    fail('PRIME_SEARCH_EXHAUSTED', fn, `${count} primes of ${bits} bits ≡ 1 (mod ${step})`, found.length);
  return found;
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
