/**
 * Regression tests for issue 13, one per defect, each from the public API
 * (items 2–5, 7 and 8 here).
 * Item 1 (key-switching noise) is test/scheme/keyswitch.test.ts; item 6 (garbage
 * arguments) is test/scheme/arbitrary-values.test.ts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BatchEncoder,
  BfvContext,
  bfvParameters,
  Ciphertext,
  CoefficientEncoder,
  Decryptor,
  deserialize,
  deserializeCiphertext,
  deserializeGaloisKeys,
  deserializeParameters,
  deserializePublicKey,
  deserializeRelinKeys,
  deserializeSecretKey,
  Encryptor,
  Evaluator,
  GaloisKeys,
  inspectSerialized,
  KeyGenerator,
  Plaintext,
  PRESETS,
  SecretKey,
  seededRandom,
  serializeCiphertext,
  serializeGaloisKeys,
  serializeParameters,
  serializePlaintext,
  serializePublicKey,
  serializeRelinKeys,
  serializeSecretKey,
  type BfvParameterLiteral,
} from '@qhe/bfv';
import { nttPrimes } from '@qhe/bfv/math';
import { ParallelEvaluator } from '@qhe/bfv/parallel';
import { cachedKeys, catchQheError, decryptSlots, makeKeys, smallParameters } from '@qhe/bfv/testing';

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

describe('item 7: keys and ciphertexts carry a key id; mixing keys is KEY_MISMATCH before computing', () => {
  const ctx = new BfvContext(smallParameters('u32'));
  const mine = cachedKeys(ctx, { galoisSteps: [1] });
  const theirs = makeKeys(ctx, { galoisSteps: [1] }); // another key generator, same parameters
  const x = [1n, 2n, 3n];
  const ct = () => mine.encryptor.encrypt(mine.encoder.encode(x));
  const foreign = () => theirs.encryptor.encrypt(theirs.encoder.encode(x));
  const expectMismatch = (call: () => unknown, ...mentions: string[]) => {
    const err = catchQheError(call);
    expect(err.code, err.message).toBe('KEY_MISMATCH');
    expect(err.message).toMatch(/expected .* to belong to the key of .*key id [0-9a-f]{32}.*got key id [0-9a-f]{32}/);
    for (const m of mentions) expect(err.message).toContain(m);
  };

  it('everything made from one secret key carries its id: keys, ciphertexts, results', () => {
    const id = mine.keygen.secretKey.keyId;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(theirs.keygen.secretKey.keyId).not.toBe(id);
    for (const o of [mine.publicKey, mine.relinKeys, mine.relinKeys.key, mine.galoisKeys, mine.keygen.createPublicKey()]) expect(o.keyId).toBe(id);
    const a = ct(), s = mine.encryptor.encryptSymmetric(mine.encoder.encode(x));
    const ev = mine.evaluator;
    const results = [a, s, ev.add(a, s), ev.multiplyPlain(a, mine.encoder.encode([2n])), ev.relinearize(ev.multiply(a, s), mine.relinKeys), ev.rotateRows(a, 1, mine.galoisKeys), ev.modSwitchToNext(a), a.clone()];
    for (const r of results) expect(r.keyId).toBe(id);
    // A wrapped secret key is the same key.
    expect(new KeyGenerator(ctx, { secretKey: mine.keygen.secretKey }).createRelinKeys().keyId).toBe(id);
  });

  it('the id is SHAKE256 over a domain separator, the parameters and the packed secret (the documented derivation)', () => {
    const sk = mine.keygen.secretKey;
    const packed = new Uint8Array(ctx.n / 4);
    sk.small.forEach((c, i) => (packed[i >> 2] |= (c === 0 ? 0 : c === 1 ? 1 : 2) << (2 * (i & 3))));
    const input = Buffer.concat([Buffer.from('qhe/bfv/key-id/1'), Buffer.of(0), Buffer.from(ctx.id), Buffer.of(0), packed]);
    expect(sk.keyId).toBe(createHash('shake256', { outputLength: 16 }).update(input).digest('hex'));
    // Same coefficients under other parameters: another id.
    const other = new BfvContext(smallParameters('u32', { plainBits: 15 }));
    expect(new SecretKey(other, sk.small).keyId).not.toBe(sk.keyId);
    // A hand-built key whose NTT form is not that of its coefficients is refused.
    expect(catchQheError(() => new SecretKey(ctx, sk.small, theirs.keygen.secretKey.ntt)).code).toBe('INVALID_ARGUMENT');
  });

  it('decrypting with another secret key: KEY_MISMATCH, not NOISE_BUDGET_EXHAUSTED', () => {
    expectMismatch(() => theirs.decryptor.decrypt(ct()), 'the ciphertext', 'the secret key');
    expectMismatch(() => theirs.decryptor.invariantNoiseBudget(ct()));
  });

  it('evaluator operations on ciphertexts of two keys, and keys of another key generator', () => {
    const ev = mine.evaluator;
    expectMismatch(() => ev.add(ct(), foreign()), 'ciphertext operand 2');
    expectMismatch(() => ev.sub(foreign(), ct()));
    expectMismatch(() => ev.multiply(ct(), foreign()));
    expectMismatch(() => ev.multiplyScalarAddInto(foreign(), 3, ct()));
    expectMismatch(() => ev.relinearize(ev.square(ct()), theirs.relinKeys), 'the relinearization keys');
    expectMismatch(() => ev.rotateRows(ct(), 1, theirs.galoisKeys), 'the Galois keys');
    expectMismatch(() => ev.rotateColumns(ct(), theirs.keygen.createGaloisKeys({ steps: [0] })));
    expectMismatch(() => ev.applyGalois(ct(), 3, theirs.galoisKeys));
    // A Galois key set assembled from two key generators.
    const mixed = new Map([...mine.galoisKeys.keys].slice(0, 1).concat([...theirs.keygen.createGaloisKeys({ steps: [2] }).keys]));
    expectMismatch(() => new GaloisKeys(ctx, mixed));
    // An Encryptor holding the public key of one and the secret key of another.
    expectMismatch(() => new Encryptor(ctx, { publicKey: mine.publicKey, secretKey: theirs.keygen.secretKey }));
  });

  it('the pool refuses mixed keys before dispatch', async () => {
    const pe = ParallelEvaluator.create(ctx, { workers: 1, limbParallel: false });
    try {
      await expect(pe.add(ct(), foreign())).rejects.toMatchObject({ code: 'KEY_MISMATCH' });
      await expect(pe.relinearize(mine.evaluator.square(ct()), theirs.relinKeys)).rejects.toMatchObject({ code: 'KEY_MISMATCH' });
      const ok = await pe.multiplyRelinearize(ct(), ct(), mine.relinKeys);
      expect(ok.keyId).toBe(mine.keygen.secretKey.keyId);
      expect(decryptSlots(mine, ok).slice(0, 3)).toEqual(x.map((v) => v * v));
    } finally {
      await pe.close();
    }
  });

  it('ids travel through serialization (format version 2), and inspectSerialized reports them', () => {
    const id = mine.keygen.secretKey.keyId;
    const seeded = mine.encryptor.encryptSymmetric(mine.encoder.encode(x));
    const loaded = [
      deserializePublicKey(ctx, serializePublicKey(mine.publicKey)),
      deserializeRelinKeys(ctx, serializeRelinKeys(mine.relinKeys)),
      deserializeGaloisKeys(ctx, serializeGaloisKeys(mine.galoisKeys)),
      deserializeSecretKey(ctx, serializeSecretKey(mine.keygen.secretKey)),
      deserializeCiphertext(ctx, serializeCiphertext(ct())),
      deserializeCiphertext(ctx, serializeCiphertext(seeded, { seeded: true })),
    ];
    for (const o of loaded) expect(o.keyId).toBe(id);
    expect(inspectSerialized(serializeCiphertext(ct())).keyId).toBe(id);
    expect(inspectSerialized(serializePlaintext(mine.encoder.encode(x))).keyId).toBeUndefined();
    // A loaded key still refuses another key's ciphertext.
    const rk = deserializeRelinKeys(ctx, serializeRelinKeys(theirs.relinKeys));
    expectMismatch(() => mine.evaluator.relinearize(mine.evaluator.square(ct()), rk));
  });

  it('format version 1 bytes (no ids) still load, with an unknown id that matches any key (documented rule)', () => {
    const v1 = JSON.parse(readFileSync(new URL('../vectors/serialization-v1.json', import.meta.url), 'utf8')) as {
      seededEncryptSeed: string;
      blobs: Record<string, { length: number; sha256: string; base64: string }>;
    };
    const inputs = JSON.parse(readFileSync(new URL('../vectors/kat-inputs.json', import.meta.url), 'utf8'));
    const bytes = (name: string): Uint8Array => {
      const b = v1.blobs[name];
      const raw = new Uint8Array(Buffer.from(b.base64, 'base64'));
      expect(createHash('sha256').update(raw).digest('hex')).toBe(b.sha256); // the genuine version-1 writer's output
      expect(inspectSerialized(raw).version).toBe(1);
      return raw;
    };
    const p = inputs.parameters;
    const params = deserializeParameters(bytes('params'), { allowInsecure: true });
    const kat = new BfvContext(params);
    expect(params.coeffModulus).toEqual(p.coeffModulus.map(BigInt));
    // The secret key of the KAT, rebuilt from its seed, equals the version-1 blob; its id is recomputed.
    const keygen = new KeyGenerator(kat, { rng: seededRandom(new Uint8Array(Buffer.from(inputs.seeds.keys, 'hex'))) });
    const sk = deserializeSecretKey(kat, bytes('secretKey'));
    expect(Array.from(sk.small)).toEqual(Array.from(keygen.secretKey.small));
    expect(sk.keyId).toBe(keygen.secretKey.keyId);
    const level1 = deserializeCiphertext(kat, bytes('ciphertext (modSwitchToNext, level 1)'));
    const seeded = deserializeCiphertext(kat, bytes('seededCiphertext'));
    expect(level1.keyId).toBeUndefined();
    expect(seeded.keyId).toBeUndefined();
    expect(level1.level).toBe(1);
    const dec = new Decryptor(kat, sk);
    const be = new BatchEncoder(kat);
    expect(be.decode(dec.decrypt(level1))).toEqual(inputs.x);
    expect(be.decode(dec.decrypt(seeded))).toEqual(inputs.y);
    // Unknown matches any key: combined with a ciphertext of known id, the result takes the known id.
    const known = new Evaluator(kat).modSwitchToNext(new Encryptor(kat, { secretKey: sk }).encryptSymmetric(be.encode([1])));
    const sum = new Evaluator(kat).add(level1, known);
    expect(sum.keyId).toBe(sk.keyId);
    // Written again, they are version 2 with an unknown (all-zero) id.
    const again = serializeCiphertext(level1);
    expect(inspectSerialized(again)).toMatchObject({ version: 2, keyId: undefined });
    expect(again.length).toBe(v1.blobs['ciphertext (modSwitchToNext, level 1)'].length + 16);
  });
});

describe('item 8: deserializeParameters demands 128-bit security unless the caller opts out', () => {
  const insecure = bfvParameters(smallParameters('u32'));
  const secure = bfvParameters(PRESETS.n4096);

  it('an insecure blob is refused with INSECURE_PARAMETERS; allowInsecure accepts it', () => {
    const bytes = serializeParameters(insecure);
    const err = catchQheError(() => deserializeParameters(bytes));
    expect(err.code).toBe('INSECURE_PARAMETERS');
    expect(err.message).toMatch(/^deserializeParameters: expected parameters secure at 128 bits \(log2\(Q·P\) ≤ 27 for N = 1024\), got log2\(Q·P\) = 116/);
    expect(err.message).toContain('allowInsecure');
    expect(deserializeParameters(bytes, { allowInsecure: true })).toEqual(insecure);
    expect(catchQheError(() => deserialize(new BfvContext(PRESETS.n4096), bytes)).code).toBe('PARAMETER_MISMATCH');
    // The generic loader applies the context's own policy (it opted out when it was built).
    expect(deserialize(new BfvContext(insecure), bytes, 'params')).toEqual(insecure);
  });

  it('a demanded level above what the parameters reach is refused; one they reach is accepted', () => {
    const bytes = serializeParameters(secure); // log2(Q·P) = 109 at N = 4096: 128-bit only
    expect(deserializeParameters(bytes)).toEqual(secure);
    expect(deserializeParameters(bytes, { securityLevel: 128 })).toEqual(secure);
    for (const level of [192, 256] as const) {
      const err = catchQheError(() => deserializeParameters(bytes, { securityLevel: level }));
      expect(err.code).toBe('INSECURE_PARAMETERS');
      expect(err.message).toContain(`secure at ${level} bits`);
    }
    const small192 = bfvParameters({ polyDegree: 4096, coeffModulus: [25, 25], specialModulus: [25], plainModulus: 65537, securityLevel: 192 });
    expect(deserializeParameters(serializeParameters(small192), { securityLevel: 192 })).toEqual(small192);
    for (const bad of [null, 5, { securityLevel: 100 }, { allowInsecure: 'yes' }])
      expect(catchQheError(() => deserializeParameters(bytes, bad as never)).code).toBe('SERIALIZATION');
  });
});
