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
 *
 * The key classes' constructors check the structure of what they are given
 * (context, lengths, bases, NTT form, ternary coefficients, Galois elements), so
 * that keys assembled by hand or by a loader are never half-formed.
 * Every key carries the key id of its secret key (key-id.ts): derived from s for a
 * SecretKey, stamped by the KeyGenerator on the keys it makes.
 *
 * Seeded keys (option `seeded`, SEAL's seeded key serialization): the uniform a
 * of a public key, or the a_d of every digit of a key-switching key, are the
 * polynomials `expandKeySeed(base, seed, count)` draws in order from one fresh
 * 32-byte seed (SHAKE256 stream, sampling.ts), so a serialized key stores b and
 * the seed: half the bytes. The seed is public (a is public); b's error and s
 * still come from the CSPRNG.
 */
import { assertContext, type BfvContext } from './context.js';
import { fail } from './math/errors.js';
import { assertRingDegree } from './math/primes.js';
import { RnsPoly, mulInto, toNtt } from './math/poly.js';
import { SEED_BYTES, sampleCenteredBinomial, sampleTernary, sampleUniformRns, seededRandom, smallToResidues, systemRandom, type RandomSource } from './math/sampling.js';
import { RnsBase } from './math/rns.js';
import { booleanOption, integerOperand, optionsOperand } from './operands.js';
import { assertKeyId, commonKeyId, secretKeyId } from './key-id.js';

/** Throws unless p is an RnsPoly over `base` (default: the context's key base) in NTT form. */
function assertKeyPoly(fn: string, context: BfvContext, p: unknown, what: string, base: RnsBase = context.keyBase): asserts p is RnsPoly {
  if (!(p instanceof RnsPoly)) fail('INVALID_ARGUMENT', fn, `${what}: an RnsPoly`, p);
  if (!p.base.equals(base)) fail('MODULUS_MISMATCH', fn, `${what} over the key base (${base.size} primes)`, `${p.base.size} primes`);
  if (p.representation !== 'ntt') fail('REPRESENTATION_MISMATCH', fn, `${what} in NTT form`, p.representation);
}

/** Throws unless `seed` is undefined or a SEED_BYTES-byte Uint8Array. */
function assertSeed(fn: string, seed: unknown): void {
  if (seed !== undefined && !(seed instanceof Uint8Array && seed.length === SEED_BYTES)) fail('INVALID_ARGUMENT', fn, `a ${SEED_BYTES}-byte Uint8Array seed (or none)`, seed);
}

/**
 * The uniform polynomials of a seeded key: `count` draws of uniformNtt over
 * `base` from the one stream seededRandom(seed), in order.
 */
export function expandKeySeed(base: RnsBase, seed: Uint8Array, count: number): RnsPoly[] {
  const fn = 'expandKeySeed';
  if (!(base instanceof RnsBase)) fail('INVALID_ARGUMENT', fn, 'an RnsBase', base);
  integerOperand(fn, 'count', count, 0, 1024);
  const stream = seededRandom(seed);
  return Array.from({ length: count }, () => uniformNtt(base, stream));
}

/** Options of the key creators. */
export interface KeyOptions {
  /** Draw the uniform parts from a fresh public seed (half-size serialization). Default false. */
  readonly seeded?: boolean;
}

/** Throws unless `rng` has the RandomSource methods. */
export function assertRandomSource(fn: string, rng: unknown): asserts rng is RandomSource {
  const r = rng as Partial<RandomSource> | null;
  if (typeof r !== 'object' || r === null || typeof r.fill !== 'function' || typeof r.nextByte !== 'function' || typeof r.nextUint32 !== 'function')
    fail('INVALID_ARGUMENT', fn, 'a RandomSource (systemRandom() or seededRandom(seed))', rng);
}

export class SecretKey {
  /** SHAKE256-derived identity of s (key-id.ts); every object made from this key carries it. */
  readonly keyId: string;

  /** s over the key base, NTT form. */
  readonly ntt: RnsPoly;

  /** `ntt`, when given, must be the NTT of `small` over the key base (else it is computed). */
  constructor(
    readonly context: BfvContext,
    /** Coefficients in {−1, 0, 1}. */
    readonly small: Int8Array,
    ntt?: RnsPoly,
  ) {
    const fn = 'SecretKey';
    assertContext(fn, context);
    if (!(small instanceof Int8Array) || small.length !== context.n) fail('LENGTH_MISMATCH', fn, `an Int8Array of ${context.n} ternary coefficients`, small);
    for (let i = 0; i < small.length; i++)
      if (small[i] < -1 || small[i] > 1) fail('OUT_OF_RANGE', fn, 'secret-key coefficients in {−1, 0, 1}', `${small[i]} at index ${i}`);
    const computed = smallToNtt(context.keyBase, small);
    if (ntt !== undefined) {
      assertKeyPoly(fn, context, ntt, 'ntt');
      // The key id names `small`; an ntt of another s would decrypt under a key the id does not name.
      for (let i = 0; i < computed.data.length; i++)
        if (computed.data[i] !== ntt.data[i]) fail('INVALID_ARGUMENT', fn, 'ntt: the NTT of small over the key base', `a polynomial that differs at residue ${i}`);
    }
    this.ntt = ntt ?? computed;
    this.keyId = secretKeyId(context, small);
  }
}

export class PublicKey {
  constructor(
    readonly context: BfvContext,
    readonly p0: RnsPoly,
    readonly p1: RnsPoly,
    /** The key id of the secret key (undefined: unknown, key-id.ts). */
    readonly keyId?: string,
    /** When set, p1 = expandKeySeed(keyBase, seed, 1)[0] (a seeded key: stored as p0 and the seed). */
    readonly seed?: Uint8Array,
  ) {
    assertContext('PublicKey', context);
    assertKeyPoly('PublicKey', context, p0, 'p0');
    assertKeyPoly('PublicKey', context, p1, 'p1');
    assertKeyId('PublicKey', keyId);
    assertSeed('PublicKey', seed);
  }
}

export class KSwitchKey {
  constructor(
    readonly context: BfvContext,
    /** One (b, a) pair per key-switching digit of its level; NTT form over `keyBaseAt(context, level)`. */
    readonly digits: readonly { readonly b: RnsPoly; readonly a: RnsPoly }[],
    /** The key id of the secret key it switches from (undefined: unknown, key-id.ts). */
    readonly keyId?: string,
    /**
     * The highest level it serves (0: every level). A key made for level l lives over
     * that level's primes and the special primes only — the restriction of a level-0
     * key, (L − l)/L of its digits and limbs — and switches ciphertexts at levels ≥ l.
     */
    readonly level: number = 0,
    /** When set, the digits' a are expandKeySeed(this.base, seed, digits.length), in order. */
    readonly seed?: Uint8Array,
  ) {
    const fn = 'KSwitchKey';
    assertContext(fn, context);
    assertKeyId(fn, keyId);
    assertSeed(fn, seed);
    integerOperand(fn, 'level', level, 0, context.maxLevel);
    const count = context.level(level).digits.length;
    const base = keyBaseAt(context, level);
    if (!Array.isArray(digits) || digits.length !== count) fail('LENGTH_MISMATCH', fn, `${count} key-switching digits (⌈L_l/α⌉ at level ${level})`, digits);
    digits.forEach((d, i) => {
      if (typeof d !== 'object' || d === null) fail('INVALID_ARGUMENT', fn, `digit ${i}: a { b, a } pair`, d);
      assertKeyPoly(fn, context, d.b, `digit ${i} b`, base);
      assertKeyPoly(fn, context, d.a, `digit ${i} a`, base);
    });
  }

  /** The base of its polynomials. */
  get base(): RnsBase {
    return keyBaseAt(this.context, this.level);
  }
}

const leveledBases = new WeakMap<BfvContext, Map<number, RnsBase>>();

/** The key base of keys made for `level`: the level's data primes then the special primes (level 0: `context.keyBase`). */
export function keyBaseAt(context: BfvContext, level: number): RnsBase {
  assertContext('keyBaseAt', context);
  context.level(level); // LEVEL_EXHAUSTED outside [0, maxLevel]
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
  context.kernel.copy(poly.data.subarray(0, Lp * n), out.data.subarray(0, Lp * n));
  context.kernel.copy(poly.data.subarray(L * n), out.data.subarray(Lp * n));
  return out;
}

export class RelinKeys {
  /** The key id of the secret key (undefined: unknown). */
  readonly keyId: string | undefined;

  constructor(
    readonly context: BfvContext,
    readonly key: KSwitchKey,
  ) {
    assertContext('RelinKeys', context);
    if (!(key instanceof KSwitchKey)) fail('INVALID_ARGUMENT', 'RelinKeys', 'a KSwitchKey', key);
    context.assertSame('RelinKeys', key);
    this.keyId = key.keyId;
  }
}

export class GaloisKeys {
  /** The key id shared by every key of the set (undefined: unknown); keys of different secret keys are KEY_MISMATCH. */
  readonly keyId: string | undefined;

  constructor(
    readonly context: BfvContext,
    readonly keys: ReadonlyMap<number, KSwitchKey>,
  ) {
    const fn = 'GaloisKeys';
    assertContext(fn, context);
    if (!(keys instanceof Map)) fail('INVALID_ARGUMENT', fn, 'a Map from Galois element to KSwitchKey', keys);
    for (const [g, k] of keys) {
      integerOperand(fn, 'Galois elements', g, 1, 2 * context.n - 1);
      if (g % 2 === 0) fail('INVALID_ARGUMENT', fn, `odd Galois elements in [1, ${2 * context.n})`, g);
      if (!(k instanceof KSwitchKey)) fail('INVALID_ARGUMENT', fn, `a KSwitchKey for element ${g}`, k);
      context.assertSame(fn, k);
    }
    this.keyId = commonKeyId(fn, [...keys].map(([g, k]) => ({ keyId: k.keyId, what: `the key for Galois element ${g}` })));
  }

  has(galoisElt: number): boolean {
    return this.keys.has(galoisElt);
  }

  get(galoisElt: number): KSwitchKey {
    const k = this.keys.get(galoisElt);
    if (!k) fail('MISSING_KEY', 'GaloisKeys.get', `a Galois element with a key (have ${[...this.keys.keys()].join(', ')})`, galoisElt);
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
  assertRingDegree('galoisElementForStep', n);
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
    const fn = 'KeyGenerator';
    assertContext(fn, context);
    const o = optionsOperand<{ secretKey: SecretKey; rng: RandomSource }>(fn, options);
    if (o.rng !== undefined) assertRandomSource(fn, o.rng);
    this.rng = o.rng ?? systemRandom();
    if (o.secretKey !== undefined) {
      if (!(o.secretKey instanceof SecretKey)) fail('INVALID_ARGUMENT', fn, 'options.secretKey: a SecretKey', o.secretKey);
      context.assertSame(fn, o.secretKey);
      this.secretKey = o.secretKey;
    } else {
      const small = sampleTernary(this.rng, context.n);
      this.secretKey = new SecretKey(context, small);
    }
  }

  /** A fresh seed for a seeded key, from the generator's source. */
  private newSeed(): Uint8Array {
    const seed = new Uint8Array(SEED_BYTES);
    this.rng.fill(seed);
    return seed;
  }

  /** (−a·s + e, a) over the key base of `level` (default 0: the full key base), NTT form; a uniform from the CSPRNG unless given. */
  private encryptZero(level = 0, given?: RnsPoly): { b: RnsPoly; a: RnsPoly } {
    const base = keyBaseAt(this.context, level);
    const a = given ?? uniformNtt(base, this.rng);
    const e = smallToNtt(base, sampleCenteredBinomial(this.rng, this.context.n));
    const b = RnsPoly.zero(base, 'ntt');
    mulInto(a, restrictTo(this.context, level, this.secretKey.ntt, base), b);
    for (let i = 0; i < base.size; i++) base.ops[i].sub(e.limb(i), b.limb(i), b.limb(i));
    return { b, a };
  }

  createPublicKey(options: KeyOptions = {}): PublicKey {
    const seeded = booleanOption('createPublicKey', 'seeded', optionsOperand<KeyOptions>('createPublicKey', options).seeded, false);
    const seed = seeded ? this.newSeed() : undefined;
    const { b, a } = this.encryptZero(0, seed && expandKeySeed(this.context.keyBase, seed, 1)[0]);
    return new PublicKey(this.context, b, a, this.secretKey.keyId, seed);
  }

  /**
   * Key-switching key from s to `target` (NTT form over the key base), for ciphertexts
   * at `level` and below (default 0: every level; see KSwitchKey.level).
   */
  createKSwitchKey(target: RnsPoly, level = 0, options: KeyOptions = {}): KSwitchKey {
    const fn = 'createKSwitchKey';
    const ctx = this.context;
    assertKeyPoly(fn, ctx, target, 'the target key');
    if (!Number.isInteger(level) || level < 0 || level > ctx.maxLevel) fail('LEVEL_EXHAUSTED', fn, `a level in [0, ${ctx.maxLevel}]`, level);
    const P = ctx.specialBase.modulus;
    const base = keyBaseAt(ctx, level);
    const seed = booleanOption(fn, 'seeded', optionsOperand<KeyOptions>(fn, options).seeded, false) ? this.newSeed() : undefined;
    const given = seed ? expandKeySeed(base, seed, ctx.level(level).digits.length) : [];
    const digits = [];
    for (const [d, digit] of ctx.level(level).digits.entries()) {
      const { b, a } = this.encryptZero(level, given[d]);
      for (const i of digit.primes) base.ops[i].mulScalarAcc(target.limb(i), P, b.limb(i));
      digits.push({ b, a });
    }
    return new KSwitchKey(ctx, digits, this.secretKey.keyId, level, seed);
  }

  /** Relinearization keys (for ciphertexts at `options.level` and below; default every level). */
  createRelinKeys(options: { level?: number } & KeyOptions = {}): RelinKeys {
    const o = optionsOperand<{ level: number; seeded: boolean }>('createRelinKeys', options);
    const s2 = RnsPoly.zero(this.context.keyBase, 'ntt');
    mulInto(this.secretKey.ntt, this.secretKey.ntt, s2);
    return new RelinKeys(this.context, this.createKSwitchKey(s2, o.level ?? 0, { seeded: o.seeded }));
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
  createGaloisKeys(options: readonly number[] | ({ steps?: readonly number[]; elements?: readonly number[]; level?: number } & KeyOptions) = {}): GaloisKeys {
    const fn = 'createGaloisKeys';
    const n = this.context.n;
    const o = optionsOperand<{ steps: readonly number[]; elements: readonly number[]; level: number; seeded: boolean }>(fn, Array.isArray(options) ? { steps: options } : options);
    for (const field of ['steps', 'elements'] as const)
      if (o[field] !== undefined && !Array.isArray(o[field])) fail('INVALID_ARGUMENT', fn, `options.${field}: an array of integers`, o[field]);
    const elements = new Set<number>(o.elements ?? []);
    let steps = o.steps;
    if (!steps && !o.elements) {
      const defaults = [0];
      for (let s = 1; s < n / 2; s *= 2) defaults.push(s, -s);
      steps = defaults;
    }
    for (const s of steps ?? []) elements.add(galoisElementForStep(n, s));
    const keys = new Map<number, KSwitchKey>();
    const base = this.context.keyBase;
    for (const g of elements) {
      if (!Number.isInteger(g) || g % 2 === 0 || g < 1 || g >= 2 * n) fail('INVALID_ARGUMENT', fn, `odd Galois elements in [1, ${2 * n})`, g);
      const rotated = RnsPoly.zero(base, 'coeff');
      const s = RnsPoly.zero(base, 'coeff');
      smallToResidues(this.secretKey.small, base.ops, s.data);
      for (let i = 0; i < base.size; i++) base.ops[i].automorphism(s.limb(i), g, rotated.limb(i));
      keys.set(g, this.createKSwitchKey(toNtt(rotated), o.level ?? 0, { seeded: o.seeded }));
    }
    return new GaloisKeys(this.context, keys);
  }
}
