/**
 * The two RNS multiplication variants (multiply.ts): BEHZ and HPS.
 *
 * - HPS tool (hps.ts) against a BigInt oracle at a small ring degree: the exact
 *   centred base extensions Q → P and P → Q, and the scaling ⌊t·x/Q⌉ into P, on
 *   random values and at the edges of their stated ranges (all limbs at q_i − 1,
 *   the centring midpoints ±⌊Q/2⌋, the largest |x| the scaling accepts).
 * - Random circuits with products: contexts that differ only in `multiplication`
 *   share keys and ciphertexts (same id); both evaluators must decrypt every
 *   circuit to the reference plaintext, with noise budgets within 2 bits of each
 *   other at every wire.
 * - Parameter validation of the literal field.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BfvContext, DEFAULT_MULTIPLICATION, Evaluator, bfvParameters, type KernelName } from '@qhe/bfv';
import { RnsBase } from '../../src/math/rns.js';
import { nttPrimes } from '../../src/math/primes.js';
import { u32Kernel } from '../../src/math/kernel-u32.js';
import { u64Kernel } from '../../src/math/kernel-u64.js';
import { HpsTool } from '../../src/hps.js';
import { arbCircuitWithInputs, cachedKeys, catchQheError, decryptSlots, formatCircuit, referenceEvaluate, runEncrypted, smallParameters } from '@qhe/bfv/testing';

const SLOW = !!process.env.QHE_SLOW;
const KERNELS: readonly KernelName[] = ['u32', 'u64'];

const centred = (x: bigint, m: bigint): bigint => {
  const r = ((x % m) + m) % m;
  return 2n * r > m ? r - m : r;
};
/** ⌊a/b⌉ for b > 0, ties up (as Math.round). */
const roundDiv = (a: bigint, b: bigint): bigint => {
  const f = a >= 0n ? a / b : -((-a + b - 1n) / b); // floor
  return 2n * (a - f * b) >= b ? f + 1n : f;
};

describe('HPS tool vs BigInt (N = 16)', () => {
  for (const kernel of KERNELS) {
    const k = kernel === 'u32' ? u32Kernel : u64Kernel;
    const n = 16;
    const bits = k.maxPrimeBits;
    const t = 65537n;
    const q = new RnsBase(k, n, nttPrimes({ bits, n, count: 3, exclude: [t] }));
    const hps = new HpsTool(k, n, q, t, []);
    const Q = q.modulus, P = hps.p.modulus, QP = Q * P;
    const qp = new RnsBase(k, n, [...q.primes, ...hps.p.primes]);
    const scratch = k.alloc(hps.scratchLimbs * n);
    const arbBig = (bound: bigint) => fc.array(fc.bigInt({ min: -bound, max: bound }), { minLength: n, maxLength: n });

    it(`${kernel}: P > 8·t·N·Q (the size condition in the header)`, () => {
      expect(P > 8n * t * BigInt(n) * Q).toBe(true);
    });

    const checkExtend = (xs: bigint[]): void => {
      const x = k.alloc(q.size * n);
      q.decompose(xs, x);
      const out = k.alloc(hps.p.size * n);
      hps.extendToP(x, out, scratch);
      const got = hps.p.composeCentered(out);
      const back = k.alloc(q.size * n);
      hps.pToQ(out, back, scratch);
      for (let i = 0; i < n; i++) {
        const want = centred(xs[i], Q);
        // Within Q·2^−40 of the midpoint ±Q/2 the float estimate may pick the other representative (HPS §2.3).
        const nearMidpoint = 2n * (want < 0n ? -want : want) >= Q - (Q >> 40n);
        expect(got[i] === want || (nearMidpoint && (got[i] - want) % Q === 0n), `coefficient ${i}: ${got[i]} vs ${want}`).toBe(true);
      }
      expect(q.composeCentered(back)).toEqual(xs.map((v) => centred(v, Q)));
    };

    it(`${kernel}: extendToP is the centred value, pToQ brings it back (random)`, () => {
      fc.assert(fc.property(arbBig(Q), checkExtend), { numRuns: 30 });
    });

    it(`${kernel}: extension edges: all limbs q_i − 1 (x = −1), 0, ±⌊Q/2⌋, ⌊Q/2⌋ ± 1`, () => {
      const h = Q >> 1n;
      // −1 and Q − 1 put every limb at its maximum q_i − 1 (the largest canonical input).
      const edges = [-1n, 0n, 1n, h, -h, h + 1n, h - 1n, -h + 1n, Q - 1n, Q - 2n, -Q + 1n, h - (Q >> 30n), -h + (Q >> 30n)];
      checkExtend(Array.from({ length: n }, (_, i) => edges[i % edges.length]));
      checkExtend(Array(n).fill(-1n));
    });

    const checkScale = (xs: bigint[]): void => {
      const d = k.alloc(qp.size * n);
      qp.decompose(xs, d);
      const out = k.alloc(hps.p.size * n);
      hps.scaleToP(d, out, scratch);
      const got = hps.p.composeCentered(out);
      for (let i = 0; i < n; i++) {
        const diff = got[i] - roundDiv(t * xs[i], Q);
        expect(diff >= -1n && diff <= 1n, `coefficient ${i}: off by ${diff}`).toBe(true);
      }
    };
    // The scaling's input range: |x| < Q·P/2 and |⌊t·x/Q⌉| < P/2 − 1 (its result is read centred in P).
    const maxScaled = (Q * (P - 3n)) / (2n * t);

    it(`${kernel}: scaleToP is ⌊t·x/Q⌉ ± 1 in P (random, whole input range)`, () => {
      fc.assert(fc.property(arbBig(maxScaled), checkScale), { numRuns: 30 });
    });

    it(`${kernel}: scaling edges: ±max, −1 (all limbs at p − 1), multiples of Q and Q/2·t^{-1}`, () => {
      const edges = [maxScaled, -maxScaled, -1n, 0n, 1n, Q, -Q, Q / (2n * t), -(Q / (2n * t)), Q / (2n * t) + 1n, QP / (4n * t)];
      checkScale(Array.from({ length: n }, (_, i) => edges[i % edges.length]));
    });
  }
});

describe('BEHZ and HPS decrypt every circuit alike', () => {
  for (const kernel of KERNELS) {
    it(`${kernel}: random circuits with products, budgets within 2 bits`, () => {
      const ctxB = new BfvContext({ ...smallParameters(kernel, { primes: 4 }), multiplication: 'behz' });
      const ctxH = new BfvContext({ ...smallParameters(kernel, { primes: 4 }), multiplication: 'hps' });
      expect(ctxH.id).toBe(ctxB.id);
      const kB = cachedKeys(ctxB);
      const kH = { ...kB, evaluator: new Evaluator(ctxH) };
      const n = ctxB.n, t = ctxB.t;
      const ops = ['multiply', 'square', 'add', 'multiplyPlain', 'multiplyScalar', 'rotateRows', 'modSwitch'] as const;
      fc.assert(
        fc.property(arbCircuitWithInputs(2, { t, n, ops, maxOps: 6, maxLevel: 1 }), ({ circuit, inputs }) => {
          const want = referenceEvaluate(circuit, inputs, t, n).output;
          const budgets: number[][] = [[], []];
          const runs = [kB, kH].map((k, v) => runEncrypted(circuit, inputs, k, { onWire: (w, ct) => (budgets[v][w] = k.decryptor.invariantNoiseBudget(ct)) }));
          for (const r of runs) expect(decryptSlots(kB, r.output), formatCircuit(circuit)).toEqual(want);
          budgets[0].forEach((b, w) => expect(Math.abs(b - budgets[1][w]), `wire ${w}: ${b} vs ${budgets[1][w]}`).toBeLessThanOrEqual(2));
        }),
        { numRuns: kernel === 'u32' ? (SLOW ? 60 : 8) : SLOW ? 10 : 2 },
      );
    });
  }
});

describe('multiplication parameter', () => {
  it(`defaults to ${DEFAULT_MULTIPLICATION}, accepts both, refuses anything else with a typed error`, () => {
    expect(bfvParameters(smallParameters()).multiplication).toBe(DEFAULT_MULTIPLICATION);
    expect(bfvParameters({ ...smallParameters(), multiplication: 'behz' }).multiplication).toBe('behz');
    expect(new BfvContext({ ...smallParameters(), multiplication: 'hps' }).level(0).hps).not.toBeNull();
    expect(new BfvContext({ ...smallParameters(), multiplication: 'behz' }).level(0).hps).toBeNull();
    for (const bad of ['HPS', 'bajard', 1, null]) {
      const e = catchQheError(() => bfvParameters({ ...smallParameters(), multiplication: bad as never }));
      expect(e.code).toBe('INVALID_PARAMETERS');
      expect(e.message).toContain('multiplication');
    }
  });
});
