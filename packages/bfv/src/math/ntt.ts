/**
 * Negacyclic NTT tables, shared by both kernels (which only convert them to their
 * word type and add their own precomputed quotients).
 *
 * Convention (Longa & Naehrig, "Speeding up the Number Theoretic Transform for
 * Faster Ideal Lattice-Based Cryptography", CANS 2016; SEAL util/ntt.cpp):
 * ψ is the minimal primitive 2N-th root of unity mod q, and
 *   forwardTwiddles[k] = ψ^{bitrev_{log N}(k)}           for 1 ≤ k < N,
 *   inverseTwiddles[k] = (ψ^{bitrev_{log N}(k)})^{-1}    for 1 ≤ k < N.
 * Forward stage with m groups (m = 1, 2, 4, …, N/2) uses forwardTwiddles[m + i] for
 * group i: Cooley–Tukey butterflies (x, y) → (x + w·y, x − w·y). The inverse runs
 * the stages backwards with Gentleman–Sande butterflies (u, v) → (u + v, (u − v)·w^{-1})
 * and scales by N^{-1} at the end. The output of the forward transform is the
 * evaluation at the odd powers of ψ in bit-reversed order.
 *
 * The oracle `negacyclicSchoolbook` is the definition the tests compare against.
 */
import { assertRingDegree, minimalPrimitiveRoot } from './primes.js';
import { invMod, mod } from './zq.js';

export interface NttTables {
  readonly q: bigint;
  readonly n: number;
  readonly psi: bigint;
  /** Index 0 is unused (1). */
  readonly forwardTwiddles: readonly bigint[];
  readonly inverseTwiddles: readonly bigint[];
  readonly nInverse: bigint;
}

/** i with its low `bits` bits reversed. */
export function bitReverse(i: number, bits: number): number {
  let r = 0;
  for (let b = 0; b < bits; b++) {
    r = (r << 1) | (i & 1);
    i >>>= 1;
  }
  return r;
}

/** Tables for an NTT-friendly prime q (caller validated q ≡ 1 mod 2n). */
export function nttTables(q: bigint, n: number): NttTables {
  assertRingDegree('nttTables', n);
  const logN = Math.log2(n);
  const psi = minimalPrimitiveRoot(2 * n, q);
  const powers: bigint[] = new Array(n);
  powers[0] = 1n;
  for (let k = 1; k < n; k++) powers[k] = (powers[k - 1] * psi) % q;
  const forwardTwiddles: bigint[] = new Array(n);
  const inverseTwiddles: bigint[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const w = powers[bitReverse(k, logN)];
    forwardTwiddles[k] = w;
    inverseTwiddles[k] = invMod(w, q);
  }
  return Object.freeze({ q, n, psi, forwardTwiddles, inverseTwiddles, nInverse: invMod(BigInt(n), q) });
}

/** Oracle: a·b mod (X^n + 1, q) by the O(n²) definition. Inputs any bigints. */
export function negacyclicSchoolbook(a: readonly bigint[], b: readonly bigint[], q: bigint): bigint[] {
  const n = a.length;
  const out = new Array<bigint>(n).fill(0n);
  for (let i = 0; i < n; i++) {
    if (a[i] === 0n) continue;
    for (let j = 0; j < n; j++) {
      const k = i + j;
      if (k < n) out[k] += a[i] * b[j];
      else out[k - n] -= a[i] * b[j];
    }
  }
  return out.map((x) => mod(x, q));
}

