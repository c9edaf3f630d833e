/**
 * The single-mode plan a model card publishes (service/single-plan-json.ts):
 * slot maps as runs round-trip exactly (property test against the map itself),
 * the client part of a plan round-trips through JSON, nothing of the program
 * (the weights) is in it, and inconsistent cards are refused with typed
 * errors. Also the single planner's flooding reserve.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { floodingReserveBits } from '@qhe/bfv';
import { planSingle } from '../../src/single/planner.js';
import { ServiceError } from '../../src/service/errors.js';
import { singlePlanFromJson, singlePlanToJson, slotRuns } from '../../src/service/single-plan-json.js';
import { tinyModel } from './helpers.js';

const model = tinyModel();
const plan = planSingle(model, { polyDegree: 1024, allowInsecure: true, floodingSecurity: 40 });
const json = (): Record<string, unknown> => JSON.parse(JSON.stringify(singlePlanToJson(plan)));

/** Expands runs the way the header defines them (the oracle). */
function expand(runs: number[], n: number): Int32Array {
  const map = new Int32Array(n).fill(-1);
  for (let r = 0; r < runs.length; r += 4) for (let i = 0; i < runs[r + 1]; i++) map[runs[r] + i] = runs[r + 2] + i * runs[r + 3];
  return map;
}

describe('single-mode plan on the model card', () => {
  it('slot maps → runs → the same maps (random maps with arithmetic stretches and holes)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ len: fc.integer({ min: 1, max: 40 }), first: fc.integer({ min: -1, max: 500 }), step: fc.integer({ min: -3, max: 3 }) }), { maxLength: 30 }), (parts) => {
        const values: number[] = [];
        for (const p of parts) for (let i = 0; i < p.len; i++) values.push(p.first < 0 ? -1 : Math.max(-1, p.first + i * p.step));
        const map = Int32Array.from(values);
        expect(expand(slotRuns(map), map.length)).toEqual(map);
      }),
    );
  });

  it('the client part round-trips; the program (weights) is not published', () => {
    const j = singlePlanToJson(plan);
    const text = JSON.stringify(j);
    expect(text).not.toMatch(/program|diagonal|terms/);
    expect(text.length).toBeLessThan(20_000);
    const back = singlePlanFromJson(JSON.parse(text));
    for (const k of ['polyDegree', 'coeffModulus', 'plainModuli', 'inputLevel', 'inputSize', 'inputMin', 'inputMax', 'galoisElements', 'relinLevel', 'flooding'] as const) expect(back[k]).toEqual(plan[k]);
    expect(back.input.ciphertexts).toEqual(plan.input.ciphertexts);
    expect([...back.outputSlots]).toEqual([...plan.outputSlots]);
    expect([...back.galoisKeyLevels].sort((a, b) => a[0] - b[0])).toEqual([...plan.galoisKeyLevels].sort((a, b) => a[0] - b[0]));
  });

  it('refuses inconsistent cards with typed errors', () => {
    const cases: [string, (j: Record<string, unknown>) => void][] = [
      ['an input index outside the image', (j) => ((j.input as { runs: number[][] }).runs[0] = [0, 1, 10_000, 0])],
      ['overlapping runs', (j) => ((j.input as { runs: number[][] }).runs[0] = [5, 4, 0, 1, 6, 1, 0, 0])],
      ['a run outside the ring', (j) => ((j.input as { runs: number[][] }).runs[0] = [1020, 10, 0, 0])],
      ['an even Galois element', (j) => ((j.galoisKeys as number[][])[0] = [4, 0])],
      ['a key level outside the chain', (j) => ((j.galoisKeys as number[][])[0] = [(j.galoisKeys as number[][])[0][0], 99])],
      ['an output slot outside the ring', (j) => (j.outputSlots = [0, 5000])],
      ['a batch plan', (j) => (j.mode = 'batch')],
      ['a t without slots (not ≡ 1 mod 2N)', (j) => (j.plainModuli = (j.plainModuli as string[]).map(() => '65539'))],
    ];
    for (const [what, spoil] of cases) {
      const j = json();
      spoil(j);
      let err: unknown = null;
      try {
        singlePlanFromJson(j);
      } catch (e) {
        err = e;
      }
      expect(err, what).toBeInstanceOf(ServiceError);
      expect((err as ServiceError).code, what).toBe('PROTOCOL');
      expect((err as Error).message, what).toMatch(/^planFromJson: expected /);
    }
  });

  it('planSingle reserves the flooding budget: λ + ⌈log2(N·k)⌉ + 3 bits above the margin', () => {
    const k = plan.plainModuli.length;
    expect(plan.flooding).toEqual({ statisticalSecurity: 40, ciphertexts: k, reserveBits: floodingReserveBits(plan.polyDegree, k, 40) });
    expect(plan.predictedFinalBudget).toBeGreaterThanOrEqual(plan.marginBits + plan.flooding!.reserveBits);
    const plain = planSingle(model, { polyDegree: 1024, allowInsecure: true });
    expect(plain.flooding).toBeNull();
    expect(plain.coeffModulus.length).toBeLessThan(plan.coeffModulus.length);
    expect(() => planSingle(model, { polyDegree: 1024, allowInsecure: true, floodingSecurity: 0 })).toThrow(/floodingSecurity/);
  });
});
