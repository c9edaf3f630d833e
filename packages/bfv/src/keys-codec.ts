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
 *
 * Key id: key-id.ts (16 zero bytes = unknown). A secret key stores none: its id is
 * a function of s, recomputed on load.
 */
import type { BfvContext } from './context.js';
import { GaloisKeys, KSwitchKey, PublicKey, RelinKeys, SecretKey, keyBaseAt } from './keys.js';
import { packTernary } from './key-id.js';
import { openFor, sealFor } from './params-codec.js';
import { ByteWriter, polyBytes, serializationError, type ByteReader } from './serialization/bytes.js';
import { CONTAINER_OVERHEAD, guarded } from './serialization/container.js';
import { KEY_ID_BYTES } from './key-id.js';

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

export function serializePublicKey(pk: PublicKey): Uint8Array {
  const fn = 'serializePublicKey';
  if (!(pk instanceof PublicKey)) serializationError(fn, 'a PublicKey', pk);
  const base = pk.context.keyBase;
  const w = new ByteWriter(fn);
  w.keyId(pk.keyId);
  w.poly(pk.p0, base, 'ntt', 'p0');
  w.poly(pk.p1, base, 'ntt', 'p1');
  return sealFor('publicKey', pk.context.params, w);
}

export function deserializePublicKey(context: BfvContext, bytes: Uint8Array): PublicKey {
  const fn = 'deserializePublicKey';
  return guarded(fn, () => {
    const { version, reader: r } = openFor(fn, bytes, ['publicKey'], context);
    const keyId = version >= 2 ? r.keyId('the key id') : undefined;
    const p0 = r.poly(context.keyBase, 'ntt', 'p0');
    const p1 = r.poly(context.keyBase, 'ntt', 'p1');
    r.end('publicKey');
    return new PublicKey(context, p0, p1, keyId);
  });
}

// ---------------------------------------------------------------------------
// Key-switching keys (inside relinearization and Galois keys)

/** Bit 7 of the digit-count byte: a u8 level l ≥ 1 follows and the polys are over level l's primes ∪ special. */
const LEVELED = 0x80;

function writeKSwitch(w: ByteWriter, key: KSwitchKey): void {
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
  key.digits.forEach((d, i) => {
    w.poly(d.b, base, 'ntt', `digit ${i} b`);
    w.poly(d.a, base, 'ntt', `digit ${i} a`);
  });
}

function readKSwitch(context: BfvContext, r: ByteReader, what: string, keyId: string | undefined): KSwitchKey {
  const d = r.u8(`${what} digit count`);
  let level = 0;
  if (d & LEVELED) {
    level = r.u8(`${what} level`);
    if (level < 1 || level > context.maxLevel) serializationError(r.fn, `a level in [1, ${context.maxLevel}] for ${what} (0 is written without the level flag)`, level);
  }
  const count = context.level(level).digits.length;
  if ((d & ~LEVELED) !== count) serializationError(r.fn, `${count} digits in ${what} (⌈L_l/α⌉ at level ${level})`, d & ~LEVELED);
  const base = keyBaseAt(context, level);
  const digits = [];
  for (let i = 0; i < count; i++) {
    const b = r.poly(base, 'ntt', `${what} digit ${i} b`);
    const a = r.poly(base, 'ntt', `${what} digit ${i} a`);
    digits.push(Object.freeze({ b, a }));
  }
  return new KSwitchKey(context, Object.freeze(digits), keyId, level);
}

/** Bytes of one serialized key-switching key made for `level` (digit-count and level bytes included). */
function kswitchBytes(context: BfvContext, level = 0): number {
  return (level === 0 ? 1 : 2) + 2 * context.level(level).digits.length * polyBytes(keyBaseAt(context, level).primes, context.n);
}

// ---------------------------------------------------------------------------
// Relinearization keys

export function serializeRelinKeys(rk: RelinKeys): Uint8Array {
  const fn = 'serializeRelinKeys';
  if (!(rk instanceof RelinKeys)) serializationError(fn, 'a RelinKeys', rk);
  const w = new ByteWriter(fn);
  w.keyId(rk.keyId);
  writeKSwitch(w, rk.key);
  return sealFor('relinKeys', rk.context.params, w);
}

export function deserializeRelinKeys(context: BfvContext, bytes: Uint8Array): RelinKeys {
  const fn = 'deserializeRelinKeys';
  return guarded(fn, () => {
    const { version, reader: r } = openFor(fn, bytes, ['relinKeys'], context);
    const keyId = version >= 2 ? r.keyId('the key id') : undefined;
    const key = readKSwitch(context, r, 'the relinearization key', keyId);
    r.end('relinKeys');
    return new RelinKeys(context, key);
  });
}

// ---------------------------------------------------------------------------
// Galois keys

export function serializeGaloisKeys(gk: GaloisKeys): Uint8Array {
  const fn = 'serializeGaloisKeys';
  if (!(gk instanceof GaloisKeys)) serializationError(fn, 'a GaloisKeys', gk);
  const w = new ByteWriter(fn);
  w.keyId(gk.keyId);
  w.u32(gk.keys.size);
  for (const [g, key] of gk.keys) {
    w.u32(g);
    writeKSwitch(w, key);
  }
  return sealFor('galoisKeys', gk.context.params, w);
}

/**
 * The exact length of serializeGaloisKeys(gk) without serializing it: what a client
 * uploads for the rotations of a computation.
 */
export function serializedGaloisKeysLength(gk: GaloisKeys): number {
  if (!(gk instanceof GaloisKeys)) serializationError('serializedGaloisKeysLength', 'a GaloisKeys', gk);
  let body = KEY_ID_BYTES + 4;
  for (const key of gk.keys.values()) body += 4 + kswitchBytes(gk.context, key.level);
  return CONTAINER_OVERHEAD + body;
}

export function deserializeGaloisKeys(context: BfvContext, bytes: Uint8Array): GaloisKeys {
  const fn = 'deserializeGaloisKeys';
  return guarded(fn, () => {
    const { version, reader: r } = openFor(fn, bytes, ['galoisKeys'], context);
    const keyId = version >= 2 ? r.keyId('the key id') : undefined;
    const m = r.u32('the Galois key count');
    // Each entry takes at least the smallest (last-level) key's bytes: refuse counts the body cannot hold before looping.
    const perKey = 4 + Math.min(...context.levels.map((l) => kswitchBytes(context, l.index)));
    if (m > r.remaining / perKey) serializationError(fn, `at most ${Math.floor(r.remaining / perKey)} Galois keys for the body size`, m);
    const keys = new Map<number, KSwitchKey>();
    const twoN = 2 * context.n;
    for (let j = 0; j < m; j++) {
      const g = r.u32(`Galois element ${j}`);
      if (g % 2 === 0 || g < 1 || g >= twoN) serializationError(fn, `odd Galois elements in [1, ${twoN})`, g);
      if (keys.has(g)) serializationError(fn, 'distinct Galois elements', `${g} twice`);
      keys.set(g, readKSwitch(context, r, `the key for Galois element ${g}`, keyId));
    }
    r.end('galoisKeys');
    return new GaloisKeys(context, keys);
  });
}
