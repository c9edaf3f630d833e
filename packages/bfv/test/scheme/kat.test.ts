/**
 * Known-answer vectors, one file per operation, in test/vectors/kat-*.json.
 *
 * Everything is derived from fixed seeds: keys from seededRandom(keys seed),
 * encryptions from seededRandom(encrypt seed), so the output ciphertexts are
 * reproducible bit for bit. Symmetric encryption uses `{ seeded: false }`: a
 * seeded ciphertext draws its expansion seed from the system CSPRNG (randomSeed())
 * even when the Encryptor has a seeded rng, which no vector could pin down.
 *
 * Each file stores the parameters (as explicit primes, so a change in prime
 * search shows up as a parameter change, not as a wrong digest), the seeds, the
 * circuit, the decrypted slots (checked against referenceEvaluate too) and a
 * SHA-256 digest of the output ciphertext per kernel. The two kernels run the
 * same scheme over the same primes, so their digests must be identical.
 * kat-serialization.json pins the wire format: length and SHA-256 of the
 * serialized bytes of every kind (parameters, keys, plaintext, ciphertexts of size
 * 2 and 3 and at level 1, and a seeded symmetric ciphertext from its own labelled
 * seed) per kernel (the header's parameter fingerprint covers the kernel).
 *
 * QHE_WRITE_VECTORS=1 regenerates the files; otherwise they are read and compared.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BfvContext,
  Ciphertext,
  Decryptor,
  Encryptor,
  Evaluator,
  BatchEncoder,
  KeyGenerator,
  seededRandom,
  SERIALIZATION_VERSION,
  serialize,
  serializeCiphertext,
  serializeGaloisKeys,
  serializePublicKey,
  serializeRelinKeys,
  serializeParameters,
  type BfvParameterLiteral,
  type KernelName,
} from '@qhe/bfv';
import { ciphertextDigest, referenceEvaluate, seedFromLabel, smallParameters, valuesDigest, type Circuit } from '@qhe/bfv/testing';

const DIR = new URL('../vectors/', import.meta.url);
const WRITE = process.env.QHE_WRITE_VECTORS === '1';
const KERNELS: readonly KernelName[] = ['u32', 'u64'];
const VERSION = 1;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

interface StoredParameters {
  readonly polyDegree: number;
  readonly coeffModulus: string[];
  readonly specialModulus: string[];
  readonly plainModulus: string;
}
interface Inputs {
  readonly version: number;
  readonly description: string;
  readonly parameters: StoredParameters;
  readonly seeds: { readonly keys: string; readonly encrypt: string };
  readonly galoisSteps: number[];
  readonly x: number[];
  readonly y: number[];
  readonly plain: number[];
  readonly scalar: string;
  readonly keyDigests: Record<string, { secretKey: string; publicKey: string }>;
}
interface Vector {
  readonly version: number;
  readonly operation: string;
  readonly description: string;
  readonly inputs: 'kat-inputs.json';
  /** Over encrypted inputs [x (pk), y (symmetric, unseeded)] and plain input [plain]. */
  readonly circuit: Circuit | null;
  readonly level: number;
  readonly size: number;
  readonly slots: number[];
  readonly slotsDigest: string;
  readonly ciphertextDigest: Record<string, string>;
}

function literal(p: StoredParameters, kernel: KernelName): BfvParameterLiteral {
  return {
    polyDegree: p.polyDegree,
    coeffModulus: p.coeffModulus.map(BigInt),
    specialModulus: p.specialModulus.map(BigInt),
    plainModulus: BigInt(p.plainModulus),
    kernel,
    allowInsecure: true,
  };
}

/** Deterministic inputs below t from a labelled seed. */
function values(label: string, n: number, t: bigint): number[] {
  const rng = seededRandom(seedFromLabel(label));
  return Array.from({ length: n }, () => rng.nextUint32() % Number(t));
}

function freshInputs(): Omit<Inputs, 'keyDigests'> {
  const p = new BfvContext(smallParameters('u32', { primes: 3 })).params;
  const n = p.polyDegree, t = p.plainModulus;
  return {
    version: VERSION,
    description: 'Inputs of the qhe BFV known-answer vectors: N = 1024, 3 × 29-bit data primes, one 29-bit special prime, 14-bit batching t (insecure, test-only). Keys: KeyGenerator with rng = seededRandom(seeds.keys), then createPublicKey, createRelinKeys, createGaloisKeys({ steps: galoisSteps }) in that order. Encryptions: Encryptor with rng = seededRandom(seeds.encrypt): x = encrypt(encode(x)) then y = encryptSymmetric(encode(y), { seeded: false }).',
    parameters: { polyDegree: n, coeffModulus: p.coeffModulus.map(String), specialModulus: p.specialModulus.map(String), plainModulus: String(t) },
    seeds: { keys: hex(seedFromLabel('qhe-kat-v1-keys')), encrypt: hex(seedFromLabel('qhe-kat-v1-encrypt')) },
    galoisSteps: [1, 0],
    x: values('qhe-kat-v1-x', n, t),
    y: values('qhe-kat-v1-y', n, t),
    plain: values('qhe-kat-v1-plain', n, t).map((v, i) => (i === 0 && v === 0 ? 1 : v)),
    scalar: String(-12345n % t),
  };
}

interface SerializationVector {
  readonly version: number;
  readonly description: string;
  readonly inputs: 'kat-inputs.json';
  readonly seededEncryptSeed: string;
  readonly seededKeysSeed: string;
  readonly bytes: Record<string, Record<string, { length: number; sha256: string }>>;
}

const SEEDED_ENCRYPT_SEED = hex(seedFromLabel('qhe-kat-v1-seeded-encrypt'));
/** Source of the seeded keys' seeds and errors (same secret key as the other keys). */
const SEEDED_KEYS_SEED = hex(seedFromLabel('qhe-kat-v1-seeded-keys'));

/** Seeded public, relinearization and Galois keys from a labelled source (keys.ts `seeded`). */
function seededKeyBlobs(ctx: BfvContext, keygen: KeyGenerator, steps: readonly number[]): Record<string, Uint8Array> {
  const kg = new KeyGenerator(ctx, { secretKey: keygen.secretKey, rng: seededRandom(unhex(SEEDED_KEYS_SEED)) });
  return {
    seededPublicKey: serializePublicKey(kg.createPublicKey({ seeded: true }), { seeded: true }),
    seededRelinKeys: serializeRelinKeys(kg.createRelinKeys({ seeded: true }), { seeded: true }),
    seededGaloisKeys: serializeGaloisKeys(kg.createGaloisKeys({ steps, seeded: true }), { seeded: true }),
  };
}

interface Computed {
  readonly keyDigests: { secretKey: string; publicKey: string };
  readonly serialized: Record<string, { length: number; sha256: string }>;
  readonly outputs: Map<string, { circuit: Circuit | null; description: string; ct: Ciphertext; slots: number[] }>;
}

/** Runs every operation of the KAT on one kernel. */
function compute(inputs: Omit<Inputs, 'keyDigests'>, kernel: KernelName): Computed {
  const ctx = new BfvContext(literal(inputs.parameters, kernel));
  const keygen = new KeyGenerator(ctx, { rng: seededRandom(unhex(inputs.seeds.keys)) });
  const pk = keygen.createPublicKey();
  const rk = keygen.createRelinKeys();
  const gk = keygen.createGaloisKeys({ steps: inputs.galoisSteps });
  const enc = new Encryptor(ctx, { publicKey: pk, secretKey: keygen.secretKey }, seededRandom(unhex(inputs.seeds.encrypt)));
  const dec = new Decryptor(ctx, keygen.secretKey);
  const be = new BatchEncoder(ctx);
  const ev = new Evaluator(ctx);
  const ctX = enc.encrypt(be.encode(inputs.x));
  const ctY = enc.encryptSymmetric(be.encode(inputs.y), { seeded: false });
  const p = be.encode(inputs.plain);
  const c = BigInt(inputs.scalar);
  const one = (op: Circuit['ops'][number]): Circuit => ({ inputs: 2, plainInputs: 1, ops: [op] });
  const rows: [string, string, Circuit | null, () => Ciphertext][] = [
    ['encrypt', 'public-key encryption of x', null, () => ctX],
    ['encryptSymmetric', 'symmetric (unseeded) encryption of y', null, () => ctY],
    ['add', 'x + y', one({ op: 'add', a: 0, b: 1 }), () => ev.add(ctX, ctY)],
    ['sub', 'x − y', one({ op: 'sub', a: 0, b: 1 }), () => ev.sub(ctX, ctY)],
    ['negate', '−x', one({ op: 'negate', a: 0 }), () => ev.negate(ctX)],
    ['addPlain', 'x + plain', one({ op: 'addPlain', a: 0, plain: 0 }), () => ev.addPlain(ctX, p)],
    ['subPlain', 'x − plain', one({ op: 'subPlain', a: 0, plain: 0 }), () => ev.subPlain(ctX, p)],
    ['multiplyPlain', 'x · plain', one({ op: 'multiplyPlain', a: 0, plain: 0 }), () => ev.multiplyPlain(ctX, p)],
    ['multiplyScalar', 'x · scalar', one({ op: 'multiplyScalar', a: 0, scalar: c }), () => ev.multiplyScalar(ctX, c)],
    ['multiply', 'x · y without relinearization (size 3)', one({ op: 'multiply', a: 0, b: 1 }), () => ev.multiply(ctX, ctY)],
    ['square', 'x² without relinearization (size 3)', one({ op: 'square', a: 0 }), () => ev.square(ctX)],
    ['relinearize', 'relinearize(x · y)', one({ op: 'multiply', a: 0, b: 1 }), () => ev.relinearize(ev.multiply(ctX, ctY), rk)],
    ['rotateRows', 'rotateRows(x, 1)', one({ op: 'rotateRows', a: 0, steps: 1 }), () => ev.rotateRows(ctX, 1, gk)],
    ['rotateColumns', 'rotateColumns(x)', one({ op: 'rotateColumns', a: 0 }), () => ev.rotateColumns(ctX, gk)],
    ['modSwitchToNext', 'modSwitchToNext(x)', one({ op: 'modSwitch', a: 0 }), () => ev.modSwitchToNext(ctX)],
  ];
  const outputs = new Map<string, { circuit: Circuit | null; description: string; ct: Ciphertext; slots: number[] }>();
  for (const [name, description, circuit, run] of rows) {
    const ct = run();
    outputs.set(name, { circuit, description, ct, slots: be.decode(dec.decrypt(ct)) });
  }
  const seeded = new Encryptor(ctx, { secretKey: keygen.secretKey }, seededRandom(unhex(SEEDED_ENCRYPT_SEED))).encryptSymmetric(be.encode(inputs.y));
  const blobs: Record<string, Uint8Array> = {
    params: serializeParameters(ctx),
    secretKey: serialize(keygen.secretKey),
    publicKey: serialize(pk),
    relinKeys: serialize(rk),
    galoisKeys: serialize(gk),
    plaintext: serialize(p),
    'ciphertext (encrypt)': serializeCiphertext(ctX),
    'ciphertext (multiply, size 3)': serializeCiphertext(outputs.get('multiply')!.ct),
    'ciphertext (modSwitchToNext, level 1)': serializeCiphertext(outputs.get('modSwitchToNext')!.ct),
    seededCiphertext: serializeCiphertext(seeded, { seeded: true }),
    ...seededKeyBlobs(ctx, keygen, inputs.galoisSteps),
  };
  const serialized = Object.fromEntries(Object.entries(blobs).map(([k, b]) => [k, { length: b.length, sha256: createHash('sha256').update(b).digest('hex') }]));
  return {
    serialized,
    keyDigests: {
      secretKey: valuesDigest(Array.from(keygen.secretKey.small)),
      publicKey: valuesDigest([...toWords(pk.p0.data), ...toWords(pk.p1.data)]),
    },
    outputs,
  };
}

function toWords(data: Int32Array | BigUint64Array): bigint[] {
  return Array.from(data as ArrayLike<number | bigint>, (v) => BigInt(v));
}

function stringifyBigInt(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}` : v), 1).replace(/\[\n\s+([\d,\n\s-]+)\n\s*\]/g, (m, body: string) => `[${body.replace(/\s+/g, '')}]`) + '\n';
}

function reviveCircuit(c: Circuit | null): Circuit | null {
  if (!c) return null;
  return { ...c, ops: c.ops.map((op) => (op.op === 'multiplyScalar' ? { ...op, scalar: BigInt(op.scalar as unknown as string) } : op)) };
}

const OPERATIONS = [
  'encrypt', 'encryptSymmetric', 'add', 'sub', 'negate', 'addPlain', 'subPlain', 'multiplyPlain', 'multiplyScalar',
  'multiply', 'square', 'relinearize', 'rotateRows', 'rotateColumns', 'modSwitchToNext',
] as const;

describe('known-answer vectors', () => {
  if (WRITE) {
    it('writes test/vectors/kat-*.json (QHE_WRITE_VECTORS=1)', () => {
      mkdirSync(DIR, { recursive: true });
      const base = freshInputs();
      const results = Object.fromEntries(KERNELS.map((k) => [k, compute(base, k)]));
      const inputs: Inputs = { ...base, keyDigests: Object.fromEntries(KERNELS.map((k) => [k, results[k].keyDigests])) };
      writeFileSync(new URL('kat-inputs.json', DIR), stringifyBigInt(inputs));
      for (const op of OPERATIONS) {
        const first = results[KERNELS[0]].outputs.get(op)!;
        const vector: Vector = {
          version: VERSION,
          operation: op,
          description: first.description,
          inputs: 'kat-inputs.json',
          circuit: first.circuit,
          level: first.ct.level,
          size: first.ct.size,
          slots: first.slots,
          slotsDigest: valuesDigest(first.slots),
          ciphertextDigest: Object.fromEntries(KERNELS.map((k) => [k, ciphertextDigest(results[k].outputs.get(op)!.ct)])),
        };
        writeFileSync(new URL(`kat-${op}.json`, DIR), stringifyBigInt(vector));
      }
      const wire: SerializationVector = {
        version: VERSION,
        description: `Serialized bytes (format version ${SERIALIZATION_VERSION}) of the KAT keys and values: length and SHA-256 per kernel. The seeded ciphertext is encryptSymmetric(encode(y)) by an Encryptor with rng = seededRandom(seededEncryptSeed); the seeded keys come from a KeyGenerator with the KAT secret key and rng = seededRandom(seededKeysSeed).`,
        inputs: 'kat-inputs.json',
        seededEncryptSeed: SEEDED_ENCRYPT_SEED,
        seededKeysSeed: SEEDED_KEYS_SEED,
        bytes: Object.fromEntries(KERNELS.map((k) => [k, results[k].serialized])),
      };
      writeFileSync(new URL('kat-serialization.json', DIR), stringifyBigInt(wire));
    });
    return;
  }

  const inputsFile = new URL('kat-inputs.json', DIR);
  if (!existsSync(inputsFile)) {
    it('vectors exist', () => expect.fail('test/vectors/kat-inputs.json is missing: run with QHE_WRITE_VECTORS=1'));
    return;
  }
  const inputs = JSON.parse(readFileSync(inputsFile, 'utf8')) as Inputs;
  const vectors = new Map(OPERATIONS.map((op) => [op, JSON.parse(readFileSync(new URL(`kat-${op}.json`, DIR), 'utf8')) as Vector]));

  it('stored parameters are what smallParameters() resolves to (prime search unchanged)', () => {
    expect(freshInputs()).toEqual(Object.fromEntries(Object.entries(inputs).filter(([key]) => key !== 'keyDigests')));
  });

  it('stored slots are the reference answers', () => {
    const t = BigInt(inputs.parameters.plainModulus), n = inputs.parameters.polyDegree;
    for (const [op, v] of vectors) {
      expect(valuesDigest(v.slots), op).toBe(v.slotsDigest);
      const circuit = reviveCircuit(v.circuit);
      const expected = circuit ? referenceEvaluate(circuit, [inputs.x, inputs.y, inputs.plain], t, n).output.map(Number) : op === 'encrypt' ? inputs.x : inputs.y;
      expect(v.slots, op).toEqual(expected);
    }
  });

  it('the two kernels have identical digests in the stored vectors', () => {
    expect(inputs.keyDigests.u64).toEqual(inputs.keyDigests.u32);
    for (const [op, v] of vectors) expect(v.ciphertextDigest.u64, op).toBe(v.ciphertextDigest.u32);
  });

  const wire = JSON.parse(readFileSync(new URL('kat-serialization.json', DIR), 'utf8')) as SerializationVector;

  for (const kernel of KERNELS) {
    it(`${kernel}: keys and every operation reproduce the stored digests and slots, and serialize to the stored bytes`, () => {
      const got = compute(inputs, kernel);
      expect(wire.seededEncryptSeed).toBe(SEEDED_ENCRYPT_SEED);
      expect(wire.seededKeysSeed).toBe(SEEDED_KEYS_SEED);
      expect(got.serialized).toEqual(wire.bytes[kernel]);
      expect(got.keyDigests).toEqual(inputs.keyDigests[kernel]);
      for (const [op, v] of vectors) {
        const out = got.outputs.get(op)!;
        expect([out.ct.level, out.ct.size], op).toEqual([v.level, v.size]);
        expect(out.slots, op).toEqual(v.slots);
        expect(ciphertextDigest(out.ct), op).toBe(v.ciphertextDigest[kernel]);
      }
    });
  }
});
