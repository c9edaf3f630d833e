/**
 * BFV ciphertext multiplication in full RNS, BEHZ variant (Bajard, Eynard,
 * Hasan, Zucca, SAC 2016; behz.ts explains why BEHZ and not HPS), as three
 * stages with explicit ranges, so that `Evaluator.multiplyInto` runs them in
 * sequence and the worker pool (parallel/worker.ts) runs each stage split
 * across threads (per input polynomial, per limb range, per output polynomial)
 * with bit-identical results:
 *   1–2. extend: one input polynomial from q to q ∪ Bsk (FastBconv with m̃,
 *        SmMRq), then the forward NTT of every limb;
 *   3–4. tensor: d_k = Σ_{i+j=k} a_i ⊙ b_j on limbs [from, to) of q ∪ Bsk,
 *        then the inverse NTT of those limbs;
 *   5–6. floor: ⌊t·d_k/q⌉ in Bsk (fast floor), then Bsk → q (FastBconvSk).
 * Layout: an extended polynomial is one Residues of (L + |Bsk|)·N words, limb j
 * at [j·N, (j+1)·N), data limbs first.
 */
import type { LevelData } from './context.js';
import type { Kernel, Residues } from './math/kernel.js';

const limb = (x: Residues, j: number, n: number): Residues => x.subarray(j * n, (j + 1) * n);

/** Steps 1–2. src: L·N canonical words (coefficient form); dst: (L + |Bsk|)·N words, NTT form on return. */
export function behzExtend(level: LevelData, n: number, src: Residues, dst: Residues, scratch: Residues): void {
  const L = level.base.size, ops = level.behzOps;
  level.base.kernel.copy(src, dst);
  level.behz.extendToBsk(src, dst.subarray(L * n), scratch);
  for (let j = 0; j < ops.length; j++) ops[j].forwardNtt(limb(dst, j, n));
}

/**
 * Steps 3–4 on limbs [from, to): ea, eb extended NTT-form inputs (eb null means
 * a square: each cross product is computed once and doubled); d[k] receives
 * d_k in coefficient form on those limbs (the other limbs are not touched).
 */
export function behzTensor(level: LevelData, kernel: Kernel, n: number, ea: readonly Residues[], eb: readonly Residues[] | null, d: readonly Residues[], from: number, to: number): void {
  const ops = level.behzOps;
  const square = eb === null;
  const b = eb ?? ea;
  const tmp = kernel.alloc(n);
  for (let l = from; l < to; l++) {
    for (const dk of d) kernel.zero(limb(dk, l, n));
    for (let i = 0; i < ea.length; i++) {
      for (let j = square ? i : 0; j < b.length; j++) {
        const x = limb(ea[i], l, n), y = limb(b[j], l, n), o = limb(d[i + j], l, n);
        if (square && j > i) {
          ops[l].mul(x, y, tmp);
          ops[l].add(tmp, tmp, tmp);
          ops[l].add(o, tmp, o);
        } else ops[l].mulAcc(x, y, o);
      }
    }
    for (const dk of d) ops[l].inverseNtt(limb(dk, l, n));
  }
}

/** Steps 5–6 for one output polynomial: d (all limbs, coefficient form) → out (L·N words, canonical). */
export function behzFloor(level: LevelData, kernel: Kernel, n: number, d: Residues, out: Residues, scratch: Residues): void {
  const L = level.base.size, W = level.behzOps.length;
  const floorBsk = kernel.alloc((W - L) * n);
  level.behz.fastFloor(d.subarray(0, L * n), d.subarray(L * n), floorBsk, scratch);
  level.behz.fastBconvSk(floorBsk, out, scratch);
}
