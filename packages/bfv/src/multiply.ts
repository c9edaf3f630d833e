/**
 * BFV ciphertext multiplication in full RNS, in two variants selected per
 * context (`multiplication` in the parameters, params.ts):
 *   - 'behz': Bajard, Eynard, Hasan, Zucca, SAC 2016 (behz.ts), integer-only
 *     corrections in an auxiliary base Bsk ∪ {m̃};
 *   - 'hps': Halevi, Polyakov, Shoup, CT-RSA 2019 (hps.ts), exact base
 *     extensions and scaling with float64 CRT fractions, auxiliary base P.
 * Both run as three stages with explicit ranges, so that `Evaluator.multiplyInto`
 * runs them in sequence and the worker pool (parallel/worker.ts) runs each stage
 * split across threads (per input polynomial, per limb range, per output
 * polynomial) with bit-identical results:
 *   1–2. extend: one input polynomial from Q to Q ∪ A (A = Bsk for BEHZ: FastBconv
 *        with m̃ and SmMRq; A = P for HPS: exact centred extension), then the
 *        forward NTT of every limb;
 *   3–4. tensor: d_k = Σ_{i+j=k} a_i ⊙ b_j on limbs [from, to) of Q ∪ A,
 *        then the inverse NTT of those limbs;
 *   5–6. floor: ⌊t·d_k/Q⌉ into A (BEHZ fast floor in Bsk / HPS scaling into P),
 *        then A → Q (BEHZ FastBconvSk / HPS exact centred extension).
 * Layout: an extended polynomial is one Residues of (L + |A|)·N words, limb j
 * at [j·N, (j+1)·N), data limbs first; `level.mulOps` are the ops of Q ∪ A.
 */
import type { BfvContext, LevelData } from './context.js';
import type { Kernel, Residues } from './math/kernel.js';

interface MultiplyBuffers {
  /** Extended polynomials and tensor outputs, level-0 size each (lower levels use prefixes). */
  readonly polys: Residues[];
  readonly scratch: Residues;
  readonly aux: Residues;
}
const pools = new WeakMap<BfvContext, MultiplyBuffers>();
/**
 * `count` buffers of (L + |A|)·N words at `level`, plus scratch and the floor's
 * auxiliary limbs, reused across calls of one context (an isolate runs one
 * multiply at a time): a multiply at N = 8192 otherwise allocates and zeroes
 * ≈ 3 MB, and the garbage collector measured ≈ 10% of its time. Every stage
 * writes all of its outputs, so reused contents never leak into results.
 */
export function multiplyBuffers(ctx: BfvContext, level: LevelData, count: number): { polys: Residues[]; scratch: Residues; aux: Residues } {
  const top = ctx.level(0), n = ctx.n, k = ctx.kernel;
  let pool = pools.get(ctx);
  if (!pool) pools.set(ctx, (pool = { polys: [], scratch: k.alloc(top.mulScratchLimbs * n), aux: k.alloc((top.mulOps.length - top.base.size) * n) }));
  while (pool.polys.length < count) pool.polys.push(k.alloc(top.mulOps.length * n));
  const words = level.mulOps.length * n;
  return {
    polys: pool.polys.slice(0, count).map((p) => p.subarray(0, words)),
    scratch: pool.scratch.subarray(0, level.mulScratchLimbs * n),
    aux: pool.aux.subarray(0, (level.mulOps.length - level.base.size) * n),
  };
}

const limb = (x: Residues, j: number, n: number): Residues => x.subarray(j * n, (j + 1) * n);

/** Steps 1–2. src: L·N canonical words (coefficient form); dst: (L + |A|)·N words, NTT form on return; scratch ≥ level.mulScratchLimbs limbs. */
export function mulExtend(level: LevelData, n: number, src: Residues, dst: Residues, scratch: Residues): void {
  const L = level.base.size, ops = level.mulOps;
  level.base.kernel.copy(src, dst);
  if (level.hps) level.hps.extendToP(src, dst.subarray(L * n), scratch);
  else level.behz!.extendToBsk(src, dst.subarray(L * n), scratch);
  for (let j = 0; j < ops.length; j++) ops[j].forwardNtt(limb(dst, j, n));
}

/**
 * Steps 3–4 on limbs [from, to): ea, eb extended NTT-form inputs (eb null means
 * a square: each cross product is computed once and doubled); d[k] receives
 * d_k in coefficient form on those limbs (the other limbs are not touched).
 */
export function mulTensor(level: LevelData, kernel: Kernel, n: number, ea: readonly Residues[], eb: readonly Residues[] | null, d: readonly Residues[], from: number, to: number): void {
  const ops = level.mulOps;
  const square = eb === null;
  const b = eb ?? ea;
  const tmp = square ? kernel.alloc(n) : null;
  const written = new Array<boolean>(d.length);
  for (let l = from; l < to; l++) {
    // The first term of each d_k is written (mul), later ones accumulated: no zeroing pass.
    written.fill(false);
    for (let i = 0; i < ea.length; i++) {
      for (let j = square ? i : 0; j < b.length; j++) {
        const x = limb(ea[i], l, n), y = limb(b[j], l, n), o = limb(d[i + j], l, n);
        if (tmp && j > i) {
          ops[l].mul(x, y, tmp);
          if (written[i + j]) {
            ops[l].add(tmp, tmp, tmp);
            ops[l].add(o, tmp, o);
          } else ops[l].add(tmp, tmp, o);
        } else if (written[i + j]) ops[l].mulAcc(x, y, o);
        else ops[l].mul(x, y, o);
        written[i + j] = true;
      }
    }
    for (const dk of d) ops[l].inverseNtt(limb(dk, l, n));
  }
}

/**
 * Steps 5–6 for one output polynomial: d (all limbs, coefficient form) → out (L·N words, canonical);
 * scratch ≥ level.mulScratchLimbs limbs; `aux` (|A| limbs, allocated if absent) receives the intermediate in A.
 */
export function mulFloor(level: LevelData, kernel: Kernel, n: number, d: Residues, out: Residues, scratch: Residues, aux?: Residues): void {
  const L = level.base.size, W = level.mulOps.length;
  aux ??= kernel.alloc((W - L) * n);
  if (level.hps) {
    level.hps.scaleToP(d, aux, scratch);
    level.hps.pToQ(aux, out, scratch);
  } else {
    level.behz!.fastFloor(d.subarray(0, L * n), d.subarray(L * n), aux, scratch);
    level.behz!.fastBconvSk(aux, out, scratch);
  }
}
