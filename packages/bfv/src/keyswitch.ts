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

const limbCache = new WeakMap<Residues, Residues[]>();
/**
 * The limb views of a flat residue array (limb j at [j·n, (j+1)·n)), made once per
 * array: key switching touches every limb of every digit and key polynomial for each
 * Galois element, and a fresh typed-array view per access measured ≈ 18% of a hoisted
 * rotation's time.
 */
export function limbsOf(a: Residues, n: number): readonly Residues[] {
  let v = limbCache.get(a);
  if (!v || v[0]?.length !== n) limbCache.set(a, (v = Array.from({ length: a.length / n }, (_, j) => view(a, j, n))));
  return v;
}

/**
 * Step 1 ("ModUp" + NTT): c in coefficient form over the level base → its digits over
 * level ∪ special, NTT form. `into` (one (L' + K)·N buffer per digit, e.g. switchKey's
 * reused ones) receives the digits; without it they are allocated (hoisting keeps them).
 * A one-prime digit (α = 1, SEAL's case) needs no FastBconv: its value is c_i itself
 * (q̂ = 1), so each other limb is c_i mod q_j — a copy when q_i < q_j, one Shoup
 * reduction (mulScalarForeign by 1) otherwise.
 */
export function decompose(ctx: BfvContext, levelIndex: number, c: RnsPoly, into?: readonly Residues[]): KeySwitchDigits {
  const level = ctx.level(levelIndex);
  const n = ctx.n;
  const ops = level.extendedOps;
  const total = ops.length;
  const kernel = ctx.kernel;
  const { scratch, perDigit } = decomposeScratch(ctx, levelIndex);
  const cLimbs = limbsOf(c.data, n);
  const digits: Residues[] = [];
  for (const digit of level.digits) {
    const t = into ? into[digit.index] : kernel.alloc(total * n);
    const tLimbs = limbsOf(t, n);
    if (digit.primes.length === 1) {
      const i = digit.primes[0], qi = ops[i].q, ci = cLimbs[i];
      kernel.copy(ci, tLimbs[i]);
      for (const j of digit.others) {
        if (qi < ops[j].q) kernel.copy(ci, tLimbs[j]);
        else ops[j].mulScalarForeign(ci, 1n, tLimbs[j]);
      }
    } else {
      const { dl, cv } = perDigit[digit.index];
      const dlLimbs = limbsOf(dl, n), cvLimbs = limbsOf(cv, n);
      digit.primes.forEach((i, k) => kernel.copy(cLimbs[i], dlLimbs[k]));
      digit.toOthers.convert(dl, cv, scratch);
      digit.primes.forEach((i, k) => kernel.copy(dlLimbs[k], tLimbs[i]));
      digit.others.forEach((j, k) => kernel.copy(cvLimbs[k], tLimbs[j]));
    }
    for (let j = 0; j < total; j++) ops[j].forwardNtt(tLimbs[j]);
    digits.push(t);
  }
  return { level: levelIndex, digits };
}

interface KeySwitchScratch {
  readonly scratch: Residues;
  /** Per digit: its own limbs and their FastBconv to the other moduli. */
  readonly perDigit: readonly { readonly dl: Residues; readonly cv: Residues }[];
  readonly tmp: Residues;
  readonly xP: Residues;
  readonly conv: Residues;
  readonly pScratch: Residues;
  /** switchKey's digits and accumulators, reused (an isolate runs one key switch at a time). */
  readonly digits: readonly Residues[];
  readonly acc0: Residues;
  readonly acc1: Residues;
}
const scratchCache = new WeakMap<BfvContext, Map<number, KeySwitchScratch>>();
/** Per-level scratch buffers of key switching (an isolate runs one key switch at a time). */
function decomposeScratch(ctx: BfvContext, levelIndex: number): KeySwitchScratch {
  let byLevel = scratchCache.get(ctx);
  if (!byLevel) scratchCache.set(ctx, (byLevel = new Map()));
  let s = byLevel.get(levelIndex);
  if (!s) {
    const level = ctx.level(levelIndex), n = ctx.n, L = level.base.size, K = ctx.specialBase.size, k = ctx.kernel;
    const perDigit = level.digits.map((d) => ({ dl: k.alloc(d.primes.length * n), cv: k.alloc(d.others.length * n) }));
    const W = level.extendedOps.length * n;
    byLevel.set(levelIndex, (s = {
      scratch: k.alloc(L * n), perDigit, tmp: k.alloc(n), xP: k.alloc(K * n), conv: k.alloc(L * n), pScratch: k.alloc(K * n),
      digits: level.digits.map(() => k.alloc(W)), acc0: k.alloc(W), acc1: k.alloc(W),
    }));
  }
  return s;
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
  const acc0Limbs = limbsOf(acc0, n), acc1Limbs = limbsOf(acc1, n);
  if (!permutation) {
    // One lazy inner product per limb and accumulator (kernel mulSumAcc): a single reduction per coefficient.
    const D = level.digits.length;
    const ts: Residues[] = new Array(D), bs: Residues[] = new Array(D), as: Residues[] = new Array(D);
    for (let j = 0; j < total; j++) {
      const kl = keyLimb[j];
      level.digits.forEach((digit, d) => {
        const { b, a } = key.digits[digit.index];
        ts[d] = limbsOf(decomposition.digits[d], n)[j];
        bs[d] = limbsOf(b.data, n)[kl];
        as[d] = limbsOf(a.data, n)[kl];
      });
      ops[j].mulSumAcc(ts, bs, acc0Limbs[j]);
      ops[j].mulSumAcc(ts, as, acc1Limbs[j]);
    }
    return;
  }
  const tmp = decomposeScratch(ctx, decomposition.level).tmp;
  level.digits.forEach((digit, d) => {
    const { b, a } = key.digits[digit.index];
    const bLimbs = limbsOf(b.data, n), aLimbs = limbsOf(a.data, n);
    const tLimbs = limbsOf(decomposition.digits[d], n);
    for (let j = 0; j < total; j++) {
      permuteInto(tLimbs[j], permutation, tmp);
      const op = ops[j], kl = keyLimb[j];
      op.mulAcc(tmp, bLimbs[kl], acc0Limbs[j]);
      op.mulAcc(tmp, aLimbs[kl], acc1Limbs[j]);
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
  const limbs = limbsOf(acc, ctx.n);
  for (let j = 0; j < ops.length; j++) ops[j].inverseNtt(limbs[j]);
  modDown(ctx, levelIndex, acc, out);
}

export function switchKey(ctx: BfvContext, levelIndex: number, c: RnsPoly, key: KSwitchKey): [RnsPoly, RnsPoly] {
  const base = ctx.level(levelIndex).base;
  const out: [RnsPoly, RnsPoly] = [RnsPoly.zero(base, 'coeff'), RnsPoly.zero(base, 'coeff')];
  switchKeyInto(ctx, levelIndex, c, key, out[0], out[1]);
  return out;
}

/**
 * switchKey into (d0, d1), coefficient form over the level base, with no allocation
 * (the digits and accumulators are per-level scratch). d0, d1 may alias c.
 */
export function switchKeyInto(ctx: BfvContext, levelIndex: number, c: RnsPoly, key: KSwitchKey, d0: RnsPoly, d1: RnsPoly): void {
  const s = decomposeScratch(ctx, levelIndex);
  const { acc0, acc1 } = s;
  ctx.kernel.zero(acc0);
  ctx.kernel.zero(acc1);
  // Steps 1–2.
  innerProduct(ctx, decompose(ctx, levelIndex, c, s.digits), key, acc0, acc1);
  // Steps 3–4.
  modDownNtt(ctx, levelIndex, acc0, d0);
  modDownNtt(ctx, levelIndex, acc1, d1);
}

/**
 * The two (L' + K)·N accumulators of switchKeyInto, for callers that run steps 2–4
 * themselves (hoisting): per-level scratch, not zeroed; the next key switch at this
 * level overwrites them.
 */
export function keySwitchAccumulators(ctx: BfvContext, levelIndex: number): readonly [Residues, Residues] {
  const { acc0, acc1 } = decomposeScratch(ctx, levelIndex);
  return [acc0, acc1];
}

const polyScratch = new WeakMap<BfvContext, Map<number, readonly RnsPoly[]>>();
/**
 * Three coefficient-form polynomials over the level base for the callers of
 * switchKeyInto (relinearize, Galois automorphisms): the permuted input and the
 * pair (d0, d1), reused call after call (an isolate runs one key switch at a time).
 */
export function keySwitchPolys(ctx: BfvContext, levelIndex: number): readonly RnsPoly[] {
  let byLevel = polyScratch.get(ctx);
  if (!byLevel) polyScratch.set(ctx, (byLevel = new Map()));
  let v = byLevel.get(levelIndex);
  if (!v) {
    const base = ctx.level(levelIndex).base;
    byLevel.set(levelIndex, (v = [0, 1, 2].map(() => RnsPoly.zero(base, 'coeff'))));
  }
  return v;
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
  const { xP, conv, pScratch } = decomposeScratch(ctx, levelIndex);
  const xLimbs = limbsOf(x, n), xPLimbs = limbsOf(xP, n), convLimbs = limbsOf(conv, n), outLimbs = limbsOf(out.data, n);
  for (let s = 0; s < K; s++) special.ops[s].addScalar(xLimbs[Lp + s], special.modulus >> 1n, xPLimbs[s]);
  level.specialToLevel.convert(xP, conv, pScratch);
  for (let j = 0; j < Lp; j++) level.base.ops[j].subMulScalar(xLimbs[j], convLimbs[j], level.pHalfModQ[j], level.pInvModQ[j], outLimbs[j]);
}
