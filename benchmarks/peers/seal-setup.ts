/**
 * One BFV instance of node-seal (context, keys, encoder, encryptor, decryptor,
 * evaluator) with the introspection the benchmark reports need (primes, log Q,
 * t). Shared by every node-seal peer (op micro-benchmarks, workloads, and the
 * planned CryptoNets peer) so that all of them set SEAL up the way a careful
 * SEAL user would and nobody re-derives parameters differently.
 *
 * Keys are generated only on request: relinearisation keys and especially
 * Galois keys for all steps dominate setup time and wasm memory.
 */
import {
  bitLength,
  Disposer,
  type BatchEncoder,
  type CipherText,
  type Context,
  type Decryptor,
  type Deletable,
  type Encryptor,
  type Evaluator,
  type GaloisKeys,
  type KeyGenerator,
  type PlainText,
  type RelinKeys,
  type SealLib,
} from './seal-lib.js';

export interface BfvSetupOptions {
  /** Coefficient-modulus prime sizes in bits (last one is SEAL's special prime). Default: `CoeffModulus.BFVDefault(n)`. */
  readonly coeffBits?: readonly number[];
  /** Bit size of the batching plain modulus, `PlainModulus.Batching(n, plainBits)`. Default 20. */
  readonly plainBits?: number;
  /** An exact plain modulus instead (e.g. a plan's CRT prime); overrides `plainBits`. */
  readonly plainModulus?: bigint;
  /** Generate relinearisation keys. Default false. */
  readonly relin?: boolean;
  /**
   * Generate Galois keys for exactly these row-rotation steps; `[]` means
   * SEAL's default set (all ±2^k, slow). Omitted: no Galois keys.
   */
  readonly galoisSteps?: readonly number[];
}

export interface BfvSetup {
  readonly seal: SealLib;
  readonly n: number;
  /** Batching slots (= n): a 2 × n/2 matrix. */
  readonly slots: number;
  /** Plain modulus; ≤ 2^31 for the defaults so JS numbers and Uint32Array hold it. */
  readonly t: number;
  /** All coeff-modulus primes, including the special (key-switching) prime last. */
  readonly keyPrimes: readonly bigint[];
  /** Primes of the first data level, i.e. what a fresh ciphertext carries. */
  readonly dataPrimes: readonly bigint[];
  /** Σ bit lengths of `keyPrimes`: the number SEAL's security tables bound. */
  readonly logQ: number;
  readonly context: Context;
  readonly keygen: KeyGenerator;
  readonly encoder: BatchEncoder;
  readonly encryptor: Encryptor;
  readonly decryptor: Decryptor;
  readonly evaluator: Evaluator;
  readonly relinKeys: RelinKeys | undefined;
  readonly galoisKeys: GaloisKeys | undefined;
  /** Owns everything above plus whatever is registered with `track`. */
  readonly disposer: Disposer;
  track<T extends Deletable>(obj: T): T;
  /** An empty ciphertext owned by this setup (use as a preallocated destination). */
  cipher(): CipherText;
  /** An empty plaintext owned by this setup. */
  plain(): PlainText;
  /** Batch-encodes `values` (each in [0, t), at most n of them; rest zero). */
  encode(values: Uint32Array): PlainText;
  /** Public-key encryption of batch-encoded `values`. */
  encrypt(values: Uint32Array): CipherText;
  /**
   * The constant polynomial `w mod t` (equal to the batch encoding of an
   * all-`w` vector). SEAL's BFV multiply_plain takes a monomial fast path when
   * the plaintext has one nonzero coefficient, which is how a careful user
   * multiplies by a scalar weight.
   */
  encodeConstant(w: number): PlainText;
  /** Decrypts and decodes to slot values in [0, t). Allocates; not for timed code. */
  decrypt(ct: CipherText): Uint32Array;
  /** Invariant noise budget in bits (0 = decryption no longer correct). */
  budget(ct: CipherText): number;
  dispose(): void;
}

export function createBfvSetup(seal: SealLib, n: number, options: BfvSetupOptions = {}): BfvSetup {
  const d = new Disposer();
  const track = <T extends Deletable>(obj: T): T => d.track(obj);
  try {
    const parms = track(seal.EncryptionParameters(seal.SchemeType.bfv));
    parms.setPolyModulusDegree(n);
    const coeff = track(
      options.coeffBits
        ? seal.CoeffModulus.Create(n, Int32Array.from(options.coeffBits))
        : seal.CoeffModulus.BFVDefault(n, seal.SecurityLevel.tc128),
    );
    parms.setCoeffModulus(coeff);
    const plainModulus = track(
      options.plainModulus !== undefined ? seal.Modulus(options.plainModulus) : seal.PlainModulus.Batching(n, options.plainBits ?? 20),
    );
    parms.setPlainModulus(plainModulus);
    const context = track(seal.Context(parms, true, seal.SecurityLevel.tc128));
    if (!context.parametersSet()) throw new Error(`node-seal rejected BFV parameters for n=${n} (insecure or not NTT-friendly)`);

    const keyData = track(context.keyContextData);
    const keyParms = track(keyData.parms);
    const firstData = track(context.firstContextData);
    const firstParms = track(firstData.parms);
    const keyPrimes = Array.from(keyParms.coeffModulus);
    const dataPrimes = Array.from(firstParms.coeffModulus);
    const tModulus = track(firstParms.plainModulus);
    const t = Number(tModulus.value);
    if (t >= 2 ** 31) throw new Error('plain modulus ≥ 2^31 is not supported by these helpers (Uint32 slot arithmetic)');

    const keygen = track(seal.KeyGenerator(context));
    const publicKey = track(keygen.createPublicKey());
    const secretKey = track(keygen.secretKey());
    const relinKeys = options.relin ? track(keygen.createRelinKeys()) : undefined;
    const galoisKeys = options.galoisSteps ? track(keygen.createGaloisKeys(Int32Array.from(options.galoisSteps))) : undefined;
    const encoder = track(seal.BatchEncoder(context));
    const encryptor = track(seal.Encryptor(context, publicKey));
    const decryptor = track(seal.Decryptor(context, secretKey));
    const evaluator = track(seal.Evaluator(context));

    const cipher = (): CipherText => track(seal.CipherText());
    const plain = (): PlainText => track(seal.PlainText());
    const encode = (values: Uint32Array): PlainText => {
      const pt = plain();
      encoder.encode(values, pt);
      return pt;
    };
    const encrypt = (values: Uint32Array): CipherText => {
      const pt = seal.PlainText();
      try {
        encoder.encode(values, pt);
        const ct = cipher();
        encryptor.encrypt(pt, ct);
        return ct;
      } finally {
        pt.delete();
      }
    };
    const encodeConstant = (w: number): PlainText => {
      const v = ((w % t) + t) % t;
      return encode(new Uint32Array(n).fill(v));
    };
    const decrypt = (ct: CipherText): Uint32Array => {
      const pt = seal.PlainText();
      try {
        decryptor.decrypt(ct, pt);
        return encoder.decode(pt, false) as Uint32Array;
      } finally {
        pt.delete();
      }
    };

    return {
      seal,
      n,
      slots: encoder.slotCount,
      t,
      keyPrimes,
      dataPrimes,
      logQ: keyPrimes.reduce((s, q) => s + bitLength(q), 0),
      context,
      keygen,
      encoder,
      encryptor,
      decryptor,
      evaluator,
      relinKeys,
      galoisKeys,
      disposer: d,
      track,
      cipher,
      plain,
      encode,
      encrypt,
      encodeConstant,
      decrypt,
      budget: (ct) => decryptor.invariantNoiseBudget(ct),
      dispose: () => d.dispose(),
    };
  } catch (e) {
    d.dispose();
    throw e;
  }
}

/**
 * Deterministic xorshift32 stream of slot values in [0, t): benchmarks must
 * be reproducible and must not spend setup time in crypto-grade randomness.
 */
export function randomSlots(n: number, t: number, seed: number): Uint32Array {
  let s = seed >>> 0 || 0x9e3779b9;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s % t;
  }
  return out;
}
