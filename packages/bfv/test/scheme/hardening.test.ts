/**
 * Regression tests for issue 13, one per defect, each from the public API.
 * Item 1 (key-switching noise) is test/scheme/keyswitch.test.ts; item 6 (garbage
 * arguments) is test/scheme/arbitrary-values.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  BatchEncoder,
  BfvContext,
  bfvParameters,
  Ciphertext,
  CoefficientEncoder,
  Decryptor,
  Encryptor,
  KeyGenerator,
  Plaintext,
  type BfvParameterLiteral,
} from '@qhe/bfv';
import { nttPrimes } from '@qhe/bfv/math';
import { cachedKeys, catchQheError, smallParameters } from '@qhe/bfv/testing';

describe('item 2: every operation that can produce a transparent ciphertext throws TRANSPARENT_RESULT', () => {
  const ctx = new BfvContext(smallParameters('u32'));
  const k = cachedKeys(ctx, { galoisSteps: [1] });
  const ev = k.evaluator;
  const fresh = () => k.encryptor.encrypt(k.encoder.encode([1n, 2n, 3n]));

  it('multiplyScalarAddInto(a, −1, a.clone()) and its variants (≡ −1 mod t, acc + (−2)·(acc/2))', () => {
    const a = fresh();
    for (const c of [-1, -1n, ctx.t - 1n, 2n * ctx.t - 1n]) expect(catchQheError(() => ev.multiplyScalarAddInto(a, c, a.clone())).code).toBe('TRANSPARENT_RESULT');
    const half = ev.multiplyScalar(a, 2);
    expect(catchQheError(() => ev.multiplyScalarAddInto(a, -2, half.clone())).code).toBe('TRANSPARENT_RESULT');
    // Not cancelling: fine.
    expect(ev.multiplyScalarAddInto(a, 3, a.clone()).isTransparent()).toBe(false);
  });

  it('a transparent input (hand-built) makes every operation throw, not just add/sub', () => {
    const a = fresh();
    // c1 = 0: the plaintext in clear.
    const transparent = new Ciphertext(ctx, 0, [a.polys[0].clone(), Ciphertext.empty(ctx).polys[1]]);
    const pt = k.encoder.encode([5n]);
    const calls: [string, () => unknown][] = [
      ['negate', () => ev.negate(transparent)],
      ['addPlain', () => ev.addPlain(transparent, pt)],
      ['subPlain', () => ev.subPlain(transparent, pt)],
      ['multiplyScalar', () => ev.multiplyScalar(transparent, 3)],
      ['multiplyPlain', () => ev.multiplyPlain(transparent, pt)],
      ['square', () => ev.square(transparent)],
      ['relinearize', () => ev.relinearize(transparent, k.relinKeys)],
      ['rotateRows 0', () => ev.rotateRows(transparent, 0, k.galoisKeys)],
      ['modSwitchToNext', () => ev.modSwitchToNext(transparent)],
      ['modSwitchTo', () => ev.modSwitchTo(transparent, 0)],
      ['add', () => ev.add(transparent, transparent)],
      ['multiplyScalarAddInto', () => ev.multiplyScalarAddInto(transparent, 2, transparent.clone())],
      ['addInto (preallocated out)', () => ev.addInto(transparent, transparent, Ciphertext.empty(ctx))],
    ];
    for (const [name, call] of calls) {
      const err = catchQheError(call);
      expect(err.code, name).toBe('TRANSPARENT_RESULT');
      expect(err.message, name).toMatch(/transparent/);
    }
  });
});

describe('item 3: BfvContext with null, undefined or a non-object throws a typed error', () => {
  it('new BfvContext(null | undefined | 5 | "n8192") → INVALID_PARAMETERS naming BfvContext', () => {
    for (const bad of [null, undefined, 5, 'n8192', true, Symbol('p')]) {
      const err = catchQheError(() => new BfvContext(bad as never));
      expect(err.code).toBe('INVALID_PARAMETERS');
      expect(err.message).toMatch(/^BfvContext: expected .*parameter/);
    }
    // A frozen look-alike of validated parameters is validated, not trusted.
    const fake = Object.freeze({ ...bfvParameters(smallParameters('u32')), coeffModulus: [7n] });
    expect(catchQheError(() => new BfvContext(fake)).code).toBe('PRIME_NOT_NTT_FRIENDLY');
  });
});

describe('item 4: a plain modulus sharing a factor with Q·P is refused (PLAIN_MODULUS_NOT_COPRIME)', () => {
  const n = 1024;
  it('t = 2·q0 (u32), 3·q0 (u64), t a multiple of a special prime', () => {
    const [q0] = nttPrimes({ bits: 20, n, count: 1 });
    const [big] = nttPrimes({ bits: 40, n, count: 1 });
    const cases: [BfvParameterLiteral, bigint][] = [
      [{ polyDegree: n, coeffModulus: [q0, 29], specialModulus: [29], plainModulus: 2n * q0, allowInsecure: true }, q0],
      [{ polyDegree: n, coeffModulus: [big, 50], specialModulus: [50], plainModulus: 3n * big, kernel: 'u64', allowInsecure: true }, big],
      [{ polyDegree: n, coeffModulus: [29, 29], specialModulus: [q0, 29], plainModulus: 5n * q0, allowInsecure: true }, q0],
    ];
    for (const [literal, q] of cases) {
      const err = catchQheError(() => new BfvContext(literal));
      expect(err.code).toBe('PLAIN_MODULUS_NOT_COPRIME');
      expect(err.message).toMatch(/^bfvParameters\.plainModulus: expected t coprime/);
      expect(err.message).toContain(String(q));
    }
  });

  it('primes given by bit size skip primes that divide t, and the context decrypts', () => {
    const [p] = nttPrimes({ bits: 20, n, count: 1 }); // the first 20-bit prime the resolver would pick
    const t = 2n * p;
    const params = bfvParameters({ polyDegree: n, coeffModulus: [20, 29, 29], specialModulus: [29], plainModulus: t, allowInsecure: true });
    for (const q of [...params.coeffModulus, ...params.specialModulus]) expect(t % q).not.toBe(0n);
    // t is not a batching prime: coefficient encoding and secret-key encryption.
    const ctx = new BfvContext(params);
    const encoder = new CoefficientEncoder(ctx);
    const kg = new KeyGenerator(ctx);
    const ct = new Encryptor(ctx, { secretKey: kg.secretKey }).encryptSymmetric(encoder.encode([t - 1n, 7n]));
    expect(encoder.decodeBigInt(new Decryptor(ctx, kg.secretKey).decrypt(ct)).slice(0, 2)).toEqual([t - 1n, 7n]);
  });
});

describe('item 5: encoders refuse argument shapes that would encode as zeros', () => {
  const ctx = new BfvContext(smallParameters('u32'));
  const encoders = [new BatchEncoder(ctx), new CoefficientEncoder(ctx)];
  it('encode(5), encode({}), encode(NaN), encode("123"), encode(null), encode({ length: 3 }) → INVALID_ARGUMENT', () => {
    for (const enc of encoders)
      for (const bad of [5, {}, Number.NaN, '123', null, undefined, { length: 3 }, new DataView(new ArrayBuffer(8)), 5n, () => [1]]) {
        const err = catchQheError(() => enc.encode(bad as never));
        expect(err.code, String(bad)).toBe('INVALID_ARGUMENT');
        expect(err.message).toMatch(/encode: expected an array or typed array/);
      }
  });

  it('bad options and bad elements are typed errors too; arrays and typed arrays still encode', () => {
    for (const enc of encoders) {
      expect(catchQheError(() => enc.encode([1], null as never)).code).toBe('INVALID_ARGUMENT');
      expect(catchQheError(() => enc.encode([1], { signed: 'yes' } as never)).code).toBe('INVALID_ARGUMENT');
      expect(catchQheError(() => enc.encode([Symbol('x')] as never)).code).toBe('PLAINTEXT_OUT_OF_RANGE');
      expect(catchQheError(() => enc.encode(['3'] as never)).code).toBe('PLAINTEXT_OUT_OF_RANGE');
      expect(catchQheError(() => enc.encode(new Float64Array([0.5]))).code).toBe('PLAINTEXT_OUT_OF_RANGE');
      const fromTyped = enc.decode(enc.encode(new Int32Array([4, 5, 6])));
      expect(fromTyped.slice(0, 3)).toEqual([4, 5, 6]);
      expect(enc.decode(enc.encode(new BigInt64Array([-2n]), { signed: true }), { signed: true })[0]).toBe(-2);
    }
  });

  it('a Plaintext built by hand with coefficients ≥ t is refused, and so is one changed after the fact', () => {
    const data = new Int32Array(ctx.n);
    data[3] = Number(ctx.t);
    const err = catchQheError(() => new Plaintext(ctx, data));
    expect(err.code).toBe('PLAINTEXT_OUT_OF_RANGE');
    expect(err.message).toContain('index 3');
    const pt = encoders[0].encode([1]);
    const k = cachedKeys(ctx);
    pt.data[0] = -5;
    for (const call of [() => k.encryptor.encrypt(pt), () => k.evaluator.addPlain(k.encryptor.encrypt(encoders[0].encode([1])), pt), () => encoders[0].decode(pt)])
      expect(catchQheError(call).code).toBe('PLAINTEXT_OUT_OF_RANGE');
  });
});
