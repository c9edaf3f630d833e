/**
 * Primality, NTT-prime search and primitive roots (primes.ts) against direct
 * definitions: trial division, known pseudoprimes, and exhaustive root search.
 * Pseudoprime lists: Carmichael numbers (OEIS A002997); the smallest strong
 * pseudoprimes to the first k prime bases (OEIS A014233, Jaeschke 1993,
 * Sorenson & Webster 2017) — each fools Miller–Rabin with the first k−1 bases.
 */
import { describe, expect, it } from 'vitest';
import { MIN_PRIME_BITS, RING_MAX_LOG_N, U64_MAX_PRIME_BITS } from '../../src/math/limits.js';
import { assertNttPrime, assertRingDegree, isPrime, isPrimitiveRoot, minimalPrimitiveRoot, nttPrimes, nttPrimesDescending } from '../../src/math/primes.js';
import { powMod } from '../../src/math/zq.js';
import { expectQheError } from './helpers.js';

function trialDivision(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** Strong probable prime to base a (one Miller–Rabin round). */
function strongProbablePrime(n: bigint, a: bigint): boolean {
  let d = n - 1n, s = 0;
  while ((d & 1n) === 0n) (d >>= 1n), s++;
  let x = powMod(a, d, n);
  if (x === 1n || x === n - 1n) return true;
  for (let r = 1; r < s; r++) {
    x = (x * x) % n;
    if (x === n - 1n) return true;
  }
  return false;
}

describe('isPrime', () => {
  it('agrees with trial division on [0, 20000) and around 2^20', () => {
    for (let n = 0; n < 20000; n++) expect(isPrime(BigInt(n)), `n = ${n}`).toBe(trialDivision(n));
    for (let n = (1 << 20) - 2000; n < (1 << 20) + 2000; n++) expect(isPrime(BigInt(n)), `n = ${n}`).toBe(trialDivision(n));
  });

  it('rejects Carmichael numbers', () => {
    const carmichael = [561n, 1105n, 1729n, 2465n, 2821n, 6601n, 8911n, 10585n, 15841n, 29341n, 41041n, 46657n, 52633n, 62745n, 63973n, 75361n, 101101n, 115921n, 126217n, 162401n, 172081n, 188461n, 252601n, 278545n, 294409n, 314821n, 334153n, 340561n, 399001n, 410041n, 449065n, 488881n, 512461n];
    for (const c of carmichael) expect(isPrime(c), `${c}`).toBe(false);
    // 3-factor Carmichael (6k+1)(12k+1)(18k+1) in the 64-bit range.
    for (const k of [1n, 6n, 35n, 45n, 51n, 55n, 56n, 100005n]) {
      const [a, b, c] = [6n * k + 1n, 12n * k + 1n, 18n * k + 1n];
      if (isPrime(a) && isPrime(b) && isPrime(c)) expect(isPrime(a * b * c), `${a * b * c}`).toBe(false);
    }
  });

  it('rejects the smallest strong pseudoprimes to the first k prime bases (A014233)', () => {
    const spsp: [bigint, bigint[]][] = [
      [2047n, [2n]],
      [1373653n, [2n, 3n]],
      [25326001n, [2n, 3n, 5n]],
      [3215031751n, [2n, 3n, 5n, 7n]],
      [2152302898747n, [2n, 3n, 5n, 7n, 11n]],
      [3474749660383n, [2n, 3n, 5n, 7n, 11n, 13n]],
      [341550071728321n, [2n, 3n, 5n, 7n, 11n, 13n, 17n]],
      [3825123056546413051n, [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n]],
    ];
    for (const [n, bases] of spsp) {
      // The test data is what it claims: composite, yet a strong probable prime to those bases.
      for (const a of bases) expect(strongProbablePrime(n, a), `${n} base ${a}`).toBe(true);
      expect(isPrime(n), `${n}`).toBe(false);
    }
  });

  it('documents its exact range: ψ12 = 318665857834031151167461 ≈ 3.19·10^23 is the first composite the 12 bases accept', () => {
    // Sorenson & Webster 2017: the first twelve prime bases are deterministic below ψ12 (not 3.3·10^24,
    // which is ψ13 and needs base 41 too). Still far above 2^64, the only range qhe uses.
    const psi12 = 318665857834031151167461n;
    expect(399165290221n * 798330580441n).toBe(psi12);
    for (const a of [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n]) expect(strongProbablePrime(psi12, a)).toBe(true);
    expect(isPrime(psi12)).toBe(true); // known false positive, outside the documented domain
    expect(strongProbablePrime(psi12, 41n)).toBe(false);
    expect(psi12 > 1n << 64n).toBe(true);
  });

  it('accepts known large primes and rejects their neighbours’ products', () => {
    const primes = [2n ** 61n - 1n, 2n ** 31n - 1n, 18446744073709551557n /* largest 64-bit */, 4611686018427387847n /* largest < 2^62 */, 65537n, 12289n, 7681n];
    for (const p of primes) expect(isPrime(p), `${p}`).toBe(true);
    expect(isPrime((2n ** 31n - 1n) * 65537n)).toBe(false);
    expect(isPrime(4294967297n)).toBe(false); // F5 = 641 · 6700417
    expect(isPrime(-7n)).toBe(false);
  });
});

describe('nttPrimes', () => {
  it('returns distinct primes ≡ 1 (mod 2N) with exactly `bits` bits, largest first, honouring exclude', () => {
    for (const [bits, n, count] of [[20, 1024, 5], [29, 4096, 6], [30, 8192, 3], [40, 16, 4], [50, 32768, 3], [61, 65536, 3], [61, 2, 3], [17, 1024, 2]]) {
      const ps = nttPrimes({ bits, n, count });
      expect(ps.length).toBe(count);
      expect(new Set(ps).size).toBe(count);
      for (const p of ps) {
        expect(isPrime(p)).toBe(true);
        expect(p % BigInt(2 * n)).toBe(1n);
        expect(p.toString(2).length).toBe(bits);
      }
      for (let i = 1; i < ps.length; i++) expect(ps[i] < ps[i - 1]).toBe(true);
      // Largest first: no qualifying prime between the first one and 2^bits.
      for (let c = ps[0] + BigInt(2 * n); c < 1n << BigInt(bits); c += BigInt(2 * n)) expect(isPrime(c)).toBe(false);
      const skip = nttPrimes({ bits, n, count: 1, exclude: [ps[0]] });
      expect(skip[0]).toBe(ps[1] ?? skip[0]);
    }
  });

  it('is exhaustive for small sizes: every prime ≡ 1 (mod 2N) of that size, in order', () => {
    const n = 16, bits = 12;
    const all: bigint[] = [];
    for (let c = (1 << bits) - 1; c >= 1 << (bits - 1); c--) if (c % (2 * n) === 1 && trialDivision(c)) all.push(BigInt(c));
    expect(nttPrimes({ bits, n, count: all.length })).toEqual(all);
    expectQheError(() => nttPrimes({ bits, n, count: all.length + 1 }), 'PRIME_SEARCH_EXHAUSTED', `got ${all.length}`);
  });

  it('validates its arguments', () => {
    expectQheError(() => nttPrimes({ bits: U64_MAX_PRIME_BITS + 1, n: 16, count: 1 }), 'INVALID_ARGUMENT', 'got 62');
    expectQheError(() => nttPrimes({ bits: 1, n: 16, count: 1 }), 'INVALID_ARGUMENT', 'got 1');
    expectQheError(() => nttPrimes({ bits: 20, n: 24, count: 1 }), 'INVALID_RING_DEGREE', 'got 24');
    expectQheError(() => nttPrimes({ bits: 20, n: 16, count: -1 }), 'INVALID_ARGUMENT', 'got -1');
    expectQheError(() => nttPrimes({ bits: 5, n: 16, count: 1 }), 'PRIME_SEARCH_EXHAUSTED');
  });
});

describe("nttPrimes({ size: 'below' }): the largest batching primes under a size bound", () => {
  /** Oracle: every prime p ≡ 1 (mod 2n) with p < 2^bits, descending, by trial division on BigInt. */
  function oracle(bits: number, n: number): bigint[] {
    const out: bigint[] = [];
    const step = BigInt(2 * n);
    for (let p = 1n << BigInt(bits); p > 1n; p--) {
      if (p % step !== 1n) continue;
      let prime = true;
      for (let d = 2n; d * d <= p; d++) if (p % d === 0n) { prime = false; break; }
      if (prime) out.push(p);
    }
    return out;
  }

  it('is every prime ≡ 1 (mod 2N) below 2^bits, of any size, largest first (exhaustive for small N and t ≤ 16 bits)', () => {
    for (const n of [2, 16, 64, 1024, 2048, 4096]) {
      const upTo16 = oracle(16, n);
      for (let bits = MIN_PRIME_BITS; bits <= 16; bits++) {
        const all = upTo16.filter((p) => p < 1n << BigInt(bits));
        expect([...nttPrimesDescending({ bits, n, size: 'below' })], `n=${n} bits=${bits}`).toEqual(all);
        for (const count of [1, 2, 3]) {
          if (count <= all.length) expect(nttPrimes({ bits, n, count, size: 'below' })).toEqual(all.slice(0, count));
          else expectQheError(() => nttPrimes({ bits, n, count, size: 'below' }), 'PRIME_SEARCH_EXHAUSTED', `below 2^${bits}`, `got ${all.length}`);
        }
      }
    }
  });

  it('crosses size boundaries where `exact` stops, and agrees with `exact` while the primes keep their size', () => {
    // N = 2048, 2N = 4096: below 2^14 the only candidate primes are 12289 (14 bits) and none of 13 bits.
    expect(nttPrimes({ bits: 14, n: 2048, count: 1, size: 'below' })).toEqual([12289n]);
    expectQheError(() => nttPrimes({ bits: 13, n: 2048, count: 1, size: 'below' }), 'PRIME_SEARCH_EXHAUSTED');
    for (const [bits, n] of [[20, 1024], [29, 8192], [40, 4096], [61, 32768]] as const) {
      const exact = nttPrimes({ bits, n, count: 4 });
      expect(nttPrimes({ bits, n, count: 4, size: 'below' })).toEqual(exact);
    }
    // Far more than one size's worth: the search continues into smaller sizes, still descending.
    const small = oracle(16, 1024);
    const exactCount = small.filter((p) => p >= 1n << 15n).length;
    expect(nttPrimes({ bits: 16, n: 1024, count: exactCount + 2, size: 'below' })).toEqual(small.slice(0, exactCount + 2));
    expect(small[exactCount] < 1n << 15n).toBe(true);
  });

  it('large sizes: every returned prime is a batching prime and no qualifying prime is skipped', () => {
    for (const [bits, n] of [[28, 8192], [59, 16384], [45, 2048]] as const) {
      const ps = nttPrimes({ bits, n, count: 3, size: 'below' });
      const step = BigInt(2 * n);
      let c = (1n << BigInt(bits)) - 1n;
      c -= (c - 1n) % step; // largest candidate ≡ 1 (mod 2N)
      const expected: bigint[] = [];
      for (; expected.length < 3; c -= step) if (isPrime(c)) expected.push(c);
      expect(ps).toEqual(expected);
      for (const p of ps) expect(strongProbablePrime(p, 2n) && strongProbablePrime(p, 3n) && p % step === 1n).toBe(true);
    }
  });

  it('honours exclude and validates like `exact`', () => {
    const [a, b] = nttPrimes({ bits: 20, n: 1024, count: 2, size: 'below' });
    expect(nttPrimes({ bits: 20, n: 1024, count: 1, size: 'below', exclude: [a] })).toEqual([b]);
    expectQheError(() => nttPrimes({ bits: U64_MAX_PRIME_BITS + 1, n: 16, count: 1, size: 'below' }), 'INVALID_ARGUMENT', 'got 62');
    expectQheError(() => nttPrimesDescending({ bits: 20, n: 24, size: 'below' }), 'INVALID_RING_DEGREE', 'got 24');
    expectQheError(() => nttPrimes({ bits: 20, n: 16, count: 1, size: 'any' as never }), 'INVALID_ARGUMENT', "size 'exact' or 'below'");
  });
});

describe('minimalPrimitiveRoot', () => {
  it('is a primitive 2N-th root and the smallest one (exhaustive for small q)', () => {
    for (const [q, order] of [[17n, 16], [17n, 8], [17n, 4], [97n, 32], [97n, 16], [257n, 256], [257n, 32], [7681n, 512], [12289n, 4096], [12289n, 2048], [40961n, 8192]] as [bigint, number][]) {
      const r = minimalPrimitiveRoot(order, q);
      expect(isPrimitiveRoot(r, order, q)).toBe(true);
      expect(powMod(r, BigInt(order), q)).toBe(1n);
      for (let k = 1; k < order; k++) expect(powMod(r, BigInt(k), q) === 1n, `order of ${r} mod ${q}`).toBe(false);
      for (let g = 1n; g < r; g++) {
        let x = 1n, k = 0;
        do (x = (x * g) % q), k++;
        while (x !== 1n && k <= order);
        expect(k === order && x === 1n, `${g} < ${r} would be a smaller primitive ${order}-th root mod ${q}`).toBe(false);
      }
    }
  });

  it('small orders: the only primitive square root of unity is −1; fourth roots mod 13 are 5 and 8', () => {
    expect(minimalPrimitiveRoot(2, 7n)).toBe(6n);
    expect(minimalPrimitiveRoot(4, 13n)).toBe(5n);
  });

  it('refuses q ≢ 1 (mod order)', () => {
    expectQheError(() => minimalPrimitiveRoot(64, 97n), 'PRIME_NOT_NTT_FRIENDLY', 'got 97n');
  });
});

describe('assertRingDegree / assertNttPrime', () => {
  it('accepts powers of two in range and names bad values', () => {
    for (let k = 1; k <= RING_MAX_LOG_N; k++) expect(() => assertRingDegree('f', 1 << k)).not.toThrow();
    for (const n of [0, 1, 6, 2 ** (RING_MAX_LOG_N + 1), NaN, 8.5]) expectQheError(() => assertRingDegree('f', n), 'INVALID_RING_DEGREE', 'f: expected', `got ${n}`);
  });

  it('checks size, primality and NTT-friendliness in that order', () => {
    expectQheError(() => assertNttPrime('f', 7681n, 256, 12), 'PRIME_TOO_LARGE', 'at most 12 bits', 'got 7681n');
    expectQheError(() => assertNttPrime('f', 7681n * 3n, 256, 20), 'INVALID_PRIME', 'got 23043n');
    expectQheError(() => assertNttPrime('f', 7681n, 512, 20), 'PRIME_NOT_NTT_FRIENDLY', '2N = 1024', 'got 7681n');
    expectQheError(() => assertNttPrime('f', 7681 as unknown as bigint, 256, 20), 'INVALID_PRIME', 'got 7681');
    expect(() => assertNttPrime('f', 7681n, 256, 13)).not.toThrow();
  });
});
