/**
 * The worker side of WorkerPool (pool.ts): one per thread, holding its own
 * BfvContext per parameter set and the evaluation keys registered with the pool.
 *
 * What arrives once: `context` messages (frozen BfvParameters; the NTT tables,
 * BEHZ/HPS bases and constants are rebuilt here deterministically, so sending the
 * parameters is sending the tables) and `keys` messages (relinearization and
 * Galois key residues in SharedArrayBuffers, read in place by every worker).
 * What arrives per job: a list of items, each an entry of the operation table
 * (operations.ts) with its wire arguments, whose ciphertext operands are
 * descriptors of shared arrays; results are written into shared outputs the
 * caller allocated (or, for `map`, into shared arrays allocated here). This file
 * only provides the WorkerScope the entries run in; what each item does is the
 * entry's `work`.
 */
import { parentPort } from 'node:worker_threads';
import type { Ciphertext } from '../ciphertext.js';
import { BfvContext } from '../context.js';
import { Evaluator } from '../evaluator.js';
import { GaloisKeys, KSwitchKey, RelinKeys, keyBaseAt } from '../keys.js';
import { QheError } from '../math/errors.js';
import type { Residues } from '../math/kernel.js';
import { RnsPoly } from '../math/poly.js';
import { OPERATIONS, isOperationName, type JobItem, type MapFunction, type WorkerScope } from './operations.js';
import { ciphertextFrom, parametersLiteral, sameParameters, type FromWorker, type KeyPayload, type SharedCiphertext, type SharedKSwitchKey, type ToWorker } from './protocol.js';

if (!parentPort) throw new Error('qhe parallel worker: expected to run inside worker_threads');
const port = parentPort;

interface Env {
  readonly ctx: BfvContext;
  readonly ev: Evaluator;
  /** Multiplication (BEHZ/HPS) scratch per level, reused across jobs (a worker runs one job at a time). */
  readonly scratch: Map<number, Residues>;
}

const envs = new Map<string, Env>();
const refused = new Map<string, string>();
const keyring = new Map<number, RelinKeys | GaloisKeys>();
const programs = new Map<string, MapFunction>();

function env(id: string): Env {
  const e = envs.get(id);
  if (!e) throw new QheError('PARAMETER_MISMATCH', refused.get(id) ?? `worker: expected a registered context, got ${id}`);
  return e;
}

function kswitch(ctx: BfvContext, k: SharedKSwitchKey): KSwitchKey {
  const base = keyBaseAt(ctx, k.level);
  return new KSwitchKey(
    ctx,
    k.b.map((b, i) => ({ b: new RnsPoly(base, b, 'ntt'), a: new RnsPoly(base, k.a[i], 'ntt') })),
    undefined,
    k.level,
  );
}

function registerKeys(ctx: BfvContext, keyId: number, payload: KeyPayload): void {
  if (payload.kind === 'relin') keyring.set(keyId, new RelinKeys(ctx, kswitch(ctx, payload.key)));
  else keyring.set(keyId, new GaloisKeys(ctx, new Map(payload.keys.map(({ elt, key }) => [elt, kswitch(ctx, key)]))));
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

/**
 * The scope of one job. Descriptors that reference the same arrays (structured
 * clone preserves identity within a message) map to one Ciphertext object, so
 * `out === a` in the caller is `out === a` here.
 */
class JobScope implements WorkerScope {
  private readonly byArray = new Map<Residues, Ciphertext>();
  readonly context: BfvContext;
  readonly evaluator: Evaluator;

  constructor(private readonly e: Env) {
    this.context = e.ctx;
    this.evaluator = e.ev;
  }

  ciphertext(d: SharedCiphertext): Ciphertext {
    let ct = this.byArray.get(d.polys[0]);
    if (!ct || ct.polys.length !== d.polys.length) {
      ct = ciphertextFrom(this.context, d);
      this.byArray.set(d.polys[0], ct);
    }
    return ct;
  }

  outputs(ds: readonly SharedCiphertext[], fn: (outs: readonly Ciphertext[]) => void): void {
    const outs = ds.map((d) => this.ciphertext(d));
    fn(outs);
    ds.forEach((d, k) => {
      const out = outs[k];
      if (out.level !== d.level || out.polys.length !== d.polys.length)
        throw new QheError('WORKER_FAILED', `worker: expected a result at level ${d.level} of size ${d.polys.length}, got level ${out.level} size ${out.polys.length}`);
      // Replaced polynomials: copy the values into the shared arrays and restore the view.
      if (out.polys.some((p, j) => p.data !== d.polys[j])) {
        const kernel = this.context.kernel;
        out.polys.forEach((p, j) => kernel.copy(p.data, d.polys[j]));
        out.polys = ciphertextFrom(this.context, d).polys;
      }
    });
  }

  keys<T extends RelinKeys | GaloisKeys>(id: number, kind: abstract new (...args: never[]) => T): T {
    const k = keyring.get(id);
    if (!(k instanceof kind)) throw new QheError('WORKER_FAILED', `worker: expected registered ${kind.name} ${String(id)}`);
    return k;
  }

  scratch(level: number): Residues {
    let s = this.e.scratch.get(level);
    if (!s) this.e.scratch.set(level, (s = this.context.kernel.alloc(this.context.level(level).mulScratchLimbs * this.context.n)));
    return s;
  }

  compile(src: string): MapFunction {
    return compile(src);
  }
}

function runItem(scope: JobScope, item: JobItem): unknown {
  if (!isOperationName(item.op)) throw new QheError('INVALID_ARGUMENT', `worker: expected a known operation, got ${JSON.stringify(item.op)}`);
  return OPERATIONS[item.op].work(scope, item);
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
        const scope = new JobScope(env(m.ctx));
        const results = m.items.map((item) => runItem(scope, item));
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
