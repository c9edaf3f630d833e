/**
 * BFV parameters: a plain literal → validated, frozen `BfvParameters`.
 *
 * Security: the HomomorphicEncryption.org standard (Albrecht et al., "Homomorphic
 * Encryption Security Standard", 2018, Table 1, ternary secrets, classical attacks)
 * bounds log2 of the full key-level modulus Q·P (special primes included) for each
 * N; SEAL's `CoeffModulus::MaxBitCount` uses the same numbers. N = 65536 is not in
 * the table; it is held to the N = 32768 bound, which is conservative because a
 * larger ring with the same modulus is harder.
 * Fermat-style names: N = polyDegree, q_i = coeffModulus primes (data level),
 * P = ∏ special primes (key switching only), t = plainModulus (see README notation).
 */
import { QheError, fail } from './math/errors.js';
import type { KernelName } from './math/kernel.js';
import { BFV_MAX_LOG_N, BFV_MIN_LOG_N, U32_MAX_PRIME_BITS, U64_MAX_PRIME_BITS } from './math/limits.js';
import { assertNttPrime, isPrime, nttPrimes } from './math/primes.js';
import { bitLength } from './math/zq.js';

export type SecurityLevel = 128 | 192 | 256;

/** Max log2(Q·P) per N and security level (HE standard, ternary secret). */
export const MAX_LOG_Q: Readonly<Record<SecurityLevel, Readonly<Record<number, number>>>> = Object.freeze({
  128: Object.freeze({ 1024: 27, 2048: 54, 4096: 109, 8192: 218, 16384: 438, 32768: 881, 65536: 881 }),
  192: Object.freeze({ 1024: 19, 2048: 37, 4096: 75, 8192: 152, 16384: 305, 32768: 611, 65536: 611 }),
  256: Object.freeze({ 1024: 14, 2048: 29, 4096: 58, 8192: 118, 16384: 237, 32768: 476, 65536: 476 }),
});

/** A plain-literal description. Numbers in the moduli lists are bit sizes, bigints are explicit primes. */
export interface BfvParameterLiteral {
  /** Ring degree N, a power of two in [2^10, 2^16]. */
  readonly polyDegree: number;
  /** Data-level primes q_0 … q_{L−1}: bit sizes or explicit primes. Dropped from the end by modSwitch. */
  readonly coeffModulus: readonly (number | bigint)[];
  /** Key-switching primes (product P). Default: one prime as large as the largest data prime. */
  readonly specialModulus?: readonly (number | bigint)[];
  /** t: an integer ≥ 2, or `{ batchingBits }` for a batching prime of that size (≡ 1 mod 2N). */
  readonly plainModulus: number | bigint | { readonly batchingBits: number };
  readonly kernel?: KernelName;
  /**
   * Data primes per key-switching digit α (hybrid key switching). Default: the
   * number of special primes, so that P ≥ each digit's modulus and key switching
   * adds no more noise than SEAL's per-prime decomposition (α = 1 with one special
   * prime). α = 2 with one special prime halves the NTTs of relinearization and
   * rotations; its extra noise ≈ √(2N)·σ·D/P is negligible once the product noise
   * is large (t ≥ 2^20 at N = 8192: ≈ 1 bit) but costs ≈ 10 bits at tiny t and N.
   */
  readonly keySwitchDigitSize?: number;
  readonly securityLevel?: SecurityLevel;
  /** Explicit opt-out of the security check (tests, toy parameters). */
  readonly allowInsecure?: boolean;
}

export interface BfvParameters {
  readonly polyDegree: number;
  readonly kernel: KernelName;
  readonly coeffModulus: readonly bigint[];
  readonly specialModulus: readonly bigint[];
  readonly plainModulus: bigint;
  /** t is a prime ≡ 1 (mod 2N): the BatchEncoder's slots exist. */
  readonly batching: boolean;
  readonly keySwitchDigitSize: number;
  readonly securityLevel: SecurityLevel | 'none';
  /** log2 of Q·P (significant bits of the product), the number the standard bounds. */
  readonly logQP: number;
  /** log2 of the data-level Q. */
  readonly logQ: number;
}

const FN = 'bfvParameters';

function maxBits(kernel: KernelName): number {
  return kernel === 'u32' ? U32_MAX_PRIME_BITS : U64_MAX_PRIME_BITS;
}

/** Resolve a list of bit sizes / explicit primes into distinct NTT primes. */
function resolvePrimes(field: string, spec: readonly (number | bigint)[], n: number, kernel: KernelName, taken: bigint[]): bigint[] {
  const limit = maxBits(kernel);
  const out: bigint[] = [];
  for (const item of spec) {
    if (typeof item === 'bigint') {
      assertNttPrime(`${FN}.${field}`, item, n, limit);
      if (taken.includes(item) || out.includes(item)) fail('DUPLICATE_PRIME', `${FN}.${field}`, 'distinct primes', item);
      out.push(item);
    } else {
      if (!Number.isInteger(item) || item < 2 || item > limit)
        fail('PRIME_TOO_LARGE', `${FN}.${field}`, `bit sizes in [2, ${limit}] for kernel ${kernel}`, item);
      const [p] = nttPrimes({ bits: item, n, count: 1, exclude: [...taken, ...out] });
      out.push(p);
    }
  }
  return out;
}

export function bfvParameters(literal: BfvParameterLiteral): BfvParameters {
  if (literal === null || typeof literal !== 'object') fail('INVALID_PARAMETERS', FN, 'a parameter literal object', literal);
  const n = literal.polyDegree;
  if (!Number.isInteger(n) || n < 1 << BFV_MIN_LOG_N || n > 1 << BFV_MAX_LOG_N || (n & (n - 1)) !== 0)
    fail('INVALID_RING_DEGREE', `${FN}.polyDegree`, `a power of two in [2^${BFV_MIN_LOG_N}, 2^${BFV_MAX_LOG_N}]`, n);
  const kernel = literal.kernel ?? 'u32';
  if (kernel !== 'u32' && kernel !== 'u64') fail('INVALID_PARAMETERS', `${FN}.kernel`, "'u32' or 'u64'", kernel);
  if (!Array.isArray(literal.coeffModulus) || literal.coeffModulus.length === 0)
    fail('INVALID_PARAMETERS', `${FN}.coeffModulus`, 'a non-empty list of bit sizes or primes', literal.coeffModulus);

  // Plain modulus first, so that data primes avoid it.
  const limit = maxBits(kernel);
  let t: bigint;
  const pm = literal.plainModulus;
  if (typeof pm === 'object' && pm !== null) {
    const bits = pm.batchingBits;
    if (!Number.isInteger(bits) || bits < 2 || bits > limit)
      fail('PLAIN_MODULUS_INVALID', `${FN}.plainModulus.batchingBits`, `an integer in [2, ${limit}]`, bits);
    [t] = nttPrimes({ bits, n, count: 1 });
  } else if (typeof pm === 'number' || typeof pm === 'bigint') {
    if (typeof pm === 'number' && !Number.isSafeInteger(pm)) fail('PLAIN_MODULUS_INVALID', `${FN}.plainModulus`, 'an integer', pm);
    t = BigInt(pm);
    if (t < 2n || bitLength(t) > limit)
      fail('PLAIN_MODULUS_INVALID', `${FN}.plainModulus`, `an integer in [2, 2^${limit}) for kernel ${kernel}`, t);
  } else {
    return fail('PLAIN_MODULUS_INVALID', `${FN}.plainModulus`, 'a number, bigint or { batchingBits }', pm);
  }
  const batching = isPrime(t) && t % BigInt(2 * n) === 1n;

  const coeffModulus = resolvePrimes('coeffModulus', literal.coeffModulus, n, kernel, [t]);
  const largest = Math.max(...coeffModulus.map(bitLength));
  const specialSpec = literal.specialModulus ?? [largest];
  if (!Array.isArray(specialSpec) || specialSpec.length === 0)
    fail('INVALID_PARAMETERS', `${FN}.specialModulus`, 'a non-empty list (key switching needs a special prime)', specialSpec);
  const specialModulus = resolvePrimes('specialModulus', specialSpec, n, kernel, [t, ...coeffModulus]);
  for (const q of [...coeffModulus, ...specialModulus])
    if (q === t) fail('PLAIN_MODULUS_INVALID', `${FN}.plainModulus`, 'a value different from every coefficient prime', t);
  const Q = coeffModulus.reduce((a, b) => a * b, 1n);
  const P = specialModulus.reduce((a, b) => a * b, 1n);
  if (t >= Q) fail('PLAIN_MODULUS_INVALID', `${FN}.plainModulus`, `t < Q (Q has ${bitLength(Q)} bits)`, t);
  const logQP = bitLength(Q * P);
  const keySwitchDigitSize = literal.keySwitchDigitSize ?? specialModulus.length;
  if (!Number.isInteger(keySwitchDigitSize) || keySwitchDigitSize < 1)
    fail('INVALID_PARAMETERS', `${FN}.keySwitchDigitSize`, 'an integer ≥ 1', keySwitchDigitSize);

  let securityLevel: SecurityLevel | 'none' = literal.securityLevel ?? 128;
  if (![128, 192, 256].includes(securityLevel as number))
    fail('INVALID_PARAMETERS', `${FN}.securityLevel`, '128, 192 or 256', securityLevel);
  const bound = MAX_LOG_Q[securityLevel as SecurityLevel][n];
  if (logQP > bound) {
    if (!literal.allowInsecure)
      throw new QheError(
        'COEFF_MODULUS_TOO_LARGE',
        `${FN}: expected log2(Q·P) ≤ ${bound} for N=${n} at ${securityLevel}-bit security, got ${logQP} (pass allowInsecure: true to opt out)`,
      );
    securityLevel = 'none';
  }
  return Object.freeze({
    polyDegree: n,
    kernel,
    coeffModulus: Object.freeze(coeffModulus),
    specialModulus: Object.freeze(specialModulus),
    plainModulus: t,
    batching,
    keySwitchDigitSize: Math.min(keySwitchDigitSize, coeffModulus.length),
    securityLevel,
    logQP,
    logQ: bitLength(Q),
  });
}

/**
 * Presets at 128-bit security, batching t of 20 bits, u32 kernel; every preset
 * stays within the HE-standard bound with its special prime included, and uses
 * key-switching digits of two primes (measured at N = 8192, t = 1032193: noise
 * budget after multiply + relinearize 113 bits vs 114 with α = 1, relinearize
 * 8.7 ms vs 14.1 ms). Literals are frozen; pass them (optionally spread with
 * changes) to `bfvParameters`.
 */
export const PRESETS: Readonly<Record<'n4096' | 'n8192' | 'n16384' | 'n32768', BfvParameterLiteral>> = Object.freeze({
  /** log QP = 109 (4 × 27-bit; one special). */
  n4096: Object.freeze({ polyDegree: 4096, keySwitchDigitSize: 2, coeffModulus: Object.freeze([28, 27, 27]), specialModulus: Object.freeze([27]), plainModulus: Object.freeze({ batchingBits: 20 }) }),
  /** log QP ≤ 218: 6 × 29-bit data primes (174 bits, as SEAL's BFVDefault data level) + 29-bit special. */
  n8192: Object.freeze({ polyDegree: 8192, keySwitchDigitSize: 2, coeffModulus: Object.freeze([29, 29, 29, 29, 29, 29]), specialModulus: Object.freeze([29]), plainModulus: Object.freeze({ batchingBits: 20 }) }),
  /** log QP ≤ 438: 14 × 29-bit data primes + 29-bit special. */
  n16384: Object.freeze({ polyDegree: 16384, keySwitchDigitSize: 2, coeffModulus: Object.freeze(Array(14).fill(29)), specialModulus: Object.freeze([29]), plainModulus: Object.freeze({ batchingBits: 20 }) }),
  /** log QP ≤ 881: 29 × 29-bit data primes + 29-bit special. */
  n32768: Object.freeze({ polyDegree: 32768, keySwitchDigitSize: 2, coeffModulus: Object.freeze(Array(29).fill(29)), specialModulus: Object.freeze([29]), plainModulus: Object.freeze({ batchingBits: 20 }) }),
});
