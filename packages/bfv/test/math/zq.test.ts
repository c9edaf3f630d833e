/**
 * Scalar Z_q helpers (zq.ts), the base of every oracle: checked against their
 * definitions with fast-check (division identity, Fermat, Bézout).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QheError } from '../../src/math/errors.js';
import { bitLength, centre, invMod, minCentredModulus, mod, powMod, product } from '../../src/math/zq.js';
import { expectQheError } from './helpers.js';

const modulus = fc.bigInt({ min: 2n, max: 1n << 70n });
const anyInt = fc.bigInt({ min: -(1n << 140n), max: 1n << 140n });
const PRIMES = [2n, 3n, 257n, 12289n, 536870657n, 2305843009213693951n];

describe('zq', () => {
  it('mod: canonical representative, congruent to x', () => {
    fc.assert(
      fc.property(anyInt, modulus, (x, q) => {
        const r = mod(x, q);
        expect(r >= 0n && r < q).toBe(true);
        expect((x - r) % q).toBe(0n);
      }),
    );
    expect(mod(-1n, 7n)).toBe(6n);
    expect(mod(-7n, 7n)).toBe(0n);
  });

  it('centre: representative in (−q/2, q/2]', () => {
    fc.assert(
      fc.property(anyInt, modulus, (x, q) => {
        const c = centre(x, q);
        expect(2n * c > -q && 2n * c <= q).toBe(true);
        expect(mod(x - c, q)).toBe(0n);
      }),
    );
    expect(centre(3n, 6n)).toBe(3n);
    expect(centre(4n, 6n)).toBe(-2n);
    expect(centre(3n, 7n)).toBe(3n);
    expect(centre(4n, 7n)).toBe(-3n);
  });

  it('powMod: repeated multiplication for small exponents, Fermat for primes', () => {
    fc.assert(
      fc.property(anyInt, fc.integer({ min: 0, max: 40 }), modulus, (b, e, q) => {
        let want = 1n % q;
        for (let i = 0; i < e; i++) want = mod(want * b, q);
        expect(powMod(b, BigInt(e), q)).toBe(want);
      }),
    );
    for (const p of PRIMES)
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: p - 1n }), (a) => {
          expect(powMod(a, p - 1n, p)).toBe(1n);
        }),
        { numRuns: 30 },
      );
    expect(powMod(5n, 0n, 1n)).toBe(0n);
    expectQheError(() => powMod(2n, -1n, 7n), 'INVALID_ARGUMENT', 'got -1n');
  });

  it('invMod: a·a^{-1} ≡ 1, errors name non-invertible values', () => {
    for (const p of PRIMES)
      fc.assert(
        fc.property(anyInt.filter((a) => a % p !== 0n), (a) => {
          const inv = invMod(a, p);
          expect(inv >= 1n && inv < p).toBe(true);
          expect(mod(a * inv, p)).toBe(1n);
        }),
        { numRuns: 40 },
      );
    expect(invMod(3n, 10n)).toBe(7n);
    expectQheError(() => invMod(4n, 10n), 'INVALID_ARGUMENT', 'invertible mod 10', 'got 4n');
    expect(() => invMod(0n, 7n)).toThrow(QheError);
  });

  it('minCentredModulus: the least m whose centred range holds [−maxAbs, maxAbs]', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 80n }), (maxAbs) => {
        const m = minCentredModulus(maxAbs);
        // Every |v| ≤ maxAbs survives centring mod m …
        for (const v of [maxAbs, -maxAbs, 0n, maxAbs >> 1n, -(maxAbs >> 1n)]) expect(centre(v, m)).toBe(v);
        // … and m − 1 is too small (unless m − 1 < 2, not a modulus).
        if (m - 1n >= 2n) expect(centre(maxAbs, m - 1n) === maxAbs && centre(-maxAbs, m - 1n) === -maxAbs).toBe(false);
      }),
    );
    expectQheError(() => minCentredModulus(-1n), 'INVALID_ARGUMENT', 'got -1n');
  });

  it('bitLength and product', () => {
    expect(bitLength(0n)).toBe(0);
    expect(bitLength(1n)).toBe(1);
    expect(bitLength((1n << 61n) - 1n)).toBe(61);
    expect(bitLength(1n << 61n)).toBe(62);
    expect(product([])).toBe(1n);
    expect(product([3n, 5n, 7n])).toBe(105n);
  });
});
