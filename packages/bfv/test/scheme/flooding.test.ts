/**
 * Noise flooding (flooding.ts): re-randomized, flooded ciphertexts decrypt to
 * the same message; the returned noise is the flood (uniform on [−2^(w−1),
 * 2^(w−1)) plus a bounded remainder); the budget it costs is the stated reserve;
 * encryptions of zero at any level are fresh; and bad calls are typed errors.
 */
import { describe, expect, it } from 'vitest';
import { BfvContext, NoiseFlooder, floodingReserveBits, floodingWidthBits, noiseBoundForBudget, seededRandom, QheError } from '@qhe/bfv';
import { cachedKeys, catchQheError, smallParameters } from '@qhe/bfv/testing';

const ctx = new BfvContext(smallParameters('u32', { primes: 4 }));
const n = ctx.n, t = ctx.t;
const abs = (v: bigint): bigint => (v < 0n ? -v : v);

function product() {
  const k = cachedKeys(ctx);
  const xs = Array.from({ length: n }, (_, i) => BigInt(i % 97));
  const ys = Array.from({ length: n }, (_, i) => BigInt((i * 7) % 31));
  const ct = k.evaluator.relinearize(k.evaluator.multiply(k.encryptor.encrypt(k.encoder.encode(xs)), k.encryptor.encrypt(k.encoder.encode(ys))), k.relinKeys);
  return { k, ct: k.evaluator.modSwitchToNext(ct), expected: xs.map((x, i) => (x * ys[i]) % t) };
}

describe('noise flooding', () => {
  it('decrypts to the same slots; the flooded noise is uniform over the flooding width; the budget drops by ≈ the reserve', () => {
    const { k, ct, expected } = product();
    const before = k.decryptor.invariantNoiseBudget(ct);
    const bound = noiseBoundForBudget(ctx, ct.level, before);
    const eBefore = k.decryptor.noiseCoefficients(ct);
    expect(eBefore.reduce((m, v) => (abs(v) > m ? abs(v) : m), 0n)).toBeLessThanOrEqual(bound);
    const lambda = 20;
    const flooder = new NoiseFlooder(ctx, k.publicKey);
    const out = flooder.flood(ct, { noiseBound: bound, statisticalSecurity: lambda });
    expect(k.encoder.decode(k.decryptor.decrypt(out)).map(BigInt)).toEqual(expected);
    const w = floodingWidthBits(n, { noiseBound: bound, statisticalSecurity: lambda });
    // 2^w ≥ 2^λ · N · 2·B_e, the smallest such power of two.
    expect(1n << BigInt(w)).toBeGreaterThanOrEqual((2n * BigInt(n) * bound) << BigInt(lambda));
    expect(1n << BigInt(w - 1)).toBeLessThan((2n * BigInt(n) * bound) << BigInt(lambda));
    const after = k.decryptor.invariantNoiseBudget(out);
    expect(before - after).toBeGreaterThanOrEqual(lambda + Math.log2(n) - 2);
    expect(before - after).toBeLessThanOrEqual(floodingReserveBits(n, 1, lambda) + 2);
    // The noise now: ≈ uniform on [−2^(w−1), 2^(w−1)) (plus |e| ≤ B_e and the fresh e_pk, both ≪ 2^w).
    const e = k.decryptor.noiseCoefficients(out);
    const W = 1n << BigInt(w);
    const slack = bound + (1n << 20n);
    for (const v of e) expect(abs(v)).toBeLessThanOrEqual(W / 2n + slack);
    // Eight equal bins over the width: χ² with 7 degrees of freedom, 99.99% quantile 29.9.
    const bins = new Array<number>(8).fill(0);
    for (const v of e) bins[Math.min(7, Math.max(0, Number(((v + W / 2n) * 8n) / W)))]++;
    const expectedPerBin = n / 8;
    const chi2 = bins.reduce((s, c) => s + (c - expectedPerBin) ** 2 / expectedPerBin, 0);
    expect(chi2).toBeLessThan(29.9);
    // Re-randomized: c1 changed.
    expect(out.polys[1].data).not.toEqual(ct.polys[1].data);
  });

  it('is reproducible from a seeded source and leaves the input unchanged', () => {
    const { k, ct } = product();
    const copy = ct.clone();
    const seed = new Uint8Array(32).fill(5);
    const a = new NoiseFlooder(ctx, k.publicKey, seededRandom(seed)).flood(ct, { noiseBound: 1000n });
    const b = new NoiseFlooder(ctx, k.publicKey, seededRandom(seed)).flood(ct, { noiseBound: 1000n });
    expect(a.polys[0].data).toEqual(b.polys[0].data);
    expect(a.polys[1].data).toEqual(b.polys[1].data);
    expect(ct.polys[0].data).toEqual(copy.polys[0].data);
  });

  it('encryptZero at every level is a fresh encryption of zero', () => {
    const k = cachedKeys(ctx);
    for (let level = 0; level <= ctx.maxLevel; level++) {
      const z = k.encryptor.encryptZero(level);
      expect(z.level).toBe(level);
      expect(k.decryptor.decrypt(z).isZero()).toBe(true);
      const fresh = Math.log2(Number(ctx.level(level).base.modulus)) - Math.log2(Number(t));
      expect(k.decryptor.invariantNoiseBudget(z)).toBeGreaterThan(fresh - Math.log2(n) - 8);
    }
  });

  it('refuses unrelinearized ciphertexts, bounds it cannot hold, other parameters and bad options with typed errors', () => {
    const { k, ct } = product();
    const flooder = new NoiseFlooder(ctx, k.publicKey);
    const size3 = k.evaluator.square(ct);
    expect(catchQheError(() => flooder.flood(size3, { noiseBound: 10n })).code).toBe('CIPHERTEXT_SIZE');
    const huge = ctx.level(ct.level).base.modulus / t;
    expect(catchQheError(() => flooder.flood(ct, { noiseBound: huge })).code).toBe('NOISE_BUDGET_EXHAUSTED');
    expect(catchQheError(() => flooder.flood(ct, { noiseBound: 0n })).code).toBe('INVALID_ARGUMENT');
    expect(catchQheError(() => flooder.flood(ct, { noiseBound: 10n, statisticalSecurity: 0 })).code).toBe('INVALID_ARGUMENT');
    expect(catchQheError(() => flooder.flood(ct, { noiseBound: 10n, ciphertexts: 0 })).code).toBe('INVALID_ARGUMENT');
    const other = new BfvContext(smallParameters('u32', { primes: 3 }));
    const e = catchQheError(() => new NoiseFlooder(other, k.publicKey));
    expect(e).toBeInstanceOf(QheError);
    expect(e.code).toBe('PARAMETER_MISMATCH');
    expect(floodingReserveBits(8192, 40, 40)).toBe(40 + Math.ceil(Math.log2(8192 * 40)) + 5);
  });
});
