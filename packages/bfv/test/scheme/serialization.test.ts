/**
 * Serialization (serialization.ts): round trips of every kind on both kernels
 * (decrypting after the round trip), the seeded ciphertext form, kernel-agnostic
 * bytes, canonical encoding, and robustness: byte flips, truncation, appended
 * bytes, garbage, wrong kind / version / magic / parameters, and corruptions
 * with a recomputed checksum (which reach the field validation) always end in a
 * QheError with code SERIALIZATION or PARAMETER_MISMATCH — or, for a resealed
 * corruption that still describes a valid object, in an object that
 * re-serializes to exactly the same bytes.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BatchEncoder,
  BfvContext,
  Ciphertext,
  Decryptor,
  Encryptor,
  Evaluator,
  GaloisKeys,
  KeyGenerator,
  Plaintext,
  PublicKey,
  QheError,
  RelinKeys,
  SecretKey,
  SERIALIZATION_VERSION,
  bfvParameters,
  deserialize,
  deserializeCiphertext,
  deserializeGaloisKeys,
  deserializeParameters,
  deserializePlaintext,
  deserializePublicKey,
  deserializeRelinKeys,
  deserializeSecretKey,
  inspectSerialized,
  parametersFingerprint,
  serialize,
  serializeCiphertext,
  serializeGaloisKeys,
  serializeParameters,
  serializePlaintext,
  serializePublicKey,
  serializeRelinKeys,
  serializeSecretKey,
  type BfvParameterLiteral,
  type SerializedKind,
} from '../../src/index.js';
import { RnsPoly } from '../../src/math/poly.js';

const HEADER = 28;
const CHECKSUM = 16;

/** Recomputes the trailing checksum (what an attacker, or a buggy writer, could do). */
function reseal(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const end = out.length - CHECKSUM;
  out.set(createHash('sha256').update(out.subarray(0, end)).digest().subarray(0, CHECKSUM), end);
  return out;
}

/** Replaces the body (fixing the length field and checksum). */
function withBody(bytes: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + body.length + CHECKSUM);
  out.set(bytes.subarray(0, HEADER));
  new DataView(out.buffer).setUint32(24, body.length, true);
  out.set(body, HEADER);
  return reseal(out);
}

function bodyOf(bytes: Uint8Array): Uint8Array {
  return bytes.slice(HEADER, bytes.length - CHECKSUM);
}

const ALLOWED = ['SERIALIZATION', 'PARAMETER_MISMATCH'];

/** Runs `load`; returns the error (asserting it is a typed QheError with an allowed code) or undefined. */
function typedFailure(load: () => unknown, codes: readonly string[] = ALLOWED): QheError | undefined {
  try {
    load();
  } catch (e) {
    if (!(e instanceof QheError)) throw new Error(`expected a QheError, got ${String(e)}`);
    if (!codes.includes(e.code)) throw new Error(`expected code ${codes.join('/')}, got ${e.code}: ${e.message}`);
    if (!/^\w+: expected .*, got /s.test(e.message)) throw new Error(`expected a message "fn: expected …, got …", got ${e.message}`);
    return e;
  }
  return undefined;
}

function expectFailure(load: () => unknown, code: 'SERIALIZATION' | 'PARAMETER_MISMATCH' = 'SERIALIZATION', pattern?: RegExp): QheError {
  const e = typedFailure(load, [code]);
  if (!e) throw new Error('expected the load to fail');
  if (pattern) expect(e.message).toMatch(pattern);
  return e;
}

/** Byte equality without the deep-equality machinery (fast on large keys). */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.compare(Buffer.from(actual), Buffer.from(expected))).toBe(0);
}

/** Every residue of every polynomial canonical, secret coefficients ternary: what "never malformed" means. */
function assertWellFormed(obj: unknown): void {
  const polys: RnsPoly[] = [];
  if (obj instanceof Ciphertext) polys.push(...obj.polys);
  else if (obj instanceof PublicKey) polys.push(obj.p0, obj.p1);
  else if (obj instanceof RelinKeys) for (const d of obj.key.digits) polys.push(d.b, d.a);
  else if (obj instanceof GaloisKeys) for (const k of obj.keys.values()) for (const d of k.digits) polys.push(d.b, d.a);
  else if (obj instanceof SecretKey) {
    polys.push(obj.ntt);
    for (const c of obj.small) if (c < -1 || c > 1) throw new Error(`secret coefficient ${c}`);
  } else if (obj instanceof Plaintext) {
    for (const x of obj.data) if (BigInt(x) < 0n || BigInt(x) >= obj.context.t) throw new Error(`plaintext residue ${x}`);
  }
  for (const p of polys)
    p.base.primes.forEach((q, i) => {
      for (const x of p.limb(i)) if (BigInt(x) < 0n || BigInt(x) >= q) throw new Error(`residue ${x} ≥ ${q}`);
    });
}

function range(n: number, t: number): number[] {
  return Array.from({ length: n }, (_, i) => (i * 7 + 3) % t);
}

interface Fixture {
  ctx: BfvContext;
  kg: KeyGenerator;
  pk: PublicKey;
  rk: RelinKeys;
  gk: GaloisKeys;
  enc: Encryptor;
  dec: Decryptor;
  be: BatchEncoder;
  ev: Evaluator;
  values: number[];
}

function fixture(literal: BfvParameterLiteral): Fixture {
  const ctx = new BfvContext(literal);
  const kg = new KeyGenerator(ctx);
  const pk = kg.createPublicKey();
  return {
    ctx,
    kg,
    pk,
    rk: kg.createRelinKeys(),
    gk: kg.createGaloisKeys({ steps: [1] }),
    enc: new Encryptor(ctx, { publicKey: pk, secretKey: kg.secretKey }),
    dec: new Decryptor(ctx, kg.secretKey),
    be: new BatchEncoder(ctx),
    ev: new Evaluator(ctx),
    values: range(ctx.n, Number(ctx.t)),
  };
}

const SMALL: BfvParameterLiteral = {
  polyDegree: 1024,
  coeffModulus: [29, 29],
  // Two special primes, so that digits of two data primes stay within 4·P (params.ts).
  specialModulus: [29, 29],
  plainModulus: { batchingBits: 16 },
  keySwitchDigitSize: 2,
  allowInsecure: true,
};
// u64 with primes of 5-, 8- and 7-byte widths (fast path and general path).
const SMALL_U64: BfvParameterLiteral = {
  polyDegree: 1024,
  coeffModulus: [40, 50],
  specialModulus: [61],
  plainModulus: { batchingBits: 16 },
  kernel: 'u64',
  keySwitchDigitSize: 1,
  allowInsecure: true,
};

function residuesEqual(a: RnsPoly, b: RnsPoly): void {
  expect(b.base.equals(a.base)).toBe(true);
  expect(b.representation).toBe(a.representation);
  expect(Array.from(b.data as ArrayLike<number | bigint>)).toEqual(Array.from(a.data as ArrayLike<number | bigint>));
}

for (const [kernel, literal] of [
  ['u32', SMALL],
  ['u64', SMALL_U64],
] as const) {
  describe(`round trips (${kernel})`, () => {
    const f = fixture(literal);
    const { ctx, kg, be, dec, enc, ev, values } = f;
    const t = ctx.t;

    it('parameters: equal after the round trip, and a context built from them accepts the original objects', () => {
      const bytes = serializeParameters(ctx.params);
      const p = deserializeParameters(bytes, { allowInsecure: true });
      expect(p).toEqual(ctx.params);
      expect(serializeParameters(p)).toEqual(bytes);
      const ctx2 = new BfvContext(p);
      expect(ctx2.id).toBe(ctx.id);
      expect(parametersFingerprint(ctx2)).toBe(parametersFingerprint(ctx.params));
      const sk2 = deserializeSecretKey(ctx2, serializeSecretKey(kg.secretKey));
      const ct2 = deserializeCiphertext(ctx2, serializeCiphertext(enc.encrypt(be.encode(values))));
      expect(new BatchEncoder(ctx2).decode(new Decryptor(ctx2, sk2).decrypt(ct2))).toEqual(values);
    });

    it('secret key: coefficients and NTT form rebuilt; decrypts', () => {
      const bytes = serializeSecretKey(kg.secretKey);
      expect(bytes.length).toBe(HEADER + ctx.n / 4 + CHECKSUM);
      const sk = deserializeSecretKey(ctx, bytes);
      expect(Array.from(sk.small)).toEqual(Array.from(kg.secretKey.small));
      residuesEqual(kg.secretKey.ntt, sk.ntt);
      expect(be.decode(new Decryptor(ctx, sk).decrypt(enc.encrypt(be.encode(values))))).toEqual(values);
    });

    it('public key: encrypting with the loaded key decrypts to the message', () => {
      const pk = deserializePublicKey(ctx, serializePublicKey(f.pk));
      residuesEqual(f.pk.p0, pk.p0);
      residuesEqual(f.pk.p1, pk.p1);
      expect(be.decode(dec.decrypt(new Encryptor(ctx, { publicKey: pk }).encrypt(be.encode(values))))).toEqual(values);
    });

    it('relinearization keys: relinearize with the loaded keys', () => {
      const rk = deserializeRelinKeys(ctx, serializeRelinKeys(f.rk));
      f.rk.key.digits.forEach((d, i) => {
        residuesEqual(d.b, rk.key.digits[i].b);
        residuesEqual(d.a, rk.key.digits[i].a);
      });
      const ca = enc.encrypt(be.encode(values));
      const prod = ev.multiply(ca, ca);
      const expected = values.map((x) => Number((BigInt(x) * BigInt(x)) % t));
      expect(be.decode(dec.decrypt(ev.relinearize(prod, rk)))).toEqual(expected);
    });

    it('Galois keys: rotate with the loaded keys', () => {
      const gk = deserializeGaloisKeys(ctx, serializeGaloisKeys(f.gk));
      expect([...gk.keys.keys()]).toEqual([...f.gk.keys.keys()]);
      const half = ctx.n / 2;
      const rotated = be.decode(dec.decrypt(ev.rotateRows(enc.encrypt(be.encode(values)), 1, gk)));
      expect(rotated).toEqual(values.map((_, i) => (i < half ? values[(i + 1) % half] : values[half + ((i - half + 1) % half)])));
    });

    it('seeded keys: about half the full size, the same key after the round trip, and they work', () => {
      const skg = new KeyGenerator(ctx, { secretKey: kg.secretKey });
      const pk = skg.createPublicKey({ seeded: true });
      const rk = skg.createRelinKeys({ seeded: true });
      const gk = skg.createGaloisKeys({ steps: [1, -1], seeded: true });
      const cases = [
        ['seededPublicKey', 'publicKey', pk, serializePublicKey, deserializePublicKey],
        ['seededRelinKeys', 'relinKeys', rk, serializeRelinKeys, deserializeRelinKeys],
        ['seededGaloisKeys', 'galoisKeys', gk, serializeGaloisKeys, deserializeGaloisKeys],
      ] as const;
      for (const [seededKind, fullKind, key, write, read] of cases) {
        const seeded = (write as (k: unknown, o?: { seeded?: boolean }) => Uint8Array)(key);
        const full = (write as (k: unknown, o?: { seeded?: boolean }) => Uint8Array)(key, { seeded: false });
        expect(inspectSerialized(seeded).kind).toBe(seededKind);
        expect(inspectSerialized(full).kind).toBe(fullKind);
        expect(seeded.length / full.length).toBeGreaterThan(0.49);
        expect(seeded.length / full.length).toBeLessThan(0.51);
        const back = (read as (c: BfvContext, b: Uint8Array) => unknown)(ctx, seeded);
        expectSameBytes(serialize(back as PublicKey), seeded);
        expectSameBytes((write as (k: unknown, o?: { seeded?: boolean }) => Uint8Array)(back, { seeded: false }), full);
        // The generic loader: 'publicKey' etc. take both forms, the seeded kinds only theirs.
        expect(deserialize(ctx, seeded, fullKind)).toBeInstanceOf(back!.constructor as new (...a: never[]) => unknown);
        expect(deserialize(ctx, seeded, seededKind)).toBeInstanceOf(back!.constructor as new (...a: never[]) => unknown);
        expectFailure(() => deserialize(ctx, full, seededKind));
      }
      const pk2 = deserializePublicKey(ctx, serializePublicKey(pk));
      const rk2 = deserializeRelinKeys(ctx, serializeRelinKeys(rk));
      const gk2 = deserializeGaloisKeys(ctx, serializeGaloisKeys(gk));
      const ca = new Encryptor(ctx, { publicKey: pk2 }).encrypt(be.encode(values));
      expect(be.decode(dec.decrypt(ca))).toEqual(values);
      expect(be.decode(dec.decrypt(ev.relinearize(ev.multiply(ca, ca), rk2)))).toEqual(values.map((x) => Number((BigInt(x) * BigInt(x)) % t)));
      const half = ctx.n / 2;
      expect(be.decode(dec.decrypt(ev.rotateRows(ca, 1, gk2)))).toEqual(values.map((_, i) => (i < half ? values[(i + 1) % half] : values[half + ((i - half + 1) % half)])));
    });

    it('seeded form only for keys whose a parts are their seed\'s expansion', () => {
      const skg = new KeyGenerator(ctx, { secretKey: kg.secretKey });
      expectFailure(() => serializePublicKey(f.pk, { seeded: true }), 'SERIALIZATION', /seed/);
      expectFailure(() => serializeRelinKeys(f.rk, { seeded: true }), 'SERIALIZATION', /seed/);
      const pk = skg.createPublicKey({ seeded: true });
      const tampered = new PublicKey(ctx, pk.p0, pk.p0, pk.keyId, pk.seed);
      expect(inspectSerialized(serializePublicKey(tampered)).kind).toBe('publicKey');
      expectFailure(() => serializePublicKey(tampered, { seeded: true }), 'SERIALIZATION', /differ/);
      const mixed = new GaloisKeys(ctx, new Map([...skg.createGaloisKeys({ steps: [1], seeded: true }).keys, ...f.gk.keys]));
      expect(inspectSerialized(serializeGaloisKeys(mixed)).kind).toBe('galoisKeys');
      expectFailure(() => serializeGaloisKeys(mixed, { seeded: true }), 'SERIALIZATION', /all seeded/);
    });

    it('plaintext: residues and decoding preserved', () => {
      const pt = be.encode(values);
      const bytes = serializePlaintext(pt);
      expect(bytes.length).toBe(HEADER + ctx.n * Math.ceil(ctx.t.toString(2).length / 8) + CHECKSUM);
      const back = deserializePlaintext(ctx, bytes);
      expect(back.coefficients()).toEqual(pt.coefficients());
      expect(be.decode(back)).toEqual(values);
    });

    it('ciphertext: fresh, size 3 and a lower level decrypt after the round trip', () => {
      const ca = enc.encrypt(be.encode(values));
      const sq = ev.multiply(ca, ca);
      const low = ev.modSwitchToNext(ca);
      for (const ct of [ca, sq, low]) {
        const bytes = serializeCiphertext(ct);
        expect(inspectSerialized(bytes).kind).toBe('ciphertext');
        const back = deserializeCiphertext(ctx, bytes);
        expect(back.level).toBe(ct.level);
        expect(back.size).toBe(ct.size);
        ct.polys.forEach((p, k) => residuesEqual(p, back.polys[k]));
        expect(be.decode(dec.decrypt(back))).toEqual(be.decode(dec.decrypt(ct)));
        expect(serializeCiphertext(back)).toEqual(bytes);
      }
      expect(be.decode(dec.decrypt(deserializeCiphertext(ctx, serializeCiphertext(low))))).toEqual(values);
    });

    it('seeded ciphertext: about half the full size, expands back to the same ciphertext', () => {
      const ct = enc.encryptSymmetric(be.encode(values));
      expect(ct.seed).toBeDefined();
      const seeded = serializeCiphertext(ct);
      const full = serializeCiphertext(ct, { seeded: false });
      expect(inspectSerialized(seeded).kind).toBe('seededCiphertext');
      expect(inspectSerialized(full).kind).toBe('ciphertext');
      const ratio = seeded.length / full.length;
      expect(ratio).toBeGreaterThan(0.49);
      expect(ratio).toBeLessThan(0.51);
      const back = deserializeCiphertext(ctx, seeded);
      expect(Array.from(back.seed!)).toEqual(Array.from(ct.seed!));
      ct.polys.forEach((p, k) => residuesEqual(p, back.polys[k]));
      expect(be.decode(dec.decrypt(back))).toEqual(values);
      expect(serializeCiphertext(back)).toEqual(seeded);
      expect(serializeCiphertext(ct, { seeded: true })).toEqual(seeded);
      const fromFull = deserializeCiphertext(ctx, full);
      expect(fromFull.seed).toBeUndefined();
      expect(be.decode(dec.decrypt(fromFull))).toEqual(values);
    });

    it('seeded form only for an unmodified seeded ciphertext', () => {
      const ct = enc.encryptSymmetric(be.encode(values));
      const fullLength = serializeCiphertext(ct, { seeded: false }).length;
      // Evaluator results carry no seed.
      const sum = ev.add(ct, ct);
      expect(sum.seed).toBeUndefined();
      expect(serializeCiphertext(sum).length).toBe(fullLength);
      expectFailure(() => serializeCiphertext(sum, { seeded: true }), 'SERIALIZATION', /seeded/);
      // Public-key ciphertexts have none.
      expectFailure(() => serializeCiphertext(enc.encrypt(be.encode(values)), { seeded: true }));
      // A seed that no longer matches c1 (modified in place behind the evaluator's back) is not trusted.
      const tampered = ct.clone();
      const d = tampered.polys[1].data;
      d[0] = (typeof d[0] === 'bigint' ? (d[0] + 1n) % ctx.params.coeffModulus[0] : (d[0] + 1) % Number(ctx.params.coeffModulus[0])) as never;
      expect(tampered.seed).toBeDefined();
      const bytes = serializeCiphertext(tampered);
      expect(inspectSerialized(bytes).kind).toBe('ciphertext');
      residuesEqual(tampered.polys[1], deserializeCiphertext(ctx, bytes).polys[1]);
      expectFailure(() => serializeCiphertext(tampered, { seeded: true }));
    });

    it('generic serialize / deserialize dispatch on the kind', () => {
      const pt = be.encode(values);
      const objects: [SerializedKind, object][] = [
        ['params', ctx.params],
        ['secretKey', kg.secretKey],
        ['publicKey', f.pk],
        ['relinKeys', f.rk],
        ['galoisKeys', f.gk],
        ['plaintext', pt],
        ['ciphertext', enc.encrypt(pt)],
        ['seededCiphertext', enc.encryptSymmetric(pt)],
      ];
      for (const [kind, obj] of objects) {
        const bytes = serialize(obj as Parameters<typeof serialize>[0]);
        expect(inspectSerialized(bytes)).toMatchObject({ version: SERIALIZATION_VERSION, kind, fingerprint: parametersFingerprint(ctx), byteLength: bytes.length });
        const back = deserialize(ctx, bytes);
        const typed = deserialize(ctx, bytes, kind);
        expectSameBytes(serialize(back), bytes);
        expectSameBytes(serialize(typed), bytes);
        expect(back.constructor).toBe(obj.constructor);
      }
      expect(serialize(ctx)).toEqual(serializeParameters(ctx.params));
      expect(serialize(ctx)).toEqual(serializeParameters(literal));
      // 'ciphertext' accepts the seeded form too; 'seededCiphertext' only that one.
      const seeded = serializeCiphertext(enc.encryptSymmetric(pt));
      expect(deserialize(ctx, seeded, 'ciphertext')).toBeInstanceOf(Ciphertext);
      expectFailure(() => deserialize(ctx, serializeCiphertext(enc.encrypt(pt)), 'seededCiphertext'));
      expect(deserialize(ctx, serializePlaintext(pt), 'plaintext')).toBeInstanceOf(Plaintext);
      expect(deserialize(ctx, serializeSecretKey(kg.secretKey), 'secretKey')).toBeInstanceOf(SecretKey);
    });
  });
}

describe('format', () => {
  it('header fields and sizes', () => {
    const f = fixture(SMALL);
    const bytes = serializeCiphertext(f.enc.encrypt(f.be.encode(f.values)));
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('QHE1');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint16(4, true)).toBe(2);
    expect(bytes[6]).toBe(7);
    expect(bytes[7]).toBe(0);
    expect(Buffer.from(bytes.subarray(8, 24)).toString('hex')).toBe(parametersFingerprint(f.ctx));
    // key id, level, size, 2 polynomials × 2 limbs × N residues × 4 bytes (29-bit primes).
    expect(Buffer.from(bytes.subarray(HEADER, HEADER + 16)).toString('hex')).toBe(f.kg.secretKey.keyId);
    expect(view.getUint32(24, true)).toBe(16 + 2 + 2 * 2 * 1024 * 4);
    expect(bytes.length).toBe(HEADER + 16 + 2 + 2 * 2 * 1024 * 4 + CHECKSUM);
  });

  it('the fingerprint ignores the security level but not the kernel, primes, t or N', () => {
    const explicit = bfvParameters({ ...SMALL, coeffModulus: [29, 29] });
    const fp = parametersFingerprint(explicit);
    const withPrimes = { ...SMALL, coeffModulus: [...explicit.coeffModulus], specialModulus: [...explicit.specialModulus] };
    expect(parametersFingerprint({ ...withPrimes, plainModulus: explicit.plainModulus })).toBe(fp);
    expect(parametersFingerprint({ ...withPrimes, kernel: 'u64' })).not.toBe(fp);
    expect(parametersFingerprint({ ...SMALL, plainModulus: { batchingBits: 17 } })).not.toBe(fp);
    expect(parametersFingerprint({ ...SMALL, coeffModulus: [29, 28] })).not.toBe(fp);
    expect(parametersFingerprint({ ...SMALL, polyDegree: 2048 })).not.toBe(fp);
    expect(parametersFingerprint({ ...SMALL, keySwitchDigitSize: 1 })).not.toBe(fp);
    // Secure parameters at different levels: same fingerprint, different params bytes; each round-trips.
    const a = bfvParameters({ polyDegree: 4096, coeffModulus: [25, 25], specialModulus: [25], plainModulus: 65537 });
    const b = bfvParameters({ polyDegree: 4096, coeffModulus: [...a.coeffModulus], specialModulus: [...a.specialModulus], plainModulus: 65537, securityLevel: 192 });
    expect(a.securityLevel).toBe(128);
    expect(b.securityLevel).toBe(192);
    expect(parametersFingerprint(a)).toBe(parametersFingerprint(b));
    expect(serializeParameters(a)).not.toEqual(serializeParameters(b));
    expect(deserializeParameters(serializeParameters(a))).toEqual(a);
    expect(deserializeParameters(serializeParameters(b))).toEqual(b);
    // 'none' (insecure, explicitly allowed) also round-trips, whatever level was requested.
    const c = bfvParameters({ polyDegree: 4096, coeffModulus: [25, 25, 25], specialModulus: [25], plainModulus: 65537, securityLevel: 256, allowInsecure: true });
    expect(c.securityLevel).toBe('none');
    expect(deserializeParameters(serializeParameters(c), { allowInsecure: true })).toEqual(c);
  });

  it('bytes do not depend on the kernel storage: one ciphertext on u32 and on u64 serializes to the same body', () => {
    const p32 = bfvParameters(SMALL);
    const explicit = { ...SMALL, coeffModulus: [...p32.coeffModulus], specialModulus: [...p32.specialModulus], plainModulus: p32.plainModulus };
    const f = fixture(explicit);
    const ctx64 = new BfvContext({ ...explicit, kernel: 'u64' });
    const ct = f.enc.encrypt(f.be.encode(f.values));
    const to64 = (p: RnsPoly, level: number) => {
      const base = ctx64.level(level).base;
      const q = RnsPoly.zero(base, p.representation);
      (q.data as BigUint64Array).set(Array.from(p.data as Int32Array, (x) => BigInt(x)));
      return q;
    };
    const ct64 = new Ciphertext(ctx64, 0, ct.polys.map((p) => to64(p, 0)), ct.keyId);
    const a = serializeCiphertext(ct);
    const b = serializeCiphertext(ct64);
    expect(a.length).toBe(b.length);
    expect(bodyOf(b)).toEqual(bodyOf(a));
    expect(b.subarray(0, 8)).toEqual(a.subarray(0, 8));
    // The fingerprints differ (the kernel is part of the parameters): no cross-kernel loads.
    expectFailure(() => deserializeCiphertext(ctx64, a), 'PARAMETER_MISMATCH');
    const back = deserializeCiphertext(ctx64, b);
    ct64.polys.forEach((p, k) => residuesEqual(p, back.polys[k]));
    const pt = f.be.encode(f.values);
    const pt64 = new Plaintext(ctx64, BigUint64Array.from(Array.from(pt.data as Int32Array, (x) => BigInt(x))));
    expect(bodyOf(serializePlaintext(pt64))).toEqual(bodyOf(serializePlaintext(pt)));
  });
});

describe('robustness', () => {
  const f = fixture(SMALL);
  const { ctx, kg, be, enc, ev, values } = f;
  const pt = be.encode(values);
  const ct = enc.encrypt(pt);
  const blobs: { kind: SerializedKind; bytes: Uint8Array }[] = [
    { kind: 'params', bytes: serializeParameters(ctx.params) },
    { kind: 'secretKey', bytes: serializeSecretKey(kg.secretKey) },
    { kind: 'publicKey', bytes: serializePublicKey(f.pk) },
    { kind: 'relinKeys', bytes: serializeRelinKeys(f.rk) },
    { kind: 'galoisKeys', bytes: serializeGaloisKeys(kg.createGaloisKeys({ steps: [1, -1] })) },
    { kind: 'plaintext', bytes: serializePlaintext(pt) },
    { kind: 'ciphertext', bytes: serializeCiphertext(ev.multiply(ct, ct)) },
    { kind: 'ciphertext', bytes: serializeCiphertext(ev.modSwitchToNext(ct)) },
    { kind: 'seededCiphertext', bytes: serializeCiphertext(enc.encryptSymmetric(pt)) },
    { kind: 'seededPublicKey', bytes: serializePublicKey(new KeyGenerator(ctx, { secretKey: kg.secretKey }).createPublicKey({ seeded: true })) },
    { kind: 'seededRelinKeys', bytes: serializeRelinKeys(new KeyGenerator(ctx, { secretKey: kg.secretKey }).createRelinKeys({ seeded: true })) },
    { kind: 'seededGaloisKeys', bytes: serializeGaloisKeys(new KeyGenerator(ctx, { secretKey: kg.secretKey }).createGaloisKeys({ steps: [1, -1], seeded: true })) },
  ];
  const load = (kind: SerializedKind, bytes: Uint8Array, context: BfvContext = ctx) =>
    kind === 'params' ? deserializeParameters(bytes, { allowInsecure: true }) : deserialize(context, bytes, kind);
  const loadAny = (bytes: Uint8Array) => deserialize(ctx, bytes);
  const blobArb = fc.constantFrom(...blobs);

  it('the fixtures load', () => {
    for (const { kind, bytes } of blobs) {
      assertWellFormed(load(kind, bytes));
      expectSameBytes(serialize(load(kind, bytes)), bytes);
    }
  });

  it('random byte flips are detected (checksum)', () => {
    fc.assert(
      fc.property(blobArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), ({ kind, bytes }, flips) => {
        const bad = bytes.slice();
        const positions = new Set<number>();
        for (const [pos, mask] of flips) {
          const i = pos % bad.length;
          if (positions.has(i)) continue;
          positions.add(i);
          bad[i] ^= mask;
        }
        expectFailure(() => load(kind, bad));
        expectFailure(() => loadAny(bad));
      }),
      { numRuns: 200 },
    );
  });

  it('truncation at every length class fails', () => {
    for (const { kind, bytes } of blobs) {
      const bad: number[] = [];
      // Every length near both ends (header, fields, checksum), a stride through the middle.
      const lengths = [];
      for (let len = 0; len < bytes.length; len += len < 512 || len >= bytes.length - 512 ? 1 : 61) lengths.push(len);
      for (const len of lengths) {
        const e = typedFailure(() => load(kind, bytes.subarray(0, len)), ['SERIALIZATION']);
        if (!e) bad.push(len);
      }
      expect(bad).toEqual([]);
    }
  });

  it('truncated or extended bodies with a consistent header and checksum fail', () => {
    fc.assert(
      fc.property(blobArb, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 64 }), ({ kind, bytes }, cut, extra) => {
        const body = bodyOf(bytes);
        const shorter = body.subarray(0, cut % body.length);
        expectFailure(() => load(kind, withBody(bytes, shorter)));
        const longer = new Uint8Array(body.length + extra.length);
        longer.set(body);
        longer.set(extra, body.length);
        expectFailure(() => load(kind, withBody(bytes, longer)));
      }),
      { numRuns: 200 },
    );
  });

  it('appended bytes fail', () => {
    fc.assert(
      fc.property(blobArb, fc.uint8Array({ minLength: 1, maxLength: 64 }), ({ kind, bytes }, extra) => {
        const bad = new Uint8Array(bytes.length + extra.length);
        bad.set(bytes);
        bad.set(extra, bytes.length);
        expectFailure(() => load(kind, bad), 'SERIALIZATION', /bytes/);
      }),
      { numRuns: 200 },
    );
  });

  it('random garbage fails, also behind a valid magic, version and length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom(...blobs), (garbage, { kind }) => {
        expectFailure(() => load(kind, garbage));
        expectFailure(() => inspectSerialized(garbage));
        const framed = new Uint8Array(HEADER + garbage.length + CHECKSUM);
        framed.set([0x51, 0x48, 0x45, 0x31, 1, 0], 0);
        framed.set(garbage.subarray(0, Math.min(garbage.length, 18)), 6);
        new DataView(framed.buffer).setUint32(24, garbage.length, true);
        framed.set(garbage, HEADER);
        expectFailure(() => load(kind, framed), 'SERIALIZATION', /checksum/);
        // With a valid checksum too: the field checks must still refuse or yield a canonical object.
        const sealed = reseal(framed);
        if (!typedFailure(() => load(kind, sealed))) {
          const obj = load(kind, sealed);
          assertWellFormed(obj);
          expectSameBytes(serialize(obj), sealed);
        }
      }),
      { numRuns: 200 },
    );
    expectFailure(() => deserializeCiphertext(ctx, 'QHE1' as unknown as Uint8Array), 'SERIALIZATION', /Uint8Array/);
    expectFailure(() => deserializeCiphertext(ctx, undefined as unknown as Uint8Array));
    expectFailure(() => deserializeParameters([1, 2, 3] as unknown as Uint8Array));
    expectFailure(() => deserializeCiphertext({} as BfvContext, blobs[6].bytes), 'SERIALIZATION', /BfvContext/);
  });

  it('resealed random corruptions: a typed error or a canonical, well-formed object', () => {
    fc.assert(
      fc.property(blobArb, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), ({ kind, bytes }, writes) => {
        const bad = bytes.slice();
        for (const [pos, value] of writes) bad[HEADER + (pos % (bad.length - HEADER - CHECKSUM))] = value;
        const sealed = reseal(bad);
        if (!typedFailure(() => load(kind, sealed))) {
          const obj = load(kind, sealed);
          assertWellFormed(obj);
          expectSameBytes(serialize(obj), sealed);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('wrong kind', () => {
    const byKind = (k: SerializedKind) => blobs.find((b) => b.kind === k)!.bytes;
    expectFailure(() => deserializePlaintext(ctx, byKind('ciphertext')), 'SERIALIZATION', /expected a serialized plaintext, got a ciphertext/);
    expectFailure(() => deserializeSecretKey(ctx, byKind('publicKey')), 'SERIALIZATION', /publicKey/);
    expectFailure(() => deserializeParameters(byKind('plaintext')));
    expectFailure(() => deserializeRelinKeys(ctx, byKind('galoisKeys')));
    expectFailure(() => deserializeCiphertext(ctx, byKind('plaintext')));
    // The kind byte rewritten (and resealed): every other kind and unknown codes fail.
    for (const { kind, bytes } of blobs)
      for (let code = 0; code < 256; code++) {
        if (code === bytes[6]) continue;
        const bad = bytes.slice();
        bad[6] = code;
        const sealed = reseal(bad);
        expectFailure(() => load(kind, sealed));
        expectFailure(() => loadAny(sealed));
      }
  });

  it('wrong version, magic or flags', () => {
    for (const { kind, bytes } of blobs) {
      for (const version of [0, 3, 0x100, 0xffff]) {
        const bad = bytes.slice();
        new DataView(bad.buffer).setUint16(4, version, true);
        expectFailure(() => load(kind, bad), 'SERIALIZATION', /format version 1 or 2, got/);
        expectFailure(() => load(kind, reseal(bad)), 'SERIALIZATION', /format version 1 or 2, got/);
      }
      for (const magic of ['QHE2', 'qhe1', 'SEAL', '\0\0\0\0']) {
        const bad = bytes.slice();
        bad.set(new TextEncoder().encode(magic), 0);
        expectFailure(() => load(kind, reseal(bad)), 'SERIALIZATION', /magic/);
      }
      const flagged = bytes.slice();
      flagged[7] = 1;
      expectFailure(() => load(kind, reseal(flagged)), 'SERIALIZATION', /flags/);
    }
  });

  it('objects for another parameter set: PARAMETER_MISMATCH', () => {
    const others = [
      new BfvContext({ ...SMALL, coeffModulus: [29, 28] }),
      new BfvContext({ ...SMALL, plainModulus: { batchingBits: 17 } }),
      new BfvContext({ ...SMALL, kernel: 'u64' }),
      new BfvContext({ ...SMALL, polyDegree: 2048 }),
      new BfvContext({ ...SMALL, keySwitchDigitSize: 1 }),
    ];
    for (const other of others)
      for (const { kind, bytes } of blobs) {
        if (kind === 'params') continue;
        expectFailure(() => deserialize(other, bytes, kind), 'PARAMETER_MISMATCH', /expected an object for parameters/);
        expectFailure(() => deserialize(other, bytes), 'PARAMETER_MISMATCH');
      }
    // The fingerprint field rewritten and resealed: PARAMETER_MISMATCH too (not a checksum error).
    const bad = blobs[6].bytes.slice();
    bad[8] ^= 1;
    expectFailure(() => deserializeCiphertext(ctx, reseal(bad)), 'PARAMETER_MISMATCH');
    // Params whose stored fingerprint disagrees with their body.
    const params = blobs[0].bytes.slice();
    params[8] ^= 1;
    expectFailure(() => deserializeParameters(reseal(params)), 'SERIALIZATION', /fingerprint/);
  });

  it('field validation behind a valid checksum', () => {
    const K = 16; // the key id that opens the bodies of keys and ciphertexts (format version 2)
    const byKind = (k: SerializedKind) => blobs.find((b) => b.kind === k)!.bytes;
    const edit = (bytes: Uint8Array, change: (body: Uint8Array, view: DataView) => void) => {
      const body = bodyOf(bytes);
      change(body, new DataView(body.buffer));
      return withBody(bytes, body);
    };
    // A residue ≥ its prime (first limb, first coefficient; and the last residue).
    expectFailure(() => deserializeCiphertext(ctx, edit(byKind('ciphertext'), (_, v) => v.setUint32(K + 2, 0xffffffff, true))), 'SERIALIZATION', /residues </);
    const q0 = Number(ctx.params.coeffModulus[0]);
    expectFailure(() => deserializeCiphertext(ctx, edit(byKind('ciphertext'), (_, v) => v.setUint32(K + 2, q0, true))), 'SERIALIZATION', /residues </);
    expectFailure(() => deserializePublicKey(ctx, edit(byKind('publicKey'), (b, v) => v.setUint32(b.length - 4, 0x80000000, true))), 'SERIALIZATION', /residues </);
    expectFailure(() => deserializePlaintext(ctx, edit(byKind('plaintext'), (_, v) => v.setUint16(0, Number(ctx.t), true))), 'SERIALIZATION', /residues </);
    expect(deserializePlaintext(ctx, edit(byKind('plaintext'), (_, v) => v.setUint16(0, Number(ctx.t) - 1, true))).data[0]).toBe(Number(ctx.t) - 1);
    // Secret key code 11.
    expectFailure(() => deserializeSecretKey(ctx, edit(byKind('secretKey'), (b) => (b[5] |= 0b11 << 4))), 'SERIALIZATION', /ternary/);
    // Ciphertext level and size.
    expectFailure(() => deserializeCiphertext(ctx, edit(byKind('ciphertext'), (b) => (b[K] = ctx.maxLevel + 1))), 'SERIALIZATION', /level/);
    expectFailure(() => deserializeCiphertext(ctx, edit(byKind('ciphertext'), (b) => (b[K + 1] = 1))), 'SERIALIZATION', /size/);
    expectFailure(() => deserializeCiphertext(ctx, edit(byKind('ciphertext'), (b) => (b[K + 1] = 255))), 'SERIALIZATION', /bytes/);
    // Key-switching digit count, Galois elements (even, out of range, duplicate) and counts.
    expectFailure(() => deserializeRelinKeys(ctx, edit(byKind('relinKeys'), (b) => (b[K] = 3))), 'SERIALIZATION', /digits/);
    const gk = byKind('galoisKeys');
    expectFailure(() => deserializeGaloisKeys(ctx, edit(gk, (_, v) => v.setUint32(K + 4, 2, true))), 'SERIALIZATION', /odd Galois/);
    expectFailure(() => deserializeGaloisKeys(ctx, edit(gk, (_, v) => v.setUint32(K + 4, 2 * ctx.n + 1, true))), 'SERIALIZATION', /odd Galois/);
    const second = K + 4 + (gk.length - HEADER - CHECKSUM - K - 4) / 2;
    expectFailure(() => deserializeGaloisKeys(ctx, edit(gk, (b, v) => v.setUint32(second, v.getUint32(K + 4, true), true))), 'SERIALIZATION', /distinct/);
    expectFailure(() => deserializeGaloisKeys(ctx, edit(gk, (_, v) => v.setUint32(K, 0xffffffff, true))), 'SERIALIZATION', /Galois keys/);
    expectFailure(() => deserializeGaloisKeys(ctx, edit(gk, (_, v) => v.setUint32(K, 1, true))), 'SERIALIZATION', /extra bytes/);
    // Parameters: invalid values are refused by bfvParameters, reported as SERIALIZATION.
    const params = byKind('params');
    const reparam = (change: (b: Uint8Array, v: DataView) => void) => {
      const body = bodyOf(params);
      change(body, new DataView(body.buffer));
      const out = withBody(params, body);
      const fp = createHash('sha256').update('qhe/bfv/params').update(body.subarray(0, body.length - 1)).digest().subarray(0, 16);
      out.set(fp, 8);
      return reseal(out);
    };
    expect(deserializeParameters(reparam(() => {}), { allowInsecure: true })).toEqual(ctx.params);
    expectFailure(() => deserializeParameters(reparam((_, v) => v.setUint32(0, 1000, true)), { allowInsecure: true }), 'SERIALIZATION', /INVALID_RING_DEGREE/);
    expectFailure(() => deserializeParameters(reparam((_, v) => v.setBigUint64(16, 15n, true)), { allowInsecure: true }), 'SERIALIZATION', /valid BFV parameters/);
    expectFailure(() => deserializeParameters(reparam((_, v) => v.setBigUint64(16, v.getBigUint64(24, true), true)), { allowInsecure: true }), 'SERIALIZATION', /DUPLICATE_PRIME/);
    expectFailure(() => deserializeParameters(reparam((b) => (b[4] = 2)), { allowInsecure: true }), 'SERIALIZATION', /kernel/);
    expectFailure(() => deserializeParameters(reparam((b) => (b[7] = 0)), { allowInsecure: true }), 'SERIALIZATION', /digit size/);
    expectFailure(() => deserializeParameters(reparam((b) => (b[7] = 3)), { allowInsecure: true }), 'SERIALIZATION', /digit size/);
    const alpha1 = deserializeParameters(reparam((b) => (b[7] = 1)), { allowInsecure: true });
    expect(alpha1.keySwitchDigitSize).toBe(1);
    expect(parametersFingerprint(alpha1)).not.toBe(parametersFingerprint(ctx));
    expectFailure(() => deserializeParameters(reparam((b) => (b[b.length - 1] = 4)), { allowInsecure: true }), 'SERIALIZATION', /security/);
    // Insecure parameters stored as 128-bit secure: refused (the security check runs again).
    expectFailure(() => deserializeParameters(reparam((b) => (b[b.length - 1] = 1)), { allowInsecure: true }), 'SERIALIZATION', /COEFF_MODULUS_TOO_LARGE/);
    expectFailure(() => deserializeParameters(reparam((b) => (b[5] = 3)), { allowInsecure: true }), 'SERIALIZATION');
  });
});
