/**
 * What the server holds per inference mode: the plan, one BFV context per CRT
 * channel (shared by every session: contexts carry the NTT tables), the
 * published mode card, the byte limits derived from the parameters, and the two
 * pieces of per-request work that are not transport:
 *
 * - `openSession(frames)`: evaluation keys → a session's evaluator. Every frame
 *   is loaded by @qhe/bfv for the context of its channel, so a key for other
 *   parameters is a PARAMETER_MISMATCH before anything is kept; Galois keys must
 *   hold exactly the elements the plan needs.
 * - `evaluateChannel(...)`: channel j through the network (InferenceServer,
 *   worker pool), then re-randomization and noise flooding of the outputs
 *   (bfv flooding.ts) with the bound the plan reserved budget for: B_e from the
 *   planned final budget minus the margin, λ and k = outputs × channels from the
 *   plan's flooding entry.
 */
import {
  BfvContext, Ciphertext, Encryptor, GaloisKeys, KSwitchKey, KeyGenerator, expandKeySeed, NoiseFlooder, Plaintext, PublicKey, RelinKeys, deserializeCiphertext, deserializeGaloisKeys,
  deserializePublicKey, deserializeRelinKeys, noiseBoundForBudget, commonKeyId, serializeCiphertext, serializeGaloisKeys, serializePublicKey, serializeRelinKeys,
} from '@qhe/bfv';
import { RnsPoly } from '@qhe/bfv/math';
import type { WorkerPool } from '@qhe/bfv/parallel';
import { tensorShapes, type IntegerModel } from '@qhe/quant/model';
import { createChannelContexts, type ServerKeys } from '../client.js';
import { InferenceServer } from '../server.js';
import type { InferencePlan } from '../planner/index.js';
import { poolBackend } from '../pool-backend.js';
import { channelFingerprints, planToJson, type InferenceMode, type ModeCard } from './card.js';
import { refuse } from './errors.js';
import type { KeyRole } from './messages.js';
import { MAX_WIRE_HEADER_BYTES } from './wire.js';

/** What a session holds: the channel keys, the evaluator over them, the flooders. */
export interface SessionKeys {
  readonly keys: ServerKeys;
  readonly galoisKeys: readonly (GaloisKeys | null)[];
  readonly server: InferenceServer;
  readonly flooders: readonly NoiseFlooder[];
  /** Per channel, the key id all of the session's keys share (undefined: unknown, version-1 keys). */
  readonly keyIds: readonly (string | undefined)[];
  /**
   * Memory the session holds: every key residue as loaded (a seeded key is
   * expanded, so twice its wire size) plus the worker pool's shared copy of the
   * key-switching keys. What the session cap counts.
   */
  readonly memoryBytes: number;
}

const kswitchBytes = (k: KSwitchKey): number => k.digits.reduce((s, d) => s + d.b.data.byteLength + d.a.data.byteLength, 0);

const WIRE_OVERHEAD = 12 + MAX_WIRE_HEADER_BYTES;

export class ModeRuntime {
  readonly contexts: readonly BfvContext[];
  readonly card: ModeCard;
  readonly features: number;
  readonly outputs: number;
  readonly roles: readonly KeyRole[];
  /** Largest frame of an infer body (a full level-0 ciphertext of size 2). */
  readonly maxCiphertextBytes: number;
  readonly maxKeyFrameBytes: number;
  readonly maxKeyBodyBytes: number;
  readonly maxInferBodyBytes: number;
  /** Memory one session's keys take once loaded (SessionKeys.memoryBytes of a full key set). */
  readonly sessionMemoryBytes: number;
  private readonly noiseBounds: readonly bigint[];

  constructor(
    readonly mode: InferenceMode,
    readonly plan: InferencePlan,
    readonly model: IntegerModel,
    private readonly pool: WorkerPool,
    readonly galoisElements: readonly number[] = [],
  ) {
    this.contexts = createChannelContexts(plan);
    const shapes = tensorShapes(model.input.shape, model.layers);
    this.features = shapes[0].reduce((a, b) => a * b, 1);
    this.outputs = shapes[shapes.length - 1].reduce((a, b) => a * b, 1);
    this.roles = galoisElements.length ? ['publicKey', 'relinKeys', 'galoisKeys'] : ['publicKey', 'relinKeys'];
    const sizes = objectSizes(this.contexts[0], galoisElements);
    const outLevel = plan.layers[plan.layers.length - 1].level;
    const k = this.contexts.length;
    this.maxCiphertextBytes = sizes.ciphertext(0);
    this.maxKeyFrameBytes = Math.max(sizes.publicKey, sizes.relinKeys, sizes.galoisKeys);
    const keyBytes = k * (sizes.publicKey + sizes.relinKeys + (galoisElements.length ? sizes.galoisKeys : 0));
    this.maxKeyBodyBytes = WIRE_OVERHEAD + keyBytes + 4 * k * this.roles.length;
    this.maxInferBodyBytes = WIRE_OVERHEAD + k * this.features * (4 + this.maxCiphertextBytes);
    const ctx = this.contexts[0];
    const poly = ctx.keyBase.size * ctx.n * ctx.kernel.alloc(1).BYTES_PER_ELEMENT;
    const digits = ctx.level(0).digits.length;
    this.sessionMemoryBytes = k * (2 * poly + 2 * (1 + galoisElements.length) * 2 * digits * poly);
    const inputLevel = plan.layers[0].level;
    const maxImages = mode === 'batch' ? plan.polyDegree : 1;
    const request = 12 + 256 + k * this.features * (4 + sizes.seededCiphertext);
    const response = 12 + 512 + k * this.outputs * (4 + sizes.ciphertext(outLevel));
    this.card = Object.freeze({
      mode,
      plan: planToJson(plan),
      maxImages,
      features: this.features,
      outputs: this.outputs,
      inputLevel,
      evaluationKeys: Object.freeze({ publicKey: true as const, relinKeys: true as const, galoisElements: Object.freeze([...galoisElements]) }),
      channels: Object.freeze(channelFingerprints(plan).map((fingerprint, j) => Object.freeze({ plainModulus: String(plan.plainModuli[j]), fingerprint }))),
      bytes: Object.freeze({ evaluationKeys: 12 + 256 + k * sizes.seededKeys + 4 * k * this.roles.length, request, response }),
    });
    const endBudget = plan.predictedFinalBudget - plan.marginBits;
    this.noiseBounds = this.contexts.map((ctx) => noiseBoundForBudget(ctx, outLevel, Math.max(0, endBudget)));
  }

  /** Loads a session's keys (frames in the order of `roles`, channel-major) and builds its evaluator. */
  openSession(frames: readonly Uint8Array[]): SessionKeys {
    const fn = 'POST /v1/sessions';
    const per = this.roles.length;
    const channels: { publicKey: PublicKey; relinKeys: RelinKeys }[] = [];
    const galois: (GaloisKeys | null)[] = [];
    const keyIds: (string | undefined)[] = [];
    for (let j = 0; j < this.contexts.length; j++) {
      const ctx = this.contexts[j];
      const publicKey = deserializePublicKey(ctx, frames[j * per]);
      const relinKeys = deserializeRelinKeys(ctx, frames[j * per + 1]);
      let gk: GaloisKeys | null = null;
      if (per === 3) {
        gk = deserializeGaloisKeys(ctx, frames[j * per + 2]);
        const have = [...gk.keys.keys()].sort((a, b) => a - b);
        const need = [...this.galoisElements].sort((a, b) => a - b);
        if (have.length !== need.length || have.some((g, i) => g !== need[i]))
          refuse('MISSING_KEY', fn, `Galois keys for elements [${need.join(', ')}] in channel ${j}`, `[${have.join(', ')}]`);
      }
      channels.push({ publicKey, relinKeys });
      galois.push(gk);
      keyIds.push(commonKeyId(`${fn} (channel ${j})`, [
        { keyId: publicKey.keyId, what: 'the public key' },
        { keyId: relinKeys.keyId, what: 'the relinearization keys' },
        ...(gk ? [{ keyId: gk.keyId, what: 'the Galois keys' }] : []),
      ]));
    }
    const keys: ServerKeys = { channels };
    const server = new InferenceServer(this.plan, this.model, keys, poolBackend(this.pool));
    const flooders = channels.map((c, j) => new NoiseFlooder(this.contexts[j], c.publicKey));
    let memoryBytes = 0;
    for (const [j, c] of channels.entries()) {
      const switching = kswitchBytes(c.relinKeys.key) + [...(galois[j]?.keys.values() ?? [])].reduce((s, k) => s + kswitchBytes(k), 0);
      memoryBytes += c.publicKey.p0.data.byteLength + c.publicKey.p1.data.byteLength + 2 * switching;
    }
    return { keys, galoisKeys: galois, server, flooders, keyIds, memoryBytes };
  }

  /** Frees what a session holds in the worker pool. */
  closeSession(s: SessionKeys): void {
    for (const c of s.keys.channels) this.pool.releaseKeys(c.relinKeys);
    for (const g of s.galoisKeys) if (g) this.pool.releaseKeys(g);
  }

  /**
   * One input frame of channel j → a ciphertext the plan can take (level ≤ the
   * first layer's, size 2, encrypted under the session's key: KEY_MISMATCH before
   * anything is computed on it).
   */
  loadInput(s: SessionKeys, j: number, frame: Uint8Array, index: number): Ciphertext {
    const fn = 'POST /v1/sessions/{id}/infer';
    const ct = deserializeCiphertext(this.contexts[j], frame);
    commonKeyId(fn, [
      { keyId: s.keyIds[j], what: `the session's keys (channel ${j})` },
      { keyId: ct.keyId, what: `the ciphertext of frame ${index}` },
    ]);
    if (ct.size !== 2) refuse('INVALID_CIPHERTEXT', fn, `fresh ciphertexts of size 2 (frame ${index})`, `size ${ct.size}`);
    if (ct.level > this.card.inputLevel) refuse('INVALID_CIPHERTEXT', fn, `ciphertexts at level ≤ ${this.card.inputLevel} (frame ${index})`, `level ${ct.level}`);
    return ct;
  }

  /** Channel j of a request: evaluation, then flooding when the plan has it; returns the outputs and the two times. */
  async evaluateChannel(s: SessionKeys, j: number, inputs: Ciphertext[]): Promise<{ outputs: Ciphertext[]; computeMs: number; floodMs: number }> {
    let t = performance.now();
    const raw = await s.server.runChannel(j, inputs);
    const computeMs = performance.now() - t;
    t = performance.now();
    const f = this.plan.flooding;
    const outputs = f
      ? raw.map((ct) => s.flooders[j].flood(ct, { noiseBound: this.noiseBounds[j], statisticalSecurity: f.statisticalSecurity, ciphertexts: f.ciphertexts }))
      : raw;
    return { outputs, computeMs, floodMs: f ? performance.now() - t : 0 };
  }
}

/**
 * Exact serialized sizes for a context, measured with the real serializers on
 * keys with zero b parts: full forms (the caps accept either form) and seeded
 * forms (what a QheClient sends), whose a parts are their seed's expansion.
 */
function objectSizes(ctx: BfvContext, galoisElements: readonly number[]) {
  const zero = (): RnsPoly => RnsPoly.zero(ctx.keyBase, 'ntt');
  const d = ctx.level(0).digits.length;
  const seed = new Uint8Array(32);
  const seededA = expandKeySeed(ctx.keyBase, seed, d);
  const kswitch = (seeded: boolean): KSwitchKey => new KSwitchKey(ctx, seededA.map((a) => ({ b: zero(), a: seeded ? a : zero() })), undefined, 0, seeded ? seed : undefined);
  const galois = (seeded: boolean): number =>
    galoisElements.length ? serializeGaloisKeys(new GaloisKeys(ctx, new Map(galoisElements.map((g) => [g, kswitch(seeded)])))).length : 0;
  const publicKey = serializePublicKey(new PublicKey(ctx, zero(), zero())).length;
  const relinKeys = serializeRelinKeys(new RelinKeys(ctx, kswitch(false))).length;
  const galoisKeys = galois(false);
  const seededKeys = serializePublicKey(new PublicKey(ctx, zero(), expandKeySeed(ctx.keyBase, seed, 1)[0], undefined, seed)).length + serializeRelinKeys(new RelinKeys(ctx, kswitch(true))).length + galois(true);
  const ciphertext = (level: number): number => serializeCiphertext(Ciphertext.empty(ctx, level, 2), { seeded: false }).length;
  // A throwaway key: only the length of a seeded symmetric ciphertext is kept.
  const sk = new KeyGenerator(ctx).secretKey;
  const seededCiphertext = serializeCiphertext(new Encryptor(ctx, { secretKey: sk }).encryptSymmetric(Plaintext.zero(ctx)), { seeded: true }).length;
  return { publicKey, relinKeys, galoisKeys, seededKeys, ciphertext, seededCiphertext };
}
