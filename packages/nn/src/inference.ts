/**
 * Encrypted inference, client/server split, with CryptoNets slot batching
 * (Gilad-Bachrach et al., ICML 2016): slot s of every ciphertext belongs to
 * image s, and there is one ciphertext per pixel / feature, so a layer is
 * integer-scalar × ciphertext products and sums with no rotations (no Galois
 * keys), and N images cost the same as one.
 *
 * Each CRT channel (one plaintext prime t_j) is a separate BFV context with
 * its own keys; the client recombines the logits mod ∏ t_j (Chinese remainder
 * theorem) into the centred range.
 *
 * The server computes through `HeBackend` so the synchronous Evaluator can be
 * swapped for the worker pool (`@qhe/bfv/parallel`) without touching layers.
 */
import {
  BatchEncoder, BfvContext, Ciphertext, CoefficientEncoder, Decryptor, Encryptor, Evaluator, KeyGenerator, PublicKey, QheError, RelinKeys,
} from '@qhe/bfv';
import { compileTaps, tensorShapes, type IntegerModel, type Taps } from '@qhe/quant/model';
import { channelParameters, type InferencePlan } from './planner.js';

/** What a layer needs from the HE engine, per channel; implemented by the sync Evaluator now, the worker pool later. */
export interface HeBackend {
  readonly name: string;
  /** out[o] = bias[o] + Σ w·in[idx] (weights and bias already reduced mod t); relinearize outputs if asked. */
  linear(inputs: readonly Ciphertext[], taps: Taps, bias: readonly bigint[], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]>;
  /** out = a·x² + b·x + c per element (a, b, c per output, mod t); relinearize if asked. */
  quadratic(inputs: readonly Ciphertext[], coef: (i: number) => readonly [bigint, bigint, bigint], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]>;
  modSwitchTo(inputs: readonly Ciphertext[], level: number): Promise<Ciphertext[]>;
}

/** The synchronous backend over `Evaluator` (one core). */
export class EvaluatorBackend implements HeBackend {
  readonly name = 'evaluator (1 thread)';
  private readonly ev: Evaluator;
  private readonly coef: CoefficientEncoder;
  private readonly enc: Encryptor;
  constructor(readonly context: BfvContext, private readonly publicKey: PublicKey, private readonly relinKeys: RelinKeys) {
    this.ev = new Evaluator(context);
    this.coef = new CoefficientEncoder(context);
    this.enc = new Encryptor(context, { publicKey });
  }

  private constant(level: number, c: bigint): Ciphertext {
    // A neuron without non-zero taps is a public constant; encrypting it keeps every output a real ciphertext.
    const ct = this.enc.encrypt(this.coef.encodeScalar(c));
    return level > 0 ? this.ev.modSwitchTo(ct, level) : ct;
  }

  private addConstant(ct: Ciphertext, c: bigint): Ciphertext {
    return c === 0n ? ct : this.ev.addPlainInto(ct, this.coef.encodeScalar(c), ct);
  }

  /** ct + c (c reduced mod t here), in place. */
  addConstantPublic(ct: Ciphertext, c: bigint): Ciphertext {
    const t = this.context.t;
    return this.addConstant(ct, ((c % t) + t) % t);
  }

  /** y = a·(x²) + b·x + c given y = x² (in place); coefficients reduced mod t here. */
  finishQuadratic(y: Ciphertext, x: Ciphertext, coef: readonly [bigint, bigint, bigint]): Ciphertext {
    const t = this.context.t;
    const [a, b, c] = coef.map((v) => ((v % t) + t) % t);
    if (a === 0n) {
      // a ≡ 0 (mod t_j): this channel's activation is affine; drop the square.
      if (b === 0n) return this.constant(x.level, c);
      return this.addConstant(this.ev.multiplyScalarInto(x, b, y), c);
    }
    if (a !== 1n) this.ev.multiplyScalarInto(y, a, y);
    if (b !== 0n) this.ev.multiplyScalarAddInto(x, b, y);
    return this.addConstant(y, c);
  }

  async linear(inputs: readonly Ciphertext[], taps: Taps, bias: readonly bigint[], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]> {
    const out: Ciphertext[] = [];
    const t = this.context.t;
    for (let o = 0; o < taps.outSize; o++) {
      let acc: Ciphertext | null = null;
      for (let k = taps.start[o]; k < taps.start[o + 1]; k++) {
        const w = BigInt(taps.w[k]) % t;
        if (w === 0n) continue; // w ≡ 0 mod t_j contributes nothing in this channel
        const x = inputs[taps.idx[k]];
        if (acc === null) acc = this.ev.multiplyScalar(x, w);
        else this.ev.multiplyScalarAddInto(x, w, acc);
      }
      const b = ((bias[o] % t) + t) % t;
      let y = acc === null ? this.constant(inputs[0].level, b) : this.addConstant(acc, b);
      if (relinearize && y.size > 2) y = this.ev.relinearize(y, this.relinKeys);
      out.push(y);
      progress?.(o + 1);
    }
    return out;
  }

  async quadratic(inputs: readonly Ciphertext[], coef: (i: number) => readonly [bigint, bigint, bigint], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]> {
    const out: Ciphertext[] = [];
    for (let i = 0; i < inputs.length; i++) {
      let y = this.finishQuadratic(this.ev.square(inputs[i]), inputs[i], coef(i));
      if (relinearize && y.size > 2) y = this.ev.relinearize(y, this.relinKeys);
      out.push(y);
      progress?.(i + 1);
    }
    return out;
  }

  async modSwitchTo(inputs: readonly Ciphertext[], level: number): Promise<Ciphertext[]> {
    return inputs.map((ct) => (ct.level === level ? ct : this.ev.modSwitchTo(ct, level)));
  }
}

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
}

/** Ciphertexts of one batch: channels × features, slot s = image s. */
export interface EncryptedBatch {
  readonly images: number;
  readonly channels: readonly (readonly Ciphertext[])[];
}

export function createChannelContexts(plan: InferencePlan): BfvContext[] {
  return plan.plainModuli.map((_, j) => new BfvContext(channelParameters(plan, j)));
}

/** The client: holds the secret keys, encrypts inputs and decrypts logits. */
export class InferenceClient {
  readonly contexts: readonly BfvContext[];
  private readonly keygens: KeyGenerator[];
  private readonly decryptors: Decryptor[];
  private readonly encoders: BatchEncoder[];
  private keys: ServerKeys | null = null;

  constructor(readonly plan: InferencePlan) {
    this.contexts = createChannelContexts(plan);
    this.keygens = this.contexts.map((c) => new KeyGenerator(c));
    this.decryptors = this.contexts.map((c, j) => new Decryptor(c, this.keygens[j].secretKey));
    this.encoders = this.contexts.map((c) => new BatchEncoder(c));
  }

  /** Public and relinearization keys for the server (created once). */
  serverKeys(): ServerKeys {
    this.keys ??= { channels: this.keygens.map((k) => ({ publicKey: k.createPublicKey(), relinKeys: k.createRelinKeys() })) };
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
    const enc = options.symmetric
      ? new Encryptor(this.contexts[j], { secretKey: this.keygens[j].secretKey })
      : new Encryptor(this.contexts[j], { publicKey: this.serverKeys().channels[j].publicKey });
    const column = new Array<number>(images.length);
    const out: Ciphertext[] = [];
    for (let f = 0; f < features; f++) {
      for (let s = 0; s < images.length; s++) column[s] = images[s][f];
      const pt = this.encoders[j].encode(column, { signed: true });
      out.push(options.symmetric ? enc.encryptSymmetric(pt, { seeded: true }) : enc.encrypt(pt));
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

  /** Noise of a decrypted ciphertext of channel j, per coefficient (Decryptor.noiseCoefficients) — a client-side diagnostic. */
  noiseCoefficients(j: number, ct: Ciphertext): bigint[] {
    return this.decryptors[j].noiseCoefficients(ct);
  }

  /** Logits per image, recombined over the CRT channels into (−∏t/2, ∏t/2]. */
  decrypt(batch: EncryptedBatch): bigint[][] {
    const ts = this.plan.plainModuli;
    const M = ts.reduce((a, b) => a * b, 1n);
    const coeffs = ts.map((t) => { const Mj = M / t; return Mj * modInverse(Mj % t, t); });
    const residues = batch.channels.map((cts, j) => cts.map((ct) => this.encoders[j].decodeBigInt(this.decryptors[j].decrypt(ct))));
    const outputs = batch.channels[0].length;
    const logits: bigint[][] = [];
    for (let s = 0; s < batch.images; s++) {
      const row: bigint[] = [];
      for (let o = 0; o < outputs; o++) {
        let x = 0n;
        for (let j = 0; j < ts.length; j++) x += residues[j][o][s] * coeffs[j];
        x %= M;
        row.push(x > M / 2n ? x - M : x);
      }
      logits.push(row);
    }
    return logits;
  }

  /** Invariant noise budget (bits) of a ciphertext of channel j — a client-side diagnostic. */
  noiseBudget(j: number, ct: Ciphertext): number {
    return this.decryptors[j].invariantNoiseBudget(ct);
  }
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [((a % m) + m) % m, m, 1n, 0n];
  while (r1 !== 0n) { const q = r0 / r1; [r0, r1] = [r1, r0 - q * r1]; [s0, s1] = [s1, s0 - q * s1]; }
  if (r0 !== 1n) throw new QheError('INVALID_ARGUMENT', `modInverse: expected coprime moduli, got gcd ${r0}`);
  return ((s0 % m) + m) % m;
}

export interface LayerReport {
  readonly index: number;
  readonly type: string;
  readonly ms: number;
  readonly level: number;
  readonly outputs: number;
  readonly predictedBudget: number;
  /** The CRT channel this report is about. */
  readonly channel: number;
  /** One output ciphertext of the channel, for client-side budget probes. */
  readonly sample: Ciphertext;
}

export interface RunOptions {
  /** `work` = the layer's outputs in this channel (0 for flatten). */
  readonly onLayerStart?: (index: number, type: string, work: number, channel: number) => void;
  readonly onProgress?: (index: number, done: number, work: number, channel: number) => void;
  readonly onLayer?: (report: LayerReport) => void;
}

export type BackendFactory = (context: BfvContext, keys: ServerKeys['channels'][number]) => HeBackend;

/** The server: public and relinearization keys only; evaluates the model layer by layer on every channel. */
export class InferenceServer {
  private readonly backends: HeBackend[];
  private readonly shapes: number[][];

  constructor(readonly plan: InferencePlan, readonly model: IntegerModel, keys: ServerKeys, backend?: BackendFactory) {
    if (keys.channels.length !== plan.plainModuli.length)
      throw new QheError('MISSING_KEY', `InferenceServer: expected keys for ${plan.plainModuli.length} channels, got ${keys.channels.length}`);
    for (const ch of keys.channels) {
      if (!(ch.publicKey instanceof PublicKey) || !(ch.relinKeys instanceof RelinKeys) || Object.keys(ch).some((k) => k !== 'publicKey' && k !== 'relinKeys'))
        throw new QheError('INVALID_ARGUMENT', `InferenceServer: expected only { publicKey, relinKeys } per channel, got { ${Object.keys(ch).join(', ')} }`);
    }
    const make = backend ?? ((ctx, k) => new EvaluatorBackend(ctx, k.publicKey, k.relinKeys));
    this.backends = keys.channels.map((k) => make(k.publicKey.context, k));
    this.shapes = tensorShapes(model.input.shape, model.layers);
  }

  get backendName(): string { return this.backends[0].name; }

  async run(batch: EncryptedBatch, options: RunOptions = {}): Promise<EncryptedBatch> {
    if (batch.channels.length !== this.backends.length)
      throw new QheError('LENGTH_MISMATCH', `InferenceServer.run: expected ${this.backends.length} channels, got ${batch.channels.length}`);
    const channels: Ciphertext[][] = [];
    for (const [j, cts] of batch.channels.entries()) channels.push(await this.runChannel(j, cts.slice(), options));
    return { images: batch.images, channels };
  }

  /**
   * Channel j through the whole network. Takes ownership of `inputs`: the
   * array is emptied when the first layer has consumed it, so the caller's
   * reference does not keep the channel's input ciphertexts alive.
   */
  async runChannel(j: number, inputs: Ciphertext[], options: RunOptions = {}): Promise<Ciphertext[]> {
    const fn = 'InferenceServer.runChannel';
    if (!Number.isInteger(j) || j < 0 || j >= this.backends.length)
      throw new QheError('INVALID_ARGUMENT', `${fn}: expected a channel in [0, ${this.backends.length}), got ${j}`);
    const features = this.shapes[0].reduce((a, b) => a * b, 1);
    if (!Array.isArray(inputs) || inputs.length !== features)
      throw new QheError('LENGTH_MISMATCH', `${fn}: expected ${features} ciphertexts, got ${Array.isArray(inputs) ? inputs.length : typeof inputs}`);
    const be = this.backends[j];
    let cur: Ciphertext[] = inputs.splice(0);
    for (const [i, layer] of this.model.layers.entries()) {
      const lp = this.plan.layers[i];
      const start = performance.now();
      const outCount = this.shapes[i + 1].reduce((a, b) => a * b, 1);
      const work = layer.type === 'flatten' ? 0 : outCount;
      options.onLayerStart?.(i, layer.type, work, j);
      const report = (done: number): void => options.onProgress?.(i, done, work, j);
      if (cur[0].level < lp.level) cur = await be.modSwitchTo(cur, lp.level);
      const taps = compileTaps(layer, this.shapes[i], this.shapes[i + 1]);
      if (taps) cur = await be.linear(cur, taps, taps.bias, lp.relinearizeAfter, report);
      else if (layer.type === 'square') cur = await be.quadratic(cur, () => [1n, 0n, 0n], lp.relinearizeAfter, report);
      else if (layer.type === 'quadratic') {
        const C = this.shapes[i + 1][this.shapes[i + 1].length - 1];
        const pick = (arr: readonly bigint[], k: number): bigint => (arr.length === 1 ? arr[0] : arr[k % C]);
        cur = await be.quadratic(cur, (k) => [pick(layer.a, k), pick(layer.b, k), pick(layer.c, k)], lp.relinearizeAfter, report);
      }
      options.onLayer?.({ index: i, type: layer.type, ms: performance.now() - start, level: cur[0].level, outputs: outCount, predictedBudget: lp.predictedBudget, channel: j, sample: cur[0] });
    }
    return cur;
  }
}
