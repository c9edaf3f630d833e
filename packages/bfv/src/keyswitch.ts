/**
 * Hybrid key switching with special primes (Han & Ki, "Better Bootstrapping for
 * Approximate HE", CT-RSA 2020, §3; with one prime per digit it is SEAL's
 * Evaluator::switch_key_inplace); ModDown as in Gentry–Halevi–Smart ("Homomorphic
 * evaluation of the AES circuit", CRYPTO 2012, §3) with RNS rounding by ⌊P/2⌋.
 * A digit's value c mod D_d is extended to the other moduli by FastBconv; its
 * overflow α·D_d multiplies a gadget factor ≡ 0 (mod Q·P), so it cancels exactly.
 *
 * Input: c in coefficient form over level l's data base (L' limbs) and a KSwitchKey
 * for s'. Output (d0, d1) over the level base with d0 + d1·s ≈ c·s' (coefficient form).
 * Steps:
 *   1. decompose ("ModUp"): for each digit D_d at this level, t_d = c on D_d's limbs,
 *      FastBconv(c|D_d) on the other moduli of (level base ∪ special); NTT every limb;
 *   2. inner product: acc0 += t_d·b_d, acc1 += t_d·a_d (limbwise, NTT form over Q·P);
 *   3. inverse NTT of both accumulators;
 *   4. ModDown (below) of both accumulators.
 *
 * Hoisting (Halevi & Shoup, "Faster Homomorphic Linear Transformations in HElib",
 * CRYPTO 2018, §5): step 1 is the expensive part (L'·(L'+K) NTTs and the base
 * conversions) and commutes with automorphisms — σ_g(t_d) is the decomposition of
 * σ_g(c) up to the representative of each digit, which the gadget absorbs — so
 * many Galois elements applied to one ciphertext share one decomposition and pay
 * only steps 2–4 each, with σ_g applied to the digits in the NTT domain (a slot
 * permutation, galois.ts). `decompose` and `innerProduct` are exported for that.
 */
import type { BfvContext } from './context.js';
import type { KSwitchKey } from './keys.js';
import type { Residues } from './math/kernel.js';
import { RnsPoly } from './math/poly.js';
import { permuteInto } from './galois.js';
import { fail } from './math/errors.js';

/** The decomposition of one polynomial at one level: per digit, L' + K limbs in NTT form over (level base ∪ special). */
export interface KeySwitchDigits {
  readonly level: number;
  readonly digits: readonly Residues[];
}

const view = (a: Residues, j: number, n: number): Residues => a.subarray(j * n, (j + 1) * n);

/** Step 1 ("ModUp" + NTT): c in coefficient form over the level base → its digits over level ∪ special, NTT form. */
export function decompose(ctx: BfvContext, levelIndex: number, c: RnsPoly): KeySwitchDigits {
  const level = ctx.level(levelIndex);
  const n = ctx.n;
  const ops = level.extendedOps;
  const total = ops.length;
  const kernel = ctx.kernel;
  const scratch = kernel.alloc(level.base.size * n);
  const digits: Residues[] = [];
  for (const digit of level.digits) {
    const t = kernel.alloc(total * n);
    const own = digit.primes.length;
    const digitLimbs = kernel.alloc(own * n);
    digit.primes.forEach((i, k) => kernel.copy(c.limb(i), view(digitLimbs, k, n)));
    const converted = kernel.alloc(digit.others.length * n);
    digit.toOthers.convert(digitLimbs, converted, scratch);
    digit.primes.forEach((i, k) => kernel.copy(view(digitLimbs, k, n), view(t, i, n)));
    digit.others.forEach((j, k) => kernel.copy(view(converted, k, n), view(t, j, n)));
    for (let j = 0; j < total; j++) ops[j].forwardNtt(view(t, j, n));
    digits.push(t);
  }
  return { level: levelIndex, digits };
}

/**
 * Step 2: acc0 += Σ_d π(t_d)·b_d, acc1 += Σ_d π(t_d)·a_d over (level base ∪ special),
 * NTT form, where π is the NTT-domain permutation of a Galois element (hoisting) or
 * the identity when `permutation` is null. acc0, acc1: (L' + K)·N residues, canonical.
 */
export function innerProduct(
  ctx: BfvContext,
  decomposition: KeySwitchDigits,
  key: KSwitchKey,
  acc0: Residues,
  acc1: Residues,
  permutation: Int32Array | null = null,
): void {
  const level = ctx.level(decomposition.level);
  const n = ctx.n;
  const ops = level.extendedOps;
  const total = ops.length;
  const keyLimb = keyLimbs(ctx, decomposition.level, key);
  const tmp = permutation ? ctx.kernel.alloc(n) : null;
  level.digits.forEach((digit, d) => {
    const { b, a } = key.digits[digit.index];
    const t = decomposition.digits[d];
    for (let j = 0; j < total; j++) {
      let tj = view(t, j, n);
      if (tmp && permutation) {
        permuteInto(tj, permutation, tmp);
        tj = tmp;
      }
      const op = ops[j], kl = keyLimb[j];
      op.mulAcc(tj, b.limb(kl), view(acc0, j, n));
      op.mulAcc(tj, a.limb(kl), view(acc1, j, n));
    }
  });
}

/**
 * Limb of the key's base for modulus j of (level base ∪ special): a level-0 key holds
 * every data prime (LevelData.keyLimb); a key made for level l ≤ levelIndex holds the
 * first L − l data primes and then the special primes.
 */
function keyLimbs(ctx: BfvContext, levelIndex: number, key: KSwitchKey): readonly number[] {
  const level = ctx.level(levelIndex);
  if (key.level === 0) return level.keyLimb;
  if (key.level > levelIndex)
    fail('MISSING_KEY', 'keySwitch', `a key for level ${levelIndex} or higher up the chain`, `a key made for level ${key.level} (it lacks this level's primes)`);
  const Lp = level.base.size, Lk = ctx.level(key.level).base.size;
  return level.extendedOps.map((_, j) => (j < Lp ? j : Lk + (j - Lp)));
}

/** Steps 3–4: inverse NTT of an accumulator over (level base ∪ special) in place, then ModDown into `out`. */
export function modDownNtt(ctx: BfvContext, levelIndex: number, acc: Residues, out: RnsPoly): void {
  const ops = ctx.level(levelIndex).extendedOps;
  for (let j = 0; j < ops.length; j++) ops[j].inverseNtt(view(acc, j, ctx.n));
  modDown(ctx, levelIndex, acc, out);
}

export function switchKey(ctx: BfvContext, levelIndex: number, c: RnsPoly, key: KSwitchKey): [RnsPoly, RnsPoly] {
  const level = ctx.level(levelIndex);
  const total = level.extendedOps.length;
  const acc0 = ctx.kernel.alloc(total * ctx.n), acc1 = ctx.kernel.alloc(total * ctx.n);
  // Steps 1–2.
  innerProduct(ctx, decompose(ctx, levelIndex, c), key, acc0, acc1);
  // Steps 3–4.
  const out: [RnsPoly, RnsPoly] = [RnsPoly.zero(level.base, 'coeff'), RnsPoly.zero(level.base, 'coeff')];
  modDownNtt(ctx, levelIndex, acc0, out[0]);
  modDownNtt(ctx, levelIndex, acc1, out[1]);
  return out;
}

/**
 * ModDown: x over (level base ∪ special base), coefficient form, L' + K limbs →
 * round(x / P) over the level base, written to `out`:
 *   x_P ← x_P + ⌊P/2⌋;  out_j = (x_j − FastBconv(x_P)_j + [⌊P/2⌋]_{q_j})·P^{-1} mod q_j.
 * FastBconv's α·P overflow becomes an additive error of at most K after the division.
 */
export function modDown(ctx: BfvContext, levelIndex: number, x: Residues, out: RnsPoly): void {
  const level = ctx.level(levelIndex);
  const n = ctx.n;
  const Lp = level.base.size;
  const special = ctx.specialBase;
  const K = special.size;
  const kernel = ctx.kernel;
  const xP = kernel.alloc(K * n), conv = kernel.alloc(Lp * n), scratch = kernel.alloc(K * n);
  for (let s = 0; s < K; s++) special.ops[s].addScalar(view(x, Lp + s, n), special.modulus >> 1n, view(xP, s, n));
  level.specialToLevel.convert(xP, conv, scratch);
  for (let j = 0; j < Lp; j++) level.base.ops[j].subMulScalar(view(x, j, n), view(conv, j, n), level.pHalfModQ[j], level.pInvModQ[j], out.limb(j));
}
