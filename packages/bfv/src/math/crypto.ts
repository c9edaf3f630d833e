/**
 * The hash functions and the system CSPRNG, the same in Node and in browsers.
 *
 * - SHA-256 (FIPS 180-4) for container checksums and fingerprints, SHAKE256
 *   (FIPS 202) for seed expansion (sampling.ts). Both are standard functions:
 *   @noble/hashes (audited, pure JS) computes them everywhere, and where Node's
 *   `crypto` module is available (found through `process.getBuiltinModule`, so
 *   that no `node:` import reaches a browser bundle) its native OpenSSL code
 *   computes them instead, 7–25× faster (measured here: SHAKE256 4 KiB blocks
 *   0.05–0.12 ms native vs 0.5–1.0 ms noble; SHA-256 of 16 MiB 40 ms vs 1 s). The
 *   output is the same bytes either way (a test compares both on every length
 *   class), so a seed expanded in a browser gives the server the same polynomial.
 * - Randomness: WebCrypto `crypto.getRandomValues` (a CSPRNG: the OS generator
 *   in Node, the browser's in browsers), which takes at most 65,536 bytes per
 *   call, hence the chunking.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { shake256 as nobleShake256 } from '@noble/hashes/sha3.js';
import { fail } from './errors.js';

interface NodeHash {
  update(data: Uint8Array): NodeHash;
  digest(): Uint8Array;
}
interface NodeCrypto {
  createHash(algorithm: string, options?: { outputLength?: number }): NodeHash;
}

function findNodeCrypto(): NodeCrypto | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return undefined;
  try {
    const mod = proc.getBuiltinModule('node:crypto') as NodeCrypto | undefined;
    return typeof mod?.createHash === 'function' ? mod : undefined;
  } catch {
    return undefined;
  }
}

const nodeCrypto = findNodeCrypto();

function toBytes(d: Uint8Array): Uint8Array {
  // Node returns a Buffer (a Uint8Array subclass); callers get a plain Uint8Array.
  return Object.getPrototypeOf(d) === Uint8Array.prototype ? d : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Both implementations, for the equality test and benchmarks; `native` is undefined outside Node. */
export const hashImplementations = Object.freeze({
  noble: Object.freeze({
    sha256(parts: readonly Uint8Array[]): Uint8Array {
      const h = nobleSha256.create();
      for (const p of parts) h.update(p);
      return h.digest();
    },
    shake256(input: Uint8Array, outputLength: number): Uint8Array {
      return nobleShake256(input, { dkLen: outputLength });
    },
  }),
  native: nodeCrypto
    ? Object.freeze({
        sha256(parts: readonly Uint8Array[]): Uint8Array {
          const h = nodeCrypto.createHash('sha256');
          for (const p of parts) h.update(p);
          return toBytes(h.digest());
        },
        shake256(input: Uint8Array, outputLength: number): Uint8Array {
          return toBytes(nodeCrypto.createHash('shake256', { outputLength }).update(input).digest());
        },
      })
    : undefined,
});

const impl = hashImplementations.native ?? hashImplementations.noble;

/** Which implementation this runtime uses ('native' in Node, 'noble' in browsers). */
export const hashBackend: 'native' | 'noble' = hashImplementations.native ? 'native' : 'noble';

/** SHA-256 of the concatenation of `parts` (32 bytes). */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  return impl.sha256(parts);
}

/** The first `outputLength` bytes of SHAKE256(input). */
export function shake256(input: Uint8Array, outputLength: number): Uint8Array {
  if (!Number.isSafeInteger(outputLength) || outputLength < 0) fail('INVALID_ARGUMENT', 'shake256', 'an output length ≥ 0', outputLength);
  return impl.shake256(input, outputLength);
}

const GET_RANDOM_MAX = 65536;

/** Fills `out` from the system CSPRNG (WebCrypto getRandomValues). */
export function fillRandom(out: Uint8Array): Uint8Array {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (typeof c?.getRandomValues !== 'function')
    fail('INVALID_ARGUMENT', 'fillRandom', 'a runtime with WebCrypto crypto.getRandomValues (Node ≥ 19, any current browser)', undefined);
  for (let off = 0; off < out.length; off += GET_RANDOM_MAX) c.getRandomValues(out.subarray(off, Math.min(out.length, off + GET_RANDOM_MAX)));
  return out;
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return s;
}
