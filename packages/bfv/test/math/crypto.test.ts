import { describe, expect, it } from 'vitest';
import { fillRandom, hashBackend, hashImplementations, sha256, shake256, toHex } from '../../src/math/crypto.js';

// FIPS 202 / FIPS 180-4 known answers (empty input, "abc").
const SHAKE256_EMPTY_32 = '46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f';
const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('crypto: hashes and randomness that run in Node and in browsers', () => {
  it('uses the native implementation in Node, and both agree with the FIPS known answers', () => {
    expect(hashBackend).toBe('native');
    for (const impl of [hashImplementations.noble, hashImplementations.native!]) {
      expect(toHex(impl.shake256(new Uint8Array(0), 32))).toBe(SHAKE256_EMPTY_32);
      expect(toHex(impl.sha256([new TextEncoder().encode('abc')]))).toBe(SHA256_ABC);
    }
  });

  it('noble and native give the same bytes for inputs and outputs around the Keccak rate (136 bytes)', () => {
    const native = hashImplementations.native!, noble = hashImplementations.noble;
    for (const inLen of [0, 1, 40, 135, 136, 137, 1000]) {
      const input = Uint8Array.from({ length: inLen }, (_, i) => (i * 151 + inLen) & 0xff);
      for (const outLen of [1, 32, 136, 137, 4096]) expect(toHex(noble.shake256(input, outLen))).toBe(toHex(native.shake256(input, outLen)));
      const parts = [input.subarray(0, inLen >> 1), input.subarray(inLen >> 1)];
      expect(toHex(noble.sha256(parts))).toBe(toHex(native.sha256(parts)));
      expect(toHex(sha256(...parts))).toBe(toHex(native.sha256([input])));
    }
    expect(shake256(new Uint8Array(3), 10)).toBeInstanceOf(Uint8Array);
    expect(Object.getPrototypeOf(sha256(new Uint8Array(1)))).toBe(Uint8Array.prototype);
  });

  it('fillRandom fills buffers larger than one getRandomValues call (65,536 bytes) in every chunk', () => {
    const out = fillRandom(new Uint8Array(3 * 65536 + 17));
    for (let chunk = 0; chunk < 4; chunk++) {
      const part = out.subarray(chunk * 65536, Math.min(out.length, (chunk + 1) * 65536));
      expect(part.some((b) => b !== 0)).toBe(true);
    }
    // Byte frequencies of 196,625 uniform bytes: every value appears (expected ≈ 768 times each).
    const counts = new Uint32Array(256);
    for (const b of out) counts[b]++;
    expect(Math.min(...counts)).toBeGreaterThan(500);
  });

  it('rejects a negative output length', () => {
    expect(() => shake256(new Uint8Array(1), -1)).toThrow(/shake256: expected an output length/);
  });
});
