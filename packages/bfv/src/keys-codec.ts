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
 */
import type { BfvContext } from './context.js';
import { GaloisKeys, KSwitchKey, PublicKey, RelinKeys, SecretKey, smallToNtt } from './keys.js';
import { openFor, sealFor } from './params-codec.js';
import { ByteWriter, polyBytes, serializationError, type ByteReader } from './serialization/bytes.js';
import { guarded } from './serialization/container.js';

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

export function serializePublicKey(pk: PublicKey): Uint8Array {
  const fn = 'serializePublicKey';
  if (!(pk instanceof PublicKey)) serializationError(fn, 'a PublicKey', pk);
  const base = pk.context.keyBase;
  const w = new ByteWriter(fn);
  w.poly(pk.p0, base, 'ntt', 'p0');
  w.poly(pk.p1, base, 'ntt', 'p1');
  return sealFor('publicKey', pk.context.params, w);
}

export function deserializePublicKey(context: BfvContext, bytes: Uint8Array): PublicKey {
  const fn = 'deserializePublicKey';
  return guarded(fn, () => {
    const r = openFor(fn, bytes, ['publicKey'], context).reader;
    const p0 = r.poly(context.keyBase, 'ntt', 'p0');
    const p1 = r.poly(context.keyBase, 'ntt', 'p1');
    r.end('publicKey');
    return new PublicKey(context, p0, p1);
  });
}

// ---------------------------------------------------------------------------
// Key-switching keys (inside relinearization and Galois keys)

function writeKSwitch(w: ByteWriter, key: KSwitchKey): void {
  const ctx = key.context;
  const base = ctx.keyBase;
  const count = ctx.level(0).digits.length;
  if (key.digits.length !== count) serializationError(w.fn, `${count} key-switching digits`, key.digits.length);
  w.u8(count);
  key.digits.forEach((d, i) => {
    w.poly(d.b, base, 'ntt', `digit ${i} b`);
    w.poly(d.a, base, 'ntt', `digit ${i} a`);
  });
}

function readKSwitch(context: BfvContext, r: ByteReader, what: string): KSwitchKey {
  const count = context.level(0).digits.length;
  const d = r.u8(`${what} digit count`);
  if (d !== count) serializationError(r.fn, `${count} digits in ${what} (⌈L/α⌉ for this context)`, d);
  const digits = [];
  for (let i = 0; i < count; i++) {
    const b = r.poly(context.keyBase, 'ntt', `${what} digit ${i} b`);
    const a = r.poly(context.keyBase, 'ntt', `${what} digit ${i} a`);
    digits.push(Object.freeze({ b, a }));
  }
  return new KSwitchKey(context, Object.freeze(digits));
}

/** Bytes of one serialized key-switching key for `context` (digit-count byte included). */
function kswitchBytes(context: BfvContext): number {
  return 1 + 2 * context.level(0).digits.length * polyBytes(context.keyBase.primes, context.n);
}

// ---------------------------------------------------------------------------
// Relinearization keys

export function serializeRelinKeys(rk: RelinKeys): Uint8Array {
  const fn = 'serializeRelinKeys';
  if (!(rk instanceof RelinKeys)) serializationError(fn, 'a RelinKeys', rk);
  const w = new ByteWriter(fn);
  writeKSwitch(w, rk.key);
  return sealFor('relinKeys', rk.context.params, w);
}

export function deserializeRelinKeys(context: BfvContext, bytes: Uint8Array): RelinKeys {
  const fn = 'deserializeRelinKeys';
  return guarded(fn, () => {
    const r = openFor(fn, bytes, ['relinKeys'], context).reader;
    const key = readKSwitch(context, r, 'the relinearization key');
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
  w.u32(gk.keys.size);
  for (const [g, key] of gk.keys) {
    w.u32(g);
    writeKSwitch(w, key);
  }
  return sealFor('galoisKeys', gk.context.params, w);
}

export function deserializeGaloisKeys(context: BfvContext, bytes: Uint8Array): GaloisKeys {
  const fn = 'deserializeGaloisKeys';
  return guarded(fn, () => {
    const r = openFor(fn, bytes, ['galoisKeys'], context).reader;
    const m = r.u32('the Galois key count');
    // Each entry takes at least one key's worth of bytes: refuse counts the body cannot hold before looping.
    const perKey = 4 + kswitchBytes(context);
    if (m > r.remaining / perKey) serializationError(fn, `at most ${Math.floor(r.remaining / perKey)} Galois keys for the body size`, m);
    const keys = new Map<number, KSwitchKey>();
    const twoN = 2 * context.n;
    for (let j = 0; j < m; j++) {
      const g = r.u32(`Galois element ${j}`);
      if (g % 2 === 0 || g < 1 || g >= twoN) serializationError(fn, `odd Galois elements in [1, ${twoN})`, g);
      if (keys.has(g)) serializationError(fn, 'distinct Galois elements', `${g} twice`);
      keys.set(g, readKSwitch(context, r, `the key for Galois element ${g}`));
    }
    r.end('galoisKeys');
    return new GaloisKeys(context, keys);
  });
}
