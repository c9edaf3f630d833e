/**
 * Small fixed parameters and error capture for scheme tests.
 *
 * N = 1024 with 29-bit primes is far below 128-bit security (hence
 * allowInsecure) but exercises every code path of the scheme; 29 bits is the
 * u32 kernel's limit, so the same literal runs on both kernels and the two can be
 * compared. Fixed parameters matter because keys, not operations, dominate the
 * cost of a small test: a suite should build a handful of contexts and reuse them.
 */
import { QheError, type QheErrorCode } from '../math/errors.js';
import type { KernelName } from '../math/kernel.js';
import type { BfvParameterLiteral } from '../params.js';

export interface SmallParametersOptions {
  readonly polyDegree?: number;
  /** Number of 29-bit data primes, i.e. of levels (default 3). */
  readonly primes?: number;
  /** Bits of the batching t (default 14). */
  readonly plainBits?: number;
}

/**
 * N = 1024, `primes` × 29-bit data primes, one 29-bit special prime, 14-bit
 * batching t. Noise budgets on both kernels: fresh ≈ 29·primes − 20 bits, one
 * relinearized product ≈ 23 bits, one modSwitch ≈ 29 bits (fresh ciphertext).
 */
export function smallParameters(kernel: KernelName = 'u32', options: SmallParametersOptions = {}): BfvParameterLiteral {
  return {
    polyDegree: options.polyDegree ?? 1024,
    coeffModulus: Array(options.primes ?? 3).fill(29),
    specialModulus: [29],
    plainModulus: { batchingBits: options.plainBits ?? 14 },
    kernel,
    allowInsecure: true,
  };
}

/** Runs `fn` and returns the QheError it throws; throws if it returns or throws something else. */
export function catchQheError(fn: () => unknown): QheError {
  try {
    fn();
  } catch (e) {
    if (e instanceof QheError) return e;
    throw new Error(`catchQheError: expected a QheError, got ${String(e)}`, { cause: e });
  }
  throw new Error('catchQheError: expected a QheError, got no error');
}

/** True when `fn` throws a QheError with this code (for fast-check predicates). */
export function throwsQheError(code: QheErrorCode, fn: () => unknown): boolean {
  try {
    fn();
  } catch (e) {
    return e instanceof QheError && e.code === code;
  }
  return false;
}
