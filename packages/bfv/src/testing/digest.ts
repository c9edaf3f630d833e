/**
 * Canonical digests of ciphertexts and plaintexts, for known-answer vectors.
 *
 * Residues are hashed as unsigned 64-bit little-endian words whatever the kernel's
 * storage (Int32Array or BigUint64Array), so that the two kernels, which run the
 * same scheme code, can be required to produce bit-identical ciphertexts.
 * The level and the polynomial count are hashed too: a ciphertext that decrypts
 * correctly at the wrong level is still a different answer.
 */
import { createHash } from 'node:crypto';
import type { Ciphertext, Plaintext } from '../ciphertext.js';
import type { Residues } from '../math/kernel.js';

function words(data: Residues): Uint8Array {
  const out = new BigUint64Array(data.length);
  if (data instanceof BigUint64Array) out.set(data);
  else for (let i = 0; i < data.length; i++) out[i] = BigInt(data[i] >>> 0);
  // BigUint64Array is platform-endian; every supported platform is little-endian, checked here.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('ciphertextDigest: big-endian platforms are not supported');
  return new Uint8Array(out.buffer);
}

/** SHA-256 (hex) over "level,size" then every polynomial's residues, limb by limb. */
export function ciphertextDigest(ct: Ciphertext): string {
  const h = createHash('sha256');
  h.update(`bfv-ct|level=${ct.level}|size=${ct.size}|`);
  for (const p of ct.polys) h.update(words(p.data));
  return h.digest('hex');
}

/** SHA-256 (hex) of a plaintext's coefficients mod t. */
export function plaintextDigest(pt: Plaintext): string {
  return createHash('sha256').update('bfv-pt|').update(words(pt.data)).digest('hex');
}

/** SHA-256 (hex) of a list of integers (e.g. decrypted slots), as decimal text. */
export function valuesDigest(values: readonly (number | bigint)[]): string {
  return createHash('sha256').update(values.join(',')).digest('hex');
}

/** A 32-byte seed from a label: SHA-256 of the text, so vectors can name their seeds. */
export function seedFromLabel(label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(label).digest());
}
