/**
 * Average-case noise bounds for modulus switching and hybrid key switching, by
 * the central-limit heuristic (each coefficient of a product of independent
 * random polynomials is a sum of N independent terms, hence close to Gaussian;
 * Costache, Laine & Player, "Evaluating the effectiveness of heuristic
 * worst-case noise analysis in FHE", ESORICS 2020, §3; the hybrid key-switching
 * term as in Han & Ki, CT-RSA 2020, §3 and Kim et al., "Approximate Homomorphic
 * Encryption with Reduced Key-Switching", 2020). Noise means v in
 * c0 + c1·s = Δ·m + v (mod Q_l); decryption needs ‖v‖∞ < Q_l/(4t) (decryptor.ts).
 *
 * Distributions (sampling.ts): s uniform ternary (variance 2/3 per coefficient),
 * key errors centred binomial η = 21 (variance η/2), RNS rounding errors uniform
 * in [−1/2, 1/2] (variance 1/12).
 *
 * 1. Modulus switching to level l (evaluator.ts, divide and round by q_last):
 *      v' = v/q_last + r0 + r1·s,  Var(r0 + r1·s) = (1 + 2N/3)/12.
 * 2. Key switching at level l (keyswitch.ts) of c with digits c_d ∈ [0, D_d):
 *      e_ks = (Σ_d c_d·e_d)/P + ρ0 + ρ1·s,
 *      Var(Σ_d c_d·e_d / P) = N·(η/2)·Σ_d D_d²/(3P²),
 *      Var(ρ0 + ρ1·s) = (1 + 2N/3)·(1/12 + (K − 1)²)  (ModDown's FastBconv from
 *      K special primes adds an integer in (−K, 0] to the rounding, keyswitch.ts).
 *    With D_d ≤ P the first term is ≈ N·η/6 per digit: a key switch then costs a
 *    few bits at most; with D_d = 2^k·P it grows 2^k-fold (params.ts refuses that).
 * 3. High-probability bound: z·σ with z = 6 (one coefficient exceeds it with
 *    probability ≈ 2·10^-9 under the Gaussian approximation, all N = 2^15 of them
 *    with probability < 10^-4).
 */
import { CBD_ETA } from './math/sampling.js';
import { bitLength } from './math/zq.js';

export const NOISE_TAIL_Z = 6;

/** Variance of the rounding terms r0 + r1·s (modulus switching, one ModDown output pair with K = 1). */
export function roundingVariance(n: number): number {
  return (1 + (2 * n) / 3) / 12;
}

/** Step 2: variance of the noise one key switch adds, for the digit moduli D_d of the level and special modulus P (K primes). */
export function keySwitchVariance(n: number, digitModuli: readonly bigint[], specialModulus: bigint, specialPrimes: number): number {
  const logP = log2(specialModulus);
  let ratio = 0;
  for (const d of digitModuli) ratio += 2 ** (2 * (log2(d) - logP));
  const k1 = specialPrimes - 1;
  return (n * (CBD_ETA / 2) * ratio) / 3 + (1 + (2 * n) / 3) * (1 / 12 + k1 * k1);
}

/** log2 of a positive bigint of any size, to float64 precision. */
export function log2(x: bigint): number {
  const bits = bitLength(x);
  const shift = Math.max(0, bits - 53);
  return shift + Math.log2(Number(x >> BigInt(shift)));
}

/** Step 3: the z·σ bound of a variance, in bits. */
export function boundBits(variance: number): number {
  return Math.log2(NOISE_TAIL_Z * Math.sqrt(variance));
}
