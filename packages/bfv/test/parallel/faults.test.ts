/**
 * Faults and lifecycle of the pool: validation before dispatch, a throwing
 * job, a worker that dies mid-job (process.exit inside the job, terminate()
 * from outside), no job run twice, close-then-exit in a child process, and many
 * concurrent batches without deadlock.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BfvContext, Ciphertext, QheError } from '@qhe/bfv';
import { ParallelEvaluator, WorkerPool } from '@qhe/bfv/parallel';
import { cachedKeys, smallParameters } from '@qhe/bfv/testing';

const ctx = new BfvContext(smallParameters('u32', { primes: 3 }));
const other = new BfvContext(smallParameters('u32', { primes: 2 }));
const keys = cachedKeys(ctx);
const pool = new WorkerPool({ size: 2 });
const pe = new ParallelEvaluator(ctx, pool);
afterAll(() => pool.close());

const encrypt = (v: bigint) => keys.encryptor.encrypt(keys.encoder.encode([v]));
const first = (ct: Ciphertext) => keys.encoder.decodeBigInt(keys.decryptor.decrypt(ct))[0];
const code = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof QheError ? e.code : `non-QheError ${String(e)}`));

describe('WorkerPool faults', () => {
  it('invalid operands reject before dispatch with the Evaluator codes', async () => {
    const a = encrypt(2n);
    const low = keys.evaluator.modSwitchToNext(a);
    const foreign = cachedKeys(other).encryptor.encrypt(cachedKeys(other).encoder.encode([1n]));
    const p3 = keys.evaluator.multiply(a, a);
    const checks = [
      [code(pe.add(a, low)), 'PARAMETER_MISMATCH'],
      [code(pe.add(a, foreign)), 'PARAMETER_MISMATCH'],
      [code(pe.multiplyScalar(a, ctx.t)), 'TRANSPARENT_RESULT'],
      [code(pe.applyGalois(p3, 3, keys.galoisKeys)), 'CIPHERTEXT_SIZE'],
      [code(pe.applyGalois(a, 5, keys.galoisKeys)), 'MISSING_KEY'],
      [code(pe.modSwitchToNext(keys.evaluator.modSwitchTo(a, ctx.maxLevel))), 'LEVEL_EXHAUSTED'],
      [code(pe.add(a, {} as Ciphertext)), 'INVALID_ARGUMENT'],
      [code(pe.multiplyMany([a], [])), 'LENGTH_MISMATCH'],
    ] as const;
    // All rejected synchronously inside the async call: nothing reached the queue.
    expect(pool.pending).toBe(0);
    for (const [p, want] of checks) expect(await p).toBe(want);
  });

  it('a job that throws rejects naming the operation; later jobs succeed', async () => {
    const a = encrypt(4n);
    const err = await pe.map([a], () => {
      throw new Error('boom');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QheError);
    expect((err as QheError).code).toBe('WORKER_FAILED');
    expect((err as QheError).message).toMatch(/^map: .*boom/);
    expect(first(await pe.multiplyScalar(a, 3))).toBe(12n);
  });

  it('a worker that calls process.exit mid-job: that job rejects, the worker is replaced, no job runs twice', async () => {
    const before = pool.workers.slice();
    const cts = Array.from({ length: 8 }, (_, i) => encrypt(BigInt(i)));
    const counter = new Int32Array(new SharedArrayBuffer(4 * cts.length));
    const results = await Promise.allSettled(
      cts.map((ct, i) =>
        pe.map([ct], (c, env) => {
          const { counter, die } = env.args as { counter: Int32Array; die: boolean };
          Atomics.add(counter, env.index + (env.args as { at: number }).at, 1);
          if (die) process.exit(7);
          return env.evaluator.negate(c);
        }, { args: { counter, die: i === 3, at: i } }),
      ),
    );
    const rejected = results.flatMap((r, i) => (r.status === 'rejected' ? [[i, r.reason]] : []));
    expect(rejected.map(([i]) => i)).toEqual([3]);
    const reason = rejected[0][1] as QheError;
    expect(reason.code).toBe('WORKER_FAILED');
    expect(reason.message).toMatch(/^map: .*exited with code 7/);
    expect(Array.from(counter)).toEqual(cts.map(() => 1));
    expect(pool.workers.some((w, i) => w !== before[i])).toBe(true);
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') expect(first(r.value[0])).toBe((ctx.t - BigInt(i)) % ctx.t);
    });
    expect(first(await pe.multiplyScalar(cts[2], 5))).toBe(10n);
  });

  it('worker.terminate() from outside during a job is survived', async () => {
    const a = encrypt(6n);
    const slow = code(
      pe.map([a], (c, env) => {
        const until = Date.now() + 2000;
        while (Date.now() < until);
        return env.evaluator.negate(c);
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all(pool.workers.map((w) => w.terminate()));
    expect(await slow).toBe('WORKER_FAILED');
    const again = await Promise.all([pe.multiplyScalar(a, 2), pe.add(a, a)]);
    expect(again.map(first)).toEqual([12n, 12n]);
  });

  it('many concurrent batches finish without deadlock', async () => {
    const cts = Array.from({ length: 4 }, (_, i) => encrypt(BigInt(i + 1)));
    const batches = Array.from({ length: 12 }, (_, j) =>
      j % 3 === 0
        ? pe.multiplyRelinearizeMany(cts, cts, keys.relinKeys)
        : j % 3 === 1
          ? pe.linearMany(cts, { taps: 2, index: [0, 1, 2, 3], weight: [1, 2, 3, 4] })
          : pe.map(cts, (c, env) => env.evaluator.add(c, c)),
    );
    const out = await Promise.all(batches);
    expect(out[0].map(first)).toEqual([1n, 4n, 9n, 16n]);
    expect(out[1].map(first)).toEqual([5n, 25n]);
    expect(out[2].map(first)).toEqual([2n, 4n, 6n, 8n]);
    expect(pool.pending).toBe(0);
  });

  it('close() drains submitted jobs, then refuses new ones with POOL_CLOSED', async () => {
    const own = ParallelEvaluator.create(ctx, { workers: 2 });
    const a = encrypt(7n);
    const queued = own.multiplyScalar(a, 3);
    const closing = own.close();
    expect(await code(own.add(a, a))).toBe('POOL_CLOSED');
    expect(first(await queued)).toBe(21n);
    await closing;
    expect(own.pool.isClosed).toBe(true);
  });

  it('a script that closes its pool exits by itself (child process)', () => {
    const fixture = fileURLToPath(new URL('./fixtures/close-exit.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', fixture], { encoding: 'utf8', timeout: 30_000, cwd: fileURLToPath(new URL('../../', import.meta.url)) });
    expect(r.error, r.stderr).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('result 9');
  });
});
