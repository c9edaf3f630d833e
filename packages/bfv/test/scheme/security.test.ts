/**
 * Security table: the presets validate at 128-bit security and their log2(Q·P)
 * (special primes included) stays within the HomomorphicEncryption.org standard
 * bound. The bounds are restated here from the standard (Albrecht et al. 2018,
 * Table 1, ternary secret, classical) rather than read from MAX_LOG_Q, so that a
 * typo in the library's table cannot make this test pass.
 */
import { describe, expect, it } from 'vitest';
import { BfvContext, bfvParameters, MAX_LOG_Q, PRESETS } from '@qhe/bfv';
import { catchQheError, makeKeys } from '@qhe/bfv/testing';

const HE_STANDARD: Record<128 | 192 | 256, Record<number, number>> = {
  128: { 1024: 27, 2048: 54, 4096: 109, 8192: 218, 16384: 438, 32768: 881 },
  192: { 1024: 19, 2048: 37, 4096: 75, 8192: 152, 16384: 305, 32768: 611 },
  256: { 1024: 14, 2048: 29, 4096: 58, 8192: 118, 16384: 237, 32768: 476 },
};

describe('security table', () => {
  it('MAX_LOG_Q matches the HE standard', () => {
    for (const level of [128, 192, 256] as const)
      for (const [n, bound] of Object.entries(HE_STANDARD[level])) expect(MAX_LOG_Q[level][Number(n)], `${level}-bit, N=${n}`).toBe(bound);
  });

  for (const name of Object.keys(PRESETS) as (keyof typeof PRESETS)[]) {
    it(`${name} validates at 128-bit security within the standard bound`, () => {
      const literal = PRESETS[name];
      expect(literal.allowInsecure).toBeFalsy();
      const p = bfvParameters(literal);
      expect(p.securityLevel).toBe(128);
      expect(p.polyDegree).toBe(Number(name.slice(1).split('-')[0]));
      expect(p.logQP).toBeLessThanOrEqual(HE_STANDARD[128][p.polyDegree]);
      // logQP is the bit length of the actual product, special primes included.
      const QP = [...p.coeffModulus, ...p.specialModulus].reduce((a, b) => a * b, 1n);
      expect(p.logQP).toBe(QP.toString(2).length);
      expect(p.batching).toBe(true);
      // Presets are tuned for 128 bits: at 192 bits they must be refused.
      expect(catchQheError(() => bfvParameters({ ...literal, securityLevel: 192 })).code).toBe('COEFF_MODULUS_TOO_LARGE');
    });
  }

  it.runIf(!!process.env.QHE_SLOW)('every preset encrypts, multiplies and decrypts (QHE_SLOW)', () => {
    for (const name of Object.keys(PRESETS) as (keyof typeof PRESETS)[]) {
      const ctx = new BfvContext(PRESETS[name]);
      const k = makeKeys(ctx, { galoisSteps: [1] });
      const x = Array.from({ length: ctx.n }, (_, i) => BigInt(i) % ctx.t);
      const ct = k.evaluator.relinearize(k.evaluator.square(k.encryptor.encrypt(k.encoder.encode(x))), k.relinKeys);
      expect(k.encoder.decodeBigInt(k.decryptor.decrypt(ct))).toEqual(x.map((v) => (v * v) % ctx.t));
    }
  }, 600_000);
});
