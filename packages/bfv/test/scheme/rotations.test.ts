/**
 * Rotations permute slots exactly as documented: rotateRows(k) moves slot
 * (i + k) mod N/2 of each row to slot i (k < 0: right), rotateColumns swaps the
 * rows. The evaluator uses the key for the exact step when it has one and
 * composes power-of-two keys otherwise; both paths must give the same
 * permutation (checked with key sets holding only the exact key, only the
 * power-of-two keys, and both).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BfvContext, galoisElementForStep } from '@qhe/bfv';
import {
  arbSlots,
  cachedKeys,
  catchQheError,
  decryptSlots,
  makeKeys,
  referenceEvaluate,
  rotateColumnsReference,
  rotateRowsReference,
  runEncrypted,
  smallParameters,
  type Circuit,
} from '@qhe/bfv/testing';

const RUNS = { u32: 10, u64: 3 } as const;

const rotation = (steps: number): Circuit => ({ inputs: 1, plainInputs: 0, ops: [{ op: 'rotateRows', a: 0, steps }] });

describe('reference permutation', () => {
  it('matches the documented slot map on a small example', () => {
    // N = 8: rows [0 1 2 3 | 4 5 6 7].
    const v = [0, 1, 2, 3, 4, 5, 6, 7];
    expect(rotateRowsReference(v, 1)).toEqual([1, 2, 3, 0, 5, 6, 7, 4]);
    expect(rotateRowsReference(v, -1)).toEqual([3, 0, 1, 2, 7, 4, 5, 6]);
    expect(rotateRowsReference(v, 3)).toEqual(rotateRowsReference(v, -1));
    expect(rotateColumnsReference(v)).toEqual([4, 5, 6, 7, 0, 1, 2, 3]);
    expect(referenceEvaluate({ inputs: 1, plainInputs: 0, ops: [{ op: 'rotateRows', a: 0, steps: 2 }] }, [v], 17n, 8).output).toEqual([2n, 3n, 0n, 1n, 6n, 7n, 4n, 5n]);
  });
});

for (const kernel of ['u32', 'u64'] as const) {
  describe(`rotations (${kernel})`, () => {
    const ctx = new BfvContext(smallParameters(kernel));
    const n = ctx.n, t = ctx.t, half = n / 2;
    const numRuns = RUNS[kernel];
    const step = fc.oneof(fc.integer({ min: -8, max: 8 }), fc.integer({ min: -(half - 1), max: half - 1 }));

    it('composed from power-of-two keys, any step (positive, negative, zero)', () => {
      const k = cachedKeys(ctx); // default keys: 0 and ±2^i
      fc.assert(
        fc.property(arbSlots(ctx), step, (x, s) => {
          const c = rotation(s);
          expect(decryptSlots(k, runEncrypted(c, [x], k).output)).toEqual(referenceEvaluate(c, [x], t, n).output);
        }),
        { numRuns },
      );
    });

    it('composition uses only the power-of-two keys it needs: a key set with just +1, +2, +4 reaches 7 but not −1', () => {
      const k = cachedKeys(ctx, { galoisSteps: [1, 2, 4] });
      const x = Array.from({ length: n }, (_, i) => BigInt(i) % t);
      expect(decryptSlots(k, k.evaluator.rotateRows(k.encryptor.encrypt(k.encoder.encode(x)), 7, k.galoisKeys))).toEqual(referenceEvaluate(rotation(7), [x], t, n).output);
      const err = catchQheError(() => k.evaluator.rotateRows(k.encryptor.encrypt(k.encoder.encode(x)), -1, k.galoisKeys));
      expect(err.code).toBe('MISSING_KEY');
      expect(err.message).toContain(String(galoisElementForStep(n, -1)));
    });

    it('with the key for the exact step only (one Galois application)', () => {
      fc.assert(
        fc.property(arbSlots(ctx), step.filter((s) => s !== 0), (x, s) => {
          const k = cachedKeys(ctx, { galoisSteps: [s] });
          expect(k.galoisKeys.keys.size).toBe(1);
          const ct = k.encryptor.encrypt(k.encoder.encode(x));
          const direct = k.evaluator.rotateRows(ct, s, k.galoisKeys);
          expect(decryptSlots(k, direct)).toEqual(referenceEvaluate(rotation(s), [x], t, n).output);
          // Same as applying the Galois element directly.
          const viaElt = k.evaluator.applyGalois(ct, galoisElementForStep(n, s), k.galoisKeys);
          expect(decryptSlots(k, viaElt)).toEqual(decryptSlots(k, direct));
        }),
        { numRuns: kernel === 'u32' ? 5 : 2 },
      );
    });

    it('exact key and composed keys agree (same secret key)', () => {
      const base = cachedKeys(ctx);
      const exactKeys = base.keygen.createGaloisKeys({ steps: [5, -3, 100] });
      fc.assert(
        fc.property(arbSlots(ctx), fc.constantFrom(5, -3, 100), (x, s) => {
          const ct = base.encryptor.encrypt(base.encoder.encode(x));
          const a = decryptSlots(base, base.evaluator.rotateRows(ct, s, exactKeys));
          const b = decryptSlots(base, base.evaluator.rotateRows(ct, s, base.galoisKeys));
          expect(a).toEqual(b);
          expect(a).toEqual(referenceEvaluate(rotation(s), [x], t, n).output);
        }),
        { numRuns: kernel === 'u32' ? 6 : 2 },
      );
    });

    it('rotateColumns swaps the rows, and twice is the identity', () => {
      const k = cachedKeys(ctx);
      fc.assert(
        fc.property(arbSlots(ctx), (x) => {
          const c: Circuit = { inputs: 1, plainInputs: 0, ops: [{ op: 'rotateColumns', a: 0 }, { op: 'rotateColumns', a: 1 }] };
          const ref = referenceEvaluate(c, [x], t, n);
          const enc = runEncrypted(c, [x], k);
          expect(decryptSlots(k, enc.wires[1])).toEqual(ref.wires[1]);
          expect(decryptSlots(k, enc.output)).toEqual(x);
        }),
        { numRuns },
      );
    });

    it('rotations compose: rotateRows(a) ∘ rotateRows(b) = rotateRows(a + b), and commute with rotateColumns', () => {
      const k = cachedKeys(ctx);
      fc.assert(
        fc.property(arbSlots(ctx), step, step, (x, a, b) => {
          const c: Circuit = {
            inputs: 1,
            plainInputs: 0,
            ops: [
              { op: 'rotateRows', a: 0, steps: a },
              { op: 'rotateRows', a: 1, steps: b },
              { op: 'rotateColumns', a: 2 },
            ],
          };
          const ref = referenceEvaluate(c, [x], t, n);
          const sum = ((((a + b) % half) + half + half / 2) % half) - half / 2; // |sum| < N/2
          expect(ref.wires[2]).toEqual(referenceEvaluate(rotation(sum), [x], t, n).output);
          expect(decryptSlots(k, runEncrypted(c, [x], k).output)).toEqual(ref.output);
        }),
        { numRuns: kernel === 'u32' ? 5 : 2 },
      );
    });
  });
}
