/**
 * The pool's hoisted rotations and linear transforms equal the synchronous
 * Evaluator's, bit for bit (the workers run the same code on shared memory; a
 * list of steps split among workers gives each part the same decomposition).
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BfvContext, Ciphertext, LinearTransform, galoisElementForStep } from '@qhe/bfv';
import { ParallelEvaluator, WorkerPool } from '@qhe/bfv/parallel';
import { arbSlots, cachedKeys, catchQheError, smallParameters } from '@qhe/bfv/testing';

const ctx = new BfvContext(smallParameters('u32', { primes: 3 }));
const n = ctx.n;
const STEPS = [1, 2, 5, -3, 40];
const keys = cachedKeys(ctx, { galoisSteps: [...STEPS, 0] });
const pool = new WorkerPool({ size: 2 });
const pe = new ParallelEvaluator(ctx, pool);
afterAll(() => pool.close());

const bits = (ct: Ciphertext) => ({ level: ct.level, polys: ct.polys.map((p) => Array.from(p.data)) });
const encrypt = (values: readonly bigint[]) => keys.encryptor.encrypt(keys.encoder.encode(values));

describe('pool: hoisted rotations and linear transforms', () => {
  it('rotateRowsMany(ct, steps) and applyGaloisMany equal the Evaluator bit for bit', async () => {
    await fc.assert(
      fc.asyncProperty(arbSlots(ctx), fc.array(fc.constantFrom(...STEPS, 0), { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 1 }), async (x, steps, level) => {
        const ct = keys.evaluator.modSwitchTo(encrypt(x), level);
        const want = keys.evaluator.rotateRowsMany(ct, steps, keys.galoisKeys).map(bits);
        expect((await pe.rotateRowsMany(ct, steps, keys.galoisKeys)).map(bits)).toEqual(want);
        const elts = [1, 2 * n - 1, ...steps.filter((s) => s !== 0).map((s) => galoisElementForStep(n, s))];
        expect((await pe.applyGaloisMany(ct, elts, keys.galoisKeys)).map(bits)).toEqual(keys.evaluator.applyGaloisMany(ct, elts, keys.galoisKeys).map(bits));
      }),
      { numRuns: 4 },
    );
  });

  it('keys made for a level work on the pool (their level crosses to the workers)', async () => {
    const gk = keys.keygen.createGaloisKeys({ steps: [1, 2], level: 1 });
    const ct = keys.evaluator.modSwitchTo(encrypt([5n, 6n, 7n]), 1);
    expect((await pe.rotateRowsMany(ct, [1, 2], gk)).map(bits)).toEqual(keys.evaluator.rotateRowsMany(ct, [1, 2], gk).map(bits));
  });

  it('the one-step-many-ciphertexts form of rotateRowsMany still works', async () => {
    const cts = [encrypt([1n, 2n]), encrypt([3n])];
    expect((await pe.rotateRowsMany(cts, 2, keys.galoisKeys)).map(bits)).toEqual(cts.map((c) => bits(keys.evaluator.rotateRows(c, 2, keys.galoisKeys))));
  });

  it('linearTransform equals the Evaluator bit for bit (vector and scalar factors, giants and babies, two inputs)', async () => {
    await fc.assert(
      fc.asyncProperty(arbSlots(ctx), arbSlots(ctx), arbSlots(ctx), async (x, y, d) => {
        const g = (s: number) => galoisElementForStep(n, s);
        const lt = LinearTransform.create(ctx, {
          level: 0,
          inputs: 2,
          terms: [
            { input: 0, baby: 1, giant: 1, diagonal: keys.encoder.encode(d) },
            { input: 0, baby: g(1), giant: 1, diagonal: 3n },
            { input: 1, baby: g(2), giant: g(5), diagonal: keys.encoder.encode(d.slice(7)) },
            { input: 1, baby: 1, giant: g(40), diagonal: -2n },
          ],
        });
        const cts = [encrypt(x), encrypt(y)];
        expect(bits(await pe.linearTransform(cts, lt, keys.galoisKeys))).toEqual(bits(keys.evaluator.linearTransform(cts, lt, keys.galoisKeys)));
      }),
      { numRuns: 3 },
    );
  });

  it('validates before dispatch: wrong forms, missing keys, levels', async () => {
    const ct = encrypt([1n]);
    await expect(pe.rotateRowsMany(ct, 3 as never, keys.galoisKeys)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(pe.rotateRowsMany(ct, [9], keys.keygen.createGaloisKeys([1]))).rejects.toMatchObject({ code: 'MISSING_KEY' }); // 9 = 8 + 1: no key for 8
    const lt = LinearTransform.create(ctx, { level: 1, inputs: 1, terms: [{ input: 0, baby: 1, giant: 1, diagonal: 2n }] });
    await expect(pe.linearTransform([ct], lt, null)).rejects.toMatchObject({ code: 'PARAMETER_MISMATCH' });
    expect(catchQheError(() => keys.evaluator.linearTransform([ct], lt, null)).code).toBe('PARAMETER_MISMATCH');
  });
});
