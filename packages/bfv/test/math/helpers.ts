/**
 * Shared test helpers for the ring layer: a deterministic bigint generator (so
 * bulk vectors are reproducible without Math.random), typed-array builders for
 * both kernels, and an expectation helper for typed errors.
 */
import { expect } from 'vitest';
import { QheError, type QheErrorCode } from '../../src/math/errors.js';
import type { PrimeOps, Residues } from '../../src/math/kernel.js';
import { u32Kernel } from '../../src/math/kernel-u32.js';
import { u64Kernel } from '../../src/math/kernel-u64.js';

const M64 = (1n << 64n) - 1n;

/** SplitMix64 (Steele, Lea, Flood 2014): a small deterministic stream of 64-bit words. */
export class SplitMix64 {
  private state: bigint;
  constructor(seed: bigint) {
    this.state = seed & M64;
  }
  next(): bigint {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & M64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  }
  /** Uniform-ish value in [0, bound) (bias ≤ bound/2^64, irrelevant for tests). */
  below(bound: bigint): bigint {
    return this.next() % bound;
  }
  vector(n: number, bound: bigint): bigint[] {
    return Array.from({ length: n }, () => this.below(bound));
  }
}

/** Storage of `ops`'s kernel holding `values`. */
export function residues(ops: PrimeOps, values: readonly bigint[]): Residues {
  return ops.kernel === 'u32' ? Int32Array.from(values, Number) : BigUint64Array.from(values);
}

export function kernelOf(ops: PrimeOps) {
  return ops.kernel === 'u32' ? u32Kernel : u64Kernel;
}

/** Residues as bigints without kernel checks (for lazy ranges too). */
export function big(a: Residues): bigint[] {
  return Array.from(a as ArrayLike<number | bigint>, (v) => BigInt(v));
}

/** Runs `f` and asserts it throws a QheError with `code` whose message contains every `parts`. */
export function expectQheError(f: () => unknown, code: QheErrorCode, ...parts: string[]): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected QheError ${code}`).toBeInstanceOf(QheError);
  const err = thrown as QheError;
  expect(err.code).toBe(code);
  for (const p of parts) expect(err.message).toContain(p);
}

/** Largest prime ≡ 1 (mod 2n) with exactly `bits` bits, by direct search (no bound on bits). */
export function largestNttPrime(bits: number, n: number, isPrime: (x: bigint) => boolean): bigint {
  const step = BigInt(2 * n);
  let q = ((1n << BigInt(bits)) - 1n) / step * step + 1n;
  if (q >= 1n << BigInt(bits)) q -= step;
  while (!isPrime(q)) q -= step;
  return q;
}
