/**
 * `@qhe/bfv/math`: the ring layer. Kernels (u32 fast, u64 reference), NTT tables,
 * primes, RNS bases and fast base conversion, RNS polynomials, CSPRNG sampling.
 *
 * @module @qhe/bfv/math
 */
export * from './errors.js';
export * from './limits.js';
export * from './zq.js';
export * from './primes.js';
export * from './ntt.js';
export type { Kernel, KernelName, ModulusOptions, PrimeOps, Residues } from './kernel.js';
export { u32Kernel } from './kernel-u32.js';
export { u64Kernel } from './kernel-u64.js';
export * from './rns.js';
export * from './poly.js';
export * from './sampling.js';
export * from './crypto.js';

import { fail } from './errors.js';
import type { Kernel, KernelName } from './kernel.js';
import { u32Kernel } from './kernel-u32.js';
import { u64Kernel } from './kernel-u64.js';

/** The kernel object for a name. */
export function kernelByName(name: KernelName): Kernel {
  if (name === 'u32') return u32Kernel;
  if (name === 'u64') return u64Kernel;
  return fail('INVALID_ARGUMENT', 'kernelByName', "'u32' or 'u64'", name);
}
