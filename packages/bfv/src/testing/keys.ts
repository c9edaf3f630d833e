/**
 * Key material for tests.
 *
 * Relinearization and Galois keys cost one encryption of zero per data prime per
 * key, which dominates a small property test; `cachedKeys` therefore shares one
 * key set per (context, Galois steps) for the lifetime of the context, so
 * fast-check runs over a fixed context pay for keys once. Pass `rng` (e.g.
 * `seededRandom(seed)`) to `makeKeys` for reproducible keys and encryptions;
 * cached keys always come from the system CSPRNG.
 */
import { BfvContext } from '../context.js';
import { Decryptor } from '../decryptor.js';
import { BatchEncoder } from '../encoder.js';
import { Encryptor } from '../encryptor.js';
import { Evaluator } from '../evaluator.js';
import { KeyGenerator, type GaloisKeys, type PublicKey, type RelinKeys } from '../keys.js';
import type { RandomSource } from '../math/sampling.js';
import type { BfvParameterLiteral, BfvParameters } from '../params.js';

export interface KeySet {
  readonly context: BfvContext;
  readonly keygen: KeyGenerator;
  readonly publicKey: PublicKey;
  readonly relinKeys: RelinKeys;
  readonly galoisKeys: GaloisKeys;
  /** Holds both the public and the secret key (encrypt and encryptSymmetric both work). */
  readonly encryptor: Encryptor;
  readonly decryptor: Decryptor;
  readonly encoder: BatchEncoder;
  readonly evaluator: Evaluator;
}

export interface MakeKeysOptions {
  /**
   * Row-rotation steps to make Galois keys for (0 = column swap). Default: the
   * KeyGenerator's default set (0 and ±2^k), with which every step is reachable
   * by composition.
   */
  readonly galoisSteps?: readonly number[];
  /** Randomness for keys and encryptions (default: system CSPRNG). */
  readonly rng?: RandomSource;
}

/** A full key set and the objects that use it. The context must have a batching t. */
export function makeKeys(context: BfvContext, options: MakeKeysOptions = {}): KeySet {
  const keygen = new KeyGenerator(context, options.rng ? { rng: options.rng } : {});
  const publicKey = keygen.createPublicKey();
  const relinKeys = keygen.createRelinKeys();
  const galoisKeys = keygen.createGaloisKeys(options.galoisSteps ? { steps: options.galoisSteps } : {});
  return {
    context,
    keygen,
    publicKey,
    relinKeys,
    galoisKeys,
    encryptor: new Encryptor(context, { publicKey, secretKey: keygen.secretKey }, options.rng),
    decryptor: new Decryptor(context, keygen.secretKey),
    encoder: new BatchEncoder(context),
    evaluator: new Evaluator(context),
  };
}

const cache = new WeakMap<BfvContext, Map<string, KeySet>>();

/** `makeKeys` memoised per context and Galois step set (system randomness only). */
export function cachedKeys(context: BfvContext, options: { readonly galoisSteps?: readonly number[] } = {}): KeySet {
  let byContext = cache.get(context);
  if (!byContext) cache.set(context, (byContext = new Map()));
  const key = options.galoisSteps ? [...options.galoisSteps].sort((x, y) => x - y).join(',') : 'default';
  let keys = byContext.get(key);
  if (!keys) byContext.set(key, (keys = makeKeys(context, options)));
  return keys;
}

const contexts = new Map<string, BfvContext>();

/**
 * One BfvContext per parameter literal (by value), so that arbitraries producing
 * equal literals share contexts and, through `cachedKeys`, keys.
 */
export function cachedContext(params: BfvParameterLiteral | BfvParameters): BfvContext {
  const key = JSON.stringify(params, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
  let ctx = contexts.get(key);
  if (!ctx) contexts.set(key, (ctx = new BfvContext(params)));
  return ctx;
}
