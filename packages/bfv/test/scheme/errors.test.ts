/**
 * Every documented error fires with its code, and its message names the bad
 * value ("fn: expected X, got Y"). Codes are the stable contract callers branch
 * on; the message check guards against errors that say what went wrong but not
 * with what.
 */
import { describe, expect, it } from 'vitest';
import { BatchEncoder, BfvContext, bfvParameters, CoefficientEncoder, Encryptor, KeyGenerator, Plaintext, QheError, type BfvParameterLiteral } from '@qhe/bfv';
import { isPrime } from '@qhe/bfv/math';
import { cachedKeys, catchQheError, smallParameters } from '@qhe/bfv/testing';

function expectError(fn: () => unknown, code: string, ...mentions: (string | number | bigint)[]): QheError {
  const err = catchQheError(fn);
  expect(err).toBeInstanceOf(QheError);
  expect(err.code, err.message).toBe(code);
  for (const m of mentions) expect(err.message).toContain(String(m));
  return err;
}

const base = (over: Partial<BfvParameterLiteral> = {}): BfvParameterLiteral => ({ ...smallParameters('u32'), ...over });

describe('parameter errors', () => {
  it('polyDegree: not a power of two, too small, too large', () => {
    for (const n of [1000, 512, 1 << 17, 0, 1024.5]) expectError(() => bfvParameters(base({ polyDegree: n })), 'INVALID_RING_DEGREE', n);
  });

  it('coeffModulus: explicit prime not ≡ 1 (mod 2N)', () => {
    // 1000003 is prime, ≡ 707 mod 2048.
    expectError(() => bfvParameters(base({ coeffModulus: [1000003n] })), 'PRIME_NOT_NTT_FRIENDLY', '1000003', '2048');
  });

  it('coeffModulus: explicit composite', () => {
    const composite = 2049n * 4097n; // ≡ 1 (mod 2048), not prime
    expectError(() => bfvParameters(base({ coeffModulus: [composite] })), 'INVALID_PRIME', String(composite));
  });

  it('coeffModulus: too many bits for the kernel (bit sizes and explicit primes)', () => {
    expectError(() => bfvParameters(base({ coeffModulus: [30, 29] })), 'PRIME_TOO_LARGE', '30', 'u32');
    expectError(() => bfvParameters(base({ kernel: 'u64', coeffModulus: [62] })), 'PRIME_TOO_LARGE', '62', 'u64');
    // 1073750017 = 2^30 + 8193 ≡ 1 (mod 2048), 31 bits: fine for u64, too large for u32.
    const big = 1073750017n;
    expectError(() => bfvParameters(base({ coeffModulus: [big] })), 'PRIME_TOO_LARGE', String(big));
    expectError(() => bfvParameters(base({ coeffModulus: [1] })), 'PRIME_TOO_LARGE', '1');
  });

  it('coeffModulus: duplicate primes (within the list and against the special primes)', () => {
    const [q] = new BfvContext(base()).params.coeffModulus;
    expectError(() => bfvParameters(base({ coeffModulus: [q, q] })), 'DUPLICATE_PRIME', String(q));
    expectError(() => bfvParameters(base({ coeffModulus: [q, 29], specialModulus: [q] })), 'DUPLICATE_PRIME', String(q));
  });

  it('coeffModulus / specialModulus: empty', () => {
    expectError(() => bfvParameters(base({ coeffModulus: [] })), 'INVALID_PARAMETERS', 'coeffModulus');
    expectError(() => bfvParameters(base({ specialModulus: [] })), 'INVALID_PARAMETERS', 'specialModulus');
  });

  it('plainModulus: invalid values', () => {
    expectError(() => bfvParameters(base({ plainModulus: 1 })), 'PLAIN_MODULUS_INVALID', '1');
    expectError(() => bfvParameters(base({ plainModulus: -7 })), 'PLAIN_MODULUS_INVALID', '-7');
    expectError(() => bfvParameters(base({ plainModulus: 2.5 })), 'PLAIN_MODULUS_INVALID', '2.5');
    expectError(() => bfvParameters(base({ plainModulus: 1n << 29n })), 'PLAIN_MODULUS_INVALID', String(1n << 29n));
    expectError(() => bfvParameters(base({ plainModulus: { batchingBits: 30 } })), 'PLAIN_MODULUS_INVALID', '30');
    // t ≥ Q
    expectError(() => bfvParameters(base({ coeffModulus: [20], specialModulus: [20], plainModulus: (1 << 21) - 1 })), 'PLAIN_MODULUS_INVALID', String((1 << 21) - 1));
  });

  it('plainModulus: not batching → BatchEncoder refuses, CoefficientEncoder works', () => {
    for (const t of [257, 1024, 65536]) {
      const ctx = new BfvContext(base({ plainModulus: t }));
      expect(ctx.params.batching).toBe(false);
      expectError(() => new BatchEncoder(ctx), 'PLAIN_MODULUS_NOT_BATCHING', t);
      const ce = new CoefficientEncoder(ctx);
      const kg = new KeyGenerator(ctx);
      const enc = new Encryptor(ctx, { secretKey: kg.secretKey });
      expect(ce.decode(ce.encode([3, t - 1])).slice(0, 2)).toEqual([3, t - 1]);
      expect(enc.encryptSymmetric(ce.encode([1])).size).toBe(2);
    }
  });

  it('insecure parameters are refused without allowInsecure and accepted (securityLevel "none") with it', () => {
    const literal: BfvParameterLiteral = { polyDegree: 1024, coeffModulus: [20, 20], specialModulus: [20], plainModulus: { batchingBits: 14 } };
    const err = expectError(() => bfvParameters(literal), 'COEFF_MODULUS_TOO_LARGE', 'N=1024', '27', '60', 'allowInsecure');
    expect(err.message).toContain('128-bit');
    const p = bfvParameters({ ...literal, allowInsecure: true });
    expect(p.securityLevel).toBe('none');
    expect(p.logQP).toBe(60);
    // u64, 60-bit primes: the same refusal.
    expectError(() => bfvParameters({ polyDegree: 1024, coeffModulus: [60], plainModulus: { batchingBits: 14 }, kernel: 'u64' }), 'COEFF_MODULUS_TOO_LARGE', '120');
    // Within the bound: accepted at 128 bits without the opt-out.
    const ok = bfvParameters({ polyDegree: 2048, coeffModulus: [27], specialModulus: [27], plainModulus: 17 });
    expect(ok.securityLevel).toBe(128);
    expect(ok.logQP).toBe(54);
    // Higher levels have tighter bounds.
    expectError(() => bfvParameters({ polyDegree: 2048, coeffModulus: [27], specialModulus: [27], plainModulus: 17, securityLevel: 192 }), 'COEFF_MODULUS_TOO_LARGE', '37', '192-bit');
    expectError(() => bfvParameters({ ...literal, securityLevel: 100 as never }), 'INVALID_PARAMETERS', '100');
  });

  it('kernel: unknown name', () => {
    expectError(() => bfvParameters(base({ kernel: 'u16' as never })), 'INVALID_PARAMETERS', 'u16');
  });
});

for (const kernel of ['u32', 'u64'] as const) {
  describe(`runtime errors (${kernel})`, () => {
    const ctx = new BfvContext(smallParameters(kernel));
    const t = ctx.t, n = ctx.n;
    const k = () => cachedKeys(ctx);
    const fresh = (v: (number | bigint)[] = [1, 2, 3]) => k().encryptor.encrypt(k().encoder.encode(v));

    it('PLAINTEXT_OUT_OF_RANGE: unsigned ≥ t, negative unsigned, signed out of range, non-integer (both encoders)', () => {
      const hi = (t - 1n) >> 1n, lo = -(t >> 1n);
      for (const enc of [k().encoder, new CoefficientEncoder(ctx)]) {
        expectError(() => enc.encode([0, t]), 'PLAINTEXT_OUT_OF_RANGE', String(t), 'index 1');
        expectError(() => enc.encode([Number(t) + 5]), 'PLAINTEXT_OUT_OF_RANGE', String(Number(t) + 5));
        expectError(() => enc.encode([5, -1]), 'PLAINTEXT_OUT_OF_RANGE', '-1', 'index 1');
        expectError(() => enc.encode([-1n]), 'PLAINTEXT_OUT_OF_RANGE', '-1');
        expectError(() => enc.encode([hi + 1n], { signed: true }), 'PLAINTEXT_OUT_OF_RANGE', String(hi + 1n), 'signed');
        expectError(() => enc.encode([Number(lo) - 1], { signed: true }), 'PLAINTEXT_OUT_OF_RANGE', String(lo - 1n));
        expectError(() => enc.encode([1.5]), 'PLAINTEXT_OUT_OF_RANGE', '1.5');
        expectError(() => enc.encode([Number.NaN]), 'PLAINTEXT_OUT_OF_RANGE', 'NaN');
        expectError(() => enc.encode([Infinity]), 'PLAINTEXT_OUT_OF_RANGE', 'Infinity');
        // The extremes themselves are fine.
        expect(() => enc.encode([lo, hi], { signed: true })).not.toThrow();
        expect(() => enc.encode([0, t - 1n])).not.toThrow();
      }
    });

    it('too many values', () => {
      expectError(() => k().encoder.encode(new Array(n + 1).fill(0)), 'INVALID_ARGUMENT', String(n + 1), String(n));
      expectError(() => new CoefficientEncoder(ctx).encode(new Array(n + 1).fill(0)), 'INVALID_ARGUMENT', String(n + 1));
    });

    it('PARAMETER_MISMATCH: objects from another context, operands at different levels', () => {
      const other = new BfvContext(smallParameters(kernel, { plainBits: 15 }));
      const ko = cachedKeys(other);
      const foreign = ko.encryptor.encrypt(ko.encoder.encode([1]));
      const ev = k().evaluator;
      const idFragment = `t=${other.t}`;
      expectError(() => ev.add(fresh(), foreign), 'PARAMETER_MISMATCH', idFragment);
      expectError(() => ev.multiply(fresh(), foreign), 'PARAMETER_MISMATCH', idFragment);
      expectError(() => ev.negate(foreign), 'PARAMETER_MISMATCH', idFragment);
      expectError(() => k().decryptor.decrypt(foreign), 'PARAMETER_MISMATCH', idFragment);
      expectError(() => ev.addPlain(fresh(), ko.encoder.encode([1])), 'PARAMETER_MISMATCH', idFragment);
      expectError(() => ev.relinearize(ev.square(fresh()), ko.relinKeys), 'PARAMETER_MISMATCH', idFragment);
      expectError(() => ev.rotateRows(fresh(), 1, ko.galoisKeys), 'PARAMETER_MISMATCH', idFragment);
      expectError(() => new Encryptor(ctx, { publicKey: ko.publicKey }), 'PARAMETER_MISMATCH', idFragment);
      // The other kernel is another context too.
      const otherKernel = cachedKeys(new BfvContext(smallParameters(kernel === 'u32' ? 'u64' : 'u32')));
      expectError(() => ev.add(fresh(), otherKernel.encryptor.encrypt(otherKernel.encoder.encode([1]))), 'PARAMETER_MISMATCH');
      // A second context with equal parameters is the same parameter set.
      const twin = new BfvContext(smallParameters(kernel));
      expect(new BatchEncoder(twin).decode(k().decryptor.decrypt(fresh([7])))[0]).toBe(7);
      // Different levels.
      expectError(() => ev.sub(fresh(), ev.modSwitchToNext(fresh())), 'PARAMETER_MISMATCH', 'level 1');
    });

    it('TRANSPARENT_RESULT: multiplyScalar by 0 or ≡ 0 (mod t), multiplyPlain by zero, ct − ct, ct + (−ct)', () => {
      const ev = k().evaluator;
      const ct = fresh();
      for (const c of [0, 0n, t, -t, 3n * t]) expectError(() => ev.multiplyScalar(ct, c), 'TRANSPARENT_RESULT', String(c));
      expectError(() => ev.multiplyScalarAddInto(ct, t, fresh()), 'TRANSPARENT_RESULT', String(t));
      expectError(() => ev.multiplyPlain(ct, Plaintext.zero(ctx)), 'TRANSPARENT_RESULT', 'zero');
      expectError(() => ev.multiplyPlain(ct, k().encoder.encode([])), 'TRANSPARENT_RESULT');
      expectError(() => ev.sub(ct, ct), 'TRANSPARENT_RESULT', 'transparent');
      expectError(() => ev.add(ct, ev.negate(ct)), 'TRANSPARENT_RESULT');
      expectError(() => ev.sub(ct, ct.clone()), 'TRANSPARENT_RESULT');
    });

    it('MISSING_KEY: rotation without that key, Encryptor without the key it needs', () => {
      const kg = k().keygen;
      const onlyOne = kg.createGaloisKeys({ steps: [1] });
      expectError(() => k().evaluator.rotateRows(fresh(), 2, onlyOne), 'MISSING_KEY');
      expectError(() => k().evaluator.rotateColumns(fresh(), onlyOne), 'MISSING_KEY', String(2 * n - 1));
      expectError(() => k().evaluator.applyGalois(fresh(), 5, onlyOne), 'MISSING_KEY', '5');
      expectError(() => new Encryptor(ctx, {}), 'MISSING_KEY');
      const symOnly = new Encryptor(ctx, { secretKey: kg.secretKey });
      expectError(() => symOnly.encrypt(k().encoder.encode([1])), 'MISSING_KEY', 'public key');
      const pkOnly = new Encryptor(ctx, { publicKey: k().publicKey });
      expectError(() => pkOnly.encryptSymmetric(k().encoder.encode([1])), 'MISSING_KEY', 'secret key');
    });

    it('CIPHERTEXT_SIZE: relinearize size 4, rotate size 3', () => {
      const ev = k().evaluator;
      const s3 = ev.square(fresh());
      const s4 = ev.multiply(s3, fresh());
      expect(s4.size).toBe(4);
      expectError(() => ev.relinearize(s4, k().relinKeys), 'CIPHERTEXT_SIZE', '4');
      expectError(() => ev.rotateRows(s3, 1, k().galoisKeys), 'CIPHERTEXT_SIZE', '3');
      expectError(() => ev.rotateColumns(s3, k().galoisKeys), 'CIPHERTEXT_SIZE', '3');
    });

    it('LEVEL_EXHAUSTED: modSwitch past the last level', () => {
      const ev = k().evaluator;
      const last = ev.modSwitchTo(fresh(), ctx.maxLevel);
      expectError(() => ev.modSwitchToNext(last), 'LEVEL_EXHAUSTED', `level ${ctx.maxLevel}`);
      expectError(() => ev.modSwitchTo(fresh(), ctx.maxLevel + 1), 'LEVEL_EXHAUSTED', String(ctx.maxLevel + 1));
    });

    it('NOISE_BUDGET_EXHAUSTED: decrypt refuses rather than returning a wrong plaintext', () => {
      const { evaluator: ev, decryptor, relinKeys } = k();
      let ct = fresh(Array.from({ length: n }, (_, i) => (i * 31 + 7) % Number(t)));
      while (decryptor.invariantNoiseBudget(ct) > 0) ct = ev.relinearize(ev.square(ct), relinKeys);
      expectError(() => decryptor.decrypt(ct), 'NOISE_BUDGET_EXHAUSTED', 'noise');
    });

    it('budget 0 exactly when decrypt refuses, also for Q just above a power of two', () => {
      // SEAL's formula alone would reach 0 only at ν ≈ 1/2 for such a Q, while
      // decrypt refuses at ν ≥ 1/4 (decryptor.ts): the budget must say 0 there too.
      const above = (k: bigint): bigint => {
        for (let q = k + 1n; ; q += 2048n) if (isPrime(q)) return q; // ≡ 1 (mod 2048)
      };
      const q1 = above(1n << 28n), q2 = above(1n << 27n);
      const params = { ...base(), coeffModulus: [q1, q2] };
      const ctx2 = new BfvContext(params);
      const Q = q1 * q2;
      expect(Q < (1n << 55n) + (1n << 50n)).toBe(true); // just above 2^55
      const { encryptor, encoder, evaluator: ev, decryptor, relinKeys } = cachedKeys(ctx2);
      const t2 = ctx2.t;
      let want = Array.from({ length: ctx2.n }, (_, i) => BigInt((i * 131 + 5) % Number(t2)));
      let ct = encryptor.encrypt(encoder.encode(want));
      for (let step = 0; step < 8; step++) {
        const budget = decryptor.invariantNoiseBudget(ct);
        let got: bigint[] | null = null;
        try { got = encoder.decodeBigInt(decryptor.decrypt(ct)); } catch (e) { expect((e as QheError).code).toBe('NOISE_BUDGET_EXHAUSTED'); }
        expect(got !== null, `step ${step}: budget ${budget}`).toBe(budget > 0);
        if (got === null) return;
        expect(got).toEqual(want);
        ct = ev.relinearize(ev.square(ct), relinKeys);
        want = want.map((v) => (v * v) % t2);
      }
      throw new Error('the budget never ran out');
    });

    it('INVALID_ARGUMENT: rotation step out of range, non-integer scalar', () => {
      const ev = k().evaluator;
      expectError(() => ev.rotateRows(fresh(), n / 2, k().galoisKeys), 'INVALID_ARGUMENT', String(n / 2));
      expectError(() => ev.rotateRows(fresh(), 1.5, k().galoisKeys), 'INVALID_ARGUMENT', '1.5');
      expectError(() => ev.multiplyScalar(fresh(), 2.5), 'INVALID_ARGUMENT', '2.5');
    });
  });
}
