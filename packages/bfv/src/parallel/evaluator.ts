/**
 * ParallelEvaluator: the operations of the synchronous Evaluator (evaluator.ts)
 * as promises, computed on a WorkerPool, plus batch calls over independent
 * ciphertexts. Results are bit-identical to the Evaluator's: every worker
 * operation runs the Evaluator itself on the shared arrays (worker.ts).
 *
 * Parallelism:
 * - Batch calls (`multiplyMany`, `relinearizeMany`, `multiplyRelinearizeMany`,
 *   `linearMany`, `map`, …) split their list into contiguous chunks, a few per
 *   worker, one job each. This is where the cores count: independent
 *   ciphertexts need no synchronisation at all.
 * - One `multiply` can also be split (option `limbParallel`): steps 1–2 of
 *   multiply.ts (BEHZ or HPS) per input polynomial, steps 3–4 (tensor, inverse
 *   NTT) per range of limbs of q ∪ A, steps 5–6 (scaling into A, A → q) per
 *   output polynomial: three rounds
 *   of jobs with the pool's queue as the barrier. `npm run bench:pool` workload b
 *   measures it (N = 8192, 2 workers: 1.8× on one multiply); on by default
 *   for N ≥ 4096 (option `limbParallel`).
 *
 * Memory: operands must live in SharedArrayBuffers for workers to compute in
 * place. Inputs that do not are moved there once, in place (`adoptShared`:
 * same values, new storage); outputs are allocated shared. `…Into(…, out)`
 * reshapes `out` before the job runs (its old values are gone even if the job
 * fails); do not read or write a ciphertext while a job that uses it runs.
 *
 * Validation happens before dispatch with the Evaluator's error codes, so an
 * invalid call rejects without reaching a worker.
 *
 * Every operation is an entry of the pool's operation table (operations.ts):
 * `perform(op, args, outs?)` and `performMany(op, argLists)` run any entry, and
 * the named methods below are one-line wrappers over them.
 */
import { Ciphertext, type Plaintext } from '../ciphertext.js';
import { assertContext, type BfvContext } from '../context.js';
import { GaloisKeys, RelinKeys } from '../keys.js';
import type { LinearTransform } from '../linear-transform.js';
import { fail } from '../math/errors.js';
import type { Residues } from '../math/kernel.js';
import { RnsPoly } from '../math/poly.js';
import {
  assertCiphertexts,
  assertGaloisKeys,
  assertOutput,
  assertRelinKeys,
  assertTargetLevel,
  operandsKeyId,
  optionsOperand,
  scalarOperand,
} from '../operands.js';
import {
  OPERATIONS,
  taskItem,
  type ArgCodec,
  type CallerScope,
  type EvaluatorOp,
  type EvaluatorOpName,
  type JobItem,
  type MapFunction,
  type OperationArgs,
} from './operations.js';
import { noteSharedAllocation } from './collector.js';
import { adoptShared, ciphertextFrom, describeCiphertext, isShared, type SharedCiphertext } from './protocol.js';
import { WorkerPool } from './pool.js';

export type { MapFunction, MapEnvironment } from './operations.js';

export interface ParallelEvaluatorOptions {
  /**
   * Split a single multiply across workers (see the module comment). Default
   * 'auto': split when the pool has ≥ 2 workers and N ≥ 4096 (at N = 8192 with
   * 2 workers one multiply took 17.7 ms split vs 31.5 ms whole; below 4096 the
   * three round trips weigh more than the work).
   */
  readonly limbParallel?: boolean | 'auto';
  /** Jobs per worker that batch calls aim for (more balances uneven cores, fewer saves round trips). Default 4. */
  readonly chunksPerWorker?: number;
}

export interface MapOptions {
  readonly relinKeys?: RelinKeys;
  readonly galoisKeys?: GaloisKeys;
  /** Structured-cloneable data passed to the function as `env.args`. */
  readonly args?: unknown;
}

/** A linear layer: output o = Σ_{k < taps} weight[o·taps + k] · inputs[index[o·taps + k]]. */
export interface LinearPlan {
  readonly taps: number;
  readonly index: ArrayLike<number>;
  readonly weight: ArrayLike<number | bigint>;
}

/** Most parts `splitRange` produces (a split of work among threads never needs more). */
export const MAX_SPLIT_PARTS = 1 << 16;

/** Splits [0, count) into `parts` contiguous, balanced ranges (empty ones dropped). */
export function splitRange(count: number, parts: number): [number, number][] {
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) fail('INVALID_ARGUMENT', 'splitRange', 'a count: a safe integer ≥ 0', count);
  if (typeof parts !== 'number' || !Number.isInteger(parts) || parts < 1 || parts > MAX_SPLIT_PARTS)
    fail('INVALID_ARGUMENT', 'splitRange', `parts: an integer in [1, ${MAX_SPLIT_PARTS}]`, parts);
  const p = Math.max(1, Math.min(parts, count));
  const out: [number, number][] = [];
  for (let i = 0; i < p; i++) {
    const from = Math.floor((i * count) / p), to = Math.floor(((i + 1) * count) / p);
    if (to > from) out.push([from, to]);
  }
  return out;
}

export class ParallelEvaluator {
  private readonly limbParallel: boolean;
  private readonly chunksPerWorker: number;
  private readonly ownsPool: boolean;
  /** What the operation table's codecs see of this evaluator. */
  private readonly scope: CallerScope;

  constructor(
    readonly context: BfvContext,
    readonly pool: WorkerPool,
    options: ParallelEvaluatorOptions & { /** internal: close the pool with the evaluator */ ownsPool?: boolean } = {},
  ) {
    const fn = 'ParallelEvaluator';
    assertContext(fn, context);
    if (!(pool instanceof WorkerPool)) fail('INVALID_ARGUMENT', fn, 'a WorkerPool', pool);
    const o = optionsOperand<ParallelEvaluatorOptions & { ownsPool: boolean }>(fn, options);
    const lp = o.limbParallel ?? 'auto';
    if (lp !== 'auto' && typeof lp !== 'boolean') fail('INVALID_ARGUMENT', fn, "options.limbParallel: a boolean or 'auto'", lp);
    this.limbParallel = lp === 'auto' ? context.n >= 4096 : lp;
    this.chunksPerWorker = o.chunksPerWorker ?? 4;
    if (!Number.isInteger(this.chunksPerWorker) || this.chunksPerWorker < 1)
      fail('INVALID_ARGUMENT', fn, 'a positive integer chunksPerWorker', o.chunksPerWorker);
    this.ownsPool = o.ownsPool === true;
    this.scope = { context, registerKeys: (keys) => pool.registerKeys(keys) };
    pool.registerContext(context);
  }

  /** An evaluator with its own pool of `workers` threads (default: all cores); `close()` ends it. */
  static create(context: BfvContext, options: ParallelEvaluatorOptions & { readonly workers?: number } = {}): ParallelEvaluator {
    const fn = 'ParallelEvaluator.create';
    assertContext(fn, context);
    const o = optionsOperand<ParallelEvaluatorOptions & { readonly workers: number }>(fn, options);
    const pool = new WorkerPool(o.workers === undefined ? {} : { size: o.workers });
    try {
      return new ParallelEvaluator(context, pool, { ...o, ownsPool: true });
    } catch (e) {
      void pool.terminate();
      throw e;
    }
  }

  /** Closes the pool if this evaluator created it (`create`); a shared pool is left to its owner. */
  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.close();
  }

  // ---- any operation of the table ----------------------------------------------------------

  /**
   * Runs the table entry `op` (operations.ts) on `args` in one job and resolves with
   * its results; `outs[k]`, when given, receives result k in place (reshaped; shared
   * polynomials of the right base are reused). Validation runs first, with the
   * Evaluator's codes.
   */
  async perform<K extends EvaluatorOpName>(op: K, args: OperationArgs<K>, outs?: readonly (Ciphertext | undefined)[]): Promise<Ciphertext[]> {
    const [item, results] = this.prepare(op, op, args, outs);
    await this.pool.run(this.context, op, [item]);
    return results;
  }

  /** `perform` on independent argument lists, split into about chunksPerWorker × pool.size jobs. */
  async performMany<K extends EvaluatorOpName>(op: K, argLists: readonly OperationArgs<K>[]): Promise<Ciphertext[][]> {
    const fn = `${op}Many`;
    if (!Array.isArray(argLists)) fail('INVALID_ARGUMENT', fn, 'a list of argument lists', argLists);
    const made = argLists.map((args) => this.prepare(fn, op, args, undefined));
    await this.chunked(fn, made.map(([item]) => item));
    return made.map(([, results]) => results);
  }

  /**
   * Validates, encodes and allocates one item of entry `name`:
   * 1. the Evaluator's checks, in its order: the ciphertext operands together (one
   *    parameter set, one level), each argument's own check, the operation's check;
   * 2. the wire arguments (inputs move to shared memory before any output is
   *    reshaped, since an output may alias an input);
   * 3. the outputs, shaped as the entry says.
   */
  private prepare<K extends EvaluatorOpName>(fn: string, name: K, args: OperationArgs<K>, outs: readonly (Ciphertext | undefined)[] | undefined): [JobItem, Ciphertext[]] {
    const ctx = this.context;
    const op = OPERATIONS[name] as unknown as EvaluatorOp<unknown[]>;
    const codecs = op.args as readonly ArgCodec<unknown>[];
    const values = args as unknown as unknown[];
    if (!Array.isArray(values) || values.length !== codecs.length) fail('INVALID_ARGUMENT', fn, `${codecs.length} arguments`, values);
    // Step 1.
    const operands = codecs.flatMap((c, i) => c.operands?.(values[i]) ?? []);
    if (op.accumulate) {
      if (!outs?.every((o) => o !== undefined)) fail('INVALID_ARGUMENT', fn, 'an accumulator ciphertext', outs);
      operands.push(...(outs as Ciphertext[]));
    }
    assertCiphertexts(ctx, fn, operands);
    codecs.forEach((c, i) => c.check?.(ctx, fn, values[i]));
    const keys = values.find((v): v is RelinKeys | GaloisKeys => v instanceof RelinKeys || v instanceof GaloisKeys);
    const keyId = operandsKeyId(fn, operands, keys);
    op.check?.(ctx, fn, ...values);
    // Step 2.
    const wire = codecs.map((c, i) => c.encode(this.scope, values[i]));
    // Step 3.
    const results = op.outputs(ctx, ...values).map(([level, size], k) => {
      const out = outs?.[k];
      if (!op.accumulate || out === undefined) return this.output(fn, out, level, size);
      adoptShared(out);
      return this.output(fn, out, level, Math.max(size, out.size));
    });
    for (const r of results) r.keyId = keyId;
    return [{ op: name, args: wire, outs: results.map(describeCiphertext) }, results];
  }

  private async single<K extends EvaluatorOpName>(op: K, args: OperationArgs<K>, out: Ciphertext | undefined): Promise<Ciphertext> {
    return (await this.perform(op, args, [out]))[0];
  }

  private async firsts<K extends EvaluatorOpName>(op: K, argLists: readonly OperationArgs<K>[]): Promise<Ciphertext[]> {
    return (await this.performMany(op, argLists)).map((results) => results[0]);
  }

  // ---- shared operands ----------------------------------------------------------------

  /**
   * Makes `out` (or a new ciphertext) a shared ciphertext of the given level and
   * size, reusing its shared polynomials where they fit.
   */
  private output(fn: string, out: Ciphertext | undefined, level: number, size: number): Ciphertext {
    if (out === undefined) {
      const ct = Ciphertext.empty(this.context, level, size, true);
      noteSharedAllocation(size * ct.polys[0].data.byteLength);
      return ct;
    }
    assertOutput(this.context, fn, out);
    const base = this.context.level(level).base;
    const polys = out.level === level ? out.polys.filter((p) => p.base.equals(base) && isShared(p.data)).slice(0, size) : [];
    while (polys.length < size) {
      polys.push(RnsPoly.zero(base, 'coeff', true));
      noteSharedAllocation(polys[polys.length - 1].data.byteLength);
    }
    out.level = level;
    out.polys = polys;
    out.seed = undefined;
    return out;
  }

  /** Runs independent items in about chunksPerWorker × pool.size jobs; resolves with the items' results in order. */
  private async chunked(op: string, items: readonly JobItem[]): Promise<unknown[]> {
    const ranges = splitRange(items.length, this.pool.size * this.chunksPerWorker);
    const parts = await Promise.all(ranges.map(([from, to]) => this.pool.run(this.context, op, items.slice(from, to))));
    return parts.flat();
  }

  // ---- additive -------------------------------------------------------------------------

  add(a: Ciphertext, b: Ciphertext): Promise<Ciphertext> {
    return this.addInto(a, b, undefined);
  }
  addInto(a: Ciphertext, b: Ciphertext, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.single('add', [a, b], out);
  }

  sub(a: Ciphertext, b: Ciphertext): Promise<Ciphertext> {
    return this.subInto(a, b, undefined);
  }
  subInto(a: Ciphertext, b: Ciphertext, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.single('sub', [a, b], out);
  }

  negate(a: Ciphertext): Promise<Ciphertext> {
    return this.negateInto(a, undefined);
  }
  negateInto(a: Ciphertext, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.single('negate', [a], out);
  }

  addPlain(a: Ciphertext, pt: Plaintext): Promise<Ciphertext> {
    return this.addPlainInto(a, pt, undefined);
  }
  addPlainInto(a: Ciphertext, pt: Plaintext, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.single('addPlain', [a, pt], out);
  }

  subPlain(a: Ciphertext, pt: Plaintext): Promise<Ciphertext> {
    return this.subPlainInto(a, pt, undefined);
  }
  subPlainInto(a: Ciphertext, pt: Plaintext, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.single('subPlain', [a, pt], out);
  }

  // ---- scalar and plaintext products -------------------------------------------------------

  multiplyPlain(a: Ciphertext, pt: Plaintext): Promise<Ciphertext> {
    return this.multiplyPlainInto(a, pt, undefined);
  }
  multiplyPlainInto(a: Ciphertext, pt: Plaintext, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.single('multiplyPlain', [a, pt], out);
  }

  multiplyScalar(a: Ciphertext, c: bigint | number): Promise<Ciphertext> {
    return this.multiplyScalarInto(a, c, undefined);
  }
  multiplyScalarInto(a: Ciphertext, c: bigint | number, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.single('multiplyScalar', [a, c], out);
  }

  /** acc ← acc + a·c (same level; acc grows to a's size if smaller). */
  multiplyScalarAddInto(a: Ciphertext, c: bigint | number, acc: Ciphertext): Promise<Ciphertext> {
    return this.single('multiplyScalarAdd', [a, c], acc);
  }

  // ---- ciphertext products -------------------------------------------------------------------

  multiply(a: Ciphertext, b: Ciphertext): Promise<Ciphertext> {
    return this.multiplyInto(a, b, undefined);
  }
  square(a: Ciphertext): Promise<Ciphertext> {
    return this.multiplyInto(a, a, undefined);
  }
  squareInto(a: Ciphertext, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.multiplyInto(a, a, out);
  }
  async multiplyInto(a: Ciphertext, b: Ciphertext, out: Ciphertext | undefined): Promise<Ciphertext> {
    const [item, [o]] = a === b ? this.prepare('square', 'square', [a], [out]) : this.prepare('multiply', 'multiply', [a, b], [out]);
    if (this.limbParallel && this.pool.size > 1) return this.multiplyLimbs(item.op, a, b, o);
    await this.pool.run(this.context, item.op, [item]);
    return o;
  }

  /** One multiply on every worker: three rounds (see the module comment), outputs written into `out`. */
  private async multiplyLimbs(op: string, a: Ciphertext, b: Ciphertext, out: Ciphertext): Promise<Ciphertext> {
    const ctx = this.context, n = ctx.n, P = this.pool.size;
    const level = a.level;
    const W = ctx.level(level).mulOps.length;
    const alloc = (): Residues => {
      const r = ctx.kernel.alloc(W * n, true);
      noteSharedAllocation(r.byteLength);
      return r;
    };
    const ea = a.polys.map(alloc);
    const eb = a === b ? null : b.polys.map(alloc);
    const d = out.polys.map(alloc);
    const rounds = async (items: JobItem[]): Promise<void> => {
      await Promise.all(splitRange(items.length, P).map(([from, to]) => this.pool.run(ctx, op, items.slice(from, to))));
    };
    const extend = (src: Ciphertext, dst: Residues[]): JobItem[] => src.polys.map((p, i) => taskItem('mulExtend', level, p.data, dst[i]));
    await rounds([...extend(a, ea), ...(eb ? extend(b, eb) : [])]);
    await rounds(splitRange(W, P).map(([from, to]) => taskItem('mulTensor', level, ea, eb, d, from, to)));
    await rounds(out.polys.map((p, k) => taskItem('mulFloor', level, d[k], p.data)));
    return out;
  }

  /** multiply then relinearize in one job (no size-3 intermediate leaves the worker). */
  multiplyRelinearize(a: Ciphertext, b: Ciphertext, keys: RelinKeys): Promise<Ciphertext> {
    return this.multiplyRelinearizeInto(a, b, keys, undefined);
  }
  multiplyRelinearizeInto(a: Ciphertext, b: Ciphertext, keys: RelinKeys, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.single('multiplyRelinearize', [a, b, keys], out);
  }

  // ---- key switching ---------------------------------------------------------------------------

  relinearize(a: Ciphertext, keys: RelinKeys): Promise<Ciphertext> {
    return this.relinearizeInto(a, keys, undefined);
  }
  relinearizeInto(a: Ciphertext, keys: RelinKeys, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.single('relinearize', [a, keys], out);
  }

  applyGalois(a: Ciphertext, galoisElt: number, keys: GaloisKeys): Promise<Ciphertext> {
    return this.applyGaloisInto(a, galoisElt, keys, undefined);
  }
  applyGaloisInto(a: Ciphertext, galoisElt: number, keys: GaloisKeys, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.single('applyGalois', [a, galoisElt, keys], out);
  }

  rotateRows(a: Ciphertext, steps: number, keys: GaloisKeys): Promise<Ciphertext> {
    return this.rotateRowsInto(a, steps, keys, undefined);
  }
  rotateRowsInto(a: Ciphertext, steps: number, keys: GaloisKeys, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.single('rotateRows', [a, steps, keys], out);
  }

  rotateColumns(a: Ciphertext, keys: GaloisKeys): Promise<Ciphertext> {
    return this.rotateColumnsInto(a, keys, undefined);
  }
  rotateColumnsInto(a: Ciphertext, keys: GaloisKeys, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.single('rotateColumns', [a, keys], out);
  }

  // ---- modulus switching ----------------------------------------------------------------------

  modSwitchToNext(a: Ciphertext): Promise<Ciphertext> {
    return this.modSwitchToNextInto(a, undefined);
  }
  modSwitchToNextInto(a: Ciphertext, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.single('modSwitchToNext', [a], out);
  }

  /** Repeated modSwitchToNext down to `level` (a copy when already there, as the Evaluator). */
  async modSwitchTo(a: Ciphertext, level: number): Promise<Ciphertext> {
    assertCiphertexts(this.context, 'modSwitchTo', [a]);
    assertTargetLevel(this.context, 'modSwitchTo', a, level);
    let c = a;
    while (c.level < level) c = await this.modSwitchToNext(c);
    return c === a ? a.clone() : c;
  }

  // ---- batches over independent ciphertexts ------------------------------------------------------

  private pairs(fn: string, as: readonly Ciphertext[], bs: readonly Ciphertext[]): void {
    if (!Array.isArray(as) || !Array.isArray(bs) || as.length !== bs.length)
      fail('LENGTH_MISMATCH', fn, 'two lists of equal length', `${(as as unknown[])?.length} and ${(bs as unknown[])?.length}`);
  }

  private list(fn: string, as: readonly Ciphertext[]): void {
    if (!Array.isArray(as)) fail('INVALID_ARGUMENT', fn, 'a list of ciphertexts', as);
  }

  /** as[i]·bs[i] for every i (size-3 results). */
  async multiplyMany(as: readonly Ciphertext[], bs: readonly Ciphertext[]): Promise<Ciphertext[]> {
    this.pairs('multiplyMany', as, bs);
    return this.firsts('multiply', as.map((a, i) => [a, bs[i]]));
  }

  async relinearizeMany(as: readonly Ciphertext[], keys: RelinKeys): Promise<Ciphertext[]> {
    this.list('relinearizeMany', as);
    return this.firsts('relinearize', as.map((a) => [a, keys]));
  }

  /** relinearize(as[i]·bs[i]) for every i: the workload of a batch of products. */
  async multiplyRelinearizeMany(as: readonly Ciphertext[], bs: readonly Ciphertext[], keys: RelinKeys): Promise<Ciphertext[]> {
    this.pairs('multiplyRelinearizeMany', as, bs);
    return this.firsts('multiplyRelinearize', as.map((a, i) => [a, bs[i], keys]));
  }

  /**
   * Two forms. `rotateRowsMany(cts, step, keys)`: every ciphertext rotated by one
   * step (independent jobs). `rotateRowsMany(ct, steps, keys)`: one ciphertext
   * rotated by every step with hoisting (Evaluator.rotateRowsMany), the steps
   * split among the workers, each of which decomposes the ciphertext once.
   */
  rotateRowsMany(as: readonly Ciphertext[], steps: number, keys: GaloisKeys): Promise<Ciphertext[]>;
  rotateRowsMany(a: Ciphertext, steps: readonly number[], keys: GaloisKeys): Promise<Ciphertext[]>;
  async rotateRowsMany(as: readonly Ciphertext[] | Ciphertext, steps: number | readonly number[], keys: GaloisKeys): Promise<Ciphertext[]> {
    if (as instanceof Ciphertext) {
      if (!Array.isArray(steps)) fail('INVALID_ARGUMENT', 'rotateRowsMany', 'a list of steps with one ciphertext', steps);
      return this.hoisted('rotateRowsMany', as, steps as readonly number[], keys);
    }
    this.list('rotateRowsMany', as);
    if (typeof steps !== 'number') fail('INVALID_ARGUMENT', 'rotateRowsMany', 'one step with a list of ciphertexts', steps);
    return this.firsts('rotateRows', as.map((a) => [a, steps, keys]));
  }

  /** Galois automorphisms of one ciphertext for many elements (Evaluator.applyGaloisMany), split among the workers. */
  applyGaloisMany(a: Ciphertext, galoisElts: readonly number[], keys: GaloisKeys): Promise<Ciphertext[]> {
    return this.hoisted('applyGaloisMany', a, galoisElts, keys);
  }

  /** One job per worker, each with a contiguous part of the list (each part decomposes `a` once). */
  private async hoisted(op: 'rotateRowsMany' | 'applyGaloisMany', a: Ciphertext, list: readonly number[], keys: GaloisKeys): Promise<Ciphertext[]> {
    if (!Array.isArray(list)) fail('INVALID_ARGUMENT', op, 'a list of integers', list);
    if (list.length === 0) return [];
    const parts = splitRange(list.length, this.pool.size);
    const results = await Promise.all(parts.map(([from, to]) => this.perform(op, [a, list.slice(from, to), keys])));
    return results.flat();
  }

  /**
   * A prepared LinearTransform (Evaluator.linearTransform) as one job; its factors
   * move to shared memory once per transform (prepare it with `{ shared: true }`
   * to skip that copy).
   */
  linearTransform(inputs: readonly Ciphertext[], lt: LinearTransform, keys: GaloisKeys | null): Promise<Ciphertext> {
    return this.single('linearTransform', [inputs, lt, keys], undefined);
  }

  async modSwitchToNextMany(as: readonly Ciphertext[]): Promise<Ciphertext[]> {
    this.list('modSwitchToNextMany', as);
    return this.firsts('modSwitchToNext', as.map((a) => [a]));
  }

  /**
   * A linear layer over shared inputs: output o is
   * `multiplyScalar(in[i₀], w₀)` then `multiplyScalarAddInto(in[i_k], w_k, ·)` for k ≥ 1,
   * exactly as a sequential loop, with the outputs split among workers.
   * All inputs must have one level and one size.
   */
  linearMany(inputs: readonly Ciphertext[], plan: LinearPlan): Promise<Ciphertext[]> {
    return this.linearManyInto(inputs, plan, undefined);
  }

  /** linearMany into preallocated outputs (reused in place when shared and of the right shape, as a model's layer buffers). */
  async linearManyInto(inputs: readonly Ciphertext[], plan: LinearPlan, outputs: readonly Ciphertext[] | undefined): Promise<Ciphertext[]> {
    const fn = 'linearMany';
    if (!Array.isArray(inputs) || inputs.length === 0) fail('INVALID_ARGUMENT', fn, 'a non-empty list of input ciphertexts', inputs);
    assertCiphertexts(this.context, fn, inputs);
    const { taps, index: rawIndex, weight: rawWeight } = optionsOperand<LinearPlan>(fn, plan);
    if (typeof taps !== 'number' || !Number.isInteger(taps) || taps < 1) fail('INVALID_ARGUMENT', fn, 'a positive integer plan.taps', taps);
    const arrayLike = (x: unknown): boolean => Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
    if (!arrayLike(rawIndex) || !arrayLike(rawWeight)) fail('INVALID_ARGUMENT', fn, 'plan.index and plan.weight: arrays or typed arrays', plan);
    const index = rawIndex as ArrayLike<number>, weight = rawWeight as ArrayLike<number | bigint>;
    if (index.length !== weight.length || index.length % taps !== 0)
      fail('LENGTH_MISMATCH', fn, `index and weight of one length, a multiple of taps = ${taps}`, `${index.length} and ${weight.length}`);
    const size = inputs[0].size;
    for (const ct of inputs) if (ct.size !== size) fail('CIPHERTEXT_SIZE', fn, `inputs of one size (${size})`, ct.size);
    for (let k = 0; k < index.length; k++) {
      const i = index[k];
      if (!Number.isInteger(i) || i < 0 || i >= inputs.length) fail('OUT_OF_RANGE', fn, `input indices in [0, ${inputs.length})`, i);
      scalarOperand(this.context, fn, weight[k]);
    }
    const descs = inputs.map((ct) => describeCiphertext(adoptShared(ct)));
    const count = index.length / taps;
    if (outputs !== undefined && (!Array.isArray(outputs) || outputs.length !== count))
      fail('LENGTH_MISMATCH', fn, `${count} output ciphertexts`, (outputs as unknown[])?.length);
    const keyId = operandsKeyId(fn, inputs);
    const outs = Array.from({ length: count }, (_, o) => this.output(fn, outputs?.[o], inputs[0].level, size));
    for (const out of outs) out.keyId = keyId;
    const items = splitRange(count, this.pool.size * this.chunksPerWorker).map(([from, to]): JobItem => {
      // Send only the inputs this chunk reads, with indices renumbered into that list.
      const local = new Map<number, number>();
      const idx = new Uint32Array((to - from) * taps);
      const w: (number | bigint)[] = [];
      for (let k = 0; k < idx.length; k++) {
        const g = index[from * taps + k];
        let l = local.get(g);
        if (l === undefined) local.set(g, (l = local.size));
        idx[k] = l;
        w.push(weight[from * taps + k]);
      }
      const chunkInputs = [...local.keys()].map((g) => descs[g]);
      return taskItem('linear', chunkInputs, idx, w, taps, outs.slice(from, to).map(describeCiphertext));
    });
    await Promise.all(items.map((item) => this.pool.run(this.context, fn, [item])));
    return outs;
  }

  /**
   * Applies `fn` to every ciphertext on the workers: `fn(ct, env)` runs
   * synchronously in a worker with `env = { context, evaluator, relinKeys,
   * galoisKeys, index, args }` and returns a Ciphertext. `fn` is sent as source
   * text (compiled once per worker), so it must not use variables from its
   * enclosing scope; pass data through `options.args`.
   */
  async map(cts: readonly Ciphertext[], fn: MapFunction | string, options: MapOptions = {}): Promise<Ciphertext[]> {
    if (!Array.isArray(cts)) fail('INVALID_ARGUMENT', 'map', 'a list of ciphertexts', cts);
    if (typeof fn !== 'function' && typeof fn !== 'string') fail('INVALID_ARGUMENT', 'map', 'a function or its source text', fn);
    assertCiphertexts(this.context, 'map', cts);
    const src = typeof fn === 'string' ? fn : fn.toString();
    const o = optionsOperand<MapOptions>('map', options);
    const { relinKeys, galoisKeys } = o;
    if (relinKeys !== undefined) assertRelinKeys(this.context, 'map', relinKeys);
    if (galoisKeys !== undefined) assertGaloisKeys(this.context, 'map', galoisKeys);
    const keyId = operandsKeyId('map', cts, relinKeys);
    if (galoisKeys !== undefined) operandsKeyId('map', cts, galoisKeys);
    const relin = relinKeys === undefined ? undefined : this.pool.registerKeys(relinKeys);
    const galois = galoisKeys === undefined ? undefined : this.pool.registerKeys(galoisKeys);
    const descs = cts.map((ct) => describeCiphertext(adoptShared(ct)));
    const ranges = splitRange(cts.length, this.pool.size * this.chunksPerWorker);
    const parts = await Promise.all(
      ranges.map(([from, to]) => this.pool.run(this.context, 'map', [taskItem('map', src, descs.slice(from, to), from, relin, galois, o.args)])),
    );
    return parts.flatMap((p) =>
      (p[0] as SharedCiphertext[]).map((d) => {
        const ct = ciphertextFrom(this.context, d);
        ct.keyId = keyId;
        return ct;
      }),
    );
  }
}
