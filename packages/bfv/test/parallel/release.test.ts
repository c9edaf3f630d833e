/**
 * WorkerPool.releaseKeys: a server drops a session's evaluation keys from every
 * worker; the pool's registrations (what a replacement worker receives) shrink
 * back, and the same key object registered again still computes bit-exactly.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { BfvContext, KeyGenerator } from '@qhe/bfv';
import { ParallelEvaluator, WorkerPool } from '@qhe/bfv/parallel';
import { cachedKeys, smallParameters } from '@qhe/bfv/testing';

const ctx = new BfvContext(smallParameters('u32', { primes: 3 }));
const keys = cachedKeys(ctx);
const pool = new WorkerPool({ size: 2 });
const pe = new ParallelEvaluator(ctx, pool);
afterAll(() => pool.close());

const registrations = (): number => (pool as unknown as { registrations: unknown[] }).registrations.length;

describe('WorkerPool.releaseKeys', () => {
  it('forgets released key sets; re-registering computes the same results', async () => {
    const x = keys.encryptor.encrypt(keys.encoder.encode([3n, 4n, 5n]));
    const sq = keys.evaluator.square(x);
    const expected = keys.evaluator.relinearize(sq, keys.relinKeys);
    const base = registrations();
    // Fresh key objects per "session".
    for (let session = 0; session < 3; session++) {
      const rk = new KeyGenerator(ctx, { secretKey: keys.keygen.secretKey }).createRelinKeys();
      const [r] = await pe.relinearizeMany([sq], rk);
      expect(keys.encoder.decode(keys.decryptor.decrypt(r)).slice(0, 3)).toEqual([9, 16, 25]);
      expect(registrations()).toBe(base + 1);
      pool.releaseKeys(rk);
      expect(registrations()).toBe(base);
      pool.releaseKeys(rk); // unknown now: no-op
    }
    const [again] = await pe.relinearizeMany([sq], keys.relinKeys);
    const [twice] = await pe.relinearizeMany([sq], keys.relinKeys);
    pool.releaseKeys(keys.relinKeys);
    const [after] = await pe.relinearizeMany([sq], keys.relinKeys);
    for (const r of [again, twice, after]) expect(r.polys.map((p) => Array.from(p.data))).toEqual(expected.polys.map((p) => Array.from(p.data)));
  });
});
