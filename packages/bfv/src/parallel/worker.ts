/**
 * The worker side of WorkerPool (pool.ts): one per thread, holding its own
 * BfvContext per parameter set and the evaluation keys registered with the pool.
 *
 * What arrives once: `context` messages (frozen BfvParameters; the NTT tables,
 * BEHZ bases and constants are rebuilt here deterministically, so sending the
 * parameters is sending the tables) and `keys` messages (relinearization and
 * Galois key residues in SharedArrayBuffers, read in place by every worker).
 * What arrives per job: a list of operations whose ciphertext operands are
 * descriptors of shared arrays; results are written into shared outputs the
 * caller allocated (or, for `map`, into shared arrays allocated here).
 *
 * Every operation runs the synchronous Evaluator on views of the shared
 * memory, so results are bit-identical to it by construction. The exception
 * is the three stages of a limb-parallel multiply (mulExtend, mulTensor,
 * mulFloor): the same BEHZ stage functions Evaluator.multiplyInto runs
 * (behz-multiply.ts), here on ranges (see ParallelEvaluator.multiply for the split).
 */
import { parentPort } from 'node:worker_threads';
import { Ciphertext, Plaintext } from '../ciphertext.js';
import { behzExtend, behzFloor, behzTensor } from '../behz-multiply.js';
import { BfvContext } from '../context.js';
import { Evaluator } from '../evaluator.js';
import { GaloisKeys, KSwitchKey, RelinKeys } from '../keys.js';
import { QheError } from '../math/errors.js';
import type { Residues } from '../math/kernel.js';
import { RnsPoly } from '../math/poly.js';
import { ciphertextFrom, isShared, parametersLiteral, sameParameters, type FromWorker, type JobItem, type KeyPayload, type SharedCiphertext, type SharedKSwitchKey, type ToWorker } from './protocol.js';

if (!parentPort) throw new Error('qhe parallel worker: expected to run inside worker_threads');
const port = parentPort;

interface Env {
  readonly ctx: BfvContext;
  readonly ev: Evaluator;
  /** BEHZ scratch per level, reused across jobs (a worker runs one job at a time). */
  readonly scratch: Map<number, Residues>;
}

const envs = new Map<string, Env>();
const refused = new Map<string, string>();
const keyring = new Map<number, RelinKeys | GaloisKeys>();
const programs = new Map<string, MapFunction>();

/** The signature of `ParallelEvaluator.map` functions, as they run here. */
export type MapFunction = (ct: Ciphertext, env: MapEnvironment) => Ciphertext;
export interface MapEnvironment {
  readonly context: BfvContext;
  readonly evaluator: Evaluator;
  readonly relinKeys: RelinKeys | undefined;
  readonly galoisKeys: GaloisKeys | undefined;
  /** Position of `ct` in the list passed to `map`. */
  readonly index: number;
  readonly args: unknown;
}

function env(id: string): Env {
  const e = envs.get(id);
  if (!e) throw new QheError('PARAMETER_MISMATCH', refused.get(id) ?? `worker: expected a registered context, got ${id}`);
  return e;
}

function kswitch(ctx: BfvContext, k: SharedKSwitchKey): KSwitchKey {
  const base = ctx.keyBase;
  return new KSwitchKey(
    ctx,
    k.b.map((b, i) => ({ b: new RnsPoly(base, b, 'ntt'), a: new RnsPoly(base, k.a[i], 'ntt') })),
  );
}

function registerKeys(ctx: BfvContext, keyId: number, payload: KeyPayload): void {
  if (payload.kind === 'relin') keyring.set(keyId, new RelinKeys(ctx, kswitch(ctx, payload.key)));
  else keyring.set(keyId, new GaloisKeys(ctx, new Map(payload.keys.map(({ elt, key }) => [elt, kswitch(ctx, key)]))));
}

function keys<T extends RelinKeys | GaloisKeys>(id: unknown, kind: new (...a: never[]) => T): T {
  const k = keyring.get(id as number);
  if (!(k instanceof kind)) throw new QheError('WORKER_FAILED', `worker: expected registered ${kind.name} ${String(id)}`);
  return k;
}

/**
 * Per-job view of shared ciphertexts. Descriptors that reference the same
 * arrays (structured clone preserves identity within a message) map to one
 * Ciphertext object, so `out === a` in the caller is `out === a` here.
 */
class Views {
  private readonly byArray = new Map<Residues, Ciphertext>();
  constructor(private readonly ctx: BfvContext) {}

  get(d: SharedCiphertext): Ciphertext {
    let ct = this.byArray.get(d.polys[0]);
    if (!ct || ct.polys.length !== d.polys.length) {
      ct = ciphertextFrom(this.ctx, d);
      this.byArray.set(d.polys[0], ct);
    }
    return ct;
  }

  /**
   * Runs `fn` with the output view and makes sure the result landed in the
   * shared arrays: an Evaluator may replace `out.polys` (modSwitchToNextInto
   * does), in which case the values are copied back and the view restored.
   */
  into(d: SharedCiphertext, fn: (out: Ciphertext) => Ciphertext): void {
    const out = this.get(d);
    const r = fn(out);
    if (r.level !== d.level || r.polys.length !== d.polys.length)
      throw new QheError('WORKER_FAILED', `worker: expected a result at level ${d.level} of size ${d.polys.length}, got level ${r.level} size ${r.polys.length}`);
    for (let k = 0; k < d.polys.length; k++) if (r.polys[k].data !== d.polys[k]) (d.polys[k] as Int32Array).set(r.polys[k].data as Int32Array);
    if (out.polys.some((p, k) => p.data !== d.polys[k]) || out.level !== d.level) {
      const fresh = ciphertextFrom(this.ctx, d);
      out.level = fresh.level;
      out.polys = fresh.polys;
    }
  }
}

function compile(src: string): MapFunction {
  let f = programs.get(src);
  if (!f) {
    // The caller's own function, re-created from its source: it may use only its
    // arguments (no closure), which ParallelEvaluator.map documents.
    f = new Function(`return (${src});`)() as MapFunction;
    if (typeof f !== 'function') throw new QheError('INVALID_ARGUMENT', 'map: expected a function');
    programs.set(src, f);
  }
  return f;
}

function scratchFor(e: Env, levelIndex: number): Residues {
  let s = e.scratch.get(levelIndex);
  if (!s) e.scratch.set(levelIndex, (s = e.ctx.kernel.alloc(e.ctx.level(levelIndex).behz.scratchLimbs * e.ctx.n)));
  return s;
}

function runItem(e: Env, v: Views, item: JobItem): unknown {
  const { ctx, ev } = e;
  const a = item.args as Record<string, any>;
  const ct = (d: SharedCiphertext) => v.get(d);
  switch (item.op) {
    case 'add': return v.into(a.out, (o) => ev.addInto(ct(a.a), ct(a.b), o));
    case 'sub': return v.into(a.out, (o) => ev.subInto(ct(a.a), ct(a.b), o));
    case 'negate': return v.into(a.out, (o) => ev.negateInto(ct(a.a), o));
    case 'addPlain': return v.into(a.out, (o) => ev.addPlainInto(ct(a.a), new Plaintext(ctx, a.pt), o));
    case 'subPlain': return v.into(a.out, (o) => ev.subPlainInto(ct(a.a), new Plaintext(ctx, a.pt), o));
    case 'multiplyPlain': return v.into(a.out, (o) => ev.multiplyPlainInto(ct(a.a), new Plaintext(ctx, a.pt), o));
    case 'multiplyScalar': return v.into(a.out, (o) => ev.multiplyScalarInto(ct(a.a), a.c, o));
    case 'multiplyScalarAdd': return v.into(a.acc, (o) => ev.multiplyScalarAddInto(ct(a.a), a.c, o));
    case 'multiply': return v.into(a.out, (o) => ev.multiplyInto(ct(a.a), ct(a.b), o));
    case 'square': return v.into(a.out, (o) => ev.squareInto(ct(a.a), o));
    case 'multiplyRelinearize': {
      const rk = keys(a.key, RelinKeys);
      const x = ct(a.a);
      const product = a.b ? ev.multiply(x, ct(a.b)) : ev.square(x);
      return v.into(a.out, (o) => ev.relinearizeInto(product, rk, o));
    }
    case 'relinearize': return v.into(a.out, (o) => ev.relinearizeInto(ct(a.a), keys(a.key, RelinKeys), o));
    case 'applyGalois': return v.into(a.out, (o) => ev.applyGaloisInto(ct(a.a), a.elt, keys(a.key, GaloisKeys), o));
    case 'rotateRows': return v.into(a.out, (o) => ev.rotateRowsInto(ct(a.a), a.steps, keys(a.key, GaloisKeys), o));
    case 'rotateColumns': return v.into(a.out, (o) => ev.rotateColumnsInto(ct(a.a), keys(a.key, GaloisKeys), o));
    case 'modSwitchToNext': return v.into(a.out, (o) => ev.modSwitchToNextInto(ct(a.a), o));
    case 'linear': return linear(e, v, a);
    case 'map': return map(e, v, a);
    // The stages of a limb-parallel multiply (behz-multiply.ts; split by ParallelEvaluator.multiply).
    case 'mulExtend': return behzExtend(e.ctx.level(a.level), e.ctx.n, a.src, a.dst, scratchFor(e, a.level));
    case 'mulTensor': return behzTensor(e.ctx.level(a.level), e.ctx.kernel, e.ctx.n, a.ea, a.eb, a.d, a.from, a.to);
    case 'mulFloor': return behzFloor(e.ctx.level(a.level), e.ctx.kernel, e.ctx.n, a.d, a.out, scratchFor(e, a.level));
    default: throw new QheError('INVALID_ARGUMENT', `worker: expected a known operation, got ${JSON.stringify(item.op)}`);
  }
}

/** Outputs [o0, o1) of a linear layer: out_o = Σ_k w[o·taps+k] · in[index[o·taps+k]], in the order a sequential loop uses. */
function linear(e: Env, v: Views, a: Record<string, any>): void {
  const { ev } = e;
  const inputs = (a.inputs as SharedCiphertext[]).map((d) => v.get(d));
  const index = a.index as Uint32Array, weight = a.weight as Int32Array, taps = a.taps as number;
  (a.outs as SharedCiphertext[]).forEach((d, o) => {
    v.into(d, (out) => {
      ev.multiplyScalarInto(inputs[index[o * taps]], weight[o * taps], out);
      for (let k = 1; k < taps; k++) ev.multiplyScalarAddInto(inputs[index[o * taps + k]], weight[o * taps + k], out);
      return out;
    });
  });
}

function map(e: Env, v: Views, a: Record<string, any>): SharedCiphertext[] {
  const f = compile(a.src);
  const relinKeys = a.relin === undefined ? undefined : keys(a.relin, RelinKeys);
  const galoisKeys = a.galois === undefined ? undefined : keys(a.galois, GaloisKeys);
  return (a.cts as SharedCiphertext[]).map((d, i) => {
    const r = f(v.get(d), { context: e.ctx, evaluator: e.ev, relinKeys, galoisKeys, index: a.offset + i, args: a.args });
    if (!(r instanceof Ciphertext)) throw new QheError('INVALID_ARGUMENT', `map: expected the function to return a Ciphertext, got ${typeof r}`);
    return { level: r.level, polys: r.polys.map((p) => (isShared(p.data) ? p.data : p.clone(true).data)) };
  });
}

// ---- message loop -----------------------------------------------------------------

function post(m: FromWorker): void {
  port.postMessage(m);
}

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'context': {
      if (envs.has(m.ctx)) return;
      const ctx = new BfvContext(parametersLiteral(m.params));
      // Other parameters would mean other tables than the caller's: refuse every job on this context.
      if (!sameParameters(ctx.params, m.params)) {
        refused.set(m.ctx, `worker: rebuilt parameters ${ctx.id} differ from the caller's`);
        return;
      }
      envs.set(m.ctx, { ctx, ev: new Evaluator(ctx), scratch: new Map() });
      return;
    }
    case 'keys':
      registerKeys(env(m.ctx).ctx, m.keyId, m.payload);
      return;
    case 'release':
      keyring.delete(m.keyId);
      return;
    case 'job': {
      try {
        const e = env(m.ctx);
        const v = new Views(e.ctx);
        const results = m.items.map((item) => runItem(e, v, item));
        post({ t: 'done', job: m.job, results });
      } catch (err) {
        const x = err as { name?: unknown; message?: unknown };
        post({
          t: 'fail',
          job: m.job,
          code: err instanceof QheError ? err.code : undefined,
          name: typeof x?.name === 'string' ? x.name : 'Error',
          message: typeof x?.message === 'string' ? x.message : String(err),
        });
      }
      return;
    }
  }
});

post({ t: 'ready' });
