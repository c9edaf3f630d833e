/**
 * Key identities (issue 13, item 7): which secret key an object belongs to, so
 * that using a key or ciphertext with another key's objects fails up front with
 * KEY_MISMATCH instead of decrypting to noise (which would surface as an
 * exhausted noise budget, or not at all for a rotation).
 *
 * What belongs together: a secret key s, every public, relinearization and Galois
 * key generated from s, every ciphertext encrypted under those keys, and every
 * result computed from such ciphertexts. They all carry one `keyId`.
 *
 * Derivation: keyId = hex(SHAKE256("qhe/bfv/key-id/1" ‖ 0 ‖ context.id ‖ 0 ‖
 * pack(s))[0, 16)), pack = 2 bits per ternary coefficient (the secret-key wire
 * form, keys-codec.ts). Why from the secret key and not from the public key: a
 * public key is randomized (p1 = a is fresh for every createPublicKey), so two
 * public keys of one secret would get two ids although they belong together, and
 * relinearization and Galois keys have their own fresh a's; s is the one thing
 * all of them share. Why it reveals nothing usable: SHAKE256 is preimage-resistant,
 * and s has N·log2(3) ≥ 1623 bits of entropy (N ≥ 1024), so the 128-bit id can be
 * neither inverted nor brute-forced; the parameter id in the input makes the same
 * coefficients under other parameters a different key. The id is a label against
 * mistakes, not an authenticator: anyone can attach any id to a key they build by
 * hand, and only the holder of s can recompute it.
 *
 * Unknown ids: objects built by hand without an id and objects loaded from
 * format-version-1 bytes (which did not store ids) have keyId undefined. An unknown
 * id matches any id; a result takes the known id of its operands. Two known ids
 * that differ are KEY_MISMATCH.
 */
import type { BfvContext } from './context.js';
import { QheError, fail } from './math/errors.js';
import { shake256, toHex } from './math/crypto.js';

export const KEY_ID_BYTES = 16;
const DOMAIN = new TextEncoder().encode('qhe/bfv/key-id/1');

/** 2-bit codes per coefficient: 0 → 00, 1 → 01, −1 → 10; coefficient i in bits 2(i mod 4)..+1 of byte ⌊i/4⌋. */
export function packTernary(small: Int8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(small.length / 4));
  for (let i = 0; i < small.length; i++) {
    const c = small[i];
    out[i >> 2] |= (c === 0 ? 0 : c === 1 ? 1 : 2) << (2 * (i & 3));
  }
  return out;
}

/** The key id of secret key s (ternary coefficients) under `context`. */
export function secretKeyId(context: BfvContext, small: Int8Array): string {
  const id = new TextEncoder().encode(context.id);
  const packed = packTernary(small);
  const input = new Uint8Array(DOMAIN.length + 1 + id.length + 1 + packed.length);
  input.set(DOMAIN, 0);
  input.set(id, DOMAIN.length + 1);
  input.set(packed, DOMAIN.length + id.length + 2);
  return hexOf(shake256(input, KEY_ID_BYTES));
}

const HEX_ID = /^[0-9a-f]{32}$/;

/** Throws unless `keyId` is undefined or 32 lower-case hex digits. */
export function assertKeyId(fn: string, keyId: unknown): asserts keyId is string | undefined {
  if (keyId !== undefined && (typeof keyId !== 'string' || !HEX_ID.test(keyId)))
    fail('INVALID_ARGUMENT', fn, `a key id of ${2 * KEY_ID_BYTES} lower-case hex digits, or undefined`, keyId);
}

/**
 * The common key id of objects that must belong together (undefined when none is
 * known); KEY_MISMATCH when two known ids differ. `what` names each object.
 */
export function commonKeyId(fn: string, objects: readonly { readonly keyId?: string | undefined; readonly what: string }[]): string | undefined {
  const name = typeof fn === 'string' ? fn : 'commonKeyId';
  if (!Array.isArray(objects)) throw new QheError('INVALID_ARGUMENT', `${name}: expected a list of { keyId, what }, got ${typeof objects}`);
  let id: string | undefined;
  let first = '';
  for (const o of objects) {
    if (typeof o !== 'object' || o === null) throw new QheError('INVALID_ARGUMENT', `${name}: expected { keyId, what } entries, got ${o === null ? 'null' : typeof o}`);
    assertKeyId(name, o.keyId);
    if (o.keyId === undefined) continue;
    const what = typeof o.what === 'string' ? o.what : 'an object';
    if (id === undefined) {
      id = o.keyId;
      first = what;
    } else if (o.keyId !== id)
      throw new QheError(
        'KEY_MISMATCH',
        `${name}: expected ${what} to belong to the key of ${first} (key id ${id}), got key id ${o.keyId}: they come from different secret keys`,
      );
  }
  return id;
}

/** Lower-case hex of bytes (one home: math/crypto.ts). */
export const hexOf = toHex;
