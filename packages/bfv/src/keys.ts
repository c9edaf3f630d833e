/**
 * Keys (SEAL's KeyGenerator, keygenerator.cpp, and the hybrid key switching of
 * Bajard et al. / Gentry–Halevi–Smart with one RNS digit per data prime).
 *
 * - SecretKey s: ternary, uniform in {−1, 0, 1}; kept in NTT form over the key base
 *   (data + special primes) and as its small coefficients.
 * - PublicKey (p0, p1) = (−a·s + e, a) over the key base, NTT form.
 * - KSwitchKey for a target key s': one pair per digit D_d (a group of
 *   `keySwitchDigitSize` consecutive data primes; Han–Ki, CT-RSA 2020, hybrid),
 *     (b_d, a_d) = (−a_d·s + e_d + P·(Q/D_d)·[(Q/D_d)^{-1}]_{D_d}·s', a_d),
 *   whose gadget factor is ≡ P (mod q_i) for q_i in D_d and ≡ 0 modulo every
 *   other prime, so only the limbs of D_d in b_d receive P·s'.
 * - RelinKeys: s' = s². GaloisKeys: s' = s(X^g) for each Galois element g.
 * Randomness: a from the CSPRNG (uniform), s ternary, e centred binomial (σ ≈ 3.2).
 */
import type { BfvContext } from './context.js';
import { fail } from './math/errors.js';
import { RnsPoly, mulInto, toNtt } from './math/poly.js';
import { sampleCenteredBinomial, sampleTernary, sampleUniformRns, smallToResidues, systemRandom, type RandomSource } from './math/sampling.js';
import { RnsBase } from './math/rns.js';

export class SecretKey {
  constructor(
    readonly context: BfvContext,
    /** Coefficients in {−1, 0, 1}. */
    readonly small: Int8Array,
    /** s over the key base, NTT form. */
    readonly ntt: RnsPoly,
  ) {}
}

export class PublicKey {
  constructor(
    readonly context: BfvContext,
    readonly p0: RnsPoly,
    readonly p1: RnsPoly,
  ) {}
}

export class KSwitchKey {
  constructor(
    readonly context: BfvContext,
    /** One (b, a) pair per key-switching digit of its level; NTT form over `keyBaseAt(context, level)`. */
    readonly digits: readonly { readonly b: RnsPoly; readonly a: RnsPoly }[],
    /**
     * The highest level it serves (0: every level). A key made for level l lives over
     * that level's primes and the special primes only — the restriction of a level-0
     * key, (L − l)/L of its digits and limbs — and switches ciphertexts at levels ≥ l.
     */
    readonly level: number = 0,
  ) {}

  /** The base of its polynomials. */
  get base(): RnsBase {
    return keyBaseAt(this.context, this.level);
  }
}

const leveledBases = new WeakMap<BfvContext, Map<number, RnsBase>>();

/** The key base of keys made for `level`: the level's data primes then the special primes (level 0: `context.keyBase`). */
export function keyBaseAt(context: BfvContext, level: number): RnsBase {
  if (level === 0) return context.keyBase;
  let byLevel = leveledBases.get(context);
  if (!byLevel) leveledBases.set(context, (byLevel = new Map()));
  let base = byLevel.get(level);
  if (!base) byLevel.set(level, (base = new RnsBase(context.kernel, context.n, [...context.level(level).base.primes, ...context.specialBase.primes])));
  return base;
}

/** A key-base polynomial restricted to `base` = keyBaseAt(context, level) (the level's limbs, then the special limbs). */
function restrictTo(context: BfvContext, level: number, poly: RnsPoly, base: RnsBase): RnsPoly {
  if (level === 0) return poly;
  const n = context.n, Lp = context.level(level).base.size, L = context.params.coeffModulus.length;
  const out = RnsPoly.zero(base, poly.representation);
  (out.data as Int32Array).set(poly.data.subarray(0, Lp * n) as Int32Array);
  (out.data as Int32Array).set(poly.data.subarray(L * n) as Int32Array, Lp * n);
  return out;
}

export class RelinKeys {
  constructor(
    readonly context: BfvContext,
    readonly key: KSwitchKey,
  ) {}
}

export class GaloisKeys {
  constructor(
    readonly context: BfvContext,
    readonly keys: ReadonlyMap<number, KSwitchKey>,
  ) {}

  has(galoisElt: number): boolean {
    return this.keys.has(galoisElt);
  }

  get(galoisElt: number): KSwitchKey {
    const k = this.keys.get(galoisElt);
    if (!k) fail('MISSING_KEY', 'GaloisKeys.get', `a key for Galois element ${galoisElt} (have ${[...this.keys.keys()].join(', ')})`, galoisElt);
    return k;
  }
}

/** Small signed coefficients → polynomial over `base` in NTT form. */
export function smallToNtt(base: RnsBase, small: ArrayLike<number>): RnsPoly {
  const p = RnsPoly.zero(base, 'coeff');
  smallToResidues(small, base.ops, p.data);
  return toNtt(p);
}

/** Uniform polynomial over `base` (interpreted as NTT form: the NTT of a uniform element is uniform). */
export function uniformNtt(base: RnsBase, rng: RandomSource): RnsPoly {
  const p = RnsPoly.zero(base, 'ntt');
  sampleUniformRns(rng, base.ops, p.data);
  return p;
}

/**
 * Galois element for a row rotation by `steps` (SEAL GaloisTool::get_elt_from_step):
 * 3^steps mod 2N for a left rotation, 3^(N/2 − |steps|) for a right one; 0 means
 * the column swap 2N − 1.
 */
export function galoisElementForStep(n: number, steps: number): number {
  const m = 2 * n;
  if (!Number.isInteger(steps) || Math.abs(steps) >= n / 2)
    fail('INVALID_ARGUMENT', 'galoisElementForStep', `an integer step with |step| < ${n / 2}`, steps);
  if (steps === 0) return m - 1;
  const e = steps > 0 ? steps : n / 2 + steps;
  let g = 1;
  for (let i = 0; i < e; i++) g = (g * 3) % m;
  return g;
}

export class KeyGenerator {
  readonly secretKey: SecretKey;
  private readonly rng: RandomSource;

  /** A fresh secret key from the CSPRNG, or wrap an existing one. */
  constructor(
    readonly context: BfvContext,
    options: { secretKey?: SecretKey; rng?: RandomSource } = {},
  ) {
    this.rng = options.rng ?? systemRandom();
    if (options.secretKey) {
      context.assertSame('KeyGenerator', options.secretKey);
      this.secretKey = options.secretKey;
    } else {
      const small = sampleTernary(this.rng, context.n);
      this.secretKey = new SecretKey(context, small, smallToNtt(context.keyBase, small));
    }
  }

  /** (−a·s + e, a) over the key base of `level` (default 0: the full key base), NTT form. */
  private encryptZero(level = 0): { b: RnsPoly; a: RnsPoly } {
    const base = keyBaseAt(this.context, level);
    const a = uniformNtt(base, this.rng);
    const e = smallToNtt(base, sampleCenteredBinomial(this.rng, this.context.n));
    const b = RnsPoly.zero(base, 'ntt');
    mulInto(a, restrictTo(this.context, level, this.secretKey.ntt, base), b);
    for (let i = 0; i < base.size; i++) base.ops[i].sub(e.limb(i), b.limb(i), b.limb(i));
    return { b, a };
  }

  createPublicKey(): PublicKey {
    const { b, a } = this.encryptZero();
    return new PublicKey(this.context, b, a);
  }

  /**
   * Key-switching key from s to `target` (NTT form over the key base), for ciphertexts
   * at `level` and below (default 0: every level; see KSwitchKey.level).
   */
  createKSwitchKey(target: RnsPoly, level = 0): KSwitchKey {
    const ctx = this.context;
    if (!Number.isInteger(level) || level < 0 || level > ctx.maxLevel) fail('LEVEL_EXHAUSTED', 'createKSwitchKey', `a level in [0, ${ctx.maxLevel}]`, level);
    const P = ctx.specialBase.modulus;
    const base = keyBaseAt(ctx, level);
    const digits = [];
    for (const digit of ctx.level(level).digits) {
      const { b, a } = this.encryptZero(level);
      for (const i of digit.primes) base.ops[i].mulScalarAcc(target.limb(i), P, b.limb(i));
      digits.push({ b, a });
    }
    return new KSwitchKey(ctx, digits, level);
  }

  /** Relinearization keys (for ciphertexts at `options.level` and below; default every level). */
  createRelinKeys(options: { level?: number } = {}): RelinKeys {
    const s2 = RnsPoly.zero(this.context.keyBase, 'ntt');
    mulInto(this.secretKey.ntt, this.secretKey.ntt, s2);
    return new RelinKeys(this.context, this.createKSwitchKey(s2, options?.level ?? 0));
  }

  /**
   * Galois keys for the given row-rotation steps (default: ±1, ±2, ±4, … up to N/4,
   * and 0 = column swap) or explicit Galois elements. A plain array is a list of
   * steps: `createGaloisKeys([1, 2, -7])` (only the steps a computation needs: each
   * key costs ⌈L/α⌉ encryptions of zero and as many key-base polynomial pairs).
   * With `level`, the keys serve ciphertexts at that level and below only and are
   * (L − level)/L as large in digits and in limbs (KSwitchKey.level): rotations that
   * happen after modulus switching need no more.
   */
  createGaloisKeys(options: readonly number[] | { steps?: readonly number[]; elements?: readonly number[]; level?: number } = {}): GaloisKeys {
    if (Array.isArray(options)) options = { steps: options as readonly number[] };
    if (options === null || typeof options !== 'object')
      fail('INVALID_ARGUMENT', 'createGaloisKeys', 'a list of steps or { steps?, elements?, level? }', options);
    const opts = options as { steps?: readonly number[]; elements?: readonly number[]; level?: number };
    for (const k of ['steps', 'elements'] as const)
      if (opts[k] !== undefined && !Array.isArray(opts[k])) fail('INVALID_ARGUMENT', `createGaloisKeys(${k})`, 'an array of integers', opts[k]);
    options = opts;
    const n = this.context.n;
    const elements = new Set<number>(options.elements ?? []);
    let steps = options.steps;
    if (!steps && !options.elements) {
      const defaults = [0];
      for (let s = 1; s < n / 2; s *= 2) defaults.push(s, -s);
      steps = defaults;
    }
    for (const s of steps ?? []) elements.add(galoisElementForStep(n, s));
    const keys = new Map<number, KSwitchKey>();
    const base = this.context.keyBase;
    for (const g of elements) {
      if (!Number.isInteger(g) || g % 2 === 0 || g < 1 || g >= 2 * n)
        fail('INVALID_ARGUMENT', 'createGaloisKeys', `odd Galois elements in [1, ${2 * n})`, g);
      const rotated = RnsPoly.zero(base, 'coeff');
      const s = RnsPoly.zero(base, 'coeff');
      smallToResidues(this.secretKey.small, base.ops, s.data);
      for (let i = 0; i < base.size; i++) base.ops[i].automorphism(s.limb(i), g, rotated.limb(i));
      keys.set(g, this.createKSwitchKey(toNtt(rotated), opts.level ?? 0));
    }
    return new GaloisKeys(this.context, keys);
  }
}
