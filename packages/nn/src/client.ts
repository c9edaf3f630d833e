/**
 * The client of encrypted inference: holds the secret keys (one BFV context
 * and key set per CRT channel t_j), encrypts the images with CryptoNets slot
 * batching (Gilad-Bachrach et al., ICML 2016: slot s of every ciphertext is
 * image s, one ciphertext per input feature) and decrypts the logits,
 * recombining the channels mod ∏ t_j (Chinese remainder theorem) into the
 * centred range.
 */
import { BatchEncoder, BfvContext, Ciphertext, Decryptor, Encryptor, KeyGenerator, PublicKey, QheError, RelinKeys } from '@qhe/bfv';
import { centre, invMod, product } from '@qhe/bfv/math';
import { channelParameters, type InferencePlan } from './planner/index.js';

/** Public material the client hands to the server, per channel. No secret key. */
export interface ServerKeys {
  readonly channels: readonly { readonly publicKey: PublicKey; readonly relinKeys: RelinKeys }[];
}

/** Options of `InferenceClient.encrypt`/`encryptChannel`. */
export interface EncryptOptions {
  /**
   * Secret-key encryption in the seeded form (c0 and a 32-byte seed for c1: half
   * the bytes on the wire); the default is public-key encryption.
   */
  readonly symmetric?: boolean;
  /**
   * Ciphertexts in SharedArrayBuffers (public-key encryption only): a server on
   * a worker pool then reads them in place, with no shared copy beside the
   * caller's (the default job's first layer held both: +308 MB).
   */
  readonly shared?: boolean;
}

/** Ciphertexts of one batch: channels × features, slot s = image s. */
export interface EncryptedBatch {
  readonly images: number;
  readonly channels: readonly (readonly Ciphertext[])[];
}

export function createChannelContexts(plan: InferencePlan): BfvContext[] {
  return plan.plainModuli.map((_, j) => new BfvContext(channelParameters(plan, j)));
}

export class InferenceClient {
  readonly contexts: readonly BfvContext[];
  private readonly keygens: KeyGenerator[];
  private readonly decryptors: Decryptor[];
  private readonly encoders: BatchEncoder[];
  private keys: ServerKeys | null = null;

  /**
   * `seededKeys`: the public and relinearization keys are made seeded (their
   * uniform parts expanded from public seeds, keys.ts), so they serialize at
   * half the size — what a client that uploads them wants.
   */
  constructor(
    readonly plan: InferencePlan,
    private readonly options: { readonly seededKeys?: boolean } = {},
  ) {
    this.contexts = createChannelContexts(plan);
    this.keygens = this.contexts.map((c) => new KeyGenerator(c));
    this.decryptors = this.contexts.map((c, j) => new Decryptor(c, this.keygens[j].secretKey));
    this.encoders = this.contexts.map((c) => new BatchEncoder(c));
  }

  /** Public and relinearization keys for the server (created once). */
  serverKeys(): ServerKeys {
    const seeded = { seeded: !!this.options.seededKeys };
    this.keys ??= { channels: this.keygens.map((k) => ({ publicKey: k.createPublicKey(seeded), relinKeys: k.createRelinKeys(seeded) })) };
    return this.keys;
  }

  /** images[s] = integer input of image s (e.g. `quantizeInput` output); at most N images. All channels. */
  encrypt(images: readonly ArrayLike<number>[], progress?: (done: number, total: number) => void, options: EncryptOptions = {}): EncryptedBatch {
    const features = this.checkImages('InferenceClient.encrypt', images);
    const total = features * this.contexts.length;
    const channels = this.contexts.map((_, j) => this.encryptChannel(images, j, progress && ((d) => progress(j * features + d, total)), options));
    return { images: images.length, channels };
  }

  /**
   * Channel j's ciphertexts of a batch (one per feature). Encrypting channel by
   * channel, as the server consumes them, keeps one channel's inputs in memory
   * instead of all of them.
   */
  encryptChannel(images: readonly ArrayLike<number>[], j: number, progress?: (done: number, total: number) => void, options: EncryptOptions = {}): Ciphertext[] {
    const fn = 'InferenceClient.encryptChannel';
    const features = this.checkImages(fn, images);
    if (!Number.isInteger(j) || j < 0 || j >= this.contexts.length)
      throw new QheError('INVALID_ARGUMENT', `${fn}: expected a channel in [0, ${this.contexts.length}), got ${j}`);
    if (options.symmetric && options.shared)
      throw new QheError('INVALID_ARGUMENT', `${fn}: expected symmetric or shared encryption, got both (seeded ciphertexts are expanded where they are read)`);
    const enc = options.symmetric
      ? new Encryptor(this.contexts[j], { secretKey: this.keygens[j].secretKey })
      : new Encryptor(this.contexts[j], { publicKey: this.serverKeys().channels[j].publicKey });
    const column = new Array<number>(images.length);
    const out: Ciphertext[] = [];
    for (let f = 0; f < features; f++) {
      for (let s = 0; s < images.length; s++) column[s] = images[s][f];
      const pt = this.encoders[j].encode(column, { signed: true });
      if (options.symmetric) out.push(enc.encryptSymmetric(pt, { seeded: true }));
      else out.push(options.shared ? enc.encryptInto(pt, Ciphertext.empty(this.contexts[j], 0, 2, true)) : enc.encrypt(pt));
      progress?.(f + 1, features);
    }
    return out;
  }

  private checkImages(fn: string, images: readonly ArrayLike<number>[]): number {
    const n = this.plan.polyDegree;
    if (!Array.isArray(images) || images.length < 1 || images.length > n)
      throw new QheError('INVALID_ARGUMENT', `${fn}: expected 1..${n} images, got ${Array.isArray(images) ? images.length : typeof images}`);
    const features = images[0].length;
    for (const [s, im] of images.entries())
      if (im.length !== features) throw new QheError('LENGTH_MISMATCH', `${fn}: expected ${features} features per image, got ${im.length} for image ${s}`);
    return features;
  }

  /** Logits per image, recombined over the CRT channels into (−∏t/2, ∏t/2]. */
  decrypt(batch: EncryptedBatch): bigint[][] {
    const ts = this.plan.plainModuli;
    if (batch.channels.length !== ts.length)
      throw new QheError('LENGTH_MISMATCH', `InferenceClient.decrypt: expected ${ts.length} channels, got ${batch.channels.length}`);
    const M = product(ts);
    // CRT basis: e_j ≡ 1 (mod t_j), ≡ 0 (mod t_i), i ≠ j.
    const basis = ts.map((t) => { const Mj = M / t; return Mj * invMod(Mj % t, t); });
    const residues = batch.channels.map((cts, j) => cts.map((ct) => this.encoders[j].decodeBigInt(this.decryptors[j].decrypt(ct))));
    const outputs = batch.channels[0].length;
    const logits: bigint[][] = [];
    for (let s = 0; s < batch.images; s++) {
      const row: bigint[] = [];
      for (let o = 0; o < outputs; o++) {
        let x = 0n;
        for (let j = 0; j < ts.length; j++) x += residues[j][o][s] * basis[j];
        row.push(centre(x, M));
      }
      logits.push(row);
    }
    return logits;
  }

  /** Noise of a decrypted ciphertext of channel j, per coefficient (Decryptor.noiseCoefficients) — a client-side diagnostic. */
  noiseCoefficients(j: number, ct: Ciphertext): bigint[] {
    return this.decryptors[j].noiseCoefficients(ct);
  }

  /** Invariant noise budget (bits) of a ciphertext of channel j — a client-side diagnostic. */
  noiseBudget(j: number, ct: Ciphertext): number {
    return this.decryptors[j].invariantNoiseBudget(ct);
  }
}
