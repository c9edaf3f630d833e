/**
 * What the server holds per inference mode: the plan, one BFV context per CRT
 * channel (shared by every session: contexts carry the NTT tables), the
 * published mode card, the byte limits derived from the parameters, and the
 * per-request work that is not transport:
 *
 * - `openSession(frames)`: evaluation keys → a session's evaluator. Every frame
 *   is loaded by @qhe/bfv for the context of its channel, so a key for other
 *   parameters is a PARAMETER_MISMATCH before anything is kept; Galois keys must
 *   hold exactly the elements the plan needs.
 * - batch mode, `evaluateChannel(...)`: channel j through the network
 *   (InferenceServer, worker pool) while the next channel streams in.
 * - single mode, `evaluateSingle(...)`: every channel of one image through the
 *   packed program (SingleServer; the program is prepared once per model and
 *   shared by all sessions, its diagonals lifted in shared memory), then the
 *   slots that hold no logit are masked with uniform values mod t_j (they carry
 *   partial sums of the weights; a fresh one-time pad per request hides them).
 * - both: re-randomization and noise flooding of the outputs (bfv flooding.ts)
 *   with the bound the plan reserved budget for: B_e from the planned final
 *   budget minus the margin (plus t for the mask's rounding in single mode), λ
 *   and k from the plan's flooding entry.
 */
import {
  BatchEncoder, BfvContext, Ciphertext, Encryptor, Evaluator, keyBaseAt, systemRandom, GaloisKeys, KSwitchKey, KeyGenerator, expandKeySeed, NoiseFlooder, Plaintext, PublicKey, RelinKeys, deserializeCiphertext, deserializeGaloisKeys,
  deserializePublicKey, deserializeRelinKeys, noiseBoundForBudget, commonKeyId, serializeCiphertext, serializeGaloisKeys, serializePublicKey, serializeRelinKeys,
} from '@qhe/bfv';
import { RnsPoly } from '@qhe/bfv/math';
import type { WorkerPool } from '@qhe/bfv/parallel';
import { tensorShapes, type IntegerModel } from '@qhe/quant/model';
import type { ServerKeys } from '../client.js';
import { InferenceServer } from '../server.js';
import type { InferencePlan } from '../planner/index.js';
import { poolBackend } from '../pool-backend.js';
import { createSingleContexts } from '../single/client.js';
import type { SinglePlan } from '../single/planner.js';
import { SingleServer, prepareSingleProgram, singlePoolBackend, type PreparedProgram } from '../single/server.js';
import { channelFingerprints, planToJson, type InferenceMode, type ModeCard } from './card.js';
import { singlePlanToJson } from './single-plan-json.js';
import { refuse } from './errors.js';
import type { KeyRole } from './messages.js';
import { MAX_WIRE_HEADER_BYTES } from './wire.js';

/** What a session holds: the channel keys, the evaluator over them (batch or single), the flooders. */
export interface SessionKeys {
  readonly keys: ServerKeys;
  readonly galoisKeys: readonly (GaloisKeys | null)[];
  readonly server: InferenceServer | null;
  readonly single: SingleServer | null;
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
  readonly galoisElements: readonly number[];
  private readonly noiseBounds: readonly bigint[];
  private readonly single: { readonly plan: SinglePlan; readonly prepared: PreparedProgram; readonly encoders: readonly BatchEncoder[]; readonly evaluators: readonly Evaluator[] } | null;

  /** `plan`: an InferencePlan (batch) or a SinglePlan (single). */
  constructor(
    readonly mode: InferenceMode,
    readonly plan: InferencePlan | SinglePlan,
    readonly model: IntegerModel,
    private readonly pool: WorkerPool,
  ) {
    const single = 'mode' in plan && plan.mode === 'single' ? plan : null;
    if ((mode === 'single') !== !!single) throw new Error(`ModeRuntime: expected a ${mode} plan, got the other`);
    this.contexts = createSingleContexts(plan);
    const shapes = tensorShapes(model.input.shape, model.layers);
    // Ciphertexts per channel: batch, one per input feature and one per logit; single, the plan's input ciphertexts and one answer.
    this.features = single ? single.program.inputCount : shapes[0].reduce((a, b) => a * b, 1);
    this.outputs = single ? 1 : shapes[shapes.length - 1].reduce((a, b) => a * b, 1);
    const galoisElements = (this.galoisElements = single ? single.galoisElements : []);
    this.roles = single ? ['publicKey', 'relinKeys', 'galoisKeys'] : ['publicKey', 'relinKeys'];
    this.single = single && {
      plan: single,
      prepared: prepareSingleProgram(single, this.contexts, true),
      encoders: this.contexts.map((c) => new BatchEncoder(c)),
      evaluators: this.contexts.map((c) => new Evaluator(c)),
    };
    const sizes = objectSizes(this.contexts[0], galoisElements, single);
    const outLevel = plan.layers[plan.layers.length - 1].level;
    const k = this.contexts.length;
    this.maxCiphertextBytes = sizes.ciphertext(0);
    this.maxKeyFrameBytes = Math.max(sizes.publicKey, sizes.relinKeys, sizes.galoisKeys);
    const keyBytes = k * (sizes.publicKey + sizes.relinKeys + (galoisElements.length ? sizes.galoisKeys : 0));
    this.maxKeyBodyBytes = WIRE_OVERHEAD + keyBytes + 4 * k * this.roles.length;
    this.maxInferBodyBytes = WIRE_OVERHEAD + k * this.features * (4 + this.maxCiphertextBytes);
    const ctx = this.contexts[0];
    const polyAt = (level: number): number => keyBaseAt(ctx, level).size * ctx.n * ctx.kernel.alloc(1).BYTES_PER_ELEMENT;
    // One key-switching key at `level`: a (b, a) pair per digit; held twice (loaded + the worker pool's copy).
    const kswitchAt = (level: number): number => 2 * 2 * ctx.level(level).digits.length * polyAt(level);
    const switching = single
      ? kswitchAt(single.relinLevel) + [...single.galoisKeyLevels.values()].reduce((a, l) => a + kswitchAt(l), 0)
      : (1 + galoisElements.length) * kswitchAt(0);
    this.sessionMemoryBytes = k * (2 * polyAt(0) + switching);
    const inputLevel = single ? single.inputLevel : plan.layers[0].level;
    const maxImages = mode === 'batch' ? plan.polyDegree : 1;
    const request = 12 + 256 + k * this.features * (4 + sizes.seededCiphertext);
    const response = 12 + 512 + k * this.outputs * (4 + sizes.ciphertext(outLevel));
    this.card = Object.freeze({
      mode,
      plan: single ? singlePlanToJson(single) : planToJson(plan as InferencePlan),
      maxImages,
      features: this.features,
      outputs: this.outputs,
      inputLevel,
      evaluationKeys: Object.freeze({ publicKey: true as const, relinKeys: true as const, galoisElements: Object.freeze([...galoisElements]) }),
      channels: Object.freeze(channelFingerprints(plan).map((fingerprint, j) => Object.freeze({ plainModulus: String(plan.plainModuli[j]), fingerprint }))),
      bytes: Object.freeze({ evaluationKeys: 12 + 256 + k * sizes.seededKeys + 4 * k * this.roles.length, request, response }),
    });
    const endBudget = plan.predictedFinalBudget - plan.marginBits;
    // Single mode adds the mask (a plaintext): its rounding adds less than t to the noise.
    this.noiseBounds = this.contexts.map((ctx) => noiseBoundForBudget(ctx, outLevel, Math.max(0, endBudget)) + (single ? ctx.t : 0n));
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
    const sp = this.single;
    const server = sp ? null : new InferenceServer(this.plan as InferencePlan, this.model, keys, poolBackend(this.pool));
    const single = sp
      ? new SingleServer(sp.plan, { channels: channels.map((c, j) => ({ ...c, galoisKeys: galois[j]! })) }, singlePoolBackend(this.pool), sp.prepared)
      : null;
    const flooders = channels.map((c, j) => new NoiseFlooder(this.contexts[j], c.publicKey));
    let memoryBytes = 0;
    for (const [j, c] of channels.entries()) {
      const switching = kswitchBytes(c.relinKeys.key) + [...(galois[j]?.keys.values() ?? [])].reduce((s, k) => s + kswitchBytes(k), 0);
      memoryBytes += c.publicKey.p0.data.byteLength + c.publicKey.p1.data.byteLength + 2 * switching;
    }
    return { keys, galoisKeys: galois, server, single, flooders, keyIds, memoryBytes };
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

  /** Batch mode, channel j of a request: evaluation, then flooding when the plan has it; returns the outputs and the two times. */
  async evaluateChannel(s: SessionKeys, j: number, inputs: Ciphertext[]): Promise<{ outputs: Ciphertext[]; computeMs: number; floodMs: number }> {
    let t = performance.now();
    const raw = await s.server!.runChannel(j, inputs);
    const computeMs = performance.now() - t;
    t = performance.now();
    const outputs = raw.map((ct) => this.flood(s, j, ct));
    return { outputs, computeMs, floodMs: this.plan.flooding ? performance.now() - t : 0 };
  }

  /** Single mode, one image (inputs per channel): the packed program, the mask of the other slots, flooding. */
  async evaluateSingle(s: SessionKeys, inputs: readonly Ciphertext[][]): Promise<{ outputs: Ciphertext[][]; computeMs: number; floodMs: number }> {
    const sp = this.single!;
    let t = performance.now();
    const level = sp.plan.inputLevel;
    const image = { channels: inputs.map((cts, j) => cts.map((ct) => (ct.level < level ? sp.evaluators[j].modSwitchTo(ct, level) : ct))) };
    const raw = await s.single!.run(image);
    const computeMs = performance.now() - t;
    t = performance.now();
    const outputs = raw.channels.map((ct, j) => [this.flood(s, j, sp.evaluators[j].addPlain(ct, this.slotMask(j)))]);
    return { outputs, computeMs, floodMs: performance.now() - t };
  }

  /** Uniform values mod t_j (CSPRNG, rejection sampling) in every slot that holds no logit, 0 in those that do. */
  private slotMask(j: number) {
    const sp = this.single!;
    const t = Number(this.contexts[j].t);
    const rng = systemRandom();
    const limit = Math.floor(2 ** 32 / t) * t;
    const values = new Array<number>(this.contexts[j].n);
    for (let i = 0; i < values.length; i++) {
      let r: number;
      do r = rng.nextUint32(); while (r >= limit);
      values[i] = r % t;
    }
    for (const slot of sp.plan.outputSlots) values[slot] = 0;
    return sp.encoders[j].encode(values);
  }

  private flood(s: SessionKeys, j: number, ct: Ciphertext): Ciphertext {
    const f = this.plan.flooding;
    return f ? s.flooders[j].flood(ct, { noiseBound: this.noiseBounds[j], statisticalSecurity: f.statisticalSecurity, ciphertexts: f.ciphertexts }) : ct;
  }
}

/**
 * Exact serialized sizes for a context, measured with the real serializers on
 * keys with zero b parts: full forms (the caps accept either form) and seeded
 * forms (what a QheClient sends), whose a parts are their seed's expansion.
 */
function objectSizes(ctx: BfvContext, galoisElements: readonly number[], single: SinglePlan | null) {
  const zero = (level = 0): RnsPoly => RnsPoly.zero(keyBaseAt(ctx, level), 'ntt');
  const seed = new Uint8Array(32);
  const kswitch = (seeded: boolean, level = 0): KSwitchKey => {
    const d = ctx.level(level).digits.length;
    const seededA = expandKeySeed(keyBaseAt(ctx, level), seed, d);
    return new KSwitchKey(ctx, seededA.map((a) => ({ b: zero(level), a: seeded ? a : zero(level) })), undefined, level, seeded ? seed : undefined);
  };
  // Caps: every key at level 0 (the largest); the card's bytes: single-mode keys at the levels the plan makes them for.
  const galois = (seeded: boolean, levels: ReadonlyMap<number, number> | null): number =>
    galoisElements.length ? serializeGaloisKeys(new GaloisKeys(ctx, new Map(galoisElements.map((g) => [g, kswitch(seeded, levels?.get(g) ?? 0)])))).length : 0;
  const publicKey = serializePublicKey(new PublicKey(ctx, zero(), zero())).length;
  const relinKeys = serializeRelinKeys(new RelinKeys(ctx, kswitch(false))).length;
  const galoisKeys = galois(false, null);
  const seededKeys = serializePublicKey(new PublicKey(ctx, zero(), expandKeySeed(ctx.keyBase, seed, 1)[0], undefined, seed)).length
    + serializeRelinKeys(new RelinKeys(ctx, kswitch(true, single?.relinLevel ?? 0))).length + galois(true, single?.galoisKeyLevels ?? null);
  const ciphertext = (level: number): number => serializeCiphertext(Ciphertext.empty(ctx, level, 2), { seeded: false }).length;
  // A throwaway key: only the length of a seeded symmetric ciphertext is kept.
  const sk = new KeyGenerator(ctx).secretKey;
  const seededCiphertext = serializeCiphertext(new Encryptor(ctx, { secretKey: sk }).encryptSymmetric(Plaintext.zero(ctx)), { seeded: true }).length;
  return { publicKey, relinKeys, galoisKeys, seededKeys, ciphertext, seededCiphertext };
}
