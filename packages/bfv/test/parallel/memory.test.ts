/**
 * Memory of the parallel path: ciphertexts encrypted straight into shared
 * storage reach the workers without a copy (`Encryptor.encryptInto`), and the
 * paced collector (collector.ts) frees unreachable shared storage once the
 * evaluator has allocated its budget of shared bytes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { BfvContext, Ciphertext, QheError } from '@qhe/bfv';
import { ParallelEvaluator, SHARED_COLLECTION_BYTES, WorkerPool, isShared, noteSharedAllocation, sharedCollections } from '@qhe/bfv/parallel';
import { cachedKeys, smallParameters } from '@qhe/bfv/testing';

const ctx = new BfvContext(smallParameters('u32', { primes: 3 }));
const keys = cachedKeys(ctx);
const pool = new WorkerPool({ size: 2 });
const pe = new ParallelEvaluator(ctx, pool);
afterAll(() => pool.close());

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('shared storage of the parallel path', () => {
  it('encryptInto writes a fresh encryption into shared storage, reused on the next call; workers read it in place', async () => {
    const out = Ciphertext.empty(ctx, 0, 2, true);
    const storage = out.polys.map((p) => p.data);
    const values = [[3n, 4n, 5n], [7n, 1n, 2n]];
    for (const v of values) {
      const ct = keys.encryptor.encryptInto(keys.encoder.encode(v), out);
      expect(ct).toBe(out);
      expect(ct.polys.map((p) => p.data)).toEqual(storage); // same arrays: nothing reallocated
      expect(ct.polys.every((p) => isShared(p.data))).toBe(true);
      expect(keys.encoder.decode(keys.decryptor.decrypt(ct)).slice(0, 3)).toEqual(v.map(Number));
    }
    // The parallel evaluator computes on it without moving it (adoptShared finds it shared).
    const [y] = await pe.linearMany([out], { taps: 1, index: [0], weight: [3] });
    expect(out.polys.map((p) => p.data)).toEqual(storage);
    expect(out.polys.every((p, k) => p.data === storage[k])).toBe(true);
    expect(keys.encoder.decode(keys.decryptor.decrypt(y)).slice(0, 3)).toEqual([21, 3, 6]);
    // A non-shared or wrongly shaped output is reshaped; a foreign object is refused.
    const grown = keys.encryptor.encryptInto(keys.encoder.encode([9n]), Ciphertext.empty(ctx, 1, 3));
    expect([grown.level, grown.size]).toEqual([0, 2]);
    expect(keys.encoder.decode(keys.decryptor.decrypt(grown))[0]).toBe(9);
    expect(() => keys.encryptor.encryptInto(keys.encoder.encode([1n]), {} as Ciphertext)).toThrow(QheError);
  });

  it('paces full collections by shared bytes: one per SHARED_COLLECTION_BYTES, and it frees unreachable shared storage', async () => {
    // Reach a budget boundary first (earlier allocations left some bytes counted).
    noteSharedAllocation(SHARED_COLLECTION_BYTES);
    const before = sharedCollections();
    noteSharedAllocation(SHARED_COLLECTION_BYTES / 2 - 1);
    expect(sharedCollections()).toBe(before);
    // Storage nothing references any more, created in an earlier task (WeakRef targets live through their task).
    let held: Ciphertext | null = Ciphertext.empty(ctx, 0, 2, true);
    const ref = new WeakRef(held.polys[0].data.buffer);
    held = null;
    await tick();
    noteSharedAllocation(SHARED_COLLECTION_BYTES / 2 + 1);
    expect(sharedCollections()).toBe(before + 1);
    expect(ref.deref()).toBeUndefined();
  });
});
