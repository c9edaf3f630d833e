/**
 * Key switching with special primes (hybrid, one digit per data prime), as in
 * SEAL's Evaluator::switch_key_inplace; ModDown as in Gentry–Halevi–Smart
 * ("Homomorphic evaluation of the AES circuit", CRYPTO 2012, §3) with RNS
 * rounding by ⌊P/2⌋.
 *
 * Input: c in coefficient form over level l's data base (L' limbs) and a KSwitchKey
 * for s'. Output (d0, d1) over the level base with d0 + d1·s ≈ c·s' (coefficient form).
 * Steps:
 *   1. for each digit i < L': for each modulus m_j of (level base ∪ special):
 *      t = [c_i]_{m_j}, NTT; acc0_j += t·b_i,j; acc1_j += t·a_i,j;
 *   2. inverse NTT of both accumulators;
 *   3. ModDown: x_P ← x_P + ⌊P/2⌋; d_j = (acc_j − FastBconv(x_P)_j + [⌊P/2⌋]_{q_j})·P^{-1} mod q_j.
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
  const tmp = kernel.alloc(n);
  const view = (a: Residues, j: number): Residues => a.subarray(j * n, (j + 1) * n);
  // Step 1.
  for (let i = 0; i < Lp; i++) {
    const ci = c.limb(i);
    const { b, a } = key.digits[i];
    for (let j = 0; j < total; j++) {
      const op = ops[j];
      if (j === i) (tmp as Int32Array).set(ci as Int32Array);
      else op.mulScalarForeign(ci, 1n, tmp);
      op.forwardNtt(tmp);
      const kl = level.keyLimb[j];
      op.mulAcc(tmp, b.limb(kl), view(acc0, j));
      op.mulAcc(tmp, a.limb(kl), view(acc1, j));
    }
  }
  const out: [RnsPoly, RnsPoly] = [RnsPoly.zero(level.base, 'coeff'), RnsPoly.zero(level.base, 'coeff')];
  const special = ctx.specialBase;
  const xP = kernel.alloc(K * n), conv = kernel.alloc(Lp * n), scratch = kernel.alloc(K * n);
  [acc0, acc1].forEach((acc, k) => {
    // Step 2.
    for (let j = 0; j < total; j++) ops[j].inverseNtt(view(acc, j));
    // Step 3.
    for (let s = 0; s < K; s++) special.ops[s].addScalar(view(acc, Lp + s), special.modulus >> 1n, view(xP, s));
    level.specialToLevel.convert(xP, conv, scratch);
    const d = out[k];
    for (let j = 0; j < Lp; j++) {
      const op = ops[j], dj = d.limb(j);
      op.sub(view(acc, j), view(conv, j), dj);
      op.addScalar(dj, level.pHalfModQ[j], dj);
      op.mulScalar(dj, level.pInvModQ[j], dj);
    }
  });
  return out;
}
