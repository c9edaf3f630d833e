/**
 * Every public entry point of `@qhe/bfv` (and the synchronous and promise-
 * returning parts of `@qhe/bfv/parallel`) called with arbitrary JavaScript
 * values: each call either succeeds or throws (rejects with) a `QheError` with a
 * code and a message — never a TypeError, RangeError or anything else
 * (issue 13, item 6). A successful call that returns a ciphertext must also
 * decrypt or be refused with a QheError.
 *
 * Arguments mix four sources: named valid objects of one world (contexts,
 * ciphertexts at several levels and sizes, plaintexts, keys, serialized bytes,
 * options) together with valid objects of other parameters, of an equal-
 * parameter twin context and of another key generator; special values (null,
 * undefined, NaN, ±Infinity, −0, huge numbers and bigints, symbols, functions,
 * typed arrays of the wrong kind and length, look-alike objects); fast-check's
 * `anything()`; and small integers around the interesting bounds. Valid objects
 * are made fresh for each call (ciphertexts are cloned), since several entry
 * points write into their arguments.
 *
 * Adding an entry point is one line in ENTRY_POINTS: [name, hints, call], where
 * `hints` names one valid argument per parameter (so its length is the arity):
 * each argument is the hint half of the time and an arbitrary value otherwise,
 * so that calls get past their first check and reach the deeper ones.
 * Default: RUNS calls per entry point (a few seconds in all); QHE_SLOW=1: 300.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as bfv from '@qhe/bfv';
import {
  BatchEncoder,
  BfvContext,
  bfvParameters,
  Ciphertext,
  CoefficientEncoder,
  Decryptor,
  Encryptor,
  Evaluator,
  galoisElementForStep,
  GaloisKeys,
  KeyGenerator,
  KSwitchKey,
  LinearTransform,
  Plaintext,
  PublicKey,
  QheError,
  randomSeed,
  RelinKeys,
  SecretKey,
  seededRandom,
  systemRandom,
} from '@qhe/bfv';
import { ParallelEvaluator, WorkerPool, adoptShared, isShared, noteSharedAllocation, splitRange } from '@qhe/bfv/parallel';
import { RnsPoly } from '@qhe/bfv/math';
import { makeKeys, smallParameters } from '@qhe/bfv/testing';

const SLOW = !!process.env.QHE_SLOW;
const RUNS = SLOW ? 300 : 10;

// ---- the world ----------------------------------------------------------------------

const literal = smallParameters('u32', { primes: 2 });
const params = bfvParameters(literal);
const ctx = new BfvContext(params);
const twin = new BfvContext(smallParameters('u32', { primes: 2 }));
const other = new BfvContext(smallParameters('u32', { primes: 2, plainBits: 15 }));
const n = ctx.n;
const k = makeKeys(ctx, { galoisSteps: [1, 0] });
const k2 = makeKeys(ctx, { galoisSteps: [1, 0] }); // another key generator, same parameters
const ko = makeKeys(other, { galoisSteps: [1] });
const ev = k.evaluator;
const ptX = k.encoder.encode([1, 2, 3]);
const ct0 = k.encryptor.encrypt(ptX);
const ctSeeded = k.encryptor.encryptSymmetric(ptX);
const ct1 = ev.modSwitchToNext(ct0);
const ct3 = ev.square(ct0);
const ctOther = ko.encryptor.encrypt(ko.encoder.encode([1]));
const ctOtherKey = k2.encryptor.encrypt(k2.encoder.encode([4]));
const ctTwin = new Ciphertext(twin, 0, ct0.clone().polys);
const coefficientEncoder = new CoefficientEncoder(ctx);
const bytes = {
  ct: bfv.serializeCiphertext(ct0),
  seeded: bfv.serializeCiphertext(ctSeeded),
  params: bfv.serializeParameters(ctx),
  sk: bfv.serializeSecretKey(k.keygen.secretKey),
  pk: bfv.serializePublicKey(k.publicKey),
  rk: bfv.serializeRelinKeys(k.relinKeys),
  gk: bfv.serializeGaloisKeys(k.galoisKeys),
  pt: bfv.serializePlaintext(ptX),
  otherCt: bfv.serializeCiphertext(ctOther),
};
const transform = LinearTransform.create(ctx, { level: 0, inputs: 1, terms: [{ input: 0, baby: 3, giant: 1, diagonal: ptX }, { input: 0, baby: 1, giant: 2 * n - 1, diagonal: -2n }] });
const pools: WorkerPool[] = [];
const pool = new WorkerPool({ size: 1 });
pools.push(pool);
const pe = new ParallelEvaluator(ctx, pool, { limbParallel: false });

/** Named valid objects, made fresh per call. */
const WORLD: Record<string, () => unknown> = {
  ctx: () => ctx,
  'twin ctx': () => twin,
  'other ctx': () => other,
  params: () => params,
  literal: () => ({ ...literal }),
  ct: () => ct0.clone(),
  'ct level 1': () => ct1.clone(),
  'ct size 3': () => ct3.clone(),
  'seeded ct': () => ctSeeded.clone(),
  'ct other ctx': () => ctOther.clone(),
  'ct other key': () => ctOtherKey.clone(),
  'ct twin ctx': () => ctTwin.clone(),
  'empty ct': () => Ciphertext.empty(ctx),
  pt: () => new Plaintext(ctx, ptX.data.slice()),
  'pt zero': () => Plaintext.zero(ctx),
  'pt other ctx': () => ko.encoder.encode([2]),
  sk: () => k.keygen.secretKey,
  'sk other key': () => k2.keygen.secretKey,
  'sk other ctx': () => ko.keygen.secretKey,
  pk: () => k.publicKey,
  'pk other key': () => k2.publicKey,
  'pk other ctx': () => ko.publicKey,
  rk: () => k.relinKeys,
  'rk other key': () => k2.relinKeys,
  'rk other ctx': () => ko.relinKeys,
  gk: () => k.galoisKeys,
  'gk other key': () => k2.galoisKeys,
  'gk other ctx': () => ko.galoisKeys,
  'kswitch key': () => k.relinKeys.key,
  'galois map': () => new Map(k.galoisKeys.keys),
  'key digits': () => k.relinKeys.key.digits.slice(),
  'poly key base ntt': () => k.keygen.secretKey.ntt.clone(),
  'poly level 0': () => ct0.polys[0].clone(),
  'polys level 0': () => ct0.clone().polys,
  'polys level 1': () => ct1.clone().polys,
  'small secret': () => k.keygen.secretKey.small.slice(),
  evaluator: () => ev,
  encoder: () => k.encoder,
  'coefficient encoder': () => coefficientEncoder,
  pool: () => pool,
  rng: () => seededRandom(new Uint8Array(32)),
  'system rng': () => systemRandom(),
  seed: () => randomSeed(),
  'keys {pk}': () => ({ publicKey: k.publicKey }),
  'keys {sk}': () => ({ secretKey: k.keygen.secretKey }),
  'keys {pk other ctx}': () => ({ publicKey: ko.publicKey }),
  'options {signed}': () => ({ signed: true }),
  'flood options': () => ({ noiseBound: 1000n, statisticalSecurity: 20 }),
  'key base': () => ctx.keyBase,
  'key id entries': () => [{ keyId: k.publicKey.keyId, what: 'pk' }, { keyId: k2.publicKey.keyId, what: 'other pk' }],
  'transform options': () => ({ level: 0, inputs: 1, terms: [{ input: 0, baby: 1, giant: 3, diagonal: 2n }] }),
  'options {seeded:false}': () => ({ seeded: false }),
  'options {seeded:true}': () => ({ seeded: true }),
  'options {steps}': () => ({ steps: [1, -1] }),
  'options {elements}': () => ({ elements: [3, 2 * n - 1] }),
  'options {secretKey}': () => ({ secretKey: k.keygen.secretKey }),
  'linear plan': () => ({ taps: 1, index: [0], weight: [3] }),
  'map source': () => '(ct, env) => env.evaluator.negate(ct)',
  slots: () => [1, 2, 3],
  'slots bigint': () => [1n, -2n],
  'cts list': () => [ct0.clone(), ct0.clone()],
  'ct list': () => [ct0.clone()],
  'outs list': () => [Ciphertext.empty(ctx), Ciphertext.empty(ctx)],
  'steps list': () => [1, 0],
  'galois list': () => [3, 1],
  lt: () => transform,
  'lt options': () => ({ level: 0, inputs: 1, terms: [{ input: 0, baby: 3, giant: 1, diagonal: ptX }, { input: 0, baby: 1, giant: 2 * n - 1, diagonal: -2n }] }),
  'lt groups': () => new Map(transform.groups),
  'mixed cts list': () => [ct0.clone(), ct1.clone()],
  'bytes ct': () => bytes.ct.slice(),
  'bytes seeded': () => bytes.seeded.slice(),
  'bytes params': () => bytes.params.slice(),
  'bytes sk': () => bytes.sk.slice(),
  'bytes pk': () => bytes.pk.slice(),
  'bytes rk': () => bytes.rk.slice(),
  'bytes gk': () => bytes.gk.slice(),
  'bytes pt': () => bytes.pt.slice(),
  'bytes other ct': () => bytes.otherCt.slice(),
  'bytes truncated': () => bytes.ct.slice(0, 100),
  "kind 'ciphertext'": () => 'ciphertext',
  "kind 'params'": () => 'params',
  "kind 'galoisKeys'": () => 'galoisKeys',
  'n/2': () => n / 2,
  'n/2 − 1': () => n / 2 - 1,
  '2n − 1': () => 2 * n - 1,
  'galois 3': () => 3,
  'level max': () => ctx.maxLevel,
  '255': () => 255,
  "'fn'": () => 'fn',
  "'INVALID_ARGUMENT'": () => 'INVALID_ARGUMENT',
  'pt data': () => ptX.data.slice(),
  'level 0': () => 0,
  'size 2': () => 2,
  false: () => false,
  '1': () => 1,
  '3': () => 3,
  '10': () => 10,
  n: () => n,
};

/** Values of the wrong type, shape or size. */
const SPECIAL: Record<string, () => unknown> = {
  null: () => null,
  undefined: () => undefined,
  NaN: () => Number.NaN,
  Infinity: () => Infinity,
  '-Infinity': () => -Infinity,
  '-0': () => -0,
  '2^53 + 2': () => 2 ** 53 + 2,
  '1e308': () => 1e308,
  '-1e308': () => -1e308,
  '0.5': () => 0.5,
  '2^200 (bigint)': () => 2n ** 200n,
  '−2^200 (bigint)': () => -(2n ** 200n),
  "''": () => '',
  "'abc'": () => 'abc',
  symbol: () => Symbol('s'),
  function: () => () => [1],
  '[]': () => [],
  '[null]': () => [null],
  '[undefined × 3]': () => new Array(3),
  '{}': () => ({}),
  'Object.create(null)': () => Object.create(null),
  'Int32Array(0)': () => new Int32Array(0),
  'Int32Array(n)': () => new Int32Array(n),
  'Int32Array(n + 1)': () => new Int32Array(n + 1),
  'Int32Array(n) of −1': () => new Int32Array(n).fill(-1),
  'Float64Array(n)': () => new Float64Array(n),
  'BigUint64Array(n)': () => new BigUint64Array(n),
  'BigInt64Array(3)': () => new BigInt64Array(3),
  'Uint8Array(32)': () => new Uint8Array(32),
  'Uint8Array(44)': () => new Uint8Array(44),
  'Int8Array(n) of 5': () => new Int8Array(n).fill(5),
  DataView: () => new DataView(new ArrayBuffer(8)),
  ArrayBuffer: () => new ArrayBuffer(8),
  SharedArrayBuffer: () => new SharedArrayBuffer(8),
  Map: () => new Map([[3, 'x']]),
  Set: () => new Set([1]),
  Date: () => new Date(0),
  Promise: () => Promise.resolve(1),
  '{ length: 3 }': () => ({ length: 3 }),
  '{ context } look-alike': () => ({ context: ctx }),
  'ct look-alike': () => ({ context: ctx, level: 0, polys: [], size: 2 }),
  'ct with keyId 5': () => Object.assign(ct0.clone(), { keyId: 5 }),
  'ct with level 7': () => Object.assign(ct0.clone(), { level: 7 }),
  'ct with polys null': () => Object.assign(ct0.clone(), { polys: null }),
  'frozen params look-alike': () => Object.freeze({ ...params, coeffModulus: [7n] }),
  'RnsPoly of another N': () => RnsPoly.zero(other.keyBase, 'ntt'),
  '{ size: 0 }': () => ({ size: 0 }),
  '{ level: 1 }': () => ({ level: 1 }),
  '{ workers: 0 }': () => ({ workers: 0 }),
  '{ steps: "1" }': () => ({ steps: '1' }),
  '{ signed: "yes" }': () => ({ signed: 'yes' }),
  '{ taps: 1, index: [5], weight: [1] }': () => ({ taps: 1, index: [5], weight: [1] }),
};

interface Arg {
  readonly label: string;
  readonly make: () => unknown;
}
const VALUES = { ...SPECIAL, ...WORLD };
const hinted = (hint: string): fc.Arbitrary<Arg> => {
  const make = VALUES[hint];
  if (!make) throw new Error(`no value named ${hint}`);
  return fc.oneof(fc.constant({ label: hint, make }), ARG);
};
const named = (table: Record<string, () => unknown>): fc.Arbitrary<Arg> => fc.constantFrom(...Object.keys(table)).map((label) => ({ label, make: table[label] }));
const literalArg = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<Arg> =>
  arb.map((v) => ({ label: typeof v === 'bigint' ? `${v}n` : fc.stringify(v), make: () => (typeof v === 'object' && v !== null ? structuredCloneSafe(v) : v) }));
/** fast-check values are reused while shrinking: hand each call its own copy where possible. */
function structuredCloneSafe(v: unknown): unknown {
  try {
    return structuredClone(v);
  } catch {
    return v;
  }
}
const ARG: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 5, arbitrary: named(WORLD) },
  { weight: 3, arbitrary: named(SPECIAL) },
  {
    weight: 2,
    arbitrary: literalArg(
      fc.anything({ withBigInt: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withMap: true, withSet: true, withDate: true, withBoxedValues: true }),
    ),
  },
  { weight: 2, arbitrary: literalArg(fc.oneof(fc.integer({ min: -3, max: 2 * n + 1 }), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.double())) },
);

// ---- entry points: [name, arity, call] ----------------------------------------------------

type Call = (...args: unknown[]) => unknown;
const a = <T>(x: unknown): T => x as T;
const fresh = (): Ciphertext => ct0.clone();

const ENTRY_POINTS: readonly (readonly [string, readonly string[], Call])[] = [
  // parameters and context
  ['bfvParameters', ['literal'], (p) => bfvParameters(a(p))],
  ['new BfvContext', ['literal'], (p) => new BfvContext(a(p))],
  ['BfvContext.level', ['level max'], (i) => ctx.level(a(i))],
  ['BfvContext.assertSame', ['\'fn\'', 'ct'], (f, o) => ctx.assertSame(a(f), a(o))],
  // plaintexts and ciphertexts
  ['new Plaintext', ['ctx', 'pt data'], (c, d) => new Plaintext(a(c), a(d))],
  ['Plaintext.zero', ['ctx'], (c) => Plaintext.zero(a(c))],
  ['Plaintext.assertInRange', ['\'fn\''], (f) => ptX.assertInRange(a(f))],
  ['new Ciphertext', ['ctx', 'level 0', 'polys level 0'], (c, l, p) => new Ciphertext(a(c), a(l), a(p))],
  ['Ciphertext.empty', ['ctx', 'level 0', 'size 2', 'false'], (c, l, s, sh) => Ciphertext.empty(a(c), a(l), a(s), a(sh))],
  ['Ciphertext.reshape', ['level max', 'size 2'], (l, s) => fresh().reshape(a(l), a(s))],
  ['Ciphertext.assertWellFormed', ['\'fn\''], (f) => fresh().assertWellFormed(a(f))],
  // keys
  ['new SecretKey', ['ctx', 'small secret', 'poly key base ntt'], (c, s, p) => new SecretKey(a(c), a(s), a(p))],
  ['new PublicKey', ['ctx', 'poly key base ntt', 'poly key base ntt'], (c, p0, p1) => new PublicKey(a(c), a(p0), a(p1))],
  ['new KSwitchKey', ['ctx', 'key digits'], (c, d) => new KSwitchKey(a(c), a(d))],
  ['new RelinKeys', ['ctx', 'kswitch key'], (c, key) => new RelinKeys(a(c), a(key))],
  ['new GaloisKeys', ['ctx', 'galois map'], (c, m) => new GaloisKeys(a(c), a(m))],
  ['GaloisKeys.has', ['galois 3'], (g) => k.galoisKeys.has(a(g))],
  ['GaloisKeys.get', ['galois 3'], (g) => k.galoisKeys.get(a(g))],
  ['galoisElementForStep', ['n', 'n/2 − 1'], (nn, s) => galoisElementForStep(a(nn), a(s))],
  ['commonKeyId', ["'fn'", 'key id entries'], (f, o) => bfv.commonKeyId(a(f), a(o))],
  ['keyBaseAt', ['ctx', 'level max'], (c, l) => bfv.keyBaseAt(a(c), a(l))],
  ['expandKeySeed', ['key base', 'seed', 'galois 3'], (b, sd, c) => bfv.expandKeySeed(a(b), a(sd), a(c))],
  ['new KeyGenerator', ['ctx', 'options {secretKey}'], (c, o) => new KeyGenerator(a(c), a(o))],
  ['KeyGenerator.createKSwitchKey', ['poly key base ntt'], (t) => k.keygen.createKSwitchKey(a(t))],
  ['KeyGenerator.createGaloisKeys', ['options {steps}'], (o) => k.keygen.createGaloisKeys(a(o))],
  ['KeyGenerator.createGaloisKeys (list, level)', ['steps list'], (o) => k.keygen.createGaloisKeys(a(o))],
  ['KeyGenerator.createRelinKeys', ['{ level: 1 }'], (o) => k.keygen.createRelinKeys(a(o))],
  ['keyBaseAt', ['ctx', 'level max'], (c, l) => bfv.keyBaseAt(a(c), a(l))],
  ['LinearTransform.create', ['ctx', 'lt options'], (c, o) => LinearTransform.create(a(c), a(o))],
  ['LinearTransform.fromPrepared', ['ctx', 'level 0', '1', 'lt groups'], (c, l, i, g) => LinearTransform.fromPrepared(a(c), a(l), a(i), a(g))],
  // encryption, decryption, encoding
  ['new Encryptor', ['ctx', 'keys {pk}', 'rng'], (c, keys, r) => new Encryptor(a(c), a(keys), a(r))],
  ['Encryptor.encrypt', ['pt'], (p) => k.encryptor.encrypt(a(p))],
  ['Encryptor.encryptInto', ['pt', 'ct'], (p, out) => k.encryptor.encryptInto(a(p), a(out))],
  ['Encryptor.encryptZero', ['level max'], (l) => k.encryptor.encryptZero(a(l))],
  // noise flooding
  ['new NoiseFlooder', ['ctx', 'pk', 'rng'], (c, p, r) => new bfv.NoiseFlooder(a(c), a(p), a(r))],
  ['NoiseFlooder.flood', ['ct', 'flood options'], (c, o) => new bfv.NoiseFlooder(ctx, k.publicKey).flood(a(c), a(o))],
  ['NoiseFlooder.floodInto', ['ct', 'flood options', 'ct'], (c, o, out) => new bfv.NoiseFlooder(ctx, k.publicKey).floodInto(a(c), a(o), a(out))],
  ['floodingWidthBits', ['n', 'flood options'], (nn, o) => bfv.floodingWidthBits(a(nn), a(o))],
  ['floodingReserveBits', ['n', 'galois 3', '255'], (nn, c, l) => bfv.floodingReserveBits(a(nn), a(c), a(l))],
  ['noiseBoundForBudget', ['ctx', 'level 0', 'galois 3'], (c, l, b) => bfv.noiseBoundForBudget(a(c), a(l), a(b))],
  ['LinearTransform.create', ['ctx', 'transform options'], (c, o) => bfv.LinearTransform.create(a(c), a(o))],
  ['Encryptor.encryptSymmetric', ['pt', 'options {seeded:false}'], (p, o) => k.encryptor.encryptSymmetric(a(p), a(o))],
  ['new Decryptor', ['ctx', 'sk'], (c, s) => new Decryptor(a(c), a(s))],
  ['Decryptor.decrypt', ['ct'], (c) => k.decryptor.decrypt(a(c))],
  ['Decryptor.invariantNoiseBudget', ['ct'], (c) => k.decryptor.invariantNoiseBudget(a(c))],
  ['Decryptor.noiseCoefficients', ['ct'], (c) => k.decryptor.noiseCoefficients(a(c))],
  ['new BatchEncoder', ['ctx'], (c) => new BatchEncoder(a(c))],
  ['BatchEncoder.encode', ['slots', 'options {signed}'], (v, o) => k.encoder.encode(a(v), a(o))],
  ['BatchEncoder.decode', ['pt', 'options {signed}'], (p, o) => k.encoder.decode(a(p), a(o))],
  ['BatchEncoder.decodeBigInt', ['pt', 'options {signed}'], (p, o) => k.encoder.decodeBigInt(a(p), a(o))],
  ['new CoefficientEncoder', ['ctx'], (c) => new CoefficientEncoder(a(c))],
  ['CoefficientEncoder.encode', ['slots bigint', 'options {signed}'], (v, o) => coefficientEncoder.encode(a(v), a(o))],
  ['CoefficientEncoder.encodeScalar', ['3', 'options {signed}'], (v, o) => coefficientEncoder.encodeScalar(a(v), a(o))],
  ['CoefficientEncoder.decode', ['pt', 'options {signed}'], (p, o) => coefficientEncoder.decode(a(p), a(o))],
  ['CoefficientEncoder.decodeBigInt', ['pt', 'options {signed}'], (p, o) => coefficientEncoder.decodeBigInt(a(p), a(o))],
  // evaluator
  ['new Evaluator', ['ctx'], (c) => new Evaluator(a(c))],
  ['Evaluator.add', ['ct', 'ct'], (x, y) => ev.add(a(x), a(y))],
  ['Evaluator.addInto', ['ct', 'ct', 'ct'], (x, y, o) => ev.addInto(a(x), a(y), a(o))],
  ['Evaluator.sub', ['ct', 'ct'], (x, y) => ev.sub(a(x), a(y))],
  ['Evaluator.subInto', ['ct', 'ct', 'ct'], (x, y, o) => ev.subInto(a(x), a(y), a(o))],
  ['Evaluator.negate', ['ct'], (x) => ev.negate(a(x))],
  ['Evaluator.negateInto', ['ct', 'ct'], (x, o) => ev.negateInto(a(x), a(o))],
  ['Evaluator.addPlain', ['ct', 'pt'], (x, p) => ev.addPlain(a(x), a(p))],
  ['Evaluator.addPlainInto', ['ct', 'pt', 'ct'], (x, p, o) => ev.addPlainInto(a(x), a(p), a(o))],
  ['Evaluator.subPlain', ['ct', 'pt'], (x, p) => ev.subPlain(a(x), a(p))],
  ['Evaluator.subPlainInto', ['ct', 'pt', 'ct'], (x, p, o) => ev.subPlainInto(a(x), a(p), a(o))],
  ['Evaluator.multiplyScalar', ['ct', '3'], (x, c) => ev.multiplyScalar(a(x), a(c))],
  ['Evaluator.multiplyScalarInto', ['ct', '3', 'ct'], (x, c, o) => ev.multiplyScalarInto(a(x), a(c), a(o))],
  ['Evaluator.multiplyScalarAddInto', ['ct', '3', 'ct'], (x, c, acc) => ev.multiplyScalarAddInto(a(x), a(c), a(acc))],
  ['Evaluator.multiplyPlain', ['ct', 'pt'], (x, p) => ev.multiplyPlain(a(x), a(p))],
  ['Evaluator.multiplyPlainInto', ['ct', 'pt', 'ct'], (x, p, o) => ev.multiplyPlainInto(a(x), a(p), a(o))],
  ['Evaluator.multiply', ['ct', 'ct'], (x, y) => ev.multiply(a(x), a(y))],
  ['Evaluator.multiplyInto', ['ct', 'ct', 'ct'], (x, y, o) => ev.multiplyInto(a(x), a(y), a(o))],
  ['Evaluator.square', ['ct'], (x) => ev.square(a(x))],
  ['Evaluator.squareInto', ['ct', 'ct'], (x, o) => ev.squareInto(a(x), a(o))],
  ['Evaluator.relinearize', ['ct size 3', 'rk'], (x, r) => ev.relinearize(a(x), a(r))],
  ['Evaluator.relinearizeInto', ['ct size 3', 'rk', 'ct'], (x, r, o) => ev.relinearizeInto(a(x), a(r), a(o))],
  ['Evaluator.applyGalois', ['ct', 'galois 3', 'gk'], (x, g, keys) => ev.applyGalois(a(x), a(g), a(keys))],
  ['Evaluator.applyGaloisInto', ['ct', 'galois 3', 'gk', 'ct'], (x, g, keys, o) => ev.applyGaloisInto(a(x), a(g), a(keys), a(o))],
  ['Evaluator.rotateRows', ['ct', '1', 'gk'], (x, s, keys) => ev.rotateRows(a(x), a(s), a(keys))],
  ['Evaluator.rotateRowsInto', ['ct', '1', 'gk', 'ct'], (x, s, keys, o) => ev.rotateRowsInto(a(x), a(s), a(keys), a(o))],
  ['Evaluator.rotateColumns', ['ct', 'gk'], (x, keys) => ev.rotateColumns(a(x), a(keys))],
  ['Evaluator.rotateColumnsInto', ['ct', 'gk', 'ct'], (x, keys, o) => ev.rotateColumnsInto(a(x), a(keys), a(o))],
  ['Evaluator.modSwitchToNext', ['ct'], (x) => ev.modSwitchToNext(a(x))],
  ['Evaluator.modSwitchToNextInto', ['ct', 'ct'], (x, o) => ev.modSwitchToNextInto(a(x), a(o))],
  ['Evaluator.modSwitchTo', ['ct', 'level max'], (x, l) => ev.modSwitchTo(a(x), a(l))],
  ['Evaluator.applyGaloisMany', ['ct', 'galois list', 'gk'], (x, g, keys) => ev.applyGaloisMany(a(x), a(g), a(keys))],
  ['Evaluator.applyGaloisManyInto', ['ct', 'galois list', 'gk', 'outs list'], (x, g, keys, o) => ev.applyGaloisManyInto(a(x), a(g), a(keys), a(o))],
  ['Evaluator.rotateRowsMany', ['ct', 'steps list', 'gk'], (x, st, keys) => ev.rotateRowsMany(a(x), a(st), a(keys))],
  ['Evaluator.rotateRowsManyInto', ['ct', 'steps list', 'gk', 'outs list'], (x, st, keys, o) => ev.rotateRowsManyInto(a(x), a(st), a(keys), a(o))],
  ['Evaluator.linearTransform', ['ct list', 'lt', 'gk'], (x, lt, keys) => ev.linearTransform(a(x), a(lt), a(keys))],
  ['Evaluator.linearTransformInto', ['ct list', 'lt', 'gk', 'ct'], (x, lt, keys, o) => ev.linearTransformInto(a(x), a(lt), a(keys), a(o))],
  // randomness and errors
  ['seededRandom', ['seed'], (s) => seededRandom(a(s))],
  ['new QheError', ['\'INVALID_ARGUMENT\'', '\'fn\''], (c, m) => new QheError(a(c), a(m))],
  // serialization
  ['serialize', ['ct'], (o) => bfv.serialize(a(o))],
  ['deserialize', ['ctx', 'bytes ct', 'kind \'ciphertext\''], (c, b, kind) => bfv.deserialize(a(c), a(b), a(kind))],
  ['serializeParameters', ['params'], (p) => bfv.serializeParameters(a(p))],
  ['deserializeParameters', ['bytes params', 'undefined'], (b, o) => (bfv.deserializeParameters as Call)(b, o)],
  ['parametersFingerprint', ['ctx'], (p) => bfv.parametersFingerprint(a(p))],
  ['inspectSerialized', ['bytes ct'], (b) => bfv.inspectSerialized(a(b))],
  ['serializeSecretKey', ['sk'], (x) => bfv.serializeSecretKey(a(x))],
  ['deserializeSecretKey', ['ctx', 'bytes sk'], (c, b) => bfv.deserializeSecretKey(a(c), a(b))],
  ['serializePublicKey', ['pk'], (x) => bfv.serializePublicKey(a(x))],
  ['deserializePublicKey', ['ctx', 'bytes pk'], (c, b) => bfv.deserializePublicKey(a(c), a(b))],
  ['serializeRelinKeys', ['rk'], (x) => bfv.serializeRelinKeys(a(x))],
  ['deserializeRelinKeys', ['ctx', 'bytes rk'], (c, b) => bfv.deserializeRelinKeys(a(c), a(b))],
  ['serializeGaloisKeys', ['gk'], (x) => bfv.serializeGaloisKeys(a(x))],
  ['deserializeGaloisKeys', ['ctx', 'bytes gk'], (c, b) => bfv.deserializeGaloisKeys(a(c), a(b))],
  ['serializedGaloisKeysLength', ['gk'], (x) => bfv.serializedGaloisKeysLength(a(x))],
  ['serializePlaintext', ['pt'], (x) => bfv.serializePlaintext(a(x))],
  ['deserializePlaintext', ['ctx', 'bytes pt'], (c, b) => bfv.deserializePlaintext(a(c), a(b))],
  ['serializeCiphertext', ['seeded ct', 'options {seeded:true}'], (x, o) => bfv.serializeCiphertext(a(x), a(o))],
  ['deserializeCiphertext', ['ctx', 'bytes seeded'], (c, b) => bfv.deserializeCiphertext(a(c), a(b))],
  // @qhe/bfv/parallel
  ['splitRange', ['10', '3'], (c, p) => splitRange(a(c), a(p))],
  ['isShared', ['Int32Array(n)'], (x) => isShared(a(x))],
  ['adoptShared', ['ct'], (x) => adoptShared(a(x))],
  ['noteSharedAllocation', ['10'], (x) => noteSharedAllocation(a(x))],
  ['new WorkerPool', ['{ size: 0 }'], (o) => track(new WorkerPool(a(o)))],
  ['new ParallelEvaluator', ['ctx', 'pool', 'undefined'], (c, p, o) => new ParallelEvaluator(a(c), a(p), a(o))],
  ['ParallelEvaluator.create', ['ctx', '{ workers: 0 }'], (c, o) => ParallelEvaluator.create(a(c), a(o)).close()],
  ['WorkerPool.registerKeys', ['rk'], (keys) => pool.registerKeys(a(keys))],
  ['ParallelEvaluator.add', ['ct', 'ct'], (x, y) => pe.add(a(x), a(y))],
  ['ParallelEvaluator.addPlain', ['ct', 'pt'], (x, p) => pe.addPlain(a(x), a(p))],
  ['ParallelEvaluator.multiplyScalar', ['ct', '3'], (x, c) => pe.multiplyScalar(a(x), a(c))],
  ['ParallelEvaluator.multiplyScalarAddInto', ['ct', '3', 'ct'], (x, c, acc) => pe.multiplyScalarAddInto(a(x), a(c), a(acc))],
  ['ParallelEvaluator.multiplyPlain', ['ct', 'pt'], (x, p) => pe.multiplyPlain(a(x), a(p))],
  ['ParallelEvaluator.multiply', ['ct', 'ct'], (x, y) => pe.multiply(a(x), a(y))],
  ['ParallelEvaluator.multiplyRelinearize', ['ct', 'ct', 'rk'], (x, y, r) => pe.multiplyRelinearize(a(x), a(y), a(r))],
  ['ParallelEvaluator.relinearize', ['ct size 3', 'rk'], (x, r) => pe.relinearize(a(x), a(r))],
  ['ParallelEvaluator.applyGalois', ['ct', 'galois 3', 'gk'], (x, g, keys) => pe.applyGalois(a(x), a(g), a(keys))],
  ['ParallelEvaluator.rotateRows', ['ct', '1', 'gk'], (x, s, keys) => pe.rotateRows(a(x), a(s), a(keys))],
  ['ParallelEvaluator.modSwitchToNext', ['ct'], (x) => pe.modSwitchToNext(a(x))],
  ['ParallelEvaluator.modSwitchTo', ['ct', 'level max'], (x, l) => pe.modSwitchTo(a(x), a(l))],
  ['ParallelEvaluator.multiplyMany', ['cts list', 'cts list'], (x, y) => pe.multiplyMany(a(x), a(y))],
  ['ParallelEvaluator.relinearizeMany', ['cts list', 'rk'], (x, r) => pe.relinearizeMany(a(x), a(r))],
  ['ParallelEvaluator.rotateRowsMany', ['cts list', '1', 'gk'], (x, s, keys) => pe.rotateRowsMany(a(x), a(s), a(keys))],
  ['ParallelEvaluator.rotateRowsMany (hoisted)', ['ct', 'steps list', 'gk'], (x, s, keys) => (pe.rotateRowsMany as Call)(a(x), a(s), a(keys))],
  ['ParallelEvaluator.applyGaloisMany', ['ct', 'galois list', 'gk'], (x, g, keys) => pe.applyGaloisMany(a(x), a(g), a(keys))],
  ['ParallelEvaluator.linearTransform', ['ct list', 'lt', 'gk'], (x, lt, keys) => pe.linearTransform(a(x), a(lt), a(keys))],
  ['ParallelEvaluator.linearMany', ['cts list', 'linear plan'], (x, plan) => pe.linearMany(a(x), a(plan))],
  ['ParallelEvaluator.map', ['cts list', 'map source', 'undefined'], (x, f, o) => pe.map(a(x), a(f), a(o))],
];

/** Pools made by the calls: stopped at once (their workers are not needed). */
function track(p: WorkerPool): WorkerPool {
  pools.push(p);
  void p.terminate();
  return p;
}

afterAll(async () => {
  await Promise.all(pools.map((p) => p.terminate()));
});

const describeArgs = (args: readonly Arg[]): string => args.map((x) => x.label).join(', ');

/** Runs one call; returns '' when it behaved, else what went wrong. */
async function behaves(call: Call, args: readonly Arg[], stats: Map<string, number>): Promise<string> {
  let result: unknown;
  try {
    result = call(...args.map((x) => x.make()));
    if (result instanceof Promise) result = await result;
  } catch (e) {
    if (!(e instanceof QheError)) return `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    if (typeof e.code !== 'string' || !/^[A-Z_]+$/.test(e.code)) return `threw a QheError without a code (${String(e.code)})`;
    if (!/expected/.test(e.message) && e.code !== 'WORKER_FAILED') return `threw ${e.code} with a message that names nothing expected: ${e.message}`;
    stats.set(e.code, (stats.get(e.code) ?? 0) + 1);
    return '';
  }
  stats.set('ok', (stats.get('ok') ?? 0) + 1);
  // A ciphertext result must decrypt, or be refused with a typed error.
  if (result instanceof Ciphertext && result.context === ctx) {
    try {
      k.decryptor.decrypt(result);
    } catch (e) {
      if (!(e instanceof QheError)) return `returned a ciphertext whose decryption threw ${String(e)}`;
    }
  }
  return '';
}

describe('arbitrary values at every public entry point: success or a QheError with a code', () => {
  const summary: string[] = [];
  afterAll(() => console.log(`[arbitrary-values] ${ENTRY_POINTS.length} entry points × ${RUNS} calls\n${summary.join('\n')}`));

  it('the table covers every class and function exported by @qhe/bfv', () => {
    const covered = new Set(ENTRY_POINTS.map(([name]) => name.replace(/^new /, '').split('.')[0]));
    const notEntryPoints = new Set(['PRESETS', 'MAX_LOG_Q', 'SERIALIZATION_VERSION', 'SERIALIZATION_MAGIC', 'systemRandom', 'randomSeed', 'Ciphertext', 'Plaintext']);
    const missing = Object.entries(bfv)
      .filter(([name, v]) => typeof v === 'function' && !covered.has(name) && !notEntryPoints.has(name))
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  for (const [name, hints, call] of ENTRY_POINTS) {
    it(name, async () => {
      const stats = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fc.tuple(...hints.map(hinted)), async (args) => {
          const problem = await behaves(call, args, stats);
          if (problem) throw new Error(`${name}(${describeArgs(args)}) ${problem}`);
        }),
        { numRuns: RUNS },
      );
      summary.push(`${name}: ${[...stats].map(([code, count]) => `${code} ${count}`).join(', ')}`);
    });
  }
});
