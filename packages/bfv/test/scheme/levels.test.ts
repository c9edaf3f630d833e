/**
 * Levels, noise budget and depth.
 *
 * - modSwitchToNext keeps the message at every level down to the last one, and
 *   going past the last level is LEVEL_EXHAUSTED.
 * - Operands at different levels never mix (PARAMETER_MISMATCH); after switching
 *   the higher one down they do.
 * - The budget is positive and never increases along a circuit's dependencies.
 * - The deepest chain of products: found by watching the budget, asserted to
 *   decrypt correctly at that depth, and one product further decrypt must refuse
 *   with NOISE_BUDGET_EXHAUSTED instead of returning a wrong answer.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BfvContext } from '@qhe/bfv';
import {
  ancestors,
  arbCircuitWithInputs,
  arbSlots,
  cachedKeys,
  catchQheError,
  decryptSlots,
  formatCircuit,
  referenceEvaluate,
  runEncrypted,
  smallParameters,
  type Circuit,
} from '@qhe/bfv/testing';

const SLOW = !!process.env.QHE_SLOW;

for (const kernel of ['u32', 'u64'] as const) {
  describe(`levels and noise (${kernel})`, () => {
    const ctx = new BfvContext(smallParameters(kernel, { primes: 4 }));
    const n = ctx.n, t = ctx.t;

    it('modSwitchToNext preserves the message down to the last level; past it is LEVEL_EXHAUSTED', () => {
      const k = cachedKeys(ctx);
      fc.assert(
        fc.property(arbSlots(ctx), fc.boolean(), (x, symmetric) => {
          let ct = symmetric ? k.encryptor.encryptSymmetric(k.encoder.encode(x)) : k.encryptor.encrypt(k.encoder.encode(x));
          const budgets = [k.decryptor.invariantNoiseBudget(ct)];
          for (let level = 1; level <= ctx.maxLevel; level++) {
            ct = k.evaluator.modSwitchToNext(ct);
            expect(ct.level).toBe(level);
            expect(ct.polys[0].base.size).toBe(ctx.params.coeffModulus.length - level);
            expect(decryptSlots(k, ct)).toEqual(x);
            budgets.push(k.decryptor.invariantNoiseBudget(ct));
          }
          for (let i = 1; i < budgets.length; i++) expect(budgets[i]).toBeLessThanOrEqual(budgets[i - 1]);
          expect(budgets[budgets.length - 1]).toBeGreaterThan(0);
          const err = catchQheError(() => k.evaluator.modSwitchToNext(ct));
          expect(err.code).toBe('LEVEL_EXHAUSTED');
          expect(err.message).toContain(`level ${ctx.maxLevel}`);
          expect(catchQheError(() => k.evaluator.modSwitchTo(k.encryptor.encrypt(k.encoder.encode(x)), ctx.maxLevel + 1)).code).toBe('LEVEL_EXHAUSTED');
        }),
        { numRuns: kernel === 'u32' ? 5 : 2 },
      );
    });

    it('operations at the last level still work (add, multiplyPlain, rotate)', () => {
      const k = cachedKeys(ctx);
      const x = Array.from({ length: n }, (_, i) => BigInt(i * 7 + 1) % t);
      const c: Circuit = {
        inputs: 1,
        plainInputs: 1,
        ops: [
          { op: 'modSwitch', a: 0 },
          { op: 'modSwitch', a: 1 },
          { op: 'modSwitch', a: 2 },
          { op: 'add', a: 3, b: 3 },
          { op: 'rotateRows', a: 4, steps: 1 },
          { op: 'multiplyScalar', a: 5, scalar: 3n },
        ],
      };
      const inputs = [x, [2n, 3n]];
      const enc = runEncrypted(c, inputs, k);
      expect(enc.output.level).toBe(ctx.maxLevel);
      expect(decryptSlots(k, enc.output)).toEqual(referenceEvaluate(c, inputs, t, n).output);
    });

    it('different levels never mix (PARAMETER_MISMATCH); after modSwitch they do', () => {
      const k = cachedKeys(ctx);
      const x = [1n, 2n, 3n], y = [4n, 5n, 6n];
      const a = k.encryptor.encrypt(k.encoder.encode(x));
      const b = k.evaluator.modSwitchToNext(k.encryptor.encrypt(k.encoder.encode(y)));
      const ev = k.evaluator;
      for (const f of [() => ev.add(a, b), () => ev.sub(b, a), () => ev.multiply(a, b), () => ev.multiplyScalarAddInto(b, 2, a), () => ev.add(a, ev.multiplyPlain(b, k.encoder.encode(x)))]) {
        const err = catchQheError(f);
        expect(err.code).toBe('PARAMETER_MISMATCH');
        expect(err.message).toMatch(/level [01]/);
      }
      // The generated-circuit path: runEncrypted refuses a hand-written circuit that mixes levels.
      const mixed: Circuit = { inputs: 2, plainInputs: 0, ops: [{ op: 'modSwitch', a: 1 }, { op: 'add', a: 0, b: 2 }] };
      expect(catchQheError(() => runEncrypted(mixed, [x, y], k)).code).toBe('PARAMETER_MISMATCH');
      const aligned: Circuit = { inputs: 2, plainInputs: 0, ops: [{ op: 'modSwitch', a: 1 }, { op: 'modSwitch', a: 0 }, { op: 'multiply', a: 3, b: 2 }] };
      const out = runEncrypted(aligned, [x, y], k).output;
      expect(out.level).toBe(1);
      expect(decryptSlots(k, out)).toEqual(referenceEvaluate(aligned, [x, y], t, n).output);
    });

    it('invariantNoiseBudget is > 0 along random circuits and never increases through an operation', () => {
      // Additive operations may cancel noise ((2x) − x has x's noise), so for them the
      // bound goes the other way: a sum's noise is at most the sum of the noises
      // (budget ≥ min − 1), and adding a plaintext moves the budget by at most a bit.
      // Every other operation (products, rotations, modSwitch, negate) never
      // increases it; along a path of those, the budget is non-increasing.
      const k = cachedKeys(ctx);
      fc.assert(
        fc.property(arbCircuitWithInputs(2, { t, n, maxOps: 8, maxLevel: 1 }), ({ circuit, inputs }) => {
          const budgets: number[] = [];
          const enc = runEncrypted(circuit, inputs, k, { onWire: (w, ct) => (budgets[w] = k.decryptor.invariantNoiseBudget(ct)) });
          const ref = referenceEvaluate(circuit, inputs, t, n);
          const where = formatCircuit(circuit);
          enc.wires.forEach((ct, w) => {
            expect(budgets[w], where).toBeGreaterThan(0);
            expect(decryptSlots(k, ct)).toEqual(ref.wires[w]);
          });
          circuit.ops.forEach((op, i) => {
            const w = circuit.inputs + i;
            const operandBudgets = ('b' in op ? [op.a, op.b] : [op.a]).map((u) => budgets[u]);
            const msg = `${where}: wire ${w} (${op.op}) budget ${budgets[w]}, operands ${operandBudgets.join(', ')}`;
            if (op.op === 'add' || op.op === 'sub') expect(budgets[w], msg).toBeGreaterThanOrEqual(Math.min(...operandBudgets) - 1);
            else if (op.op === 'addPlain' || op.op === 'subPlain') expect(Math.abs(budgets[w] - operandBudgets[0]), msg).toBeLessThanOrEqual(1);
            else if (op.op === 'negate') expect(budgets[w], msg).toBe(operandBudgets[0]);
            else expect(budgets[w], msg).toBeLessThanOrEqual(Math.max(...operandBudgets));
          });
        }),
        { numRuns: kernel === 'u32' ? (SLOW ? 60 : 10) : SLOW ? 10 : 2 },
      );
    });

    it('invariantNoiseBudget is non-increasing along every path of circuits without additive operations', () => {
      const k = cachedKeys(ctx);
      const ops = ['negate', 'multiplyPlain', 'multiplyScalar', 'multiply', 'square', 'rotateRows', 'rotateColumns', 'modSwitch'] as const;
      fc.assert(
        fc.property(arbCircuitWithInputs(2, { t, n, ops, maxOps: 8, maxLevel: 1 }), ({ circuit, inputs }) => {
          const budgets: number[] = [];
          runEncrypted(circuit, inputs, k, { onWire: (w, ct) => (budgets[w] = k.decryptor.invariantNoiseBudget(ct)) });
          ancestors(circuit).forEach((anc, w) => {
            expect(budgets[w]).toBeGreaterThan(0);
            for (const u of anc) expect(budgets[w], `wire ${w} vs ancestor ${u}: ${formatCircuit(circuit)}`).toBeLessThanOrEqual(budgets[u]);
          });
        }),
        { numRuns: kernel === 'u32' ? (SLOW ? 60 : 8) : SLOW ? 10 : 2 },
      );
    });

    it('deepest product chain: correct at the depth the budget allows, NOISE_BUDGET_EXHAUSTED one step further', () => {
      const k = cachedKeys(ctx);
      const x = Array.from({ length: n }, (_, i) => BigInt((i * 2654435761) % Number(t)));
      const y = Array.from({ length: n }, (_, i) => BigInt((i * 40503 + 17) % Number(t)));
      const cx = k.encryptor.encrypt(k.encoder.encode(x));
      const cy = k.encryptor.encrypt(k.encoder.encode(y));
      // Chain w_{d+1} = relin(w_d · y), grown while the budget is positive.
      const ops: Circuit['ops'][number][] = [];
      let ct = cx;
      const budgets = [k.decryptor.invariantNoiseBudget(ct)];
      let depth = 0;
      for (;;) {
        const next = k.evaluator.relinearize(k.evaluator.multiply(ct, cy), k.relinKeys);
        const b = k.decryptor.invariantNoiseBudget(next);
        budgets.push(b);
        ops.push({ op: 'multiply', a: depth === 0 ? 0 : depth + 1, b: 1 });
        if (b === 0) {
          // One product too many: decrypt must refuse, not return garbage.
          const err = catchQheError(() => k.decryptor.decrypt(next));
          expect(err.code).toBe('NOISE_BUDGET_EXHAUSTED');
          expect(err.message).toMatch(/invariant noise/);
          break;
        }
        ct = next;
        depth++;
        expect(depth).toBeLessThan(10);
      }
      const circuit: Circuit = { inputs: 2, plainInputs: 0, ops: ops.slice(0, depth) };
      expect(decryptSlots(k, ct)).toEqual(referenceEvaluate(circuit, [x, y], t, n).output);
      for (let i = 1; i < budgets.length; i++) expect(budgets[i]).toBeLessThan(budgets[i - 1]);
      // 4 × 29-bit primes, 14-bit t, N = 1024: each product costs ≈ 23 bits of a ≈ 96-bit fresh budget.
      expect(depth).toBeGreaterThanOrEqual(3);
      console.log(`[${kernel}] product chain: depth ${depth}, budgets ${budgets.join(' → ')}`);
      // Squaring doubles the degree per level: the same budget gives the same depth.
      let sq = cx, sdepth = 0;
      for (;;) {
        const next = k.evaluator.relinearize(k.evaluator.square(sq), k.relinKeys);
        if (k.decryptor.invariantNoiseBudget(next) === 0) {
          expect(catchQheError(() => k.decryptor.decrypt(next)).code).toBe('NOISE_BUDGET_EXHAUSTED');
          break;
        }
        sq = next;
        sdepth++;
      }
      const sc: Circuit = { inputs: 1, plainInputs: 0, ops: Array.from({ length: sdepth }, (_, i) => ({ op: 'square' as const, a: i })) };
      expect(decryptSlots(k, sq)).toEqual(referenceEvaluate(sc, [x], t, n).output);
      console.log(`[${kernel}] squaring chain: depth ${sdepth}`);
    });
  });
}
