/**
 * Codecs of the keys (keys.ts): secret, public, relinearization and Galois keys,
 * the latter two built from the key-switching-key codec. Format overview:
 * serialization.ts. "poly over the key base" = q_0..q_{L−1}, p_0.. residues,
 * packed as serialization/bytes.ts describes; key polynomials are in NTT form.
 *
 *   | kind       | body                                                                 |
 *   |------------|----------------------------------------------------------------------|
 *   | secretKey  | N/4 bytes: coefficient i in bits 2(i mod 4)..+1 of byte ⌊i/4⌋,        |
 *   |            | 00 → 0, 01 → 1, 10 → −1 (11 rejected); NTT form rebuilt on load      |
 *   | publicKey  | p0, p1: polys over the key base                                      |
 *   | relinKeys  | KSwitchKey: u8 d = ⌈L/α⌉ digits, then d × (b, a) polys over the key  |
 *   |            | base                                                                 |
 *   | galoisKeys | u32 m, then m × (u32 Galois element g, KSwitchKey); g odd in          |
 *   |            | [1, 2N), distinct, in the key map's order                             |
 *   | seededPublicKey  | p0 over the key base, 32-byte seed; p1 = expandKeySeed(seed, 1) |
 *   | seededRelinKeys  | SeededKSwitchKey: u8 d, 32-byte seed, d × b polys over the key  |
 *   |                  | base; digit i's a = expandKeySeed(seed, d)[i]                   |
 *   | seededGaloisKeys | u32 m, then m × (u32 g, SeededKSwitchKey)                       |
 *
 * Seeded forms (keys made with `{ seeded: true }`, keys.ts): the uniform a parts
 * are not stored but re-expanded from the seed on load (SHAKE256, the same bytes
 * in Node and browsers), halving public and key-switching keys. As for seeded
 * ciphertexts, the writer re-expands the seed and compares it with the key's a
 * parts before using the seeded form ('auto' falls back to the full form, `true`
 * refuses), so a key whose a was changed is never stored as a seed. Loaders of a
 * kind accept both forms: `deserializePublicKey` reads publicKey and
 * seededPublicKey, and so on.
 */
import type { BfvContext } from './context.js';
import { GaloisKeys, KSwitchKey, PublicKey, RelinKeys, SecretKey, expandKeySeed, smallToNtt } from './keys.js';
import type { RnsPoly } from './math/poly.js';
import { SEED_BYTES } from './math/sampling.js';
import { openFor, sealFor } from './params-codec.js';
import { ByteWriter, polyBytes, serializationError, type ByteReader } from './serialization/bytes.js';
import { guarded, type SerializedKind } from './serialization/container.js';

/** Options of the key writers. */
export interface SerializeKeyOptions {
  /**
   * 'auto' (default): the seeded form when the key carries a seed that still
   * expands to its a parts, else the full form. true: the seeded form or a
   * SERIALIZATION error. false: the full form.
   */
  readonly seeded?: boolean | 'auto';
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

/** Whether to write the seeded form: the key's seed must re-expand to exactly its `a` polynomials. */
function useSeed(fn: string, seed: Uint8Array | undefined, a: () => readonly RnsPoly[], context: BfvContext, mode: boolean | 'auto'): seed is Uint8Array {
  if (mode === false) return false;
  const valid = seed instanceof Uint8Array && seed.length === SEED_BYTES && samePolys(expandKeySeed(context.keyBase, seed, a().length), a());
  if (mode === true && !valid) serializationError(fn, 'a seeded key whose a parts are the expansion of its seed', seed ? 'a key whose a parts differ from its seed' : 'a key without a seed');
  return valid;
}

// ---------------------------------------------------------------------------
// Secret key

/** 2-bit codes: 0 → 00, 1 → 01, −1 → 10. */
function packTernary(fn: string, small: Int8Array, n: number): Uint8Array {
  if (small.length !== n) serializationError(fn, `${n} secret-key coefficients`, small.length);
  const out = new Uint8Array(n / 4);
  for (let i = 0; i < n; i++) {
    const c = small[i];
    const code = c === 0 ? 0 : c === 1 ? 1 : c === -1 ? 2 : serializationError(fn, 'secret-key coefficients in {−1, 0, 1}', c);
    out[i >> 2] |= code << (2 * (i & 3));
  }
  return out;
}

export function serializeSecretKey(sk: SecretKey): Uint8Array {
  const fn = 'serializeSecretKey';
  if (!(sk instanceof SecretKey)) serializationError(fn, 'a SecretKey', sk);
  const w = new ByteWriter(fn);
  w.bytes(packTernary(fn, sk.small, sk.context.n));
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
    return new SecretKey(context, small, smallToNtt(context.keyBase, small));
  });
}

// ---------------------------------------------------------------------------
// Public key

export function serializePublicKey(pk: PublicKey, options: SerializeKeyOptions = {}): Uint8Array {
  const fn = 'serializePublicKey';
  if (!(pk instanceof PublicKey)) serializationError(fn, 'a PublicKey', pk);
  const base = pk.context.keyBase;
  const w = new ByteWriter(fn);
  w.poly(pk.p0, base, 'ntt', 'p0');
  if (useSeed(fn, pk.seed, () => [pk.p1], pk.context, options.seeded ?? 'auto')) {
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

export function loadPublicKey(fn: string, context: BfvContext, bytes: Uint8Array, kinds: readonly SerializedKind[]): PublicKey {
  return guarded(fn, () => {
    const { kind, reader: r } = openFor(fn, bytes, kinds, context);
    const p0 = r.poly(context.keyBase, 'ntt', 'p0');
    if (kind === 'seededPublicKey') {
      const seed = r.bytesOf(SEED_BYTES, 'the seed');
      r.end(kind);
      return new PublicKey(context, p0, expandKeySeed(context.keyBase, seed, 1)[0], seed);
    }
    const p1 = r.poly(context.keyBase, 'ntt', 'p1');
    r.end('publicKey');
    return new PublicKey(context, p0, p1);
  });
}

// ---------------------------------------------------------------------------
// Key-switching keys (inside relinearization and Galois keys)

/** Writes a key-switching key, seeded (u8 d, seed, d × b) or full (u8 d, d × (b, a)). */
function writeKSwitch(w: ByteWriter, key: KSwitchKey, seeded: boolean): void {
  const ctx = key.context;
  const base = ctx.keyBase;
  const count = ctx.level(0).digits.length;
  if (key.digits.length !== count) serializationError(w.fn, `${count} key-switching digits`, key.digits.length);
  w.u8(count);
  if (seeded) w.bytes(key.seed!);
  key.digits.forEach((d, i) => {
    w.poly(d.b, base, 'ntt', `digit ${i} b`);
    if (!seeded) w.poly(d.a, base, 'ntt', `digit ${i} a`);
  });
}

function readKSwitch(context: BfvContext, r: ByteReader, what: string, seeded: boolean): KSwitchKey {
  const count = context.level(0).digits.length;
  const d = r.u8(`${what} digit count`);
  if (d !== count) serializationError(r.fn, `${count} digits in ${what} (⌈L/α⌉ for this context)`, d);
  const seed = seeded ? r.bytesOf(SEED_BYTES, `${what} seed`) : undefined;
  const digits = [];
  for (let i = 0; i < count; i++) {
    const b = r.poly(context.keyBase, 'ntt', `${what} digit ${i} b`);
    const a = seeded ? null : r.poly(context.keyBase, 'ntt', `${what} digit ${i} a`);
    digits.push({ b, a });
  }
  // Expanded only once every b has been read (so a short body fails before the SHAKE work).
  const expanded = seed ? expandKeySeed(context.keyBase, seed, count) : [];
  return new KSwitchKey(context, Object.freeze(digits.map((x, i) => Object.freeze({ b: x.b, a: x.a ?? expanded[i] }))), seed);
}

/** Whether a key-switching key can be written seeded (its seed expands to its a parts). */
function kswitchSeeded(fn: string, key: KSwitchKey, mode: boolean | 'auto'): boolean {
  return useSeed(fn, key.seed, () => key.digits.map((d) => d.a), key.context, mode);
}

/** Bytes of one serialized key-switching key for `context` (digit-count byte included). */
function kswitchBytes(context: BfvContext, seeded: boolean): number {
  const polys = (seeded ? 1 : 2) * context.level(0).digits.length;
  return 1 + (seeded ? SEED_BYTES : 0) + polys * polyBytes(context.keyBase.primes, context.n);
}

// ---------------------------------------------------------------------------
// Relinearization keys

export function serializeRelinKeys(rk: RelinKeys, options: SerializeKeyOptions = {}): Uint8Array {
  const fn = 'serializeRelinKeys';
  if (!(rk instanceof RelinKeys)) serializationError(fn, 'a RelinKeys', rk);
  const w = new ByteWriter(fn);
  const seeded = kswitchSeeded(fn, rk.key, options.seeded ?? 'auto');
  writeKSwitch(w, rk.key, seeded);
  return sealFor(seeded ? 'seededRelinKeys' : 'relinKeys', rk.context.params, w);
}

/** Loads either form of relinearization keys. */
export function deserializeRelinKeys(context: BfvContext, bytes: Uint8Array): RelinKeys {
  return loadRelinKeys('deserializeRelinKeys', context, bytes, ['relinKeys', 'seededRelinKeys']);
}

export function loadRelinKeys(fn: string, context: BfvContext, bytes: Uint8Array, kinds: readonly SerializedKind[]): RelinKeys {
  return guarded(fn, () => {
    const { kind, reader: r } = openFor(fn, bytes, kinds, context);
    const key = readKSwitch(context, r, 'the relinearization key', kind === 'seededRelinKeys');
    r.end(kind);
    return new RelinKeys(context, key);
  });
}

// ---------------------------------------------------------------------------
// Galois keys

export function serializeGaloisKeys(gk: GaloisKeys, options: SerializeKeyOptions = {}): Uint8Array {
  const fn = 'serializeGaloisKeys';
  if (!(gk instanceof GaloisKeys)) serializationError(fn, 'a GaloisKeys', gk);
  const mode = options.seeded ?? 'auto';
  // One form for the whole set: seeded only when every key is.
  const seeded = mode !== false && gk.keys.size > 0 && [...gk.keys.values()].every((k) => kswitchSeeded(fn, k, mode === true ? 'auto' : mode));
  if (mode === true && !seeded) serializationError(fn, 'Galois keys that are all seeded', 'a set with unseeded keys');
  const w = new ByteWriter(fn);
  w.u32(gk.keys.size);
  for (const [g, key] of gk.keys) {
    w.u32(g);
    writeKSwitch(w, key, seeded);
  }
  return sealFor(seeded ? 'seededGaloisKeys' : 'galoisKeys', gk.context.params, w);
}

/** Loads either form of Galois keys. */
export function deserializeGaloisKeys(context: BfvContext, bytes: Uint8Array): GaloisKeys {
  return loadGaloisKeys('deserializeGaloisKeys', context, bytes, ['galoisKeys', 'seededGaloisKeys']);
}

export function loadGaloisKeys(fn: string, context: BfvContext, bytes: Uint8Array, kinds: readonly SerializedKind[]): GaloisKeys {
  return guarded(fn, () => {
    const { kind, reader: r } = openFor(fn, bytes, kinds, context);
    const seeded = kind === 'seededGaloisKeys';
    const m = r.u32('the Galois key count');
    // Each entry takes at least one key's worth of bytes: refuse counts the body cannot hold before looping.
    const perKey = 4 + kswitchBytes(context, seeded);
    if (m > r.remaining / perKey) serializationError(fn, `at most ${Math.floor(r.remaining / perKey)} Galois keys for the body size`, m);
    const keys = new Map<number, KSwitchKey>();
    const twoN = 2 * context.n;
    for (let j = 0; j < m; j++) {
      const g = r.u32(`Galois element ${j}`);
      if (g % 2 === 0 || g < 1 || g >= twoN) serializationError(fn, `odd Galois elements in [1, ${twoN})`, g);
      if (keys.has(g)) serializationError(fn, 'distinct Galois elements', `${g} twice`);
      keys.set(g, readKSwitch(context, r, `the key for Galois element ${g}`, seeded));
    }
    r.end(kind);
    return new GaloisKeys(context, keys);
  });
}
