/**
 * Codecs of the keys (keys.ts): secret, public, relinearization and Galois keys,
 * the latter two built from the key-switching-key codec. Format overview:
 * serialization.ts. "poly over the key base" = q_0..q_{L−1}, p_0.. residues,
 * packed as serialization/bytes.ts describes; key polynomials are in NTT form.
 *
 *   | kind       | body (version 2; version 1 = the same without the key id)              |
 *   |------------|----------------------------------------------------------------------|
 *   | secretKey  | N/4 bytes: coefficient i in bits 2(i mod 4)..+1 of byte ⌊i/4⌋,        |
 *   |            | 00 → 0, 01 → 1, 10 → −1 (11 rejected); NTT form and key id rebuilt    |
 *   | publicKey  | 16-byte key id, p0, p1: polys over the key base                        |
 *   | relinKeys  | 16-byte key id, KSwitchKey: u8 d = ⌈L/α⌉ digits, then d × (b, a)      |
 *   |            | polys over the key base; a key made for level l ≥ 1 (KSwitchKey.level) |
 *   |            | sets bit 7 of d, follows it with u8 l, and has ⌈L_l/α⌉ digits over    |
 *   |            | l's primes ∪ special                                                  |
 *   | galoisKeys | 16-byte key id, u32 m, then m × (u32 Galois element g, KSwitchKey);   |
 *   |            | g odd in [1, 2N), distinct, in the key map's order                     |
 *   | seededPublicKey  | 16-byte key id, p0 over the key base, 32-byte seed;            |
 *   |                  | p1 = expandKeySeed(keyBase, seed, 1)[0]                        |
 *   | seededRelinKeys  | 16-byte key id, SeededKSwitchKey: the digit-count byte (and    |
 *   |                  | level) as KSwitchKey, a 32-byte seed, then d × b polys; digit  |
 *   |                  | i's a = expandKeySeed(base of the key's level, seed, d)[i]     |
 *   | seededGaloisKeys | 16-byte key id, u32 m, then m × (u32 g, SeededKSwitchKey)      |
 *
 * Key id: key-id.ts (16 zero bytes = unknown). A secret key stores none: its id is
 * a function of s, recomputed on load.
 *
 * Seeded forms (keys made with `{ seeded: true }`, keys.ts): the uniform a parts
 * are not stored but re-expanded from the seed on load (SHAKE256, the same bytes
 * in Node and browsers), halving public and key-switching keys. As for seeded
 * ciphertexts, the writer re-expands the seed and compares it with the key's a
 * parts before using the seeded form ('auto' falls back to the full form, `true`
 * refuses), so a key whose a was changed is never stored as a seed. Each loader
 * accepts both forms of its kind (`deserializePublicKey` reads publicKey and
 * seededPublicKey, and so on).
 */
import type { BfvContext } from './context.js';
import { GaloisKeys, KSwitchKey, PublicKey, RelinKeys, SecretKey, expandKeySeed, keyBaseAt } from './keys.js';
import type { RnsPoly } from './math/poly.js';
import { SEED_BYTES } from './math/sampling.js';
import { packTernary } from './key-id.js';
import { openFor, sealFor } from './params-codec.js';
import { ByteWriter, polyBytes, serializationError, type ByteReader } from './serialization/bytes.js';
import { CONTAINER_OVERHEAD, guarded, type SerializedKind } from './serialization/container.js';
import { KEY_ID_BYTES } from './key-id.js';

/** Options of the key writers. */
export interface SerializeKeyOptions {
  /**
   * 'auto' (default): the seeded form when the key carries a seed that still
   * expands to its a parts, else the full form. true: the seeded form or a
   * SERIALIZATION error. false: the full form.
   */
  readonly seeded?: boolean | 'auto';
}

function seededMode(fn: string, options: unknown): boolean | 'auto' {
  if (options === undefined) return 'auto';
  if (typeof options !== 'object' || options === null) serializationError(fn, 'an options object', options);
  const m = (options as SerializeKeyOptions).seeded ?? 'auto';
  if (m !== true && m !== false && m !== 'auto') serializationError(fn, "options.seeded: true, false or 'auto'", m);
  return m;
}

function samePolys(a: readonly RnsPoly[], b: readonly RnsPoly[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k].data, y = b[k].data;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/** Whether to write the seeded form: the key's seed must re-expand (over `base`) to exactly its `a` polynomials. */
function useSeed(fn: string, seed: Uint8Array | undefined, a: () => readonly RnsPoly[], base: Parameters<typeof expandKeySeed>[0], mode: boolean | 'auto'): seed is Uint8Array {
  if (mode === false) return false;
  const valid = seed instanceof Uint8Array && seed.length === SEED_BYTES && samePolys(expandKeySeed(base, seed, a().length), a());
  if (mode === true && !valid) serializationError(fn, 'a seeded key whose a parts are the expansion of its seed', seed ? 'a key whose a parts differ from its seed' : 'a key without a seed');
  return valid;
}

// ---------------------------------------------------------------------------
// Secret key

export function serializeSecretKey(sk: SecretKey): Uint8Array {
  const fn = 'serializeSecretKey';
  if (!(sk instanceof SecretKey)) serializationError(fn, 'a SecretKey', sk);
  const w = new ByteWriter(fn);
  w.bytes(packTernary(sk.small)); // a SecretKey holds N ternary coefficients (checked by its constructor)
  return sealFor('secretKey', sk.context.params, w);
}

export function deserializeSecretKey(context: BfvContext, bytes: Uint8Array): SecretKey {
  const fn = 'deserializeSecretKey';
  return guarded(fn, () => {
    const r = openFor(fn, bytes, ['secretKey'], context).reader;
    const n = context.n;
    const packed = r.bytesOf(n / 4, 'the packed ternary coefficients');
    r.end('secretKey');
    const small = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      const code = (packed[i >> 2] >> (2 * (i & 3))) & 3;
      if (code === 3) serializationError(fn, 'ternary codes 00, 01 or 10', `11 at coefficient ${i}`);
      small[i] = code === 2 ? -1 : code;
    }
    return new SecretKey(context, small);
  });
}

// ---------------------------------------------------------------------------
// Public key

export function serializePublicKey(pk: PublicKey, options?: SerializeKeyOptions): Uint8Array {
  const fn = 'serializePublicKey';
  if (!(pk instanceof PublicKey)) serializationError(fn, 'a PublicKey', pk);
  const base = pk.context.keyBase;
  const w = new ByteWriter(fn);
  w.keyId(pk.keyId);
  w.poly(pk.p0, base, 'ntt', 'p0');
  if (useSeed(fn, pk.seed, () => [pk.p1], base, seededMode(fn, options))) {
    w.bytes(pk.seed);
    return sealFor('seededPublicKey', pk.context.params, w);
  }
  w.poly(pk.p1, base, 'ntt', 'p1');
  return sealFor('publicKey', pk.context.params, w);
}

/** Loads either form of a public key; a seeded one comes back with p1 expanded and `seed` set. */
export function deserializePublicKey(context: BfvContext, bytes: Uint8Array): PublicKey {
  return loadPublicKey('deserializePublicKey', context, bytes, ['publicKey', 'seededPublicKey']);
}

/** The loader behind deserializePublicKey and the generic deserialize (`kinds`: the forms accepted). */
export function loadPublicKey(fn: string, context: BfvContext, bytes: Uint8Array, kinds: readonly SerializedKind[]): PublicKey {
  return guarded(fn, () => {
    const { kind, version, reader: r } = openFor(fn, bytes, kinds, context);
    const keyId = version >= 2 ? r.keyId('the key id') : undefined;
    const p0 = r.poly(context.keyBase, 'ntt', 'p0');
    if (kind === 'seededPublicKey') {
      const seed = r.bytesOf(SEED_BYTES, 'the seed');
      r.end(kind);
      return new PublicKey(context, p0, expandKeySeed(context.keyBase, seed, 1)[0], keyId, seed);
    }
    const p1 = r.poly(context.keyBase, 'ntt', 'p1');
    r.end('publicKey');
    return new PublicKey(context, p0, p1, keyId);
  });
}

// ---------------------------------------------------------------------------
// Key-switching keys (inside relinearization and Galois keys)

/** Bit 7 of the digit-count byte: a u8 level l ≥ 1 follows and the polys are over level l's primes ∪ special. */
const LEVELED = 0x80;

/** Writes a key-switching key: full (d × (b, a)) or seeded (seed, then d × b). */
function writeKSwitch(w: ByteWriter, key: KSwitchKey, seeded = false): void {
  const ctx = key.context;
  const base = keyBaseAt(ctx, key.level);
  const count = ctx.level(key.level).digits.length;
  if (key.digits.length !== count) serializationError(w.fn, `${count} key-switching digits`, key.digits.length);
  // Level-0 keys keep the original encoding byte for byte.
  if (key.level === 0) w.u8(count);
  else {
    w.u8(LEVELED | count);
    w.u8(key.level);
  }
  if (seeded) w.bytes(key.seed!);
  key.digits.forEach((d, i) => {
    w.poly(d.b, base, 'ntt', `digit ${i} b`);
    if (!seeded) w.poly(d.a, base, 'ntt', `digit ${i} a`);
  });
}

/** Whether a key-switching key can be written seeded (its seed expands to its a parts). */
function kswitchSeeded(fn: string, key: KSwitchKey, mode: boolean | 'auto'): boolean {
  return useSeed(fn, key.seed, () => key.digits.map((d) => d.a), keyBaseAt(key.context, key.level), mode);
}

function readKSwitch(context: BfvContext, r: ByteReader, what: string, keyId: string | undefined, seeded = false): KSwitchKey {
  const d = r.u8(`${what} digit count`);
  let level = 0;
  if (d & LEVELED) {
    level = r.u8(`${what} level`);
    if (level < 1 || level > context.maxLevel) serializationError(r.fn, `a level in [1, ${context.maxLevel}] for ${what} (0 is written without the level flag)`, level);
  }
  const count = context.level(level).digits.length;
  if ((d & ~LEVELED) !== count) serializationError(r.fn, `${count} digits in ${what} (⌈L_l/α⌉ at level ${level})`, d & ~LEVELED);
  const base = keyBaseAt(context, level);
  const seed = seeded ? r.bytesOf(SEED_BYTES, `${what} seed`) : undefined;
  const read = [];
  for (let i = 0; i < count; i++) {
    const b = r.poly(base, 'ntt', `${what} digit ${i} b`);
    const a = seeded ? null : r.poly(base, 'ntt', `${what} digit ${i} a`);
    read.push({ b, a });
  }
  // Expanded once every b has been read (a short body fails before the SHAKE work).
  const expanded = seed ? expandKeySeed(base, seed, count) : [];
  const digits = read.map((x, i) => Object.freeze({ b: x.b, a: x.a ?? expanded[i] }));
  return new KSwitchKey(context, Object.freeze(digits), keyId, level, seed);
}

/** Bytes of one serialized key-switching key made for `level` (digit-count and level bytes, and the seed of the seeded form, included). */
function kswitchBytes(context: BfvContext, level = 0, seeded = false): number {
  const polys = (seeded ? 1 : 2) * context.level(level).digits.length;
  return (level === 0 ? 1 : 2) + (seeded ? SEED_BYTES : 0) + polys * polyBytes(keyBaseAt(context, level).primes, context.n);
}

// ---------------------------------------------------------------------------
// Relinearization keys

export function serializeRelinKeys(rk: RelinKeys, options?: SerializeKeyOptions): Uint8Array {
  const fn = 'serializeRelinKeys';
  if (!(rk instanceof RelinKeys)) serializationError(fn, 'a RelinKeys', rk);
  const seeded = kswitchSeeded(fn, rk.key, seededMode(fn, options));
  const w = new ByteWriter(fn);
  w.keyId(rk.keyId);
  writeKSwitch(w, rk.key, seeded);
  return sealFor(seeded ? 'seededRelinKeys' : 'relinKeys', rk.context.params, w);
}

/** Loads either form of relinearization keys. */
export function deserializeRelinKeys(context: BfvContext, bytes: Uint8Array): RelinKeys {
  return loadRelinKeys('deserializeRelinKeys', context, bytes, ['relinKeys', 'seededRelinKeys']);
}

/** The loader behind deserializeRelinKeys and the generic deserialize (`kinds`: the forms accepted). */
export function loadRelinKeys(fn: string, context: BfvContext, bytes: Uint8Array, kinds: readonly SerializedKind[]): RelinKeys {
  return guarded(fn, () => {
    const { kind, version, reader: r } = openFor(fn, bytes, kinds, context);
    const keyId = version >= 2 ? r.keyId('the key id') : undefined;
    const key = readKSwitch(context, r, 'the relinearization key', keyId, kind === 'seededRelinKeys');
    r.end(kind);
    return new RelinKeys(context, key);
  });
}

// ---------------------------------------------------------------------------
// Galois keys

export function serializeGaloisKeys(gk: GaloisKeys, options?: SerializeKeyOptions): Uint8Array {
  const fn = 'serializeGaloisKeys';
  if (!(gk instanceof GaloisKeys)) serializationError(fn, 'a GaloisKeys', gk);
  const mode = seededMode(fn, options);
  // One form for the whole set: seeded only when every key is.
  const seeded = mode !== false && gk.keys.size > 0 && [...gk.keys.values()].every((k) => kswitchSeeded(fn, k, mode === true ? 'auto' : mode));
  if (mode === true && !seeded) serializationError(fn, 'Galois keys that are all seeded', 'a set with unseeded keys');
  const w = new ByteWriter(fn);
  w.keyId(gk.keyId);
  w.u32(gk.keys.size);
  for (const [g, key] of gk.keys) {
    w.u32(g);
    writeKSwitch(w, key, seeded);
  }
  return sealFor(seeded ? 'seededGaloisKeys' : 'galoisKeys', gk.context.params, w);
}

/**
 * The exact length of serializeGaloisKeys(gk) without serializing it: what a client
 * uploads for the rotations of a computation (the seeded form when every key
 * carries a seed, trusting that the seeds still match their keys).
 */
export function serializedGaloisKeysLength(gk: GaloisKeys): number {
  if (!(gk instanceof GaloisKeys)) serializationError('serializedGaloisKeysLength', 'a GaloisKeys', gk);
  const seeded = gk.keys.size > 0 && [...gk.keys.values()].every((k) => k.seed !== undefined);
  let body = KEY_ID_BYTES + 4;
  for (const key of gk.keys.values()) body += 4 + kswitchBytes(gk.context, key.level, seeded);
  return CONTAINER_OVERHEAD + body;
}

/** Loads either form of Galois keys. */
export function deserializeGaloisKeys(context: BfvContext, bytes: Uint8Array): GaloisKeys {
  return loadGaloisKeys('deserializeGaloisKeys', context, bytes, ['galoisKeys', 'seededGaloisKeys']);
}

/** The loader behind deserializeGaloisKeys and the generic deserialize (`kinds`: the forms accepted). */
export function loadGaloisKeys(fn: string, context: BfvContext, bytes: Uint8Array, kinds: readonly SerializedKind[]): GaloisKeys {
  return guarded(fn, () => {
    const { kind, version, reader: r } = openFor(fn, bytes, kinds, context);
    const seeded = kind === 'seededGaloisKeys';
    const keyId = version >= 2 ? r.keyId('the key id') : undefined;
    const m = r.u32('the Galois key count');
    // Each entry takes at least the smallest (last-level) key's bytes: refuse counts the body cannot hold before looping.
    const perKey = 4 + Math.min(...context.levels.map((l) => kswitchBytes(context, l.index, seeded)));
    if (m > r.remaining / perKey) serializationError(fn, `at most ${Math.floor(r.remaining / perKey)} Galois keys for the body size`, m);
    const keys = new Map<number, KSwitchKey>();
    const twoN = 2 * context.n;
    for (let j = 0; j < m; j++) {
      const g = r.u32(`Galois element ${j}`);
      if (g % 2 === 0 || g < 1 || g >= twoN) serializationError(fn, `odd Galois elements in [1, ${twoN})`, g);
      if (keys.has(g)) serializationError(fn, 'distinct Galois elements', `${g} twice`);
      keys.set(g, readKSwitch(context, r, `the key for Galois element ${g}`, keyId, seeded));
    }
    r.end(kind);
    return new GaloisKeys(context, keys);
  });
}
