/**
 * The client of `single` mode: one image, low latency. It holds the secret keys
 * (one BFV context and key set per CRT channel t_j), makes exactly the Galois
 * keys the plan's rotations need (each for the first level that uses it, so
 * keys used after modulus switching are smaller), encrypts the image in the
 * plan's input layout — for a convolution first, one ciphertext per kernel
 * offset (LoLa's convolution representation; symmetric, seeded encryption) —
 * and decrypts the logits,
 * recombining the channels mod ∏ t_j (CRT) into the centred range.
 *
 * The API mirrors InferenceClient: serverKeys(), encrypt(), encryptChannel(),
 * decrypt(), noiseBudget().
 */
import { BatchEncoder, BfvContext, Ciphertext, Decryptor, Encryptor, Evaluator, GaloisKeys, KeyGenerator, PublicKey, QheError, RelinKeys, type KSwitchKey } from '@qhe/bfv';
import { centre, invMod, product } from '@qhe/bfv/math';
import { channelParameters, type PlanParameters } from '../planner/index.js';
import { encodeInputSlots, type SinglePlan } from './planner.js';

/**
 * What the client needs of a SinglePlan: the parameters, the input layout, the
 * output slots and which keys to make — not the program, whose diagonals are
 * the model's weights (a server publishes this part only: service/single-plan-json.ts).
 */
export type SingleClientPlan = Pick<SinglePlan, keyof PlanParameters | 'mode' | 'inputLevel' | 'inputSize' | 'inputMin' | 'inputMax' | 'input' | 'outputSlots' | 'galoisElements' | 'galoisSteps' | 'galoisKeyLevels' | 'relinLevel'>;

export interface SingleClientOptions {
  /** Seeded evaluation keys (their uniform parts as 32-byte seeds: half the bytes on the wire). */
  readonly seededKeys?: boolean;
}

/** Evaluation keys the client hands to the server, per channel. No secret key. */
export interface SingleServerKeys {
  readonly channels: readonly { readonly publicKey: PublicKey; readonly relinKeys: RelinKeys; readonly galoisKeys: GaloisKeys }[];
}

/** One image: per channel, the plan's input ciphertexts (at plan.inputLevel). */
export interface EncryptedImage {
  readonly channels: readonly (readonly Ciphertext[])[];
}

/** The server's answer: one ciphertext per channel holding the logits at plan.outputSlots. */
export interface EncryptedLogits {
  readonly channels: readonly Ciphertext[];
}

export function createSingleContexts(plan: PlanParameters): BfvContext[] {
  return plan.plainModuli.map((_, j) => new BfvContext(channelParameters(plan, j)));
}

export class SingleClient {
  readonly contexts: readonly BfvContext[];
  private readonly keygens: KeyGenerator[];
  private readonly decryptors: Decryptor[];
  private readonly encoders: BatchEncoder[];
  private keys: SingleServerKeys | null = null;

  constructor(readonly plan: SingleClientPlan, private readonly options: SingleClientOptions = {}) {
    if (plan?.mode !== 'single') throw new QheError('INVALID_ARGUMENT', `SingleClient: expected a plan from planSingle, got ${plan?.mode ?? typeof plan}`);
    this.contexts = createSingleContexts(plan);
    this.keygens = this.contexts.map((c) => new KeyGenerator(c));
    this.decryptors = this.contexts.map((c, j) => new Decryptor(c, this.keygens[j].secretKey));
    this.encoders = this.contexts.map((c) => new BatchEncoder(c));
  }

  /** Public, relinearization and Galois keys for the server (created once). */
  serverKeys(): SingleServerKeys {
    this.keys ??= { channels: this.keygens.map((k) => this.channelKeys(k)) };
    return this.keys;
  }

  private channelKeys(k: KeyGenerator): SingleServerKeys['channels'][number] {
    const byLevel = new Map<number, number[]>();
    for (const [g, level] of this.plan.galoisKeyLevels) {
      let list = byLevel.get(level);
      if (!list) byLevel.set(level, (list = []));
      list.push(g);
    }
    const keys = new Map<number, KSwitchKey>();
    const seeded = !!this.options.seededKeys;
    for (const [level, elements] of byLevel) for (const [g, key] of k.createGaloisKeys({ elements, level, seeded }).keys) keys.set(g, key);
    return { publicKey: k.createPublicKey({ seeded }), relinKeys: k.createRelinKeys({ level: this.plan.relinLevel, seeded }), galoisKeys: new GaloisKeys(k.context, keys) };
  }

  /** The image (quantised integers, HWC, e.g. `quantizeInput` output), every channel. */
  encrypt(image: ArrayLike<number>): EncryptedImage {
    return { channels: this.contexts.map((_, j) => this.encryptChannel(image, j)) };
  }

  /** Channel j's input ciphertexts (the server consumes channels independently). */
  encryptChannel(image: ArrayLike<number>, j: number, options: { readonly fresh?: boolean } = {}): Ciphertext[] {
    const fn = 'SingleClient.encryptChannel';
    const { inputSize: size, inputMin: lo, inputMax: hi } = this.plan;
    if (image === null || typeof image !== 'object' || image.length !== size)
      throw new QheError('LENGTH_MISMATCH', `${fn}: expected ${size} input integers, got ${image === null || typeof image !== 'object' ? typeof image : image.length}`);
    if (!Number.isInteger(j) || j < 0 || j >= this.contexts.length)
      throw new QheError('INVALID_ARGUMENT', `${fn}: expected a channel in [0, ${this.contexts.length}), got ${j}`);
    for (let i = 0; i < size; i++)
      if (!Number.isInteger(image[i]) || image[i] < lo || image[i] > hi)
        throw new QheError('PLAINTEXT_OUT_OF_RANGE', `${fn}: expected integers in [${lo}, ${hi}] (the model's input range), got ${image[i]} at ${i}`);
    const ctx = this.contexts[j];
    // The client holds the secret key: symmetric encryption is cheaper than public-key
    // encryption, leaves less noise, and a seeded ciphertext at level 0 serializes at half size.
    const enc = new Encryptor(ctx, { secretKey: this.keygens[j].secretKey });
    const ev = new Evaluator(ctx);
    const t = ctx.t;
    return encodeInputSlots(this.plan, image).map((slots) => {
      const ct = enc.encryptSymmetric(this.encoders[j].encode(slots.map((v) => ((v % t) + t) % t)));
      // `fresh`: left at level 0, where it serializes seeded (the server switches it down).
      return this.plan.inputLevel > 0 && !options.fresh ? ev.modSwitchTo(ct, this.plan.inputLevel) : ct;
    });
  }

  /** The logits (one per model output), recombined over the CRT channels into (−∏t/2, ∏t/2]. */
  decrypt(result: EncryptedLogits): bigint[] {
    const ts = this.plan.plainModuli;
    if (!result || !Array.isArray(result.channels) || result.channels.length !== ts.length)
      throw new QheError('LENGTH_MISMATCH', `SingleClient.decrypt: expected ${ts.length} channels, got ${Array.isArray(result?.channels) ? result.channels.length : typeof result}`);
    const M = product(ts);
    const basis = ts.map((t) => { const Mj = M / t; return Mj * invMod(Mj % t, t); });
    const slots = result.channels.map((ct, j) => this.encoders[j].decodeBigInt(this.decryptors[j].decrypt(ct)));
    return Array.from(this.plan.outputSlots, (s) => {
      let x = 0n;
      for (let j = 0; j < ts.length; j++) x += slots[j][s] * basis[j];
      return centre(x, M);
    });
  }

  /** Invariant noise budget (bits) of a ciphertext of channel j — a client-side diagnostic. */
  noiseBudget(j: number, ct: Ciphertext): number {
    return this.decryptors[j].invariantNoiseBudget(ct);
  }
}
