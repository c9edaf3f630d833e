/**
 * The slot algebra of BFV batching as seen by packed layouts: N slots in two
 * rows of R = N/2 (BatchEncoder's matrix), moved by row rotations (Galois
 * elements 3^r) and the row swap (2N − 1) — Halevi & Shoup's hypercube
 * Z_2 × Z_R ("Algorithms in HElib", CRYPTO 2014, §3).
 *
 * A rotation is coded as one integer c ∈ [0, N): swap = c ≥ R, r = c mod R, and
 * acts as rotateRows(r) after an optional rotateColumns: out[s] = in[source(s, c)]
 * with source((ρ, i), c) = (ρ ⊕ swap, (i + r) mod R). Codes compose by adding r
 * mod R and xoring swap (the group is abelian).
 */
import { galoisElementForStep } from '@qhe/bfv';

export const IDENTITY = 0;

export function rowLength(n: number): number {
  return n / 2;
}

/** The code of a left row rotation by r (negative: right), optionally after the row swap. */
export function rotationCode(n: number, r: number, swap = false): number {
  const R = n / 2;
  return (swap ? R : 0) + (((r % R) + R) % R);
}

export function composeCodes(n: number, a: number, b: number): number {
  const R = n / 2;
  return ((a >= R) !== (b >= R) ? R : 0) + (((a % R) + (b % R)) % R);
}

export function inverseCode(n: number, c: number): number {
  const R = n / 2;
  return (c >= R ? R : 0) + ((R - (c % R)) % R);
}

/** Source slot of slot s under rotation code c. */
export function sourceSlot(n: number, s: number, c: number): number {
  const R = n / 2;
  const row = (s >= R) !== (c >= R) ? R : 0;
  return row + (((s % R) + (c % R)) % R);
}

/** The Galois element of a code (1 for the identity). */
export function galoisElementOf(n: number, c: number): number {
  const R = n / 2;
  const r = c % R;
  const g = r === 0 ? 1 : galoisElementForStep(n, r);
  return c >= R ? (2 * n - g) % (2 * n) : g;
}

/** Applies a rotation code to a slot vector (the plaintext reference of σ). */
export function rotateSlots<T>(values: ArrayLike<T>, c: number): T[] {
  const n = values.length;
  const out = new Array<T>(n);
  for (let s = 0; s < n; s++) out[s] = values[sourceSlot(n, s, c)];
  return out;
}

/** Human form: "r" for a row rotation, "swap" / "swap+r". */
export function formatCode(n: number, c: number): string {
  const R = n / 2;
  const r = c % R;
  const signed = r > R / 2 ? r - R : r;
  if (c >= R) return signed === 0 ? 'swap' : `swap${signed > 0 ? '+' : ''}${signed}`;
  return String(signed);
}
