/**
 * Every evaluator operation against slotwise arithmetic mod t, on both kernels.
 *
 * Each operation is a one-op circuit run through `referenceEvaluate` (the
 * specification) and `runEncrypted`/the evaluator (the implementation), so the
 * expected values are never re-derived by hand here. The `…Into` variants are
 * checked with a fresh output, with a reused output of another shape/level, and
 * with out aliasing an input, since aliasing is where in-place code breaks.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BfvContext, Ciphertext, type Evaluator } from '@qhe/bfv';
import {
  arbNonZeroSlots,
  arbScalar,
  arbSlots,
  cachedKeys,
  decryptSlots,
  referenceEvaluate,
  runEncrypted,
  smallParameters,
  type Circuit,
  type CircuitOp,
  type KeySet,
} from '@qhe/bfv/testing';

const RUNS = { u32: 8, u64: 3 } as const;

/** A circuit of one op on inputs w0 (and w1), with one plaintext operand p0. */
function single(op: CircuitOp, inputs = 2): Circuit {
  return { inputs, plainInputs: 1, ops: [op] };
}

for (const kernel of ['u32', 'u64'] as const) {
  describe(`operations vs reference (${kernel})`, () => {
    const ctx = new BfvContext(smallParameters(kernel));
    const n = ctx.n, t = ctx.t;
    const numRuns = RUNS[kernel];
    const keys = (): KeySet => cachedKeys(ctx);
    const slots = arbSlots(ctx);
    const plain = arbNonZeroSlots(t, n);

    const ops: [string, (s: bigint) => CircuitOp][] = [
      ['add', () => ({ op: 'add', a: 0, b: 1 })],
      ['sub', () => ({ op: 'sub', a: 0, b: 1 })],
      ['negate', () => ({ op: 'negate', a: 0 })],
      ['addPlain', () => ({ op: 'addPlain', a: 0, plain: 0 })],
      ['subPlain', () => ({ op: 'subPlain', a: 0, plain: 0 })],
      ['multiplyPlain', () => ({ op: 'multiplyPlain', a: 0, plain: 0 })],
      ['multiplyScalar', (s) => ({ op: 'multiplyScalar', a: 0, scalar: s })],
      ['multiply + relinearize', () => ({ op: 'multiply', a: 0, b: 1 })],
      ['square + relinearize', () => ({ op: 'square', a: 0 })],
    ];
    for (const [name, make] of ops) {
      it(name, () => {
        fc.assert(
          fc.property(slots, slots, plain, arbScalar(t), fc.boolean(), (x, y, p, s, symmetric) => {
            const circuit = single(make(s));
            const inputs = [x, y, p];
            const expected = referenceEvaluate(circuit, inputs, t, n).output;
            const got = runEncrypted(circuit, inputs, keys(), { symmetric }).output;
            expect(got.size).toBe(2);
            expect(decryptSlots(keys(), got)).toEqual(expected);
          }),
          { numRuns },
        );
      });
    }

    it('multiply and square without relinearization give size-3 ciphertexts that decrypt; relinearize keeps the message', () => {
      const k = keys();
      fc.assert(
        fc.property(slots, slots, (x, y) => {
          const [cx, cy] = [x, y].map((v) => k.encryptor.encrypt(k.encoder.encode(v)));
          const prod = k.evaluator.multiply(cx, cy);
          const sq = k.evaluator.square(cx);
          expect([prod.size, sq.size]).toEqual([3, 3]);
          const mul = referenceEvaluate(single({ op: 'multiply', a: 0, b: 1 }), [x, y, [1]], t, n).output;
          const sqr = referenceEvaluate(single({ op: 'square', a: 0 }), [x, y, [1]], t, n).output;
          expect(decryptSlots(k, prod)).toEqual(mul);
          expect(decryptSlots(k, sq)).toEqual(sqr);
          expect(decryptSlots(k, k.evaluator.relinearize(prod, k.relinKeys))).toEqual(mul);
          // relinearize of a size-2 ciphertext is a copy.
          const copy = k.evaluator.relinearize(cx, k.relinKeys);
          expect(copy).not.toBe(cx);
          expect(decryptSlots(k, copy)).toEqual(x);
          // Size-3 operands are accepted by the additive operations.
          const sum = referenceEvaluate({ inputs: 2, plainInputs: 0, ops: [{ op: 'multiply', a: 0, b: 1 }, { op: 'add', a: 2, b: 0 }] }, [x, y], t, n).output;
          expect(decryptSlots(k, k.evaluator.add(prod, cx))).toEqual(sum);
        }),
        { numRuns },
      );
    });

    it('multiplyScalarAddInto accumulates Σ c_i·x_i (and grows the accumulator to the operand size)', () => {
      const k = keys();
      fc.assert(
        fc.property(fc.array(fc.tuple(slots, arbScalar(t)), { minLength: 1, maxLength: 4 }), (terms) => {
          // Reference: Σ multiplyScalar(x_i, c_i) as a circuit.
          const m = terms.length;
          const ops: CircuitOp[] = terms.map(([, c], i) => ({ op: 'multiplyScalar', a: i, scalar: c }));
          for (let i = 1; i < m; i++) ops.push({ op: 'add', a: i === 1 ? m : m + m + i - 2, b: m + i });
          const expected = referenceEvaluate({ inputs: m, plainInputs: 0, ops }, terms.map(([x]) => x), t, n).output;
          const cts = terms.map(([x]) => k.encryptor.encrypt(k.encoder.encode(x)));
          const acc = k.evaluator.multiplyScalar(cts[0], terms[0][1]);
          for (let i = 1; i < m; i++) expect(k.evaluator.multiplyScalarAddInto(cts[i], terms[i][1], acc)).toBe(acc);
          expect(decryptSlots(k, acc)).toEqual(expected);
        }),
        { numRuns },
      );
      // acc of size 2 + a size-3 operand → size 3.
      const x = [3n, 4n], y = [5n, 6n];
      const cx = k.encryptor.encrypt(k.encoder.encode(x));
      const sq = k.evaluator.square(k.encryptor.encrypt(k.encoder.encode(y)));
      const acc = k.evaluator.multiplyScalar(cx, 2);
      k.evaluator.multiplyScalarAddInto(sq, 3, acc);
      expect(acc.size).toBe(3);
      expect(decryptSlots(k, acc).slice(0, 3)).toEqual([6n + 75n, 8n + 108n, 0n]);
    });

    describe('Into variants: fresh out, reused out, out aliasing an input', () => {
      type Into = (ev: Evaluator, k: KeySet, a: Ciphertext, b: Ciphertext, out: Ciphertext, p: ReturnType<KeySet['encoder']['encode']>, s: bigint) => Ciphertext;
      const cases: [string, (s: bigint) => CircuitOp, Into][] = [
        ['addInto', () => ({ op: 'add', a: 0, b: 1 }), (ev, _k, a, b, o) => ev.addInto(a, b, o)],
        ['subInto', () => ({ op: 'sub', a: 0, b: 1 }), (ev, _k, a, b, o) => ev.subInto(a, b, o)],
        ['negateInto', () => ({ op: 'negate', a: 0 }), (ev, _k, a, _b, o) => ev.negateInto(a, o)],
        ['addPlainInto', () => ({ op: 'addPlain', a: 0, plain: 0 }), (ev, _k, a, _b, o, p) => ev.addPlainInto(a, p, o)],
        ['subPlainInto', () => ({ op: 'subPlain', a: 0, plain: 0 }), (ev, _k, a, _b, o, p) => ev.subPlainInto(a, p, o)],
        ['multiplyPlainInto', () => ({ op: 'multiplyPlain', a: 0, plain: 0 }), (ev, _k, a, _b, o, p) => ev.multiplyPlainInto(a, p, o)],
        ['multiplyScalarInto', (s) => ({ op: 'multiplyScalar', a: 0, scalar: s }), (ev, _k, a, _b, o, _p, s) => ev.multiplyScalarInto(a, s, o)],
        ['multiplyInto + relinearizeInto', () => ({ op: 'multiply', a: 0, b: 1 }), (ev, k, a, b, o) => ev.relinearizeInto(ev.multiplyInto(a, b, o), k.relinKeys, o)],
        ['squareInto + relinearizeInto', () => ({ op: 'square', a: 0 }), (ev, k, a, _b, o) => ev.relinearizeInto(ev.squareInto(a, o), k.relinKeys, o)],
        ['rotateRowsInto', () => ({ op: 'rotateRows', a: 0, steps: 3 }), (ev, k, a, _b, o) => ev.rotateRowsInto(a, 3, k.galoisKeys, o)],
        ['rotateColumnsInto', () => ({ op: 'rotateColumns', a: 0 }), (ev, k, a, _b, o) => ev.rotateColumnsInto(a, k.galoisKeys, o)],
        ['modSwitchToNextInto', () => ({ op: 'modSwitch', a: 0 }), (ev, _k, a, _b, o) => ev.modSwitchToNextInto(a, o)],
      ];
      for (const [name, make, into] of cases) {
        it(name, () => {
          const k = keys();
          const ev = k.evaluator;
          fc.assert(
            fc.property(slots, slots, plain, arbScalar(t), fc.constantFrom('fresh', 'reused', 'alias-a', 'alias-b'), (x, y, pv, s, mode) => {
              const expected = referenceEvaluate(single(make(s)), [x, y, pv], t, n).output;
              const a = k.encryptor.encrypt(k.encoder.encode(x));
              const b = k.encryptor.encrypt(k.encoder.encode(y));
              const p = k.encoder.encode(pv);
              const out =
                mode === 'fresh' ? Ciphertext.empty(ctx)
                : mode === 'reused' ? ev.square(ev.modSwitchToNext(k.encryptor.encrypt(k.encoder.encode([1])))) // size 3, level 1: must be reshaped
                : mode === 'alias-a' ? a
                : b;
              const r = into(ev, k, a, b, out, p, s);
              expect(r).toBe(out);
              expect(decryptSlots(k, r)).toEqual(expected);
              // Unless aliased, the inputs are untouched.
              if (mode !== 'alias-a') expect(decryptSlots(k, a)).toEqual(x);
              if (mode !== 'alias-b') expect(decryptSlots(k, b)).toEqual(y);
            }),
            { numRuns: kernel === 'u32' ? 8 : 4 },
          );
        });
      }

      it('addInto(a, a, a) doubles in place', () => {
        const k = keys();
        fc.assert(
          fc.property(slots, (x) => {
            const a = k.encryptor.encrypt(k.encoder.encode(x));
            k.evaluator.addInto(a, a, a);
            expect(decryptSlots(k, a)).toEqual(referenceEvaluate({ inputs: 1, plainInputs: 0, ops: [{ op: 'add', a: 0, b: 0 }] }, [x], t, n).output);
          }),
          { numRuns },
        );
      });
    });
  });
}
