/**
 * Hoisted key switching (Halevi & Shoup, "Faster Homomorphic Linear
 * Transformations in HElib", CRYPTO 2018, §5): many automorphisms of one
 * ciphertext share the decomposition of its c1 (keyswitch.ts step 1), and a
 * linear transform keeps its rotated terms in Q·P until one ModDown per giant
 * step (Bossuat et al., EUROCRYPT 2021, §3.3, "double hoisting").
 *
 * applyGaloisHoisted(a, [g_1 … g_m]), for each g:
 *   1. once: the digits t_d of c1 over Q·P in NTT form;
 *   2. (d0, d1) = Σ_d π_g(t_d)·(b_d, a_d) with π_g the NTT-domain permutation;
 *   3. inverse NTT and ModDown of (d0, d1);
 *   4. out = (σ_g(c0) + d0, d1).
 * Results decrypt to the same slots as applyGalois one by one; the ciphertexts
 * differ in their noise only (the FastBconv representative of each digit).
 *
 * evaluateLinearTransform(inputs, lt) (linear-transform.ts for the formula).
 * Terms with a constant factor and no baby rotation ("coefficient terms") need
 * neither NTT nor Q·P: they are integer-scalar sums over Q in coefficient form,
 * the cheap path of a weight-shared first convolution. The others:
 *   1. per input: c0, c1 to NTT over the level base; the digits of c1 if a baby
 *      step needs them;
 *   2. per distinct (input j, baby b): R_{j,b} = (P·π_b(c0) + d0, d1) over Q·P,
 *      NTT form, with (d0, d1) from step 2 above (no ModDown); b = 1: P·(c0, c1);
 *   3. per giant g: A_g = Σ D ⊙ R_{j,b} over Q·P and C_g = Σ c·in_j over Q;
 *      g = 1: F += A_g, C += C_g; otherwise u = ModDown(A_g) + C_g, then
 *      F += (P·σ_g(u0), 0) + Σ_d t_d(σ_g(u1))·(b_d, a_d);
 *   4. out = ModDown(F) + C.
 * Rounding: each ModDown adds at most ½ + K to the result (the P·x parts are
 * exact multiples of P, so they divide exactly).
 */
import { Ciphertext } from './ciphertext.js';
import type { BfvContext } from './context.js';
import type { GaloisKeys } from './keys.js';
import { decompose, innerProduct, keySwitchAccumulators, keySwitchPolys, modDownNtt, type KeySwitchDigits } from './keyswitch.js';
import { fail } from './math/errors.js';
import type { Residues } from './math/kernel.js';
import { RnsPoly } from './math/poly.js';
import { mod } from './math/zq.js';
import { nttGaloisPermutation, permuteInto } from './galois.js';
import type { LinearTransform, PreparedTerm } from './linear-transform.js';

const view = (a: Residues, j: number, n: number): Residues => a.subarray(j * n, (j + 1) * n);

const pModQCache = new WeakMap<BfvContext, bigint[]>();
/** [P]_{q_i} for every data prime. */
function pModQ(ctx: BfvContext): bigint[] {
  let v = pModQCache.get(ctx);
  if (!v) pModQCache.set(ctx, (v = ctx.params.coeffModulus.map((q) => mod(ctx.specialBase.modulus, q))));
  return v;
}

/** Galois automorphisms of `a` (size 2) for every element, sharing one decomposition; writes outs[i]. */
export function applyGaloisHoisted(ctx: BfvContext, a: Ciphertext, elements: readonly number[], keys: GaloisKeys, outs: readonly Ciphertext[]): void {
  const level = ctx.level(a.level);
  const n = ctx.n, base = level.base;
  // Per-level scratch (keyswitch.ts): c0 survives every element (outs may alias a), d0 and the accumulators are per element.
  const [c0, , d0] = keySwitchPolys(ctx, a.level);
  const [acc0, acc1] = keySwitchAccumulators(ctx, a.level);
  ctx.kernel.copy(a.polys[0].data, c0.data);
  // Step 1.
  const digits = decompose(ctx, a.level, a.polys[1]);
  elements.forEach((g, i) => {
    const key = keys.get(g);
    ctx.kernel.zero(acc0);
    ctx.kernel.zero(acc1);
    // Step 2.
    innerProduct(ctx, digits, key, acc0, acc1, nttGaloisPermutation(n, g));
    // Steps 3–4.
    const out = outs[i].reshape(a.level, 2);
    modDownNtt(ctx, a.level, acc0, d0);
    modDownNtt(ctx, a.level, acc1, out.polys[1]);
    for (let j = 0; j < base.size; j++) {
      base.ops[j].automorphism(c0.limb(j), g, out.polys[0].limb(j));
      base.ops[j].add(out.polys[0].limb(j), d0.limb(j), out.polys[0].limb(j));
    }
  });
}

/** Step 3 of evaluateLinearTransform for a giant element: F += lazy σ_g(u) over Q·P. */
function addLazyGalois(ctx: BfvContext, levelIndex: number, u0: RnsPoly, u1: RnsPoly, g: number, keys: GaloisKeys, f0: Residues, f1: Residues): void {
  const level = ctx.level(levelIndex);
  const n = ctx.n, base = level.base;
  const s1 = RnsPoly.zero(base, 'coeff');
  for (let j = 0; j < base.size; j++) base.ops[j].automorphism(u1.limb(j), g, s1.limb(j));
  innerProduct(ctx, decompose(ctx, levelIndex, s1), keys.get(g), f0, f1);
  const s0 = ctx.kernel.alloc(n);
  const pq = pModQ(ctx);
  for (let j = 0; j < base.size; j++) {
    base.ops[j].automorphism(u0.limb(j), g, s0);
    base.ops[j].forwardNtt(s0);
    base.ops[j].mulScalarAcc(s0, pq[j], view(f0, j, n));
  }
}

export function evaluateLinearTransform(ctx: BfvContext, inputs: readonly Ciphertext[], lt: LinearTransform, keys: GaloisKeys | null, out: Ciphertext): Ciphertext {
  const fn = 'linearTransform';
  const levelIndex = lt.level;
  const level = ctx.level(levelIndex);
  const n = ctx.n, base = level.base, ext = level.extendedOps, total = ext.length, L = base.size;
  const pq = pModQ(ctx);
  const needKeys = lt.galoisElements;
  if (needKeys.length > 0 && !keys) fail('MISSING_KEY', fn, `Galois keys for elements ${needKeys.join(', ')}`, null);
  for (const g of needKeys) keys!.get(g);
  const isCoefficientTerm = (t: PreparedTerm): boolean => t.vector === null && t.baby === 1;
  // Step 1 (lazily per input). Inputs are read before `out` is written (step 4), so out may alias one.
  const ntt = new Map<number, { c0: Residues; c1: Residues; digits: KeySwitchDigits | null }>();
  const input = (j: number, needDigits: boolean) => {
    let e = ntt.get(j);
    if (!e) {
      const ct = inputs[j];
      const c0 = ct.polys[0].data.slice() as Residues, c1 = ct.polys[1].data.slice() as Residues;
      for (let i = 0; i < L; i++) { base.ops[i].forwardNtt(view(c0, i, n)); base.ops[i].forwardNtt(view(c1, i, n)); }
      ntt.set(j, (e = { c0, c1, digits: null }));
    }
    if (needDigits && !e.digits) e.digits = decompose(ctx, levelIndex, inputs[j].polys[1]);
    return e;
  };
  // Step 2 (memoised per (input, baby)).
  const babies = new Map<string, [Residues, Residues]>();
  const baby = (j: number, b: number): [Residues, Residues] => {
    const key = `${j}:${b}`;
    let r = babies.get(key);
    if (r) return r;
    const e = input(j, b !== 1);
    const r0 = ctx.kernel.alloc(total * n), r1 = ctx.kernel.alloc(total * n);
    if (b === 1) {
      for (let i = 0; i < L; i++) {
        base.ops[i].mulScalar(view(e.c0, i, n), pq[i], view(r0, i, n));
        base.ops[i].mulScalar(view(e.c1, i, n), pq[i], view(r1, i, n));
      }
    } else {
      const perm = nttGaloisPermutation(n, b);
      innerProduct(ctx, e.digits!, keys!.get(b), r0, r1, perm);
      const tmp = ctx.kernel.alloc(n);
      for (let i = 0; i < L; i++) {
        permuteInto(view(e.c0, i, n), perm, tmp);
        base.ops[i].mulScalarAcc(tmp, pq[i], view(r0, i, n));
      }
    }
    babies.set(key, (r = [r0, r1]));
    return r;
  };
  /**
   * Σ c·in_j over Q (coefficient form) for the coefficient terms, or null if there are none:
   * one dotScalars sweep per polynomial and limb (the kernel's lazy inner product, one
   * reduction per coefficient) instead of one multiply-accumulate pass per term.
   */
  const coefficientSum = (terms: readonly PreparedTerm[]): [RnsPoly, RnsPoly] | null => {
    const own = terms.filter((t) => isCoefficientTerm(t) && t.scalar !== 0n);
    if (own.length === 0) return null;
    const acc: [RnsPoly, RnsPoly] = [RnsPoly.zero(base, 'coeff'), RnsPoly.zero(base, 'coeff')];
    const scalars = own.map((t) => t.scalar);
    for (let k = 0; k < 2; k++)
      for (let i = 0; i < L; i++) base.ops[i].dotScalars(own.map((t) => inputs[t.input].polys[k].limb(i)), scalars, acc[k].limb(i));
    return acc;
  };
  const f0 = ctx.kernel.alloc(total * n), f1 = ctx.kernel.alloc(total * n);
  let lazy = false;
  let plain: [RnsPoly, RnsPoly] | null = null;
  // Step 3.
  for (const [g, terms] of lt.groups) {
    const nttTerms = terms.filter((t) => !isCoefficientTerm(t));
    let a0: Residues | null = null, a1: Residues | null = null;
    if (nttTerms.length > 0) {
      a0 = g === 1 ? f0 : ctx.kernel.alloc(total * n);
      a1 = g === 1 ? f1 : ctx.kernel.alloc(total * n);
      if (g === 1) lazy = true;
      for (const term of nttTerms) {
        const [r0, r1] = baby(term.input, term.baby);
        for (let i = 0; i < total; i++) {
          const op = ext[i];
          if (term.vector) {
            const d = view(term.vector, i, n);
            op.mulAcc(view(r0, i, n), d, view(a0, i, n));
            op.mulAcc(view(r1, i, n), d, view(a1, i, n));
          } else if (term.scalar !== 0n) {
            op.mulScalarAcc(view(r0, i, n), term.scalar, view(a0, i, n));
            op.mulScalarAcc(view(r1, i, n), term.scalar, view(a1, i, n));
          }
        }
      }
    }
    const c = coefficientSum(terms);
    if (g === 1) {
      if (c) plain = c;
      continue;
    }
    const u0 = RnsPoly.zero(base, 'coeff'), u1 = RnsPoly.zero(base, 'coeff');
    if (a0 && a1) {
      modDownNtt(ctx, levelIndex, a0, u0);
      modDownNtt(ctx, levelIndex, a1, u1);
    }
    if (c) for (let i = 0; i < L; i++) {
      base.ops[i].add(u0.limb(i), c[0].limb(i), u0.limb(i));
      base.ops[i].add(u1.limb(i), c[1].limb(i), u1.limb(i));
    }
    addLazyGalois(ctx, levelIndex, u0, u1, g, keys!, f0, f1);
    lazy = true;
  }
  // Step 4.
  out.reshape(levelIndex, 2);
  if (lazy) {
    modDownNtt(ctx, levelIndex, f0, out.polys[0]);
    modDownNtt(ctx, levelIndex, f1, out.polys[1]);
  } else {
    ctx.kernel.zero(out.polys[0].data);
    ctx.kernel.zero(out.polys[1].data);
  }
  if (plain) for (let k = 0; k < 2; k++) for (let i = 0; i < L; i++) base.ops[i].add(out.polys[k].limb(i), plain[k].limb(i), out.polys[k].limb(i));
  return out;
}
