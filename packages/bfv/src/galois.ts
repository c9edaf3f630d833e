/**
 * Galois automorphisms σ_g: a(X) → a(X^g) (g odd, in [1, 2N)) in the NTT domain.
 *
 * The forward NTT (kernel.ts) returns a's evaluations at the odd powers of ψ in
 * bit-reversed order: index k holds a(ψ^{e_k}) with e_k = 2·bitrev(k) + 1. Since
 * σ_g(a)(ψ^e) = a(ψ^{g·e}), the NTT of σ_g(a) is a permutation of the NTT of a:
 *   NTT(σ_g a)[k] = NTT(a)[π_g(k)],  π_g(k) = bitrev((g·e_k mod 2N − 1)/2),
 * the same for every prime (SEAL's GaloisTool::apply_galois_ntt; Halevi–Shoup
 * 2018 use it to apply many automorphisms to one decomposed ciphertext).
 */
import { fail } from './math/errors.js';
import type { Residues } from './math/kernel.js';
import { bitReverse } from './math/ntt.js';

const tables = new Map<string, Int32Array>();

/** π_g for ring degree n (cached). */
export function nttGaloisPermutation(n: number, galoisElt: number): Int32Array {
  if (!Number.isInteger(galoisElt) || (galoisElt & 1) === 0 || galoisElt < 1 || galoisElt >= 2 * n)
    fail('INVALID_ARGUMENT', 'nttGaloisPermutation', `an odd Galois element in [1, ${2 * n})`, galoisElt);
  const key = `${n}:${galoisElt}`;
  let p = tables.get(key);
  if (p) return p;
  const logN = Math.log2(n), mask = 2 * n - 1;
  p = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const e = 2 * bitReverse(k, logN) + 1;
    // g·e < 2^32 for n ≤ 2^16, so the product is exact in float64 before the mask.
    const ge = Number((BigInt(galoisElt) * BigInt(e)) & BigInt(mask));
    p[k] = bitReverse((ge - 1) >>> 1, logN);
  }
  tables.set(key, p);
  return p;
}

/** out[k] = a[perm[k]] (any kernel's residues; out must not alias a). */
export function permuteInto(a: Residues, perm: Int32Array, out: Residues): void {
  const n = perm.length;
  if (a instanceof Int32Array && out instanceof Int32Array) {
    for (let k = 0; k < n; k++) out[k] = a[perm[k]];
  } else {
    const x = a as BigUint64Array, o = out as BigUint64Array;
    for (let k = 0; k < n; k++) o[k] = x[perm[k]];
  }
}
