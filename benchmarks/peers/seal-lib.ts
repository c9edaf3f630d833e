/**
 * Loading node-seal 6.0.3 (Microsoft SEAL 4.1 compiled to WebAssembly) from
 * NodeNext ESM, plus the ownership helper every peer measurement uses.
 *
 * Why this file exists: node-seal has no `exports` map and is not
 * `"type": "module"`, so TypeScript reads its `export default` .d.ts as a
 * CommonJS module whose default import is `{ default: factory }`, while at
 * runtime Node hands the ESM default import the UMD's `module.exports`, which
 * is the factory itself. We normalise both shapes once here so no caller has
 * to care. The library's own typings are otherwise usable and are re-exported.
 *
 * Every node-seal object owns wasm heap memory that JS GC only reclaims
 * eventually (node-seal registers a FinalizationRegistry, which is not prompt).
 * Benchmarks build and drop many contexts, so each measurement owns a
 * `Disposer` and frees everything deterministically.
 */
import sealModule from 'node-seal';
import type { SEALLibrary } from 'node-seal/implementation/seal.js';

export type SealLib = SEALLibrary;
export type { CipherText } from 'node-seal/implementation/cipher-text.js';
export type { PlainText } from 'node-seal/implementation/plain-text.js';
export type { Context } from 'node-seal/implementation/context.js';
export type { Evaluator } from 'node-seal/implementation/evaluator.js';
export type { Encryptor } from 'node-seal/implementation/encryptor.js';
export type { Decryptor } from 'node-seal/implementation/decryptor.js';
export type { BatchEncoder } from 'node-seal/implementation/batch-encoder.js';
export type { KeyGenerator } from 'node-seal/implementation/key-generator.js';
export type { PublicKey } from 'node-seal/implementation/public-key.js';
export type { SecretKey } from 'node-seal/implementation/secret-key.js';
export type { RelinKeys } from 'node-seal/implementation/relin-keys.js';
export type { GaloisKeys } from 'node-seal/implementation/galois-keys.js';

type SealFactory = () => Promise<SEALLibrary>;

let cached: Promise<SealLib> | undefined;

/** Instantiates the wasm module once per process; later calls share it. */
export function loadSeal(): Promise<SealLib> {
  if (!cached) {
    const m = sealModule as unknown as SealFactory | { default: SealFactory };
    const factory: SealFactory = typeof m === 'function' ? m : m.default;
    cached = factory();
  }
  return cached;
}

/** Anything node-seal hands out that owns wasm memory. */
export interface Deletable {
  delete(): void;
}

/**
 * Collects node-seal objects and deletes them in reverse creation order
 * (dependents before what they depend on). `dispose` is idempotent so a
 * suite's `finally` and an explicit call cannot double-free.
 */
export class Disposer {
  private readonly owned: Deletable[] = [];
  private disposed = false;

  track<T extends Deletable>(obj: T): T {
    if (this.disposed) throw new Error('Disposer already disposed');
    this.owned.push(obj);
    return obj;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (let i = this.owned.length - 1; i >= 0; i--) this.owned[i].delete();
    this.owned.length = 0;
  }
}

/** Bit length of a prime, SEAL's `Modulus.bitCount` without a wasm round-trip. */
export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}
