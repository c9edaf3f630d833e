/**
 * Key switching at every level of the chain, for every digit size the
 * parameters allow, and on the presets (issue 13, item 1).
 *
 * The stated bound (noise-bounds.ts, steps 2–3): one key switch at level l adds
 * noise of norm ≤ B_l = 6·√(N·(η/2)·Σ_d (D_d/P)²/3 + (1 + 2N/3)·(1/12 + (K−1)²)),
 * digits D_d cut to the level's primes. With ‖v'‖ ≤ ‖v‖ + B_l and the budget
 * b = bits(Q) − bits(t·‖v‖) − 1 (decryptor.ts), a relinearization or rotation
 * leaves at least
 *     min(b − 2, bits(Q_l) − log2 t − log2 B_l − 3)
 * bits: at most 2 bits when the input's noise dominates, else the key-switching
 * floor. Before the fix, the presets' digits of two primes over one special
 * prime (D/P ≈ 2^29) put that floor ≈ 28 bits lower (a rotation cost ≈ 32 bits
 * on n4096, and nothing was left after one modSwitchToNext); bfvParameters now
 * refuses such digits (first describe block).
 */
import { describe, expect, it } from 'vitest';
import { BfvContext, bfvParameters, Evaluator, PRESETS, type BfvParameterLiteral, type Ciphertext, type KernelName } from '@qhe/bfv';
import { cachedKeys, catchQheError, decryptSlots, rotateRowsReference, smallParameters, type KeySet } from '@qhe/bfv/testing';
import { boundBits, keySwitchVariance } from '../../src/noise-bounds.js';
import { digitModuli } from '../../src/params.js';

const SLOW = !!process.env.QHE_SLOW;

/** Key-switching floor of the module header at `level`: bits(Q_l) − log2 t − log2 B_l − 3. */
function keySwitchFloor(ctx: BfvContext, level: number): number {
  const p = ctx.params;
  const base = ctx.level(level).base;
  const digits = digitModuli(p.coeffModulus, base.size, p.keySwitchDigitSize);
  const P = ctx.specialBase.modulus;
  const bits = boundBits(keySwitchVariance(ctx.n, digits, P, p.specialModulus.length));
  return base.modulus.toString(2).length - Math.log2(Number(ctx.t)) - bits - 3;
}

function expectKeySwitchBound(k: KeySet, before: Ciphertext, after: Ciphertext, what: string): { before: number; after: number; floor: number } {
  const b0 = k.decryptor.invariantNoiseBudget(before);
  const b1 = k.decryptor.invariantNoiseBudget(after);
  const floor = keySwitchFloor(k.context, before.level);
  expect(b1, `${what}: budget ${b0} → ${b1}, key-switching floor ${floor.toFixed(1)}`).toBeGreaterThanOrEqual(Math.min(b0 - 2, Math.floor(floor)));
  return { before: b0, after: b1, floor };
}

const slotsOf = (ctx: BfvContext, seed: number): bigint[] =>
  Array.from({ length: ctx.n }, (_, i) => BigInt((i * 2654435761 + seed * 40503) % Number(ctx.t)));

/** Rotation of a fresh ciphertext switched down to each level, relinearization of a fresh square switched down. */
function everyLevel(k: KeySet, label: string): string[] {
  const ctx = k.context, ev = k.evaluator, t = ctx.t;
  const x = slotsOf(ctx, 1);
  const x2 = x.map((v) => (v * v) % t);
  let ct = k.encryptor.encrypt(k.encoder.encode(x));
  let sq = ev.square(ct);
  const report: string[] = [];
  for (let l = 0; l <= ctx.maxLevel; l++) {
    if (l > 0) {
      ct = ev.modSwitchToNext(ct);
      sq = ev.modSwitchToNext(sq);
    }
    for (const steps of [1, -3]) {
      const r = ev.rotateRows(ct, steps, k.galoisKeys);
      expect(decryptSlots(k, r), `${label} level ${l} rotate ${steps}`).toEqual(rotateRowsReference(x, steps));
    }
    const rot = expectKeySwitchBound(k, ct, ev.rotateRows(ct, 1, k.galoisKeys), `${label} level ${l} rotate`);
    const relin = ev.relinearize(sq, k.relinKeys);
    expect(decryptSlots(k, relin), `${label} level ${l} relinearize`).toEqual(x2);
    const rel = expectKeySwitchBound(k, sq, relin, `${label} level ${l} relinearize`);
    report.push(`l${l}: rotate ${rot.before}→${rot.after}, relin ${rel.before}→${rel.after} (floor ${rot.floor.toFixed(0)})`);
  }
  return report;
}

describe('key-switching digit rule (bfvParameters)', () => {
  const small = (over: Partial<BfvParameterLiteral>): BfvParameterLiteral => ({ ...smallParameters('u32', { primes: 4 }), ...over });

  it('digits larger than 4·P are refused with KEY_SWITCH_DIGIT_TOO_LARGE and a remedy', () => {
    const err = catchQheError(() => bfvParameters(small({ keySwitchDigitSize: 2 })));
    expect(err.code).toBe('KEY_SWITCH_DIGIT_TOO_LARGE');
    expect(err.message).toMatch(/^bfvParameters\.keySwitchDigitSize: expected .* got α = 2: digit 0 .* 58 bits/);
    expect(err.message).toContain('special primes');
    // A special prime much smaller than the data primes: even α = 1 is refused.
    expect(catchQheError(() => bfvParameters(small({ specialModulus: [20] }))).code).toBe('KEY_SWITCH_DIGIT_TOO_LARGE');
    // The presets' former shape (two 29-bit primes per digit over one 29-bit special prime).
    expect(catchQheError(() => bfvParameters({ ...PRESETS.n8192, specialModulus: [29], coeffModulus: Array(6).fill(29), keySwitchDigitSize: 2 })).code).toBe(
      'KEY_SWITCH_DIGIT_TOO_LARGE',
    );
  });

  it('default α is the largest the rule allows; explicit α within the rule is kept; α ≥ L is one digit', () => {
    expect(bfvParameters(small({})).keySwitchDigitSize).toBe(1);
    expect(bfvParameters(small({ specialModulus: [29, 29] })).keySwitchDigitSize).toBe(2);
    expect(bfvParameters(small({ specialModulus: [29, 29, 29] })).keySwitchDigitSize).toBe(3);
    expect(bfvParameters(small({ specialModulus: [29, 29, 29], keySwitchDigitSize: 2 })).keySwitchDigitSize).toBe(2);
    expect(bfvParameters(small({ specialModulus: [29, 29, 29, 29], keySwitchDigitSize: 9 })).keySwitchDigitSize).toBe(4);
    // 28-bit q_0 over a 27-bit P: one bit of excess is within the slack.
    expect(bfvParameters({ ...PRESETS.n4096 }).keySwitchDigitSize).toBe(1);
  });
});

describe('key switching at every level, every allowed digit size', () => {
  // 5 data primes: with α = 2 the last digit is one prime and digits are cut
  // level by level ({0,1}{2,3}{4} → {0,1}{2,3} → {0,1}{2} → {0,1} → {0}); with α = 3,
  // {0,1,2}{3,4} → … → {0,1} → {0}.
  // u64 (BigInt, slow) with 3 data primes: {0,1}{2} → {0,1} → {0}.
  const configs: { kernel: KernelName; primes: number; special: number; alpha: number }[] = [
    { kernel: 'u32', primes: 5, special: 1, alpha: 1 },
    { kernel: 'u32', primes: 5, special: 2, alpha: 2 },
    { kernel: 'u32', primes: 5, special: 3, alpha: 2 },
    { kernel: 'u32', primes: 5, special: 3, alpha: 3 },
    { kernel: 'u64', primes: 3, special: 2, alpha: 2 },
  ];
  for (const { kernel, primes, special, alpha } of configs) {
    it(`${kernel}, ${primes} data primes, ${special} special, α = ${alpha}`, () => {
      const ctx = new BfvContext({ ...smallParameters(kernel, { primes }), specialModulus: Array(special).fill(29), keySwitchDigitSize: alpha });
      expect(ctx.params.keySwitchDigitSize).toBe(alpha);
      expect(ctx.maxLevel).toBe(primes - 1);
      const k = cachedKeys(ctx, { galoisSteps: [1, -3] });
      everyLevel(k, `α=${alpha}`);
    });
  }
});

describe('presets: relinearize and rotate after every modSwitchToNext', () => {
  const presets = (SLOW ? Object.keys(PRESETS) : ['n4096', 'n8192']) as (keyof typeof PRESETS)[];
  for (const name of presets) {
    it(`${name}: correct at every level, budget cost within the key-switching bound`, () => {
      const ctx = new BfvContext(PRESETS[name]);
      const k = cachedKeys(ctx, { galoisSteps: [1, -3] });
      const report = everyLevel(k, name);
      console.log(`[${name}] ${report.join('; ')}`);
      // Past the last level: LEVEL_EXHAUSTED, naming why the chain ends there.
      const last = new Evaluator(ctx).modSwitchTo(k.encryptor.encrypt(k.encoder.encode([1n])), ctx.maxLevel);
      const err = catchQheError(() => k.evaluator.modSwitchToNext(last));
      expect(err.code).toBe('LEVEL_EXHAUSTED');
    }, 1_800_000); // n32768 (QHE_SLOW): 26 levels × (3 rotations, a relinearization, 4 exact budgets) at N = 32768
  }
});
