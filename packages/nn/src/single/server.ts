/**
 * The server of `single` mode: evaluation keys only (public, relinearization,
 * the plan's Galois keys). It prepares the packed program once per CRT channel
 * — every diagonal reduced mod t_j, encoded and lifted to Q·P in NTT form by
 * bfv's LinearTransform (the model owner's setup, not per image) — and runs it
 * on each image.
 *
 * The channels are independent circuits; the server advances all of them layer
 * by layer (a barrier per layer, so per-layer times are wall-clock times of the
 * whole layer): on the worker pool each channel's op is one job, so the
 * channels spread over the workers.
 *
 * A term whose factor vanishes mod t_j drops out of that channel; an op left
 * with nothing (every factor ≡ 0, or an activation a·x² + b·x + c with
 * a ≡ b ≡ 0) yields the public constant, encrypted with the public key so the
 * output is never transparent.
 */
import { BatchEncoder, CoefficientEncoder, Encryptor, Evaluator, GaloisKeys, LinearTransform, Plaintext, PublicKey, QheError, RelinKeys, type BfvContext, type Ciphertext } from '@qhe/bfv';
import type { WorkerPool } from '@qhe/bfv/parallel';
import { EvaluatorSingleBackend, PoolSingleBackend, type SingleBackend } from './backend.js';
import type { EncryptedImage, EncryptedLogits, SingleServerKeys } from './client.js';
import type { SinglePlan } from './planner.js';
import { galoisElementOf } from './slots.js';

export interface SingleLayerReport {
  readonly index: number;
  readonly type: string;
  /** Wall-clock time of the layer over all channels. */
  readonly ms: number;
  readonly level: number;
  readonly predictedBudget: number;
  /** The layer's output ciphertext in every channel, for client-side budget probes. */
  readonly samples: readonly Ciphertext[];
}

export interface SingleRunOptions {
  readonly onLayerStart?: (index: number, type: string) => void;
  readonly onLayer?: (report: SingleLayerReport) => void;
}

export type SingleBackendFactory = (context: BfvContext, keys: SingleServerKeys['channels'][number], channels: number) => SingleBackend;

/** Runs every channel's ops on the worker pool (channels spread over the workers). */
export function singlePoolBackend(pool: WorkerPool): SingleBackendFactory {
  return (context, keys, channels) => new PoolSingleBackend(context, pool, keys, channels);
}

/** One op of the program prepared for a channel (constants encoded mod t_j, transforms lifted to Q·P). */
export type PreparedOp =
  | { readonly kind: 'transform'; readonly layer: number; readonly inputs: readonly number[]; readonly out: number; readonly lt: LinearTransform | null; readonly level: number }
  | { readonly kind: 'addPlain'; readonly layer: number; readonly reg: number; readonly pt: Plaintext | null }
  | { readonly kind: 'square'; readonly layer: number; readonly reg: number }
  | { readonly kind: 'polynomial'; readonly layer: number; readonly reg: number; readonly a: bigint | Plaintext; readonly b: bigint | Plaintext; readonly c: Plaintext | null; readonly level: number }
  | { readonly kind: 'modSwitch'; readonly layer: number; readonly regs: readonly number[]; readonly level: number };

interface Channel {
  readonly context: BfvContext;
  readonly backend: SingleBackend;
  readonly ops: readonly PreparedOp[];
  readonly encryptor: Encryptor;
  readonly evaluator: Evaluator;
  readonly scalar: CoefficientEncoder;
}

const mod = (v: bigint, t: bigint): bigint => ((v % t) + t) % t;

export class SingleServer {
  private readonly channels: Channel[];

  /**
   * `prepared`: the program prepared once for these contexts (prepareSingleProgram),
   * shared by every server made with keys over the same contexts — a service
   * holds one per model, not one per session. Default: prepared here.
   */
  constructor(readonly plan: SinglePlan, keys: SingleServerKeys, backend?: SingleBackendFactory, prepared?: PreparedProgram) {
    if (plan?.mode !== 'single') throw new QheError('INVALID_ARGUMENT', `SingleServer: expected a plan from planSingle, got ${plan?.mode ?? typeof plan}`);
    if (!keys || !Array.isArray(keys.channels) || keys.channels.length !== plan.plainModuli.length)
      throw new QheError('MISSING_KEY', `SingleServer: expected keys for ${plan.plainModuli.length} channels, got ${Array.isArray(keys?.channels) ? keys.channels.length : typeof keys}`);
    keys.channels.forEach((ch, j) => {
      if (!(ch?.publicKey instanceof PublicKey) || !(ch.relinKeys instanceof RelinKeys) || !(ch.galoisKeys instanceof GaloisKeys) || Object.keys(ch).some((k) => k !== 'publicKey' && k !== 'relinKeys' && k !== 'galoisKeys'))
        throw new QheError('INVALID_ARGUMENT', `SingleServer: expected only { publicKey, relinKeys, galoisKeys } per channel, got { ${ch ? Object.keys(ch).join(', ') : ch} } for channel ${j}`);
      const ctx = ch.publicKey.context;
      if (ctx.t !== plan.plainModuli[j] || ctx.n !== plan.polyDegree)
        throw new QheError('PARAMETER_MISMATCH', `SingleServer: expected channel ${j}'s keys for N = ${plan.polyDegree}, t = ${plan.plainModuli[j]}, got N = ${ctx.n}, t = ${ctx.t}`);
      ctx.assertSame('SingleServer', ch.relinKeys);
      ctx.assertSame('SingleServer', ch.galoisKeys);
      for (const g of plan.galoisElements) ch.galoisKeys.get(g); // MISSING_KEY now rather than mid-image
    });
    const make: SingleBackendFactory = backend ?? ((ctx, k) => new EvaluatorSingleBackend(ctx, k));
    if (prepared && (prepared.plan !== plan || prepared.channels.some((c, j) => c.context !== keys.channels[j].publicKey.context)))
      throw new QheError('PARAMETER_MISMATCH', 'SingleServer: expected a program prepared for this plan and the keys\' contexts, got another');
    this.channels = keys.channels.map((k, j) => {
      const context = k.publicKey.context;
      const be = make(context, k, plan.plainModuli.length);
      if (prepared && prepared.shared !== be.sharedTransforms)
        throw new QheError('INVALID_ARGUMENT', `SingleServer: expected a program prepared ${be.sharedTransforms ? 'in shared memory' : 'in local memory'} for backend ${be.name}, got the other`);
      return { context, backend: be, ops: prepared?.channels[j].ops ?? prepare(plan, context, be.sharedTransforms), encryptor: new Encryptor(context, { publicKey: k.publicKey }), evaluator: new Evaluator(context), scalar: new CoefficientEncoder(context) };
    });
  }

  get backendName(): string {
    return this.channels[0].backend.name;
  }

  /** The logits of one image (all channels, advanced together layer by layer). */
  async run(image: EncryptedImage, options: SingleRunOptions = {}): Promise<EncryptedLogits> {
    const fn = 'SingleServer.run';
    const k = this.channels.length, inputs = this.plan.program.inputCount;
    if (!image || !Array.isArray(image.channels) || image.channels.length !== k)
      throw new QheError('LENGTH_MISMATCH', `${fn}: expected ${k} channels, got ${Array.isArray(image?.channels) ? image.channels.length : typeof image}`);
    const regs = image.channels.map((cts, j) => {
      if (!Array.isArray(cts) || cts.length !== inputs) throw new QheError('LENGTH_MISMATCH', `${fn}: expected ${inputs} ciphertexts in channel ${j}, got ${Array.isArray(cts) ? cts.length : typeof cts}`);
      const ctx = this.channels[j].context;
      for (const ct of cts) {
        ctx.assertSame(fn, ct);
        if (ct.level !== this.plan.inputLevel || ct.size !== 2)
          throw new QheError('PARAMETER_MISMATCH', `${fn}: expected channel ${j}'s inputs at level ${this.plan.inputLevel}, size 2, got level ${ct.level}, size ${ct.size}`);
      }
      const r: (Ciphertext | null)[] = new Array(this.plan.program.registers).fill(null);
      cts.forEach((ct, i) => (r[i] = ct));
      return r;
    });
    for (const layer of this.plan.layers) {
      options.onLayerStart?.(layer.index, layer.type);
      const start = performance.now();
      await Promise.all(this.channels.map((ch, j) => this.runLayer(ch, regs[j], layer.index)));
      const out = this.plan.layerOutputs[layer.index];
      options.onLayer?.({ index: layer.index, type: layer.type, ms: performance.now() - start, level: layer.level, predictedBudget: layer.predictedBudget, samples: regs.map((r) => r[out]!) });
    }
    return { channels: regs.map((r) => r[this.plan.program.output]!) };
  }

  private async runLayer(ch: Channel, regs: (Ciphertext | null)[], layer: number): Promise<void> {
    const be = ch.backend;
    for (const op of ch.ops) {
      if (op.layer !== layer) continue;
      switch (op.kind) {
        case 'transform':
          regs[op.out] = op.lt ? await be.transform(op.inputs.map((i) => regs[i]!), op.lt) : this.zero(ch, op.level);
          break;
        case 'addPlain':
          if (op.pt) regs[op.reg] = await be.addPlain(regs[op.reg]!, op.pt);
          break;
        case 'square':
          regs[op.reg] = await be.square(regs[op.reg]!);
          break;
        case 'polynomial': {
          const vanishes = (f: bigint | Plaintext): boolean => (typeof f === 'bigint' ? f === 0n : f.isZero());
          if (vanishes(op.a) && vanishes(op.b)) {
            const z = this.zero(ch, op.level);
            regs[op.reg] = op.c ? ch.evaluator.addPlainInto(z, op.c, z) : z;
          } else regs[op.reg] = await be.polynomial(regs[op.reg]!, op.a, op.b, op.c);
          break;
        }
        case 'modSwitch':
          for (const r of op.regs) regs[r] = await be.modSwitchTo(regs[r]!, op.level);
          break;
      }
    }
  }

  /** A fresh encryption of 0 at `level` (public-key encryption: never transparent). */
  private zero(ch: Channel, level: number): Ciphertext {
    const ct = ch.encryptor.encrypt(ch.scalar.encodeScalar(0));
    return level > 0 ? ch.evaluator.modSwitchTo(ct, level) : ct;
  }
}

/** A plan's program prepared for each channel's context (the model owner's setup; key-independent). */
export interface PreparedProgram {
  readonly plan: SinglePlan;
  readonly shared: boolean;
  readonly channels: readonly { readonly context: BfvContext; readonly ops: readonly PreparedOp[] }[];
}

/** Prepares the program once for `contexts` (one per channel); `shared`: in shared memory, for the worker pool backend. */
export function prepareSingleProgram(plan: SinglePlan, contexts: readonly BfvContext[], shared: boolean): PreparedProgram {
  if (contexts.length !== plan.plainModuli.length || contexts.some((c, j) => c.t !== plan.plainModuli[j] || c.n !== plan.polyDegree))
    throw new QheError('PARAMETER_MISMATCH', `prepareSingleProgram: expected ${plan.plainModuli.length} contexts with N = ${plan.polyDegree}, t = ${plan.plainModuli.join(', ')}, got ${contexts.map((c) => `t = ${c.t}`).join(', ')}`);
  return { plan, shared, channels: contexts.map((context) => ({ context, ops: prepare(plan, context, shared) })) };
}

/** The program of channel `context` with its constants reduced mod t and encoded (LinearTransform prepares Q·P forms). */
function prepare(plan: SinglePlan, context: BfvContext, shared: boolean): PreparedOp[] {
  const t = context.t, n = context.n;
  const encoder = new BatchEncoder(context);
  const encodeInts = (values: ArrayLike<number>): Plaintext => encoder.encode(Array.from(values, (v) => { const r = v % Number(t); return r < 0 ? r + Number(t) : r; }));
  const encodeBig = (values: readonly bigint[]): Plaintext | null => (values.some((v) => mod(v, t) !== 0n) ? encoder.encode(values.map((v) => mod(v, t))) : null);
  const factor = (f: bigint | readonly bigint[]): bigint | Plaintext => (typeof f === 'bigint' ? mod(f, t) : (encodeBig(f) ?? 0n));
  let level = plan.inputLevel;
  const out: PreparedOp[] = [];
  for (const op of plan.program.ops) {
    switch (op.kind) {
      case 'transform': {
        const terms = [];
        for (const term of op.terms) {
          const baby = galoisElementOf(n, term.baby), giant = galoisElementOf(n, term.giant);
          if (typeof term.diagonal === 'number') {
            const d = mod(BigInt(term.diagonal), t);
            if (d !== 0n) terms.push({ input: term.input, baby, giant, diagonal: d });
          } else {
            const pt = encodeInts(term.diagonal);
            if (!pt.isZero()) terms.push({ input: term.input, baby, giant, diagonal: pt });
          }
        }
        const lt = terms.length ? LinearTransform.create(context, { level, inputs: op.inputs.length, terms, shared }) : null;
        out.push({ kind: 'transform', layer: op.layer, inputs: op.inputs, out: op.out, lt, level });
        break;
      }
      case 'addPlain':
        out.push({ kind: 'addPlain', layer: op.layer, reg: op.reg, pt: encodeBig(op.values) });
        break;
      case 'square':
        out.push({ kind: 'square', layer: op.layer, reg: op.reg });
        break;
      case 'polynomial':
        out.push({ kind: 'polynomial', layer: op.layer, reg: op.reg, a: factor(op.a), b: factor(op.b), c: encodeBig(op.c), level });
        break;
      case 'modSwitch':
        level = op.level;
        out.push({ kind: 'modSwitch', layer: op.layer, regs: op.regs, level });
        break;
    }
  }
  return out;
}
