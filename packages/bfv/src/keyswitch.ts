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
 *   1. for each digit D_d at this level: t = c on D_d's limbs, FastBconv(c|D_d) on
 *      the other moduli of (level base ∪ special); NTT every limb;
 *      acc0 += t·b_d, acc1 += t·a_d (limbwise);
 *   2. inverse NTT of both accumulators;
 *   3. ModDown (below) of both accumulators.
 */
import type { BfvContext } from './context.js';
import type { KSwitchKey } from './keys.js';
import type { Residues } from './math/kernel.js';
import { RnsPoly } from './math/poly.js';

export function switchKey(ctx: BfvContext, levelIndex: number, c: RnsPoly, key: KSwitchKey): [RnsPoly, RnsPoly] {
  const level = ctx.level(levelIndex);
  const n = ctx.n;
  const Lp = level.base.size;
  const ops = level.extendedOps;
  const total = ops.length;
  const K = total - Lp;
  const kernel = ctx.kernel;
  const acc0 = kernel.alloc(total * n), acc1 = kernel.alloc(total * n);
  const t = kernel.alloc(total * n);
  const scratch = kernel.alloc(level.base.size * n);
  const view = (a: Residues, j: number): Residues => a.subarray(j * n, (j + 1) * n);
  // Step 1.
  for (const digit of level.digits) {
    const { b, a } = key.digits[digit.index];
    const own = digit.primes.length;
    const digitLimbs = kernel.alloc(own * n);
    digit.primes.forEach((i, k) => kernel.copy(c.limb(i), view(digitLimbs, k)));
    const converted = kernel.alloc(digit.others.length * n);
    digit.toOthers.convert(digitLimbs, converted, scratch);
    digit.primes.forEach((i, k) => kernel.copy(view(digitLimbs, k), view(t, i)));
    digit.others.forEach((j, k) => kernel.copy(view(converted, k), view(t, j)));
    for (let j = 0; j < total; j++) {
      const op = ops[j], tj = view(t, j);
      op.forwardNtt(tj);
      const kl = level.keyLimb[j];
      op.mulAcc(tj, b.limb(kl), view(acc0, j));
      op.mulAcc(tj, a.limb(kl), view(acc1, j));
    }
  }
  const out: [RnsPoly, RnsPoly] = [RnsPoly.zero(level.base, 'coeff'), RnsPoly.zero(level.base, 'coeff')];
  // Steps 2–3.
  for (let j = 0; j < total; j++) {
    ops[j].inverseNtt(view(acc0, j));
    ops[j].inverseNtt(view(acc1, j));
  }
  modDown(ctx, levelIndex, acc0, out[0]);
  modDown(ctx, levelIndex, acc1, out[1]);
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
  const view = (a: Residues, j: number): Residues => a.subarray(j * n, (j + 1) * n);
  for (let s = 0; s < K; s++) special.ops[s].addScalar(view(x, Lp + s), special.modulus >> 1n, view(xP, s));
  level.specialToLevel.convert(xP, conv, scratch);
  for (let j = 0; j < Lp; j++) level.base.ops[j].subMulScalar(view(x, j), view(conv, j), level.pHalfModQ[j], level.pInvModQ[j], out.limb(j));
}
