/**
 * RNS layer against the bigint definition: CRT decompose/compose round trips,
 * BEHZ FastBconv (x + α·Q with 0 ≤ α < L), the fused dot product, and RnsPoly's
 * typed refusals of mismatched operands.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BaseConverter, RnsBase } from '../../src/math/rns.js';
import { RnsPoly, addInto, mulInto, toCoeff, toNtt } from '../../src/math/poly.js';
import { nttPrimes } from '../../src/math/primes.js';
import { u32Kernel } from '../../src/math/kernel-u32.js';
import { u64Kernel } from '../../src/math/kernel-u64.js';
import type { Kernel } from '../../src/math/kernel.js';
import { mod, product, negacyclicSchoolbook } from '../../src/math/index.js';
import { SplitMix64, expectQheError } from './helpers.js';

const n = 16;
const kernels: Array<[string, Kernel, number]> = [
  ['u32', u32Kernel, 29],
  ['u64', u64Kernel, 61],
];

describe.each(kernels)('%s RNS', (_name, kernel, bits) => {
  const primes = nttPrimes({ bits, n, count: 7 });
  const qBase = new RnsBase(kernel, n, primes.slice(0, 4));
  const pBase = new RnsBase(kernel, n, primes.slice(4));

  it('compose(decompose(x)) = x for random x in [0, Q), and the centred variant', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: qBase.modulus - 1n }), { minLength: n, maxLength: n }), (xs) => {
        const data = kernel.alloc(qBase.size * n);
        qBase.decompose(xs, data);
        expect(qBase.compose(data)).toEqual(xs);
        const half = qBase.modulus >> 1n;
        expect(qBase.composeCentered(data)).toEqual(xs.map((x) => (x > half ? x - qBase.modulus : x)));
      }),
      { numRuns: 30 },
    );
  });

  it('decompose reduces negative and oversized integers', () => {
    const xs = Array.from({ length: n }, (_, i) => (i % 2 ? -1n : 1n) * (qBase.modulus * 3n + BigInt(i)));
    const data = kernel.alloc(qBase.size * n);
    qBase.decompose(xs, data);
    expect(qBase.compose(data)).toEqual(xs.map((x) => mod(x, qBase.modulus)));
  });

  it('FastBconv(x) ≡ x + α·Q (mod p_j) with 0 ≤ α < |q|, matching the bigint definition', () => {
    const conv = new BaseConverter(qBase, pBase);
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: qBase.modulus - 1n }), { minLength: n, maxLength: n }), (xs) => {
        const input = kernel.alloc(qBase.size * n), out = kernel.alloc(pBase.size * n), scratch = kernel.alloc(qBase.size * n);
        qBase.decompose(xs, input);
        conv.convert(input, out, scratch);
        // Definition: Σ_i [x_i·q̂_i^{-1}]_{q_i}·q̂_i as an integer.
        const exact = xs.map((x) =>
          qBase.primes.reduce((s, q, i) => s + mod(mod(x, q) * qBase.puncturedInverse[i], q) * qBase.punctured[i], 0n),
        );
        const outVals = pBase.compose(out);
        for (let k = 0; k < n; k++) {
          expect(outVals[k]).toBe(mod(exact[k], pBase.modulus));
          const alpha = (exact[k] - xs[k]) / qBase.modulus;
          expect((exact[k] - xs[k]) % qBase.modulus).toBe(0n);
          expect(alpha >= 0n && alpha < BigInt(qBase.size)).toBe(true);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('dotScalars equals Σ x_i·s_i mod q for foreign inputs and scalars of any sign', () => {
    const rng = new SplitMix64(7n);
    const target = pBase.ops[0];
    const xs = qBase.primes.map((q) => rng.vector(n, q));
    const scalars = [-5n, 1n << 70n, 12345n, -(1n << 40n)];
    const limbs = xs.map((x) => {
      const a = kernel.alloc(n);
      if (kernel.name === 'u32') (a as Int32Array).set(x.map(Number));
      else (a as BigUint64Array).set(x);
      return a;
    });
    // Every prefix: the u32 kernel has separate paths for 1, 2, 3 and ≥ 4 terms.
    for (let m = 1; m <= limbs.length; m++) {
      const out = kernel.alloc(n);
      target.dotScalars(limbs.slice(0, m), scalars.slice(0, m), out);
      const got = target.toBigInts(out);
      for (let k = 0; k < n; k++) expect(got[k]).toBe(mod(xs.slice(0, m).reduce((s, x, i) => s + x[k] * scalars[i], 0n), target.q));
    }
  });

  it('RnsPoly: NTT product over the base equals the schoolbook product mod Q', () => {
    const rng = new SplitMix64(11n);
    const a = rng.vector(n, qBase.modulus), b = rng.vector(n, qBase.modulus);
    const pa = toNtt(RnsPoly.fromBigInts(qBase, a)), pb = toNtt(RnsPoly.fromBigInts(qBase, b));
    const prod = toCoeff(mulInto(pa, pb, RnsPoly.zero(qBase, 'ntt')));
    expect(prod.toBigInts()).toEqual(negacyclicSchoolbook(a, b, qBase.modulus));
    expect(product(qBase.primes)).toBe(qBase.modulus);
  });

  it('RnsPoly refuses mismatched representation, base, kernel and length with typed errors', () => {
    const a = RnsPoly.zero(qBase, 'coeff'), b = RnsPoly.zero(qBase, 'ntt');
    expectQheError(() => addInto(a, b, a), 'REPRESENTATION_MISMATCH', 'ntt');
    expectQheError(() => mulInto(a, a, a), 'REPRESENTATION_MISMATCH', 'coeff');
    const other = RnsPoly.zero(qBase.prefix(2), 'coeff');
    expectQheError(() => addInto(a, other, a), 'MODULUS_MISMATCH', '2-prime');
    const foreignKernel = kernel === u32Kernel ? u64Kernel : u32Kernel;
    expectQheError(() => new RnsPoly(qBase, foreignKernel.alloc(qBase.size * n), 'coeff'), 'KERNEL_MISMATCH');
    expectQheError(() => new RnsPoly(qBase, kernel.alloc(qBase.size * n - 1), 'coeff'), 'LENGTH_MISMATCH', String(qBase.size * n - 1));
    expectQheError(() => toCoeff(a), 'REPRESENTATION_MISMATCH');
    expectQheError(() => new RnsBase(kernel, n, [primes[0], primes[0]]), 'DUPLICATE_PRIME');
  });
});
