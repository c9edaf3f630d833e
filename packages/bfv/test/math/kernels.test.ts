/**
 * Kernel equivalence and contracts. The u64 kernel (SEAL-style Barrett/Shoup in
 * bigint) and the u32 kernel (float-quotient Shoup in int32) must give identical
 * outputs for every prime below 2^29: canonical outputs bit for bit, lazy outputs
 * congruent mod q and inside their stated ranges. Both are also checked against
 * the bigint definitions (zq.ts), at edge values (0, 1, q − 1, tops of the lazy
 * ranges) and for the largest primes each kernel accepts (29 and 61 bits).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PrimeOps, Residues } from '../../src/math/kernel.js';
import { u32Kernel } from '../../src/math/kernel-u32.js';
import { u64Kernel } from '../../src/math/kernel-u64.js';
import { U32_MAX_PRIME_BITS, U64_MAX_PRIME_BITS } from '../../src/math/limits.js';
import { isPrime, nttPrimes } from '../../src/math/primes.js';
import { mod } from '../../src/math/zq.js';
import { big, expectQheError, largestNttPrime, residues, SplitMix64 } from './helpers.js';

const N = 64;
const [Q29, Q29b] = nttPrimes({ bits: U32_MAX_PRIME_BITS, n: N, count: 2 });
const [Q61, Q61b] = nttPrimes({ bits: U64_MAX_PRIME_BITS, n: N, count: 2 });
/** Primes valid for both kernels at N = 64 (≡ 1 mod 128): the two largest 29-bit ones and small ones. */
const SHARED_PRIMES = [Q29, Q29b, nttPrimes({ bits: 20, n: N, count: 1 })[0], 12289n, 7681n, 257n];
/** u64-only primes: the two largest 61-bit ones and sizes straddling 2^32. */
const U64_PRIMES = [Q61, Q61b, nttPrimes({ bits: 45, n: N, count: 1 })[0], nttPrimes({ bits: 33, n: N, count: 1 })[0]];

function vector(q: bigint, top = q - 1n): fc.Arbitrary<bigint[]> {
  const edge = fc.constantFrom(0n, 1n, q - 1n, q - 2n, q >> 1n, top);
  const value = fc.oneof(edge, fc.bigInt({ min: 0n, max: top }), fc.bigInt({ min: 0n, max: top }));
  return fc.array(value, { minLength: N, maxLength: N });
}

function scalar(q: bigint): fc.Arbitrary<bigint> {
  return fc.oneof(
    fc.constantFrom(0n, 1n, -1n, q - 1n, q, q + 1n, -q, 2n * q - 1n),
    fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }),
    fc.bigInt({ min: 0n, max: q - 1n }),
  );
}

/** Every non-NTT vector operation of one PrimeOps, returned as bigint arrays. */
function runVectorOps(ops: PrimeOps, a: bigint[], b: bigint[], c: bigint[], s: bigint, foreign: bigint[], g: number) {
  const A = () => residues(ops, a), B = () => residues(ops, b), C = () => residues(ops, c);
  const out: Record<string, bigint[]> = {};
  const o = () => residues(ops, new Array<bigint>(N).fill(0n));
  let r: Residues;
  ops.add(A(), B(), (r = o())), (out.add = big(r));
  ops.sub(A(), B(), (r = o())), (out.sub = big(r));
  ops.negate(A(), (r = o())), (out.negate = big(r));
  ops.mul(A(), B(), (r = o())), (out.mul = big(r));
  ops.mulAcc(A(), B(), (r = C())), (out.mulAcc = big(r));
  ops.mulScalar(A(), s, (r = o())), (out.mulScalar = big(r));
  ops.mulScalarAcc(A(), s, (r = C())), (out.mulScalarAcc = big(r));
  ops.mulScalarForeign(residues(ops, foreign), s, (r = o())), (out.mulScalarForeign = big(r));
  ops.mulScalarForeignAcc(residues(ops, foreign), s, (r = C())), (out.mulScalarForeignAcc = big(r));
  ops.addScalar(A(), s, (r = o())), (out.addScalar = big(r));
  ops.subMulScalar(A(), residues(ops, foreign), s, s + 1n, (r = o())), (out.subMulScalar = big(r));
  ops.automorphism(A(), g, (r = o())), (out.automorphism = big(r));
  // Aliasing: out === a is allowed.
  r = A(), ops.add(r, B(), r), (out.addAliased = big(r));
  r = A(), ops.mul(r, B(), r), (out.mulAliased = big(r));
  r = A(), ops.mulScalar(r, s, r), (out.mulScalarAliased = big(r));
  return out;
}

function oracleVectorOps(q: bigint, a: bigint[], b: bigint[], c: bigint[], s: bigint, foreign: bigint[], g: number) {
  const m = (x: bigint) => mod(x, q);
  const automorphism = new Array<bigint>(N);
  for (let k = 0; k < N; k++) {
    const idx = (k * g) % (2 * N);
    if (idx < N) automorphism[idx] = a[k];
    else automorphism[idx - N] = m(-a[k]);
  }
  return {
    add: a.map((x, i) => m(x + b[i])),
    sub: a.map((x, i) => m(x - b[i])),
    negate: a.map((x) => m(-x)),
    mul: a.map((x, i) => m(x * b[i])),
    mulAcc: a.map((x, i) => m(c[i] + x * b[i])),
    mulScalar: a.map((x) => m(x * s)),
    mulScalarAcc: a.map((x, i) => m(c[i] + x * s)),
    mulScalarForeign: foreign.map((x) => m(x * s)),
    mulScalarForeignAcc: foreign.map((x, i) => m(c[i] + x * s)),
    addScalar: a.map((x) => m(x + s)),
    subMulScalar: a.map((x, i) => m((x - foreign[i] + s) * (s + 1n))),
    automorphism,
    addAliased: a.map((x, i) => m(x + b[i])),
    mulAliased: a.map((x, i) => m(x * b[i])),
    mulScalarAliased: a.map((x) => m(x * s)),
  };
}

const galois = fc.integer({ min: 0, max: N - 1 }).map((k) => 2 * k + 1);

describe('u32 add/sub: two residues per 64-bit word and the scalar fallback agree', () => {
  // Views at byte offset 4 cannot be read as 64-bit words, so they take the
  // scalar loop; offset 0 takes the SWAR loop (swar.ts). Both must equal the oracle.
  for (const q of [Q29, 257n]) {
    it(`q = ${q}`, () => {
      const ops = u32Kernel.modulus(q, N);
      const view = (v: bigint[], offset: number) => {
        const backing = new Int32Array(N + 2);
        const r = backing.subarray(offset, offset + N);
        v.forEach((x, i) => (r[i] = Number(x)));
        return r;
      };
      fc.assert(
        fc.property(vector(q), vector(q), fc.constantFrom(0, 1), (a, b, offset) => {
          const out = view(new Array<bigint>(N).fill(0n), offset);
          ops.add(view(a, offset), view(b, offset), out);
          expect(big(out)).toEqual(a.map((x, i) => mod(x + b[i], q)));
          ops.sub(view(a, offset), view(b, offset), out);
          expect(big(out)).toEqual(a.map((x, i) => mod(x - b[i], q)));
        }),
        { numRuns: 100 },
      );
    });
  }
});

describe('u32 and u64 agree with each other and with the bigint oracle', () => {
  for (const q of SHARED_PRIMES) {
    it(`vector operations, q = ${q} (${q.toString(2).length} bits)`, () => {
      const u32 = u32Kernel.modulus(q, N), u64 = u64Kernel.modulus(q, N);
      // Foreign residues come from the largest 29-bit prime (also larger than q).
      const foreignTop = (Q29 === q ? Q29b : Q29) - 1n;
      fc.assert(
        fc.property(vector(q), vector(q), vector(q), scalar(q), vector(q, foreignTop), galois, (a, b, c, s, x, g) => {
          const expected = oracleVectorOps(q, a, b, c, s, x, g);
          expect(runVectorOps(u32, a, b, c, s, x, g)).toEqual(expected);
          expect(runVectorOps(u64, a, b, c, s, x, g)).toEqual(expected);
        }),
        { numRuns: 60 },
      );
    });

    it(`NTT operations and lazy ranges, q = ${q}`, () => {
      const u32 = u32Kernel.modulus(q, N), u64 = u64Kernel.modulus(q, N);
      fc.assert(
        fc.property(vector(q), vector(q, 2n * q - 1n), vector(q, 4n * q - 1n), (a, lazy2, lazy4) => {
          const results = [u32, u64].map((ops) => {
            const f = residues(ops, a), fl = residues(ops, a);
            ops.forwardNtt(f), ops.forwardNttLazy(fl);
            const inv = residues(ops, a), invl = residues(ops, lazy2);
            ops.inverseNtt(inv), ops.inverseNttLazy(invl);
            const r2 = residues(ops, lazy2), r4 = residues(ops, lazy4);
            ops.reduceFromLazy(r2, 2), ops.reduceFromLazy(r4, 4);
            return { f: big(f), fl: big(fl), inv: big(inv), invl: big(invl), r2: big(r2), r4: big(r4) };
          });
          const [x, y] = results;
          expect(y.f).toEqual(x.f);
          expect(y.inv).toEqual(x.inv);
          expect(y.r2).toEqual(lazy2.map((v) => v % q));
          expect(x.r2).toEqual(y.r2);
          expect(y.r4).toEqual(lazy4.map((v) => v % q));
          expect(x.r4).toEqual(y.r4);
          for (const r of results) {
            expect(r.fl.every((v) => v < 4n * q)).toBe(true);
            expect(r.fl.map((v) => v % q)).toEqual(x.f);
            expect(r.invl.every((v) => v < 2n * q)).toBe(true);
          }
          // inverseNttLazy on [0, 2q) inputs equals inverseNtt on their canonical reductions.
          const canon = residues(u64, lazy2.map((v) => v % q));
          u64.inverseNtt(canon);
          expect(x.invl.map((v) => v % q)).toEqual(big(canon));
          expect(y.invl.map((v) => v % q)).toEqual(big(canon));
        }),
        { numRuns: 40 },
      );
    });

    it(`conversions, q = ${q}`, () => {
      const u32 = u32Kernel.modulus(q, N), u64 = u64Kernel.modulus(q, N);
      const anyBig = fc.oneof(fc.bigInt({ min: -(1n << 100n), max: 1n << 100n }), fc.constantFrom(0n, -1n, q, -q, q - 1n, 1n - q));
      const anyNum = fc.oneof(fc.maxSafeInteger(), fc.maxSafeInteger().map((v) => -v), fc.integer(), fc.constantFrom(0, -1, Number(q), -Number(q)));
      fc.assert(
        fc.property(fc.array(anyBig, { minLength: N, maxLength: N }), fc.array(anyNum, { minLength: N, maxLength: N }), (bs, ns) => {
          for (const ops of [u32, u64]) {
            const o = residues(ops, new Array<bigint>(N).fill(0n));
            ops.fromBigInts(bs, o);
            expect(ops.toBigInts(o)).toEqual(bs.map((v) => mod(v, q)));
            ops.fromNumbers(ns, o);
            expect(ops.toBigInts(o)).toEqual(ns.map((v) => mod(BigInt(v), q)));
          }
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('u64 alone, primes above 2^29 (up to 61 bits), against the bigint oracle', () => {
  for (const q of U64_PRIMES) {
    it(`vector operations, q = ${q} (${q.toString(2).length} bits), foreign x < 2^61`, () => {
      const ops = u64Kernel.modulus(q, N);
      const foreignTop = (q === Q61 ? Q61b : Q61) - 1n;
      fc.assert(
        fc.property(vector(q), vector(q), vector(q), scalar(q), vector(q, foreignTop), galois, (a, b, c, s, x, g) => {
          expect(runVectorOps(ops, a, b, c, s, x, g)).toEqual(oracleVectorOps(q, a, b, c, s, x, g));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('mulScalarForeign accepts every x < 2^61, including 2^61 − 1 and values above q', () => {
    for (const q of [...U64_PRIMES, Q29, 257n]) {
      const ops = u64Kernel.modulus(q, N);
      const xs = Array.from({ length: N }, (_, i) => (1n << 61n) - 1n - BigInt(i) * 12345n);
      const o = new BigUint64Array(N);
      ops.mulScalarForeign(BigUint64Array.from(xs), q - 1n, o);
      expect(big(o)).toEqual(xs.map((x) => mod(x * (q - 1n), q)));
    }
  });

  it('Barrett reductions at the edges (SEAL barrett_reduce_64 / barrett_reduce_128)', () => {
    const rng = new SplitMix64(61n);
    for (const q of [...U64_PRIMES, Q29, 257n, 3n]) {
      const ops = u64Kernel.modulus(q, N, { ntt: false }) as unknown as {
        barrettReduce64(x: bigint): bigint;
        barrettReduce128(lo: bigint, hi: bigint): bigint;
      };
      const words = [0n, 1n, q - 1n, q, q + 1n, 2n * q - 1n, (1n << 64n) - 1n, (1n << 63n), ...Array.from({ length: 200 }, () => rng.next())];
      for (const x of words) expect(ops.barrettReduce64(x)).toBe(x % q);
      // 128-bit inputs up to (q − 1)² + (q − 1), the largest a multiply-add of residues produces.
      const top = (q - 1n) * (q - 1n) + (q - 1n);
      const wides = [0n, 1n, q, q * q - 1n, (q - 1n) * (q - 1n), top, ...Array.from({ length: 200 }, () => rng.below(top + 1n))];
      for (const x of wides) expect(ops.barrettReduce128(x & ((1n << 64n) - 1n), x >> 64n)).toBe(x % q);
    }
  });
});

describe('edge values and adversarial lazy inputs, largest primes of each kernel', () => {
  const cases: [string, PrimeOps][] = [];
  // Odd and even log N: the u32 kernel runs a lone radix-2 stage first when log N is odd.
  for (const n of [32, 64, 128, 2048]) {
    const q29 = nttPrimes({ bits: U32_MAX_PRIME_BITS, n, count: 1 })[0];
    const q61 = nttPrimes({ bits: U64_MAX_PRIME_BITS, n, count: 1 })[0];
    cases.push([`N=${n} u32 29-bit`, u32Kernel.modulus(q29, n)], [`N=${n} u64 29-bit`, u64Kernel.modulus(q29, n)], [`N=${n} u64 61-bit`, u64Kernel.modulus(q61, n)]);
  }
  cases.push(['N=64 u32 small', u32Kernel.modulus(257n, N)], ['N=64 u64 small', u64Kernel.modulus(257n, N)]);
  for (const [label, ops] of cases) {
    const q = ops.q, N = ops.n;
    it(`${label}: products and sums at q − 1`, () => {
      const all = (v: bigint) => residues(ops, new Array<bigint>(N).fill(v));
      let o = all(0n);
      ops.mul(all(q - 1n), all(q - 1n), o);
      expect(big(o).every((v) => v === 1n)).toBe(true);
      o = all(q - 1n);
      ops.mulAcc(all(q - 1n), all(q - 1n), o); // (q−1)² + (q−1) ≡ 0
      expect(big(o).every((v) => v === 0n)).toBe(true);
      o = all(0n);
      ops.add(all(q - 1n), all(q - 1n), o);
      expect(big(o).every((v) => v === q - 2n)).toBe(true);
      ops.sub(all(0n), all(q - 1n), o);
      expect(big(o).every((v) => v === 1n)).toBe(true);
      ops.negate(all(0n), o);
      expect(big(o).every((v) => v === 0n)).toBe(true);
      o = all(q - 1n);
      ops.mulScalarAcc(all(q - 1n), -1n, o);
      expect(big(o).every((v) => v === 0n)).toBe(true);
      const foreignTop = (ops.kernel === 'u32' ? 1n << 29n : 1n << 61n) - 1n;
      o = all(0n);
      ops.mulScalarForeign(residues(ops, new Array<bigint>(N).fill(foreignTop)), q - 1n, o);
      expect(big(o).every((v) => v === mod(-foreignTop, q))).toBe(true);
      // The most negative and most positive differences subMulScalar can see.
      for (const [a, c] of [[0n, 0n], [q - 1n, q - 1n]] as const) {
        ops.subMulScalar(all(a), residues(ops, new Array<bigint>(N).fill(foreignTop)), c, q - 1n, o);
        expect(big(o).every((v) => v === mod((a - foreignTop + c) * (q - 1n), q))).toBe(true);
      }
    });

    it(`${label}: mulSumAcc and dotScalarsRounded at the tops of their ranges`, () => {
      const all = (v: bigint) => residues(ops, new Array<bigint>(N).fill(v));
      // 64 terms (q − 1)² onto acc = q − 1: every lazy product at its maximum.
      const terms = 64;
      const o = all(q - 1n);
      ops.mulSumAcc(Array.from({ length: terms }, () => all(q - 1n)), Array.from({ length: terms }, () => all(q - 1n)), o);
      expect(big(o).every((v) => v === mod(BigInt(terms) + q - 1n, q))).toBe(true);
      // Every top-range term count of a final group (1–4 terms) after zero, one and two full groups.
      for (const m of [1, 2, 3, 4, 5, 6, 7, 8, 9, 12]) {
        const top = all(q - 1n);
        ops.mulSumAcc(Array.from({ length: m }, () => all(q - 1n)), Array.from({ length: m }, () => all(q - 1n)), top);
        expect(big(top).every((v) => v === mod(BigInt(m) + q - 1n, q)), `${m} terms`).toBe(true);
      }
      // Random terms against the bigint definition, for the same term counts.
      const rng = new SplitMix64(7n);
      for (const m of [1, 2, 3, 4, 5, 6, 7, 9]) {
        const xs = Array.from({ length: m }, () => Array.from({ length: N }, () => rng.below(q)));
        const ys = Array.from({ length: m }, () => Array.from({ length: N }, () => rng.below(q)));
        const acc0 = Array.from({ length: N }, () => rng.below(q));
        const got = residues(ops, acc0);
        ops.mulSumAcc(xs.map((x) => residues(ops, x)), ys.map((y) => residues(ops, y)), got);
        expect(big(got), `${m} terms`).toEqual(acc0.map((a, k) => mod(a + xs.reduce((s, x, i) => s + x[k] * ys[i][k], 0n), q)));
      }
      // dotScalars with every term at its maximum, at the u32 split path's term limit (256) and past it (fallback).
      const top = (ops.kernel === 'u32' ? 1n << 29n : 1n << 61n) - 1n;
      for (const m of [1, 2, 3, 4, 255, 256, 257]) {
        const out = all(0n);
        ops.dotScalars(Array.from({ length: m }, () => residues(ops, new Array<bigint>(N).fill(top))), new Array<bigint>(m).fill(q - 1n), out);
        expect(big(out).every((v) => v === mod(BigInt(m) * top * (q - 1n), q)), `${m} terms`).toBe(true);
      }
      // Foreign inputs at 2^maxBits − 1 and a correction of ±2^52/[scale]_q (the contract's limit).
      const foreignTop = (ops.kernel === 'u32' ? 1n << 29n : 1n << 61n) - 1n;
      const scale = q - 1n;
      const maxRound = Math.floor(2 ** 52 / Number(scale)) - 1;
      for (const r of [maxRound, -maxRound, 0.5, -0.5, 2.4999]) {
        const values = new Float64Array(N).fill(r);
        const out = all(0n);
        ops.dotScalarsRounded([residues(ops, new Array<bigint>(N).fill(foreignTop)), all(q - 1n)], [q - 1n, -1n], values, scale, out);
        const rounded = BigInt(Math.round(r));
        expect(big(out).every((v) => v === mod(foreignTop * (q - 1n) - (q - 1n) + rounded * scale, q)), `round(${r})`).toBe(true);
      }
    });

    it(`${label}: lazy NTT outputs stay in range on adversarial inputs`, () => {
      const patterns: bigint[][] = [
        new Array<bigint>(N).fill(q - 1n),
        new Array<bigint>(N).fill(0n),
        Array.from({ length: N }, (_, i) => (i & 1 ? q - 1n : 0n)),
        Array.from({ length: N }, (_, i) => (i < N / 2 ? q - 1n : 0n)),
        Array.from({ length: N }, (_, i) => (i < N / 2 ? 0n : q - 1n)),
      ];
      for (const p of patterns) {
        const f = residues(ops, p);
        ops.forwardNttLazy(f);
        expect(big(f).every((v) => v >= 0n && v < 4n * q)).toBe(true);
        const g = residues(ops, p);
        ops.forwardNtt(g);
        expect(big(f).map((v) => v % q)).toEqual(big(g));
        // Inverse inputs at the top of [0, 2q).
        const top = p.map((v) => (v === q - 1n ? 2n * q - 1n : v));
        const inv = residues(ops, top);
        ops.inverseNttLazy(inv);
        expect(big(inv).every((v) => v >= 0n && v < 2n * q)).toBe(true);
        const ref = residues(ops, top.map((v) => v % q));
        ops.inverseNtt(ref);
        expect(big(inv).map((v) => v % q)).toEqual(big(ref));
      }
    });

    it(`${label}: reduceFromLazy at 0, q − 1, q, 2q − 1, 2q, 4q − 1`, () => {
      const vals4 = [0n, 1n, q - 1n, q, q + 1n, 2n * q - 1n, 2n * q, 3n * q - 1n, 3n * q, 4n * q - 1n];
      const a4 = residues(ops, Array.from({ length: N }, (_, i) => vals4[i % vals4.length]));
      ops.reduceFromLazy(a4, 4);
      expect(big(a4)).toEqual(Array.from({ length: N }, (_, i) => vals4[i % vals4.length] % q));
      const vals2 = [0n, 1n, q - 1n, q, q + 1n, 2n * q - 1n];
      const a2 = residues(ops, Array.from({ length: N }, (_, i) => vals2[i % vals2.length]));
      ops.reduceFromLazy(a2, 2);
      expect(big(a2)).toEqual(Array.from({ length: N }, (_, i) => vals2[i % vals2.length] % q));
    });
  }
});

describe('parameter and storage errors', () => {
  for (const kernel of [u32Kernel, u64Kernel]) {
    const k = kernel.name;
    it(`${k}: ring degree not a power of two or out of range → INVALID_RING_DEGREE naming N`, () => {
      for (const n of [0, 1, 3, 12, 100, 1 << 17, 64.5, -64])
        expectQheError(() => kernel.modulus(12289n, n), 'INVALID_RING_DEGREE', `${k}.modulus`, `got ${n}`);
    });

    it(`${k}: prime not ≡ 1 (mod 2N) → PRIME_NOT_NTT_FRIENDLY naming q`, () => {
      expectQheError(() => kernel.modulus(257n, 256), 'PRIME_NOT_NTT_FRIENDLY', 'got 257n', '2N = 512');
      expectQheError(() => kernel.modulus(7681n, 1024), 'PRIME_NOT_NTT_FRIENDLY', 'got 7681n');
    });

    it(`${k}: composite → INVALID_PRIME naming q`, () => {
      // 33², Carmichael numbers 1729 and 2465, a square of an NTT prime, a product of two: all ≡ 1 (mod 32).
      for (const c of [1089n, 1729n, 2465n, 257n * 257n, 12289n * 7681n]) {
        expect(c % 32n).toBe(1n);
        expectQheError(() => kernel.modulus(c, 16), 'INVALID_PRIME', `got ${c}n`);
      }
      expectQheError(() => kernel.modulus(1n, 16, { ntt: false }), 'INVALID_ARGUMENT', 'got 1n');
    });

    it(`${k}: prime one bit above the kernel bound → PRIME_TOO_LARGE naming q`, () => {
      const tooBig = largestNttPrime(kernel.maxPrimeBits + 1, N, isPrime);
      expectQheError(() => kernel.modulus(tooBig, N), 'PRIME_TOO_LARGE', `${kernel.maxPrimeBits} bits`, `got ${tooBig}n`);
      expectQheError(() => kernel.modulus(1n << BigInt(kernel.maxPrimeBits), N, { ntt: false }), 'PRIME_TOO_LARGE');
      // …while the largest allowed prime is accepted.
      const ok = largestNttPrime(kernel.maxPrimeBits, N, isPrime);
      expect(kernel.modulus(ok, N).bits).toBe(kernel.maxPrimeBits);
    });

    it(`${k}: wrong storage type → KERNEL_MISMATCH; wrong length → LENGTH_MISMATCH`, () => {
      const ops = kernel.modulus(12289n, N);
      const other = (k === 'u32' ? new BigUint64Array(N) : new Int32Array(N)) as Residues;
      const good = kernel.alloc(N);
      const short = kernel.alloc(N - 1);
      const calls: [string, (x: Residues) => void][] = [
        ['add', (x) => ops.add(x, good, good)],
        ['add', (x) => ops.add(good, good, x)],
        ['sub', (x) => ops.sub(good, x, good)],
        ['negate', (x) => ops.negate(x, good)],
        ['mul', (x) => ops.mul(good, x, good)],
        ['mulAcc', (x) => ops.mulAcc(good, good, x)],
        ['mulScalar', (x) => ops.mulScalar(x, 3n, good)],
        ['mulScalarAcc', (x) => ops.mulScalarAcc(x, 3n, good)],
        ['mulScalar', (x) => ops.mulScalarForeign(x, 3n, good)],
        ['mulScalar', (x) => ops.mulScalarForeignAcc(good, 3n, x)],
        ['addScalar', (x) => ops.addScalar(x, 3n, good)],
        ['automorphism', (x) => ops.automorphism(x, 3, good)],
        ['forwardNtt', (x) => ops.forwardNtt(x)],
        ['forwardNtt', (x) => ops.forwardNttLazy(x)],
        ['inverseNtt', (x) => ops.inverseNtt(x)],
        ['inverseNtt', (x) => ops.inverseNttLazy(x)],
        ['reduceFromLazy', (x) => ops.reduceFromLazy(x, 4)],
        ['fromBigInts', (x) => ops.fromBigInts(new Array<bigint>(N).fill(0n), x)],
        ['fromNumbers', (x) => ops.fromNumbers(new Array<number>(N).fill(0), x)],
        ['toBigInts', (x) => ops.toBigInts(x)],
      ];
      for (const [name, call] of calls) {
        expectQheError(() => call(other), 'KERNEL_MISMATCH', `${k}.${name}`);
        expectQheError(() => call(new Float64Array(N) as unknown as Residues), 'KERNEL_MISMATCH', 'Float64Array');
        expectQheError(() => call(short), 'LENGTH_MISMATCH', `length ${N}`, `got ${N - 1}`);
      }
      expectQheError(() => ops.fromBigInts([1n, 2n], good), 'LENGTH_MISMATCH', 'got 2');
      expectQheError(() => ops.fromNumbers([1, 2], good), 'LENGTH_MISMATCH', 'got 2');
      expectQheError(() => ops.fromNumbers(new Array<number>(N).fill(0.5), good), 'INVALID_ARGUMENT', 'got 0.5');
      expectQheError(() => ops.automorphism(good, 3, good), 'INVALID_ARGUMENT');
    });

    it(`${k}: a modulus without NTT tables refuses NTT methods; modulus() is cached`, () => {
      const plain = kernel.modulus(1000n, N, { ntt: false });
      expect(plain.hasNtt).toBe(false);
      expectQheError(() => plain.forwardNtt(kernel.alloc(N)), 'PRIME_NOT_NTT_FRIENDLY', 'got 1000n');
      expectQheError(() => plain.inverseNttLazy(kernel.alloc(N)), 'PRIME_NOT_NTT_FRIENDLY');
      const a = residues(plain, Array.from({ length: N }, (_, i) => BigInt(999 - i)));
      const o = kernel.alloc(N);
      plain.mul(a, a, o);
      expect(big(o)).toEqual(big(a).map((v) => (v * v) % 1000n));
      expect(kernel.modulus(12289n, N)).toBe(kernel.modulus(12289n, N));
      expect(kernel.modulus(12289n, N)).not.toBe(kernel.modulus(12289n, N, { ntt: false }));
      expect(kernel.owns(kernel.alloc(4))).toBe(true);
      expect(kernel.alloc(4, true).buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Object.isFrozen(kernel)).toBe(true);
    });
  }
});

describe('storage: copy and zero', () => {
  for (const [kernel, top] of [[u32Kernel, (1n << BigInt(U32_MAX_PRIME_BITS)) - 1n], [u64Kernel, (1n << BigInt(U64_MAX_PRIME_BITS)) - 1n]] as const) {
    const load = (xs: readonly bigint[], shared = false): Residues => {
      const a = kernel.alloc(xs.length, shared);
      xs.forEach((x, i) => (a[i] = (kernel.name === 'u64' ? x : Number(x)) as never));
      return a;
    };
    it(`${kernel.name}: copy is exact for any word below 2^maxPrimeBits, into views, shared memory and longer targets`, () => {
      fc.assert(
        fc.property(fc.array(fc.bigInt({ min: 0n, max: top }), { minLength: 1, maxLength: 40 }), fc.nat({ max: 8 }), fc.boolean(), (xs, extra, shared) => {
          const src = load(xs);
          const dst = load(Array.from({ length: xs.length + extra }, (_, i) => BigInt(i) + 7n), shared);
          kernel.copy(src, dst);
          expect(big(dst).slice(0, xs.length)).toEqual(xs);
          expect(big(dst).slice(xs.length)).toEqual(Array.from({ length: extra }, (_, i) => BigInt(xs.length + i) + 7n));
          // Between two limbs of one buffer (as key switching and BEHZ copy limbs).
          const two = load([...xs, ...xs.map((x) => top - x)]);
          kernel.copy(two.subarray(xs.length), two.subarray(0, xs.length));
          expect(big(two)).toEqual([...xs.map((x) => top - x), ...xs.map((x) => top - x)]);
        }),
      );
    });
    it(`${kernel.name}: zero clears every word; copy refuses the other kernel's storage`, () => {
      const a = load([top, 1n, 0n, top >> 1n]);
      kernel.zero(a.subarray(1));
      expect(big(a)).toEqual([top, 0n, 0n, 0n]);
      kernel.zero(a);
      expect(big(a)).toEqual([0n, 0n, 0n, 0n]);
      const other = kernel.name === 'u32' ? u64Kernel.alloc(4) : u32Kernel.alloc(4);
      expect(() => kernel.copy(other, a)).toThrow(TypeError);
    });
  }
});

describe('u32 float quotient estimates at their worst: quotients just below/above an integer', () => {
  // x·w ≡ q − 1 (mod q) puts ⌊x·w/q⌋ at fraction (q−1)/q, x·w ≡ 1 just above an integer:
  // exactly where a float64 estimate can be off by one and the correction must fire.
  const n = 1 << 16;
  const q = nttPrimes({ bits: U32_MAX_PRIME_BITS, n, count: 1 })[0];
  const u32 = u32Kernel.modulus(q, n), u64 = u64Kernel.modulus(q, n);
  const rng = new SplitMix64(29n);
  const powInv = (x: bigint) => {
    let r = 1n, b = x, e = q - 2n;
    for (; e > 0n; e >>= 1n, b = (b * b) % q) if (e & 1n) r = (r * b) % q;
    return r;
  };

  it(`mul and mulAcc on 2^16 adversarial pairs, q = ${q}`, () => {
    const a: bigint[] = [], b: bigint[] = [], c: bigint[] = [];
    for (let i = 0; i < n; i++) {
      const x = 1n + rng.below(q - 1n);
      const target = [q - 1n, 1n, q - 2n, 2n, q >> 1n][i % 5];
      a.push(x), b.push((target * powInv(x)) % q), c.push(i & 1 ? q - 1n : rng.below(q));
    }
    for (const ops of [u32, u64]) {
      const o = residues(ops, c);
      ops.mul(residues(ops, a), residues(ops, b), o);
      expect(big(o)).toEqual(a.map((x, i) => (x * b[i]) % q));
      const acc = residues(ops, c);
      ops.mulAcc(residues(ops, a), residues(ops, b), acc);
      expect(big(acc)).toEqual(a.map((x, i) => (x * b[i] + c[i]) % q));
    }
  });

  it('mulScalar / mulScalarForeign with x·w ≡ −1, 1 and foreign x up to 2^29', () => {
    for (let trial = 0; trial < 8; trial++) {
      const w = 1n + rng.below(q - 1n);
      const wi = powInv(w);
      const xs = Array.from({ length: n }, (_, i) => {
        const base = ([q - 1n, 1n, q - 2n][i % 3] * wi) % q;
        // Foreign residues may exceed q: add multiples of q while staying below 2^29.
        const lift = rng.below(4n) * q + base;
        return lift < 1n << 29n ? lift : base;
      });
      for (const ops of [u32, u64]) {
        const o = residues(ops, new Array<bigint>(n).fill(0n));
        ops.mulScalarForeign(residues(ops, xs), w, o);
        expect(big(o)).toEqual(xs.map((x) => (x * w) % q));
        const canon = xs.map((x) => x % q);
        ops.mulScalar(residues(ops, canon), w, o);
        expect(big(o)).toEqual(canon.map((x) => (x * w) % q));
      }
    }
  });
});
