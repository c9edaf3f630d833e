/**
 * Encryptor (Fan–Vercauteren, "Somewhat Practical Fully Homomorphic Encryption",
 * ePrint 2012/144, §3: Encrypt; SEAL encryptor.cpp).
 *
 * Public key: with u ternary and e0, e1 from the CBD noise sampler,
 *   ct = ModDown(p0·u + e0, p1·u + e1) + (Δ·m, 0).
 * As SEAL (encrypt_zero_internal) we encrypt zero over the key base (data and
 * special primes) and divide by P with rounding: the noise e·u + e0 + e1·s shrinks
 * by P and what is left is the rounding error, ~4 bits less fresh noise at N = 8192
 * than encrypting over the data primes directly.
 * Symmetric: with a uniform,
 *   ct = (−a·s + e + Δ·m, a).
 * Seeded symmetric ciphertexts expand a from a 32-byte seed (sampling.ts's
 * SHAKE256 stream), so they can be stored as (c0, seed): half the size.
 * Δ·m is round(Q·m/t) (plain-lift.ts).
 */
import { Ciphertext, type Plaintext } from './ciphertext.js';
import { assertContext, type BfvContext } from './context.js';
import { PublicKey, SecretKey, assertRandomSource, uniformNtt, smallToNtt } from './keys.js';
import { fail } from './math/errors.js';
import { assertOutput, assertPlaintext, booleanOption, optionsOperand } from './operands.js';
import { commonKeyId } from './key-id.js';
import { RnsPoly, mulInto, toCoeff } from './math/poly.js';
import { SEED_BYTES, sampleCenteredBinomial, sampleTernary, seededRandom, smallToResidues, systemRandom, type RandomSource } from './math/sampling.js';
import { addScaledPlain } from './plain-lift.js';
import { modDown } from './keyswitch.js';

export interface EncryptorKeys {
  readonly publicKey?: PublicKey;
  readonly secretKey?: SecretKey;
}

export class Encryptor {
  private readonly rng: RandomSource;
  private readonly keys: EncryptorKeys;

  constructor(
    readonly context: BfvContext,
    keys: EncryptorKeys,
    rng?: RandomSource,
  ) {
    const fn = 'Encryptor';
    assertContext(fn, context);
    const k = optionsOperand<EncryptorKeys>(fn, keys);
    if (k.publicKey === undefined && k.secretKey === undefined) fail('MISSING_KEY', fn, 'keys { publicKey } and/or { secretKey }', keys);
    if (k.publicKey !== undefined) {
      if (!(k.publicKey instanceof PublicKey)) fail('INVALID_ARGUMENT', fn, 'keys.publicKey: a PublicKey', k.publicKey);
      context.assertSame(fn, k.publicKey);
    }
    if (k.secretKey !== undefined) {
      if (!(k.secretKey instanceof SecretKey)) fail('INVALID_ARGUMENT', fn, 'keys.secretKey: a SecretKey', k.secretKey);
      context.assertSame(fn, k.secretKey);
    }
    commonKeyId(fn, [
      { keyId: k.publicKey?.keyId, what: 'the public key' },
      { keyId: k.secretKey?.keyId, what: 'the secret key' },
    ]);
    if (rng !== undefined) assertRandomSource(fn, rng);
    this.keys = { publicKey: k.publicKey, secretKey: k.secretKey };
    this.rng = rng ?? systemRandom();
  }

  /** Public-key encryption at level 0. */
  encrypt(pt: Plaintext): Ciphertext {
    return this.encryptWith('Encryptor.encrypt', pt, Ciphertext.empty(this.context, 0, 2));
  }

  /**
   * `encrypt` into `out` (reshaped to level 0, size 2; its storage is reused when
   * it fits). A caller that hands ciphertexts to a worker pool passes a shared
   * `Ciphertext.empty(context, 0, 2, true)`: the pool then reads them in place
   * instead of copying them into shared memory.
   */
  encryptInto(pt: Plaintext, out: Ciphertext): Ciphertext {
    assertOutput(this.context, 'Encryptor.encryptInto', out);
    return this.encryptWith('Encryptor.encryptInto', pt, out);
  }

  private encryptWith(fn: string, pt: Plaintext, out: Ciphertext): Ciphertext {
    const pk = this.keys.publicKey;
    assertPlaintext(this.context, fn, pt);
    if (!pk) return fail('MISSING_KEY', fn, 'a public key (use encryptSymmetric with a secret key)', undefined);
    this.encryptZeroInto(0, out.reshape(0, 2));
    addScaledPlain(this.context.level(0), pt, this.context.t, out.polys[0]);
    return out;
  }

  /**
   * A fresh public-key encryption of zero at `level` (the header's formula over
   * that level's primes and the special primes, then ModDown to the level);
   * re-randomization adds it to a ciphertext (flooding.ts).
   */
  encryptZero(level = 0): Ciphertext {
    if (!this.keys.publicKey) return fail('MISSING_KEY', 'Encryptor.encryptZero', 'a public key', undefined);
    return this.encryptZeroInto(this.context.level(level).index, Ciphertext.empty(this.context, level, 2));
  }

  private encryptZeroInto(levelIndex: number, out: Ciphertext): Ciphertext {
    const pk = this.keys.publicKey!;
    const ctx = this.context;
    const level = ctx.level(levelIndex);
    const n = ctx.n;
    // Level 0: the whole key base in its own order (keyLimb is the identity), so the
    // byte consumption and the result are those of a key-base encryption.
    const ops = level.extendedOps;
    const u = ctx.kernel.alloc(ops.length * n);
    smallToResidues(sampleTernary(this.rng, n), ops, u);
    for (let j = 0; j < ops.length; j++) ops[j].forwardNtt(u.subarray(j * n, (j + 1) * n));
    const c = ctx.kernel.alloc(ops.length * n);
    const e = ctx.kernel.alloc(ops.length * n);
    [pk.p0, pk.p1].forEach((p, k) => {
      smallToResidues(sampleCenteredBinomial(this.rng, n), ops, e);
      for (let j = 0; j < ops.length; j++) {
        const cj = c.subarray(j * n, (j + 1) * n);
        ops[j].mul(p.limb(level.keyLimb[j]), u.subarray(j * n, (j + 1) * n), cj);
        ops[j].inverseNtt(cj);
        ops[j].add(cj, e.subarray(j * n, (j + 1) * n), cj);
      }
      modDown(ctx, levelIndex, c, out.polys[k]);
    });
    out.keyId = pk.keyId;
    return out;
  }

  /**
   * Secret-key encryption at level 0. With `seeded` (default true) the uniform
   * polynomial a comes from a fresh 32-byte seed recorded on the ciphertext.
   */
  encryptSymmetric(pt: Plaintext, options: { seeded?: boolean } = {}): Ciphertext {
    const fn = 'Encryptor.encryptSymmetric';
    const sk = this.keys.secretKey;
    assertPlaintext(this.context, fn, pt);
    const seeded = booleanOption(fn, 'seeded', optionsOperand<{ seeded: boolean }>(fn, options).seeded, true);
    if (!sk) return fail('MISSING_KEY', fn, 'a secret key', undefined);
    const ctx = this.context;
    const level = ctx.level(0);
    const base = level.base;
    const n = ctx.n;
    const L = base.size;
    let seed: Uint8Array | undefined;
    if (seeded) {
      // From the encryptor's own source, so a seeded source gives reproducible ciphertexts.
      seed = new Uint8Array(SEED_BYTES);
      this.rng.fill(seed);
    }
    const a = uniformNtt(base, seed ? seededRandom(seed) : this.rng);
    const c0 = RnsPoly.zero(base, 'ntt');
    mulInto(a, new RnsPoly(base, sk.ntt.data.subarray(0, L * n), 'ntt'), c0);
    toCoeff(c0);
    const e = RnsPoly.zero(base, 'coeff');
    smallToResidues(sampleCenteredBinomial(this.rng, n), base.ops, e.data);
    for (let i = 0; i < L; i++) base.ops[i].sub(e.limb(i), c0.limb(i), c0.limb(i));
    addScaledPlain(level, pt, ctx.t, c0);
    const c1 = toCoeff(a);
    const ct = new Ciphertext(ctx, 0, [c0, c1], sk.keyId);
    ct.seed = seed;
    return ct;
  }
}

/** Expands the c1 of a seeded symmetric ciphertext at level 0 (used by deserialization). */
export function expandSeed(ctx: BfvContext, seed: Uint8Array): RnsPoly {
  return toCoeff(uniformNtt(ctx.level(0).base, seededRandom(seed)));
}
