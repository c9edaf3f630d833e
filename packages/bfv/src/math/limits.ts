/**
 * Word-size limits, declared once. Every parameter check in qhe reads these
 * constants; nothing else in the code base hard-codes a bit bound.
 *
 * - `u32` kernel: residues live in Int32Array. Harvey's lazy NTT butterflies keep
 *   values in [0, 4q), and V8 only stays on its fast int32 path when every value
 *   is below 2^31, so 4q < 2^31: q < 2^29. (A Uint32Array variant allowing q < 2^30
 *   measured 25–40% slower per butterfly, more than the extra bit buys.) Products
 *   are the exact low 32 bits (Math.imul) minus a float64 quotient estimate times q;
 *   the estimate is off by at most one because every true quotient is below 2^31
 *   and float64 carries 53 bits, so the remainder lies in [−q, 2q) ⊂ int32.
 *   See kernel-u32.ts.
 * - `u64` kernel: residues live in BigUint64Array. Harvey's lazy range [0, 4q)
 *   must fit 64 bits and SEAL's Barrett reduction needs q < 2^62; SEAL caps user
 *   primes at 60 bits, we allow 61 as the design card states.
 */

export const U32_MAX_PRIME_BITS = 29;
export const U64_MAX_PRIME_BITS = 61;

/** Smallest and largest ring degree N accepted by the BFV parameter checks. */
export const BFV_MIN_LOG_N = 10;
export const BFV_MAX_LOG_N = 16;

/**
 * The ring layer itself also accepts small power-of-two degrees (down to 2^1), so that transforms can be
 * checked against a schoolbook oracle; BFV parameters never go below 2^BFV_MIN_LOG_N.
 */
export const RING_MIN_LOG_N = 1;
export const RING_MAX_LOG_N = 16;

/** Smallest prime size accepted anywhere (below this NTT-friendly primes are too sparse to matter). */
export const MIN_PRIME_BITS = 2;
