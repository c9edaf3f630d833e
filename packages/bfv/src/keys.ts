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
 * Seeded keys (option `seeded`, SEAL's "seeded" key serialization): the uniform
 * a of a public key, or the a_d of every digit of a key-switching key, are the
 * polynomials `expandKeySeed(keyBase, seed, count)` draws in order from one
 * fresh 32-byte seed (SHAKE256 stream, sampling.ts), so a serialized key stores
 * b and the seed: half the bytes. The seed is public (a is public); b's error
 * and s still come from the CSPRNG.
 */
import type { BfvContext } from './context.js';
import { fail } from './math/errors.js';
import { RnsPoly, mulInto, toNtt } from './math/poly.js';
import { SEED_BYTES, sampleCenteredBinomial, sampleTernary, sampleUniformRns, seededRandom, smallToResidues, systemRandom, type RandomSource } from './math/sampling.js';
import type { RnsBase } from './math/rns.js';

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
    /** When set, p1 = expandKeySeed(keyBase, seed, 1)[0] (a seeded key: stored as p0 and the seed). */
    readonly seed?: Uint8Array,
  ) {}
}

export class KSwitchKey {
  constructor(
    readonly context: BfvContext,
    /** One (b, a) pair per key-switching digit; NTT form over the key base. */
    readonly digits: readonly { readonly b: RnsPoly; readonly a: RnsPoly }[],
    /** When set, the digits' a are expandKeySeed(keyBase, seed, digits.length), in order. */
    readonly seed?: Uint8Array,
  ) {}
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
 * The uniform polynomials of a seeded key: `count` draws of uniformNtt over
 * `base` from the one stream seededRandom(seed), in order.
 */
export function expandKeySeed(base: RnsBase, seed: Uint8Array, count: number): RnsPoly[] {
  const stream = seededRandom(seed);
  return Array.from({ length: count }, () => uniformNtt(base, stream));
}

/** Options of the key creators. */
export interface KeyOptions {
  /** Draw the uniform parts from a fresh public seed (half-size serialization). Default false. */
  readonly seeded?: boolean;
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

  /** A fresh seed for a seeded key, from the generator's source. */
  private newSeed(): Uint8Array {
    const seed = new Uint8Array(SEED_BYTES);
    this.rng.fill(seed);
    return seed;
  }

  /** (−a·s + e, a) over the key base, NTT form; a uniform from the CSPRNG unless given. */
  private encryptZero(given?: RnsPoly): { b: RnsPoly; a: RnsPoly } {
    const base = this.context.keyBase;
    const a = given ?? uniformNtt(base, this.rng);
    const e = smallToNtt(base, sampleCenteredBinomial(this.rng, this.context.n));
    const b = RnsPoly.zero(base, 'ntt');
    mulInto(a, this.secretKey.ntt, b);
    for (let i = 0; i < base.size; i++) base.ops[i].sub(e.limb(i), b.limb(i), b.limb(i));
    return { b, a };
  }

  createPublicKey(options: KeyOptions = {}): PublicKey {
    const seed = options.seeded ? this.newSeed() : undefined;
    const { b, a } = this.encryptZero(seed && expandKeySeed(this.context.keyBase, seed, 1)[0]);
    return new PublicKey(this.context, b, a, seed);
  }

  /** Key-switching key from s to `target` (NTT form over the key base). */
  createKSwitchKey(target: RnsPoly, options: KeyOptions = {}): KSwitchKey {
    const ctx = this.context;
    const P = ctx.specialBase.modulus;
    const count = ctx.level(0).digits.length;
    const seed = options.seeded ? this.newSeed() : undefined;
    const given = seed ? expandKeySeed(ctx.keyBase, seed, count) : [];
    const digits = [];
    for (const [d, digit] of ctx.level(0).digits.entries()) {
      const { b, a } = this.encryptZero(given[d]);
      for (const i of digit.primes) ctx.keyBase.ops[i].mulScalarAcc(target.limb(i), P, b.limb(i));
      digits.push({ b, a });
    }
    return new KSwitchKey(ctx, digits, seed);
  }

  createRelinKeys(options: KeyOptions = {}): RelinKeys {
    const s2 = RnsPoly.zero(this.context.keyBase, 'ntt');
    mulInto(this.secretKey.ntt, this.secretKey.ntt, s2);
    return new RelinKeys(this.context, this.createKSwitchKey(s2, options));
  }

  /**
   * Galois keys for the given row-rotation steps (default: ±1, ±2, ±4, … up to N/4,
   * and 0 = column swap) or explicit Galois elements.
   */
  createGaloisKeys(options: { steps?: readonly number[]; elements?: readonly number[] } & KeyOptions = {}): GaloisKeys {
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
      keys.set(g, this.createKSwitchKey(toNtt(rotated), options));
    }
    return new GaloisKeys(this.context, keys);
  }
}
