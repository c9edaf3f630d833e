/**
 * Negacyclic NTT against its definitions (ntt.ts): the forward transform is the
 * evaluation at the odd powers of ψ in bit-reversed order; inverse ∘ forward is
 * the identity; forward–pointwise–inverse is the product mod (X^N + 1, q) of the
 * O(N²) schoolbook oracle. N from 16 to 8192, both kernels, each at its largest
 * prime size (and u64 at the u32 prime, where both must agree bit for bit).
 * For N = 8192 the full schoolbook is too slow for the default run: there we
 * check sampled coefficients of a dense product, a full monomial product, and
 * exact u32/u64 agreement.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PrimeOps } from '../../src/math/kernel.js';
import { u32Kernel } from '../../src/math/kernel-u32.js';
import { u64Kernel } from '../../src/math/kernel-u64.js';
import { U32_MAX_PRIME_BITS, U64_MAX_PRIME_BITS } from '../../src/math/limits.js';
import { bitReverse, negacyclicSchoolbook, nttTables } from '../../src/math/ntt.js';
import { isPrimitiveRoot, minimalPrimitiveRoot, nttPrimes } from '../../src/math/primes.js';
import { invMod, mod, powMod } from '../../src/math/zq.js';
import { big, residues, SplitMix64 } from './helpers.js';

const DEGREES = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];
// Full O(N²) schoolbook up to 4096 (≈1.5 s); 8192 too with QHE_SLOW=1.
const FULL_SCHOOLBOOK_MAX = process.env.QHE_SLOW ? 8192 : 4096;

function nttProduct(ops: PrimeOps, a: bigint[], b: bigint[]): bigint[] {
  const x = residues(ops, a), y = residues(ops, b);
  ops.forwardNtt(x);
  ops.forwardNtt(y);
  ops.mul(x, y, x);
  ops.inverseNtt(x);
  return big(x);
}

/** Coefficient k of a·b mod (X^N + 1, q), O(N). */
function schoolbookCoefficient(a: bigint[], b: bigint[], k: number, q: bigint): bigint {
  const n = a.length;
  let s = 0n;
  for (let i = 0; i < n; i++) {
    const j = k - i;
    s += j >= 0 ? a[i] * b[j] : -a[i] * b[j + n];
  }
  return mod(s, q);
}

function primesFor(n: number) {
  const q29 = nttPrimes({ bits: U32_MAX_PRIME_BITS, n, count: 1 })[0];
  const q61 = nttPrimes({ bits: U64_MAX_PRIME_BITS, n, count: 1 })[0];
  return { q29, q61, u32: u32Kernel.modulus(q29, n), u64at29: u64Kernel.modulus(q29, n), u64: u64Kernel.modulus(q61, n) };
}

describe('NTT tables and convention', () => {
  it('twiddles are ψ^bitrev(k) and their inverses; ψ is the minimal primitive 2N-th root', () => {
    for (const [q, n] of [[257n, 16], [7681n, 256], [12289n, 1024]] as [bigint, number][]) {
      const t = nttTables(q, n);
      expect(t.psi).toBe(minimalPrimitiveRoot(2 * n, q));
      expect(powMod(t.psi, BigInt(n), q)).toBe(q - 1n);
      for (let k = 1; k < n; k++) {
        expect(t.forwardTwiddles[k]).toBe(powMod(t.psi, BigInt(bitReverse(k, Math.log2(n))), q));
        expect((t.forwardTwiddles[k] * t.inverseTwiddles[k]) % q).toBe(1n);
      }
      expect(t.nInverse).toBe(invMod(BigInt(n), q));
    }
  });

  it('forward output k is a(ψ^(2·bitrev(k) + 1)), both kernels', () => {
    for (const n of [16, 32, 128]) {
      const { q29, q61, u32, u64at29, u64 } = primesFor(n);
      const rng = new SplitMix64(BigInt(n));
      for (const [ops, q] of [[u32, q29], [u64at29, q29], [u64, q61]] as [PrimeOps, bigint][]) {
        const a = rng.vector(n, q);
        const x = residues(ops, a);
        ops.forwardNtt(x);
        const psi = minimalPrimitiveRoot(2 * n, q);
        const expected = Array.from({ length: n }, (_, k) => {
          const point = powMod(psi, BigInt(2 * bitReverse(k, Math.log2(n)) + 1), q);
          let v = 0n;
          for (let i = n - 1; i >= 0; i--) v = (v * point + a[i]) % q;
          return v;
        });
        expect(big(x)).toEqual(expected);
        expect(isPrimitiveRoot(psi, 2 * n, q)).toBe(true);
      }
    }
  });
});

describe('inverse(forward(a)) = a and NTT products = schoolbook, N = 16 … 8192', () => {
  for (const n of DEGREES) {
    it(`N = ${n}`, () => {
      const { q29, q61, u32, u64at29, u64 } = primesFor(n);
      const rng = new SplitMix64(BigInt(n) * 7919n);
      const runs = n <= 256 ? 4 : 1;
      for (let run = 0; run < runs; run++) {
        const a29 = rng.vector(n, q29), b29 = rng.vector(n, q29);
        const a61 = rng.vector(n, q61), b61 = rng.vector(n, q61);
        // Edge coefficients in the first run.
        if (run === 0) {
          a29[0] = q29 - 1n, b29[0] = q29 - 1n, a29[1] = 0n, b29[n - 1] = q29 - 1n;
          a61[0] = q61 - 1n, b61[0] = q61 - 1n, a61[1] = 0n, b61[n - 1] = q61 - 1n;
        }
        // Round trip.
        for (const [ops, a] of [[u32, a29], [u64at29, a29], [u64, a61]] as [PrimeOps, bigint[]][]) {
          const x = residues(ops, a);
          ops.forwardNtt(x);
          ops.inverseNtt(x);
          expect(big(x)).toEqual(a);
          const y = residues(ops, a); // lazy round trip: [0,q) → [0,4q) → reduce → [0,2q) → reduce
          ops.forwardNttLazy(y);
          ops.reduceFromLazy(y, 4);
          ops.inverseNttLazy(y);
          ops.reduceFromLazy(y, 2);
          expect(big(y)).toEqual(a);
        }
        // Products.
        const p32 = nttProduct(u32, a29, b29);
        expect(nttProduct(u64at29, a29, b29)).toEqual(p32);
        const p64 = nttProduct(u64, a61, b61);
        if (n <= FULL_SCHOOLBOOK_MAX) {
          expect(p32).toEqual(negacyclicSchoolbook(a29, b29, q29));
          expect(p64).toEqual(negacyclicSchoolbook(a61, b61, q61));
        } else {
          const ks = [0, 1, n / 2, n - 1, ...Array.from({ length: 12 }, () => Number(rng.below(BigInt(n))))];
          for (const k of ks) {
            expect(p32[k]).toBe(schoolbookCoefficient(a29, b29, k, q29));
            expect(p64[k]).toBe(schoolbookCoefficient(a61, b61, k, q61));
          }
        }
      }
      // Monomials: X^i · X^j = ±X^((i+j) mod N), checked on the full vector at every N.
      for (const [ops, q] of [[u32, q29], [u64, q61]] as [PrimeOps, bigint][]) {
        const i = Number(rng.below(BigInt(n))), j = Number(rng.below(BigInt(n)));
        const a = new Array<bigint>(n).fill(0n), b = new Array<bigint>(n).fill(0n);
        a[i] = 3n, b[j] = q - 1n; // 3 · (−1) = −3
        const expected = new Array<bigint>(n).fill(0n);
        expected[(i + j) % n] = i + j < n ? q - 3n : 3n;
        expect(nttProduct(ops, a, b)).toEqual(expected);
      }
    });
  }
});

describe('property: NTT products equal schoolbook for random small N and inputs', () => {
  it('both kernels, N in {2, 4, …, 256}', () => {
    const arb = fc.integer({ min: 1, max: 8 }).chain((logN) => {
      const n = 1 << logN;
      const { q29, q61 } = primesFor(n);
      const v = (q: bigint) => fc.array(fc.oneof(fc.constantFrom(0n, 1n, q - 1n), fc.bigInt({ min: 0n, max: q - 1n })), { minLength: n, maxLength: n });
      return fc.tuple(fc.constant(n), v(q29), v(q29), v(q61), v(q61));
    });
    fc.assert(
      fc.property(arb, ([n, a29, b29, a61, b61]) => {
        const { q29, q61, u32, u64at29, u64 } = primesFor(n);
        const want29 = negacyclicSchoolbook(a29, b29, q29);
        expect(nttProduct(u32, a29, b29)).toEqual(want29);
        expect(nttProduct(u64at29, a29, b29)).toEqual(want29);
        expect(nttProduct(u64, a61, b61)).toEqual(negacyclicSchoolbook(a61, b61, q61));
      }),
      { numRuns: 60 },
    );
  });
});
