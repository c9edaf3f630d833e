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
 *
 * Checks beyond ranges, in order:
 *  1. t is coprime to every prime of Q·P (SEAL's `invalid_plain_modulus_coprimality`):
 *     otherwise Q mod t and the BEHZ constants have no inverses and every decrypt fails.
 *  2. Key-switching digits (hybrid key switching, Han–Ki CT-RSA 2020): each digit
 *     D_d, the product of α = keySwitchDigitSize consecutive data primes, must satisfy
 *     D_d ≤ 2^KEY_SWITCH_SLACK_BITS · P. Key switching adds noise ≈ √N·σ·D_d/P per
 *     digit (noise-bounds.ts), so this caps its cost at a few bits at every level;
 *     SEAL (α = 1, P ≥ q_i), Lattigo and OpenFHE follow the same rule P ≥ D_d.
 *     The default α is the largest digit size the rule allows.
 *  3. The modulus chain (`maxLevel`): level l keeps q_0 … q_{L−1−l}. A level is part
 *     of the chain only if a ciphertext that reaches it by modulus switching still
 *     decrypts after one key switch, i.e. log2 Q_l ≥ log2 t + 2 + bound(modulus-switch
 *     + key-switch noise) (noise-bounds.ts). Below that, a level cannot hold t at all
 *     (e.g. a lone 29-bit prime with a 20-bit t: Q_l/t = 2^9 while the rounding of a
 *     modulus switch alone is ≈ 2^7), so offering it would only produce ciphertexts
 *     that cannot be decrypted.
 */
import { QheError, fail } from './math/errors.js';
import type { KernelName } from './math/kernel.js';
import { BFV_MAX_LOG_N, BFV_MIN_LOG_N, U32_MAX_PRIME_BITS, U64_MAX_PRIME_BITS } from './math/limits.js';
import { assertNttPrime, isPrime, nttPrimes } from './math/primes.js';
import { bitLength, product } from './math/zq.js';
import { boundBits, keySwitchVariance, log2, roundingVariance } from './noise-bounds.js';

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
   * Data primes per key-switching digit α (hybrid key switching). Each digit's
   * modulus D_d must be ≤ 2^KEY_SWITCH_SLACK_BITS · P (module header, check 2);
   * default: the largest α that satisfies it (α = 1 with one special prime as
   * large as the data primes, α = k with k such special primes). Larger α means
   * fewer digits, so fewer NTTs per relinearization and rotation, paid for with
   * special primes that the security bound takes from Q.
   */
  readonly keySwitchDigitSize?: number;
  readonly securityLevel?: SecurityLevel;
  /**
   * RNS variant of ciphertext multiplication (multiply.ts): 'behz' (Bajard et al.
   * 2016, integer corrections) or 'hps' (Halevi–Polyakov–Shoup 2019, float64 CRT
   * fractions). Default DEFAULT_MULTIPLICATION. Both decrypt to the same plaintexts
   * with noise within a bit of each other; only ciphertext words differ, so the
   * choice is not part of the serialized parameters, the fingerprint or the
   * context id (objects of two contexts that differ only here mix freely).
   */
  readonly multiplication?: MultiplicationVariant;
  /** Explicit opt-out of the security check (tests, toy parameters). */
  readonly allowInsecure?: boolean;
}

export type MultiplicationVariant = 'behz' | 'hps';

/** The faster variant on both kernels (measured side by side, README of @qhe/bfv). */
export const DEFAULT_MULTIPLICATION: MultiplicationVariant = 'hps';

export interface BfvParameters {
  readonly polyDegree: number;
  readonly kernel: KernelName;
  readonly multiplication: MultiplicationVariant;
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
  /** Last level of the modulus chain (module header, check 3); ≤ coeffModulus.length − 1. */
  readonly maxLevel: number;
}

/**
 * Key-switching digits may exceed the special modulus P by this many bits at most
 * (D_d ≤ 4·P): with D_d ≤ P a key switch costs ≈ 1–5 bits of budget; every bit of
 * excess doubles that noise.
 */
export const KEY_SWITCH_SLACK_BITS = 2;

const validated = new WeakSet<object>();

/** True for objects returned by `bfvParameters` (not for look-alikes). */
export function isBfvParameters(p: unknown): p is BfvParameters {
  return typeof p === 'object' && p !== null && validated.has(p);
}

const FN = 'bfvParameters';

function maxBits(kernel: KernelName): number {
  return kernel === 'u32' ? U32_MAX_PRIME_BITS : U64_MAX_PRIME_BITS;
}

/** Resolve a list of bit sizes / explicit primes into distinct NTT primes. */
function resolvePrimes(field: string, spec: readonly (number | bigint)[], n: number, kernel: KernelName, t: bigint, taken: bigint[]): bigint[] {
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
      // Skip primes that divide t (check 1 would refuse them): t has at most a few factors of this size.
      const exclude = [...taken, ...out];
      for (;;) {
        const [p] = nttPrimes({ bits: item, n, count: 1, exclude });
        if (t % p !== 0n) {
          out.push(p);
          break;
        }
        exclude.push(p);
      }
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
  const multiplication = literal.multiplication === undefined ? DEFAULT_MULTIPLICATION : literal.multiplication;
  if (multiplication !== 'behz' && multiplication !== 'hps') fail('INVALID_PARAMETERS', `${FN}.multiplication`, "'behz' or 'hps'", multiplication);
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

  const coeffModulus = resolvePrimes('coeffModulus', literal.coeffModulus, n, kernel, t, [t]);
  const largest = Math.max(...coeffModulus.map(bitLength));
  const specialSpec = literal.specialModulus ?? [largest];
  if (!Array.isArray(specialSpec) || specialSpec.length === 0)
    fail('INVALID_PARAMETERS', `${FN}.specialModulus`, 'a non-empty list (key switching needs a special prime)', specialSpec);
  const specialModulus = resolvePrimes('specialModulus', specialSpec, n, kernel, t, [t, ...coeffModulus]);
  // Check 1.
  for (const q of [...coeffModulus, ...specialModulus])
    if (t % q === 0n)
      throw new QheError(
        'PLAIN_MODULUS_NOT_COPRIME',
        `${FN}.plainModulus: expected t coprime to every prime of Q·P, got ${t} = ${t / q} · ${q} (${q} is a ${specialModulus.includes(q) ? 'special' : 'coefficient'} prime)`,
      );
  const Q = product(coeffModulus);
  const P = product(specialModulus);
  if (t >= Q) fail('PLAIN_MODULUS_INVALID', `${FN}.plainModulus`, `t < Q (Q has ${bitLength(Q)} bits)`, t);
  const logQP = bitLength(Q * P);
  const keySwitchDigitSize = digitSize(literal.keySwitchDigitSize, coeffModulus, P);

  let securityLevel: SecurityLevel | 'none' = literal.securityLevel ?? 128;
  if (![128, 192, 256].includes(securityLevel as number))
    fail('INVALID_PARAMETERS', `${FN}.securityLevel`, '128, 192 or 256', securityLevel);
  const bound = MAX_LOG_Q[securityLevel as SecurityLevel][n];
  if (logQP > bound) {
    if (literal.allowInsecure !== true)
      throw new QheError(
        'COEFF_MODULUS_TOO_LARGE',
        `${FN}: expected log2(Q·P) ≤ ${bound} for N=${n} at ${securityLevel}-bit security, got ${logQP} (pass allowInsecure: true to opt out)`,
      );
    securityLevel = 'none';
  }
  const params: BfvParameters = Object.freeze({
    polyDegree: n,
    kernel,
    multiplication,
    coeffModulus: Object.freeze(coeffModulus),
    specialModulus: Object.freeze(specialModulus),
    plainModulus: t,
    batching,
    keySwitchDigitSize,
    securityLevel,
    logQP,
    logQ: bitLength(Q),
    maxLevel: chainEnd(n, t, coeffModulus, specialModulus, keySwitchDigitSize),
  });
  validated.add(params);
  return params;
}

/** Digit moduli at a level that keeps `size` data primes: consecutive groups of α (module header, check 2). */
export function digitModuli(coeffModulus: readonly bigint[], size: number, alpha: number): bigint[] {
  const out: bigint[] = [];
  for (let d = 0; d * alpha < size; d++) out.push(product(coeffModulus.slice(d * alpha, Math.min(size, (d + 1) * alpha))));
  return out;
}

/** Check 2: the requested α (or the largest allowed one), clamped to L. */
function digitSize(requested: unknown, coeffModulus: readonly bigint[], P: bigint): number {
  const L = coeffModulus.length;
  const limit = P << BigInt(KEY_SWITCH_SLACK_BITS);
  const fits = (alpha: number): boolean => digitModuli(coeffModulus, L, alpha).every((d) => d <= limit);
  if (requested === undefined) {
    for (let alpha = L; alpha >= 1; alpha--) if (fits(alpha)) return alpha;
    requested = 1;
  }
  if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1)
    fail('INVALID_PARAMETERS', `${FN}.keySwitchDigitSize`, 'an integer ≥ 1', requested);
  const alpha = Math.min(requested, L);
  if (!fits(alpha)) {
    const digits = digitModuli(coeffModulus, L, alpha);
    const worst = digits.reduce((a, b) => (b > a ? b : a));
    const d = digits.indexOf(worst);
    throw new QheError(
      'KEY_SWITCH_DIGIT_TOO_LARGE',
      `${FN}.keySwitchDigitSize: expected digits whose modulus D_d ≤ 2^${KEY_SWITCH_SLACK_BITS}·P (P has ${bitLength(P)} bits), got α = ${alpha}: ` +
        `digit ${d} (q_${d * alpha}…q_${Math.min(L, (d + 1) * alpha) - 1}) has ${bitLength(worst)} bits, so key switching would add ≈ 2^${Math.round(log2(worst) - log2(P))}× ` +
        `the noise of a digit ≤ P (use a smaller keySwitchDigitSize, or more or larger special primes)`,
    );
  }
  return alpha;
}

/** Check 3: the last level where a modulus-switched ciphertext survives one key switch. */
function chainEnd(n: number, t: bigint, coeffModulus: readonly bigint[], specialModulus: readonly bigint[], alpha: number): number {
  const L = coeffModulus.length;
  const P = product(specialModulus);
  const logT = log2(t);
  let last = 0;
  for (let l = 1; l < L; l++) {
    const size = L - l;
    const noise = roundingVariance(n) + keySwitchVariance(n, digitModuli(coeffModulus, size, alpha), P, specialModulus.length);
    if (log2(product(coeffModulus.slice(0, size))) < logT + 2 + boundBits(noise)) break;
    last = l;
  }
  return last;
}

/**
 * Presets at 128-bit security, batching t of 20 bits, u32 kernel (primes ≤ 29
 * bits); every preset stays within the HE-standard bound on log2(Q·P), special
 * primes included. Literals are frozen; pass them (optionally spread with
 * changes) to `bfvParameters`.
 *
 * Key switching (check 2): each special prime counts against the same bound as
 * the data primes, so digits of α primes (D_d ≤ 4·P needs α special primes) buy
 * ⌈L/α⌉ instead of L digits — ⌈L/α⌉·(L + K) forward NTTs per relinearization and
 * rotation instead of L·(L + 1) — with α − 1 data primes less (≈ one
 * multiplicative level per 29 bits). SEAL's 44–49-bit primes hold its data level
 * in 4 (N = 8192) or 8 (N = 16384) limbs, so at α = 1 our 29-bit limbs pay a key
 * switch ≈ (6/4)² = 2.25× the transforms. Measured with `npm run bench:keyswitch`
 * (tinybench p50 wall ms, 3 rounds alternated between the candidates of one N,
 * median; 2-core machine shared, load ≈ 6–7: compare within a column only) and
 * the CPU-time ratio to node-seal 6.0.3 of `npm run bench:ops` (15 rounds,
 * load ≈ 7.5–7.8, benchmarks/results/runs/ops-vs-seal-presets-keyswitch-repeat.json;
 * SEAL's data log Q 174 / 389 bits, budget after mul+relin 114 / 329):
 *
 *   | candidate           | log Q | levels | digits | relin ms | rotate ms | mul+relin budget | depth | relin, rotate / SEAL |
 *   |---------------------|-------|--------|--------|----------|-----------|------------------|-------|----------------------|
 *   | N=8192  6+1, α = 1  | 174   | 5      | 6      | 14.4     | 20.7      | 114              | 4     | 1.98, 1.95           |
 *   | N=8192  5+2, α = 2  | 145   | 4      | 3      | 18.7     | 15.7      | 85               | 3     | —                    |
 *   | N=8192  4+2, α = 2  | 116   | 3      | 2      | 7.9      | 7.6       | 56               | 2     | 0.94, 0.95           |
 *   | N=16384 14+1, α = 1 | 406   | 13     | 14     | 326      | 324       | 345              | 11    | —                    |
 *   | N=16384 13+2, α = 2 | 377   | 12     | 7      | 172      | 183       | 316              | 10    | 1.81, 1.86           |
 *   | N=16384 12+3, α = 3 | 348   | 11     | 4      | 113      | 119       | 287              | 9     | —                    |
 *   | N=16384 11+4, α = 4 | 319   | 10     | 3      | 100      | 100       | 257              | 8     | 1.08, 1.08           |
 *
 * ("depth": products x·y·y·… relinearized at level 0 that still decrypt; "levels":
 * the modulus chain, check 3.) Every candidate's rotation costs 2–5 bits and its
 * relinearization 0–1 bits at every level. The plain names keep SEAL's data
 * level (as many data bits as the bound allows, what a circuit written for
 * SEAL's BFVDefault needs); the `-fast` presets trade data bits for fewer digits
 * (≈ 2× faster key switching, two thirds of the data bits, less depth). The
 * `-fast` ratios are not like-for-like: node-seal keeps 174 / 389 data bits.
 * - n4096: 3 + 1, α = 1, the only chain with a usable second level.
 * - n8192: 6 + 1, α = 1 (depth 4, as SEAL's BFVDefault); n8192-fast: 4 + 2, α = 2
 *   (2 digits, depth 2). 5 + 2, α = 2 sits between them (depth 3, ≈ 0.8× the
 *   key-switching time of 6 + 1: its FastBconv and third digit eat most of the gain).
 * - n16384: 13 + 2, α = 2 (depth 10); n16384-fast: 11 + 4, α = 4 (3 digits, depth 8).
 * - n32768: 27 + 3, α = 3 (9 digits instead of 29).
 */
export type PresetName = 'n4096' | 'n8192' | 'n16384' | 'n32768' | 'n8192-fast' | 'n16384-fast';

export const PRESETS: Readonly<Record<PresetName, BfvParameterLiteral>> = Object.freeze({
  /** log QP = 109: 28 + 27 + 27-bit data primes (82 bits) + 27-bit special; α = 1. */
  n4096: Object.freeze({ polyDegree: 4096, keySwitchDigitSize: 1, coeffModulus: Object.freeze([28, 27, 27]), specialModulus: Object.freeze([27]), plainModulus: Object.freeze({ batchingBits: 20 }) }),
  /** log QP = 203: 6 × 29-bit data primes (174 bits, as SEAL's BFVDefault data level) + 29-bit special; α = 1 (6 digits). */
  n8192: Object.freeze({ polyDegree: 8192, keySwitchDigitSize: 1, coeffModulus: Object.freeze(Array(6).fill(29)), specialModulus: Object.freeze([29]), plainModulus: Object.freeze({ batchingBits: 20 }) }),
  /** log QP = 174: 4 × 29-bit data primes (116 bits) + 2 × 29-bit special; α = 2 (2 digits). */
  'n8192-fast': Object.freeze({ polyDegree: 8192, keySwitchDigitSize: 2, coeffModulus: Object.freeze(Array(4).fill(29)), specialModulus: Object.freeze([29, 29]), plainModulus: Object.freeze({ batchingBits: 20 }) }),
  /** log QP = 435: 13 × 29-bit data primes (377 bits) + 2 × 29-bit special; α = 2 (7 digits). */
  n16384: Object.freeze({ polyDegree: 16384, keySwitchDigitSize: 2, coeffModulus: Object.freeze(Array(13).fill(29)), specialModulus: Object.freeze([29, 29]), plainModulus: Object.freeze({ batchingBits: 20 }) }),
  /** log QP = 435: 11 × 29-bit data primes (319 bits) + 4 × 29-bit special; α = 4 (3 digits). */
  'n16384-fast': Object.freeze({ polyDegree: 16384, keySwitchDigitSize: 4, coeffModulus: Object.freeze(Array(11).fill(29)), specialModulus: Object.freeze([29, 29, 29, 29]), plainModulus: Object.freeze({ batchingBits: 20 }) }),
  /** log QP = 870: 27 × 29-bit data primes + 3 × 29-bit special; α = 3. */
  n32768: Object.freeze({ polyDegree: 32768, keySwitchDigitSize: 3, coeffModulus: Object.freeze(Array(27).fill(29)), specialModulus: Object.freeze([29, 29, 29]), plainModulus: Object.freeze({ batchingBits: 20 }) }),
});
