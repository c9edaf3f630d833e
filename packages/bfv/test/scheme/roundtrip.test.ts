/**
 * Dec(Enc(m)) = m on both kernels, for every way of encrypting (public key,
 * symmetric seeded and unseeded) and encoding (batch unsigned/signed,
 * coefficient unsigned/signed, scalar). fast-check draws the messages; keys are
 * cached per context so that the runs pay only for encryption.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BfvContext, CoefficientEncoder } from '@qhe/bfv';
import { arbMessage, arbSlots, cachedKeys, smallParameters } from '@qhe/bfv/testing';

const RUNS = { u32: 15, u64: 4 } as const;

for (const kernel of ['u32', 'u64'] as const) {
  describe(`round trip (${kernel})`, () => {
    const ctx = new BfvContext(smallParameters(kernel));
    const numRuns = RUNS[kernel];

    it('public-key encryption', () => {
      const k = cachedKeys(ctx);
      fc.assert(
        fc.property(arbSlots(ctx), (m) => {
          expect(k.encoder.decodeBigInt(k.decryptor.decrypt(k.encryptor.encrypt(k.encoder.encode(m))))).toEqual(m);
        }),
        { numRuns },
      );
    });

    it('symmetric encryption, seeded and unseeded', () => {
      const k = cachedKeys(ctx);
      fc.assert(
        fc.property(arbSlots(ctx), fc.boolean(), (m, seeded) => {
          const ct = k.encryptor.encryptSymmetric(k.encoder.encode(m), { seeded });
          // A seeded ciphertext records its seed (so it can be stored as (c0, seed)); an unseeded one must not.
          expect(ct.seed !== undefined).toBe(seeded);
          expect(k.encoder.decodeBigInt(k.decryptor.decrypt(ct))).toEqual(m);
        }),
        { numRuns },
      );
    });

    it('short vectors are zero-padded', () => {
      const k = cachedKeys(ctx);
      fc.assert(
        fc.property(arbMessage(ctx.t, ctx.n, { minLength: 0 }), (m) => {
          const out = k.encoder.decodeBigInt(k.decryptor.decrypt(k.encryptor.encrypt(k.encoder.encode(m))));
          expect(out).toEqual([...m, ...Array(ctx.n - m.length).fill(0n)]);
        }),
        { numRuns },
      );
    });

    it('signed batch encoding', () => {
      const k = cachedKeys(ctx);
      fc.assert(
        fc.property(arbSlots(ctx, { signed: true }), (m) => {
          const pt = k.decryptor.decrypt(k.encryptor.encryptSymmetric(k.encoder.encode(m, { signed: true })));
          expect(k.encoder.decodeBigInt(pt, { signed: true })).toEqual(m);
          expect(k.encoder.decode(pt, { signed: true })).toEqual(m.map(Number));
          // The unsigned view of the same plaintext is m mod t.
          expect(k.encoder.decodeBigInt(pt)).toEqual(m.map((x) => (x < 0n ? x + ctx.t : x)));
        }),
        { numRuns },
      );
    });

    it('signed encoding takes the extremes −⌊t/2⌋ and ⌊(t−1)/2⌋', () => {
      const k = cachedKeys(ctx);
      const lo = -(ctx.t >> 1n), hi = (ctx.t - 1n) >> 1n;
      const m = [lo, hi, 0n, -1n, 1n];
      expect(k.encoder.decodeBigInt(k.decryptor.decrypt(k.encryptor.encrypt(k.encoder.encode(m, { signed: true }))), { signed: true }).slice(0, 5)).toEqual(m);
    });

    it('CoefficientEncoder round trip (unsigned, signed, scalar)', () => {
      const k = cachedKeys(ctx);
      const ce = new CoefficientEncoder(ctx);
      fc.assert(
        fc.property(arbMessage(ctx.t, ctx.n), arbMessage(ctx.t, ctx.n, { signed: true }), (u, s) => {
          expect(ce.decodeBigInt(k.decryptor.decrypt(k.encryptor.encrypt(ce.encode(u))))).toEqual(u);
          expect(ce.decodeBigInt(k.decryptor.decrypt(k.encryptor.encryptSymmetric(ce.encode(s, { signed: true }))), { signed: true })).toEqual(s);
          expect(ce.decode(ce.encode(s, { signed: true }), { signed: true })).toEqual(s.map(Number));
        }),
        { numRuns },
      );
      // A constant polynomial is the same value in every batching slot.
      const c = ctx.t - 5n;
      const pt = ce.encodeScalar(c);
      expect(ce.decodeBigInt(pt)).toEqual([c, ...Array(ctx.n - 1).fill(0n)]);
      expect(k.encoder.decodeBigInt(k.decryptor.decrypt(k.encryptor.encrypt(pt)))).toEqual(Array(ctx.n).fill(c));
      expect(k.encoder.decodeBigInt(ce.encodeScalar(-3, { signed: true }))).toEqual(Array(ctx.n).fill(ctx.t - 3n));
    });

    it('encode/decode without encryption is the identity (number and bigint inputs)', () => {
      const k = cachedKeys(ctx);
      fc.assert(
        fc.property(arbSlots(ctx), (m) => {
          expect(k.encoder.decode(k.encoder.encode(m.map(Number)))).toEqual(m.map(Number));
        }),
        { numRuns: numRuns * 2 },
      );
    });
  });
}
