/**
 * Random circuits (arbCircuit) on ciphertexts vs the plaintext reference, on both
 * kernels, and the two kernels against each other.
 *
 * The u32 and u64 kernels run the same scheme code over the same primes (every
 * prime here is < 2^29), so with the same seeded randomness they must produce
 * bit-identical keys and ciphertexts, not merely equal decryptions: the test
 * compares ciphertext digests wire by wire.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BfvContext, seededRandom } from '@qhe/bfv';
import {
  arbCircuitWithInputs,
  cachedKeys,
  ciphertextDigest,
  decryptSlots,
  formatCircuit,
  makeKeys,
  referenceEvaluate,
  runEncrypted,
  smallParameters,
} from '@qhe/bfv/testing';

const SLOW = !!process.env.QHE_SLOW;

for (const kernel of ['u32', 'u64'] as const) {
  describe(`random circuits vs reference (${kernel})`, () => {
    const ctx = new BfvContext(smallParameters(kernel, { primes: 4 }));
    const n = ctx.n, t = ctx.t;

    it('depth ≤ 2, one modSwitch, all ops', () => {
      const k = cachedKeys(ctx);
      fc.assert(
        fc.property(arbCircuitWithInputs(2, { t, n, maxOps: 10, maxLevel: 1 }), fc.boolean(), ({ circuit, inputs }, symmetric) => {
          const got = decryptSlots(k, runEncrypted(circuit, inputs, k, { symmetric }).output);
          expect(got, formatCircuit(circuit)).toEqual(referenceEvaluate(circuit, inputs, t, n).output);
        }),
        { numRuns: kernel === 'u32' ? (SLOW ? 200 : 25) : SLOW ? 25 : 4 },
      );
    });

    it('linear circuits (no products): any length', () => {
      const k = cachedKeys(ctx);
      const ops = ['add', 'sub', 'negate', 'addPlain', 'subPlain', 'rotateRows', 'rotateColumns'] as const;
      fc.assert(
        fc.property(arbCircuitWithInputs(0, { t, n, ops, maxOps: 16 }), ({ circuit, inputs }) => {
          expect(decryptSlots(k, runEncrypted(circuit, inputs, k).output), formatCircuit(circuit)).toEqual(referenceEvaluate(circuit, inputs, t, n).output);
        }),
        { numRuns: kernel === 'u32' ? (SLOW ? 100 : 10) : SLOW ? 10 : 2 },
      );
    });
  });
}

describe('u32 and u64 kernels agree', () => {
  const c32 = new BfvContext(smallParameters('u32', { primes: 3 }));
  const c64 = new BfvContext(smallParameters('u64', { primes: 3 }));

  it('the same primes', () => {
    expect(c64.params.coeffModulus).toEqual(c32.params.coeffModulus);
    expect(c64.params.specialModulus).toEqual(c32.params.specialModulus);
    expect(c64.t).toBe(c32.t);
  });

  it('same seed → bit-identical ciphertexts on every wire of random circuits, and the same decryptions', () => {
    fc.assert(
      fc.property(
        arbCircuitWithInputs(2, { t: c32.t, n: c32.n, maxOps: 6, maxLevel: 1 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        ({ circuit, inputs }, seed) => {
          // Symmetric encryption with seeded: false draws everything from the seeded stream.
          const keys32 = makeKeys(c32, { rng: seededRandom(seed), galoisSteps: [0, 1, -1, 2, -2, 4, -4, 8, -8] });
          const keys64 = makeKeys(c64, { rng: seededRandom(seed), galoisSteps: [0, 1, -1, 2, -2, 4, -4, 8, -8] });
          const enc = (k: typeof keys32) => inputs.slice(0, circuit.inputs).map((v) => k.encryptor.encryptSymmetric(k.encoder.encode(v), { seeded: false }));
          const pub = (k: typeof keys32) => k.encryptor.encrypt(k.encoder.encode(inputs[0]));
          const plain = inputs.slice(circuit.inputs);
          // Composed rotations need only ±2^i ≤ 8; steps beyond are reduced into that range in the circuit.
          const small = { ...circuit, ops: circuit.ops.map((op) => (op.op === 'rotateRows' ? { ...op, steps: op.steps % 16 } : op)) };
          const r32 = runEncrypted(small, [...enc(keys32), ...plain], keys32);
          const r64 = runEncrypted(small, [...enc(keys64), ...plain], keys64);
          expect(r64.wires.map(ciphertextDigest), formatCircuit(small)).toEqual(r32.wires.map(ciphertextDigest));
          expect(ciphertextDigest(pub(keys64))).toBe(ciphertextDigest(pub(keys32)));
          expect(decryptSlots(keys64, r64.output)).toEqual(decryptSlots(keys32, r32.output));
          expect(decryptSlots(keys32, r32.output)).toEqual(referenceEvaluate(small, inputs, c32.t, c32.n).output);
          expect(keys64.decryptor.invariantNoiseBudget(r64.output)).toBe(keys32.decryptor.invariantNoiseBudget(r32.output));
        },
      ),
      { numRuns: SLOW ? 10 : 2 },
    );
  });
});
