/**
 * Codecs of plaintexts and ciphertexts (ciphertext.ts), including the ~half-size
 * seeded form of fresh symmetric ciphertexts. Format overview: serialization.ts.
 * "poly over the level's base" = q_0..q_{L−1−level} residues, packed as
 * serialization/bytes.ts describes; ciphertext polynomials are in coefficient form.
 *
 *   | kind             | body (version 2; version 1 = the same without the key id)          |
 *   |------------------|-------------------------------------------------------------------|
 *   | plaintext        | N residues mod t, w(t) bytes each                                  |
 *   | ciphertext       | 16-byte key id, u8 level, u8 size ≥ 2, size × poly over the level's |
 *   |                  | base                                                               |
 *   | seededCiphertext | 16-byte key id, c0 over the level-0 base, 32-byte seed;            |
 *   |                  | c1 = expandSeed(ctx, seed)                                         |
 *
 * Key id: key-id.ts (16 zero bytes = unknown; version-1 ciphertexts load unknown).
 *
 * Seeded form: a fresh `encryptSymmetric` ciphertext's c1 is the uniform polynomial
 * expanded from its 32-byte seed (SHAKE256, sampling.ts), so storing the seed
 * instead of c1 halves the size. Evaluator operations clear `seed`;
 * serializeCiphertext additionally re-expands the seed and compares it with c1, so
 * a ciphertext modified in place is never stored in seeded form.
 */
import { Ciphertext, Plaintext } from './ciphertext.js';
import type { BfvContext } from './context.js';
import { expandSeed } from './encryptor.js';
import { SEED_BYTES } from './math/sampling.js';
import { openFor, sealFor } from './params-codec.js';
import { ByteWriter, polyBytes, serializationError, widthOf } from './serialization/bytes.js';
import { guarded, type SerializedKind } from './serialization/container.js';

// ---------------------------------------------------------------------------
// Plaintext

export function serializePlaintext(pt: Plaintext): Uint8Array {
  const fn = 'serializePlaintext';
  if (!(pt instanceof Plaintext)) serializationError(fn, 'a Plaintext', pt);
  const w = new ByteWriter(fn);
  w.residues(pt.data, [pt.context.t], pt.context.n);
  return sealFor('plaintext', pt.context.params, w);
}

export function deserializePlaintext(context: BfvContext, bytes: Uint8Array): Plaintext {
  const fn = 'deserializePlaintext';
  return guarded(fn, () => {
    const r = openFor(fn, bytes, ['plaintext'], context).reader;
    const data = context.kernel.alloc(context.n);
    r.limb(data, context.t, widthOf(context.t), 'the plaintext');
    r.end('plaintext');
    return new Plaintext(context, data);
  });
}

// ---------------------------------------------------------------------------
// Ciphertext (full and seeded form)

/** True when `ct` is a fresh seeded symmetric ciphertext whose c1 still equals the seed's expansion. */
function seedIsValid(ct: Ciphertext): boolean {
  const seed = ct.seed;
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES || ct.level !== 0 || ct.size !== 2) return false;
  const expected = expandSeed(ct.context, seed).data;
  const c1 = ct.polys[1].data;
  if (expected.length !== c1.length) return false;
  for (let i = 0; i < c1.length; i++) if (c1[i] !== expected[i]) return false;
  return true;
}

export interface SerializeCiphertextOptions {
  /**
   * 'auto' (default): the seeded form when the ciphertext carries a valid seed,
   * else the full form. true: the seeded form or a SERIALIZATION error. false: full.
   */
  readonly seeded?: boolean | 'auto';
}

export function serializeCiphertext(ct: Ciphertext, options: SerializeCiphertextOptions = {}): Uint8Array {
  const fn = 'serializeCiphertext';
  if (!(ct instanceof Ciphertext)) serializationError(fn, 'a Ciphertext', ct);
  if (options === null || typeof options !== 'object') serializationError(fn, 'an options object { seeded? } or undefined', options);
  const mode = options.seeded ?? 'auto';
  if (mode !== 'auto' && typeof mode !== 'boolean') serializationError(fn, "options.seeded: true, false or 'auto'", mode);
  guarded(fn, () => ct.assertWellFormed(fn));
  const ctx = ct.context;
  const seeded = mode !== false && ct.seed !== undefined && seedIsValid(ct);
  if (mode === true && !seeded)
    serializationError(fn, 'a fresh seeded symmetric ciphertext (level 0, size 2, c1 = expansion of its seed)', `level ${ct.level}, size ${ct.size}, seed ${ct.seed ? 'not matching c1' : 'absent'}`);
  const base = ctx.level(ct.level).base;
  const w = new ByteWriter(fn);
  w.keyId(ct.keyId);
  if (seeded) {
    w.poly(ct.polys[0], base, 'coeff', 'c0');
    w.bytes(ct.seed as Uint8Array);
    return sealFor('seededCiphertext', ctx.params, w);
  }
  if (ct.size > 255) serializationError(fn, 'at most 255 polynomials', ct.size);
  w.u8(ct.level);
  w.u8(ct.size);
  ct.polys.forEach((p, k) => w.poly(p, base, 'coeff', `c${k}`));
  return sealFor('ciphertext', ctx.params, w);
}

/** Loads either form; a seeded ciphertext comes back with c1 expanded and `seed` set. */
export function deserializeCiphertext(context: BfvContext, bytes: Uint8Array): Ciphertext {
  return loadCiphertext('deserializeCiphertext', context, bytes, ['ciphertext', 'seededCiphertext']);
}

/** Loads a ciphertext of one of `kinds` (both forms, or one of them for the generic `deserialize`). */
export function loadCiphertext(fn: string, context: BfvContext, bytes: Uint8Array, kinds: readonly SerializedKind[]): Ciphertext {
  return guarded(fn, () => {
    const { version, kind, reader: r } = openFor(fn, bytes, kinds, context);
    const keyId = version >= 2 ? r.keyId('the key id') : undefined;
    if (kind === 'seededCiphertext') {
      const c0 = r.poly(context.level(0).base, 'coeff', 'c0');
      const seed = r.bytesOf(SEED_BYTES, 'the seed');
      r.end('seededCiphertext');
      const ct = new Ciphertext(context, 0, [c0, expandSeed(context, seed)], keyId);
      ct.seed = seed;
      return ct;
    }
    const level = r.u8('level');
    const size = r.u8('size');
    if (level > context.maxLevel) serializationError(fn, `a level in [0, ${context.maxLevel}]`, level);
    if (size < 2) serializationError(fn, 'a ciphertext size ≥ 2', size);
    const base = context.level(level).base;
    const bytesPerPoly = polyBytes(base.primes, context.n);
    if (r.remaining !== size * bytesPerPoly)
      serializationError(fn, `${size * bytesPerPoly} bytes for ${size} polynomials at level ${level}`, `${r.remaining} bytes`);
    const polys = [];
    for (let k = 0; k < size; k++) polys.push(r.poly(base, 'coeff', `c${k}`));
    r.end('ciphertext');
    return new Ciphertext(context, level, polys, keyId);
  });
}
