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
 * - One `multiply` can also be split (option `limbParallel`): BEHZ steps 1–2
 *   per input polynomial, steps 3–4 (tensor, inverse NTT) per range of limbs of
 *   q ∪ Bsk, steps 5–6 (fast floor, Bsk → q) per output polynomial: three rounds
 *   of jobs with the pool's queue as the barrier. `pnpm bench:pool` workload b
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
 */
import { Ciphertext, Plaintext } from '../ciphertext.js';
import { assertCiphertexts } from '../operands.js';
import type { BfvContext } from '../context.js';
import { galoisElementForStep, GaloisKeys, RelinKeys } from '../keys.js';
import { LinearTransform, type PreparedTerm } from '../linear-transform.js';
import { QheError, fail } from '../math/errors.js';
import type { Residues } from '../math/kernel.js';
import { RnsPoly } from '../math/poly.js';
import { centredScalar } from '../plain-lift.js';
import type { MapFunction } from './worker.js';
import { adoptShared, ciphertextFrom, describeCiphertext, isShared, sharedCopy, type JobItem, type SharedCiphertext } from './protocol.js';
import { WorkerPool } from './pool.js';

export type { MapFunction, MapEnvironment } from './worker.js';

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

/** Splits [0, count) into `parts` contiguous, balanced ranges (empty ones dropped). */
export function splitRange(count: number, parts: number): [number, number][] {
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

  constructor(
    readonly context: BfvContext,
    readonly pool: WorkerPool,
    options: ParallelEvaluatorOptions & { /** internal: close the pool with the evaluator */ ownsPool?: boolean } = {},
  ) {
    if (!(pool instanceof WorkerPool)) fail('INVALID_ARGUMENT', 'ParallelEvaluator', 'a WorkerPool', pool);
    const lp = options.limbParallel ?? 'auto';
    this.limbParallel = lp === 'auto' ? context.n >= 4096 : lp;
    this.chunksPerWorker = options.chunksPerWorker ?? 4;
    if (!Number.isInteger(this.chunksPerWorker) || this.chunksPerWorker < 1)
      fail('INVALID_ARGUMENT', 'ParallelEvaluator', 'a positive integer chunksPerWorker', options.chunksPerWorker);
    this.ownsPool = options.ownsPool ?? false;
    pool.registerContext(context);
  }

  /** An evaluator with its own pool of `workers` threads (default: all cores); `close()` ends it. */
  static create(context: BfvContext, options: ParallelEvaluatorOptions & { readonly workers?: number } = {}): ParallelEvaluator {
    return new ParallelEvaluator(context, new WorkerPool(options.workers === undefined ? {} : { size: options.workers }), { ...options, ownsPool: true });
  }

  /** Closes the pool if this evaluator created it (`create`); a shared pool is left to its owner. */
  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.close();
  }

  // ---- checks (the Evaluator's, before dispatch) ----------------------------------

  private check(fn: string, ...cts: Ciphertext[]): void {
    assertCiphertexts(this.context, fn, cts);
  }

  private checkPlain(fn: string, pt: Plaintext): void {
    if (!(pt instanceof Plaintext)) fail('INVALID_ARGUMENT', fn, 'a Plaintext', pt);
    this.context.assertSame(fn, pt);
  }

  private checkScalar(fn: string, c: bigint | number): void {
    if (typeof c === 'number' && !Number.isSafeInteger(c)) fail('INVALID_ARGUMENT', fn, 'an integer constant', c);
    if (typeof c !== 'number' && typeof c !== 'bigint') fail('INVALID_ARGUMENT', fn, 'an integer constant', c);
    if (centredScalar(BigInt(c), this.context.t) === 0n)
      throw new QheError('TRANSPARENT_RESULT', `${fn}: expected a constant ≢ 0 (mod t = ${this.context.t}), got ${c}: the product would be transparent`);
  }

  private relinId(fn: string, keys: RelinKeys): number {
    if (!(keys instanceof RelinKeys)) fail('INVALID_ARGUMENT', fn, 'RelinKeys', keys);
    this.context.assertSame(fn, keys);
    return this.pool.registerKeys(keys);
  }

  private galoisId(fn: string, keys: GaloisKeys, elements: readonly number[]): number {
    if (!(keys instanceof GaloisKeys)) fail('INVALID_ARGUMENT', fn, 'GaloisKeys', keys);
    this.context.assertSame(fn, keys);
    for (const g of elements) keys.get(g); // MISSING_KEY before dispatch
    return this.pool.registerKeys(keys);
  }

  private checkRelinSize(fn: string, a: Ciphertext): void {
    if (a.size !== 2 && a.size !== 3) fail('CIPHERTEXT_SIZE', fn, 'a ciphertext of size 2 or 3 (relinearize after each multiply)', a.size);
  }

  private checkGaloisSize(fn: string, a: Ciphertext): void {
    if (a.size !== 2) fail('CIPHERTEXT_SIZE', fn, 'a relinearized ciphertext (size 2)', a.size);
  }

  /** The Galois elements rotateRows(steps) will use (Evaluator.rotateRowsInto's choice). */
  private rotationElements(fn: string, steps: number, keys: GaloisKeys): number[] {
    const n = this.context.n;
    if (!Number.isInteger(steps) || Math.abs(steps) >= n / 2) fail('INVALID_ARGUMENT', fn, `an integer step with |step| < ${n / 2}`, steps);
    if (steps === 0) return [];
    const direct = galoisElementForStep(n, steps);
    if (keys instanceof GaloisKeys && keys.has(direct)) return [direct];
    const out: number[] = [];
    const sign = Math.sign(steps);
    for (let bit = 1, rest = Math.abs(steps); rest > 0; bit *= 2)
      if (rest & bit) {
        out.push(galoisElementForStep(n, sign * bit));
        rest -= bit;
      }
    return out;
  }

  // ---- shared operands ----------------------------------------------------------------

  private input(ct: Ciphertext): SharedCiphertext {
    return describeCiphertext(adoptShared(ct));
  }

  /**
   * Makes `out` (or a new ciphertext) a shared ciphertext of the given level and
   * size, reusing its shared polynomials where they fit.
   */
  private output(fn: string, out: Ciphertext | undefined, level: number, size: number): Ciphertext {
    if (out === undefined) return Ciphertext.empty(this.context, level, size, true);
    if (!(out instanceof Ciphertext)) fail('INVALID_ARGUMENT', fn, 'a Ciphertext output', out);
    this.context.assertSame(fn, out);
    const base = this.context.level(level).base;
    const polys = out.level === level ? out.polys.filter((p) => p.base.equals(base) && isShared(p.data)).slice(0, size) : [];
    while (polys.length < size) polys.push(RnsPoly.zero(base, 'coeff', true));
    out.level = level;
    out.polys = polys;
    out.seed = undefined;
    return out;
  }

  private plain(pt: Plaintext): Residues {
    return sharedCopy(this.context, pt.data);
  }

  private async one(op: string, item: JobItem, out: Ciphertext): Promise<Ciphertext> {
    await this.pool.run(this.context, op, [item]);
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
  async addInto(a: Ciphertext, b: Ciphertext, out: Ciphertext | undefined): Promise<Ciphertext> {
    this.check('add', a, b);
    const args = { a: this.input(a), b: this.input(b) };
    const o = this.output('add', out, a.level, Math.max(a.size, b.size));
    return this.one('add', { op: 'add', args: { ...args, out: describeCiphertext(o) } }, o);
  }

  sub(a: Ciphertext, b: Ciphertext): Promise<Ciphertext> {
    return this.subInto(a, b, undefined);
  }
  async subInto(a: Ciphertext, b: Ciphertext, out: Ciphertext | undefined): Promise<Ciphertext> {
    this.check('sub', a, b);
    const args = { a: this.input(a), b: this.input(b) };
    const o = this.output('sub', out, a.level, Math.max(a.size, b.size));
    return this.one('sub', { op: 'sub', args: { ...args, out: describeCiphertext(o) } }, o);
  }

  negate(a: Ciphertext): Promise<Ciphertext> {
    return this.negateInto(a, undefined);
  }
  async negateInto(a: Ciphertext, out: Ciphertext | undefined): Promise<Ciphertext> {
    this.check('negate', a);
    const args = { a: this.input(a) };
    const o = this.output('negate', out, a.level, a.size);
    return this.one('negate', { op: 'negate', args: { ...args, out: describeCiphertext(o) } }, o);
  }

  private async plainOp(op: 'addPlain' | 'subPlain' | 'multiplyPlain', a: Ciphertext, pt: Plaintext, out: Ciphertext | undefined): Promise<Ciphertext> {
    this.check(op, a);
    this.checkPlain(op, pt);
    if (op === 'multiplyPlain' && pt.isZero())
      throw new QheError('TRANSPARENT_RESULT', 'multiplyPlain: expected a non-zero plaintext, got zero: the product would be transparent');
    const args = { a: this.input(a), pt: this.plain(pt) };
    const o = this.output(op, out, a.level, a.size);
    return this.one(op, { op, args: { ...args, out: describeCiphertext(o) } }, o);
  }

  addPlain(a: Ciphertext, pt: Plaintext): Promise<Ciphertext> {
    return this.plainOp('addPlain', a, pt, undefined);
  }
  addPlainInto(a: Ciphertext, pt: Plaintext, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.plainOp('addPlain', a, pt, out);
  }
  subPlain(a: Ciphertext, pt: Plaintext): Promise<Ciphertext> {
    return this.plainOp('subPlain', a, pt, undefined);
  }
  subPlainInto(a: Ciphertext, pt: Plaintext, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.plainOp('subPlain', a, pt, out);
  }

  // ---- scalar and plaintext products -------------------------------------------------------

  multiplyPlain(a: Ciphertext, pt: Plaintext): Promise<Ciphertext> {
    return this.plainOp('multiplyPlain', a, pt, undefined);
  }
  multiplyPlainInto(a: Ciphertext, pt: Plaintext, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.plainOp('multiplyPlain', a, pt, out);
  }

  multiplyScalar(a: Ciphertext, c: bigint | number): Promise<Ciphertext> {
    return this.multiplyScalarInto(a, c, undefined);
  }
  async multiplyScalarInto(a: Ciphertext, c: bigint | number, out: Ciphertext | undefined): Promise<Ciphertext> {
    this.check('multiplyScalar', a);
    this.checkScalar('multiplyScalar', c);
    const args = { a: this.input(a), c };
    const o = this.output('multiplyScalar', out, a.level, a.size);
    return this.one('multiplyScalar', { op: 'multiplyScalar', args: { ...args, out: describeCiphertext(o) } }, o);
  }

  /** acc ← acc + a·c (same level; acc grows to a's size if smaller). */
  async multiplyScalarAddInto(a: Ciphertext, c: bigint | number, acc: Ciphertext): Promise<Ciphertext> {
    this.check('multiplyScalarAdd', a, acc);
    this.checkScalar('multiplyScalarAdd', c);
    const args = { a: this.input(a), c };
    adoptShared(acc);
    const base = this.context.level(acc.level).base;
    while (acc.polys.length < a.size) acc.polys.push(RnsPoly.zero(base, 'coeff', true));
    acc.seed = undefined;
    return this.one('multiplyScalarAdd', { op: 'multiplyScalarAdd', args: { ...args, acc: describeCiphertext(acc) } }, acc);
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
    const op = a === b ? 'square' : 'multiply';
    this.check(op, a, b);
    const args = { a: this.input(a), b: this.input(b) };
    const o = this.output(op, out, a.level, a.size + b.size - 1);
    if (this.limbParallel && this.pool.size > 1) return this.multiplyLimbs(op, a, b, o);
    return this.one(op, { op: 'multiply', args: { ...args, out: describeCiphertext(o) } }, o);
  }

  /** One multiply on every worker: three rounds (see the module comment), outputs written into `out`. */
  private async multiplyLimbs(op: string, a: Ciphertext, b: Ciphertext, out: Ciphertext): Promise<Ciphertext> {
    const ctx = this.context, n = ctx.n, P = this.pool.size;
    const levelIndex = a.level;
    const W = ctx.level(levelIndex).behzOps.length;
    const alloc = () => ctx.kernel.alloc(W * n, true);
    const same = a === b;
    const ea = a.polys.map(alloc);
    const eb = same ? null : b.polys.map(alloc);
    const d = out.polys.map(alloc);
    const rounds = async (items: JobItem[]): Promise<void> => {
      await Promise.all(splitRange(items.length, P).map(([from, to]) => this.pool.run(ctx, op, items.slice(from, to))));
    };
    const extend = (src: Ciphertext, dst: Residues[]): JobItem[] =>
      src.polys.map((p, i) => ({ op: 'mulExtend', args: { level: levelIndex, src: p.data, dst: dst[i] } }));
    await rounds([...extend(a, ea), ...(eb ? extend(b, eb) : [])]);
    await rounds(splitRange(W, P).map(([from, to]) => ({ op: 'mulTensor', args: { level: levelIndex, ea, eb, d, from, to } })));
    await rounds(out.polys.map((p, k) => ({ op: 'mulFloor', args: { level: levelIndex, d: d[k], out: p.data } })));
    return out;
  }

  /** multiply then relinearize in one job (no size-3 intermediate leaves the worker). */
  multiplyRelinearize(a: Ciphertext, b: Ciphertext, keys: RelinKeys): Promise<Ciphertext> {
    return this.multiplyRelinearizeInto(a, b, keys, undefined);
  }
  async multiplyRelinearizeInto(a: Ciphertext, b: Ciphertext, keys: RelinKeys, out: Ciphertext | undefined): Promise<Ciphertext> {
    const [item, o] = this.multiplyRelinearizeItem(a, b, keys, out);
    return this.one('multiplyRelinearize', item, o);
  }

  private multiplyRelinearizeItem(a: Ciphertext, b: Ciphertext, keys: RelinKeys, out: Ciphertext | undefined): [JobItem, Ciphertext] {
    const fn = 'multiplyRelinearize';
    this.check(fn, a, b);
    if (a.size + b.size - 1 !== 3) fail('CIPHERTEXT_SIZE', fn, 'two size-2 operands (a size-3 product)', `sizes ${a.size}, ${b.size}`);
    const key = this.relinId(fn, keys);
    const args = { a: this.input(a), b: a === b ? null : this.input(b), key };
    const o = this.output(fn, out, a.level, 2);
    return [{ op: 'multiplyRelinearize', args: { ...args, out: describeCiphertext(o) } }, o];
  }

  // ---- key switching ---------------------------------------------------------------------------

  relinearize(a: Ciphertext, keys: RelinKeys): Promise<Ciphertext> {
    return this.relinearizeInto(a, keys, undefined);
  }
  async relinearizeInto(a: Ciphertext, keys: RelinKeys, out: Ciphertext | undefined): Promise<Ciphertext> {
    const [item, o] = this.relinearizeItem(a, keys, out);
    return this.one('relinearize', item, o);
  }

  private relinearizeItem(a: Ciphertext, keys: RelinKeys, out: Ciphertext | undefined): [JobItem, Ciphertext] {
    this.check('relinearize', a);
    const key = this.relinId('relinearize', keys);
    this.checkRelinSize('relinearize', a);
    const args = { a: this.input(a), key };
    const o = this.output('relinearize', out, a.level, 2);
    return [{ op: 'relinearize', args: { ...args, out: describeCiphertext(o) } }, o];
  }

  applyGalois(a: Ciphertext, galoisElt: number, keys: GaloisKeys): Promise<Ciphertext> {
    return this.applyGaloisInto(a, galoisElt, keys, undefined);
  }
  async applyGaloisInto(a: Ciphertext, galoisElt: number, keys: GaloisKeys, out: Ciphertext | undefined): Promise<Ciphertext> {
    this.check('applyGalois', a);
    const key = this.galoisId('applyGalois', keys, [galoisElt]);
    this.checkGaloisSize('applyGalois', a);
    const args = { a: this.input(a), elt: galoisElt, key };
    const o = this.output('applyGalois', out, a.level, 2);
    return this.one('applyGalois', { op: 'applyGalois', args: { ...args, out: describeCiphertext(o) } }, o);
  }

  rotateRows(a: Ciphertext, steps: number, keys: GaloisKeys): Promise<Ciphertext> {
    return this.rotateRowsInto(a, steps, keys, undefined);
  }
  async rotateRowsInto(a: Ciphertext, steps: number, keys: GaloisKeys, out: Ciphertext | undefined): Promise<Ciphertext> {
    const [item, o] = this.rotateRowsItem(a, steps, keys, out);
    return this.one('rotateRows', item, o);
  }

  private rotateRowsItem(a: Ciphertext, steps: number, keys: GaloisKeys, out: Ciphertext | undefined): [JobItem, Ciphertext] {
    this.check('rotateRows', a);
    const elements = this.rotationElements('rotateRows', steps, keys);
    const key = this.galoisId('rotateRows', keys, elements);
    if (elements.length > 0) this.checkGaloisSize('rotateRows', a);
    const args = { a: this.input(a), steps, key };
    const o = this.output('rotateRows', out, a.level, steps === 0 ? a.size : 2);
    return [{ op: 'rotateRows', args: { ...args, out: describeCiphertext(o) } }, o];
  }

  rotateColumns(a: Ciphertext, keys: GaloisKeys): Promise<Ciphertext> {
    return this.rotateColumnsInto(a, keys, undefined);
  }
  rotateColumnsInto(a: Ciphertext, keys: GaloisKeys, out: Ciphertext | undefined): Promise<Ciphertext> {
    return this.applyGaloisInto(a, 2 * this.context.n - 1, keys, out);
  }

  // ---- modulus switching ----------------------------------------------------------------------

  modSwitchToNext(a: Ciphertext): Promise<Ciphertext> {
    return this.modSwitchToNextInto(a, undefined);
  }
  async modSwitchToNextInto(a: Ciphertext, out: Ciphertext | undefined): Promise<Ciphertext> {
    const [item, o] = this.modSwitchItem(a, out);
    return this.one('modSwitchToNext', item, o);
  }

  private modSwitchItem(a: Ciphertext, out: Ciphertext | undefined): [JobItem, Ciphertext] {
    this.check('modSwitchToNext', a);
    if (a.level >= this.context.maxLevel)
      fail('LEVEL_EXHAUSTED', 'modSwitchToNext', `a ciphertext above the last level ${this.context.maxLevel}`, `level ${a.level}`);
    const args = { a: this.input(a) };
    const o = this.output('modSwitchToNext', out, a.level + 1, a.size);
    return [{ op: 'modSwitchToNext', args: { ...args, out: describeCiphertext(o) } }, o];
  }

  /** Repeated modSwitchToNext down to `level` (a copy when already there, as the Evaluator). */
  async modSwitchTo(a: Ciphertext, level: number): Promise<Ciphertext> {
    if (!Number.isInteger(level) || level < a.level || level > this.context.maxLevel)
      fail('LEVEL_EXHAUSTED', 'modSwitchTo', `a level in [${a.level}, ${this.context.maxLevel}]`, level);
    let c = a;
    while (c.level < level) c = await this.modSwitchToNext(c);
    return c === a ? a.clone() : c;
  }

  // ---- batches over independent ciphertexts ------------------------------------------------------

  private async many(op: string, made: [JobItem, Ciphertext][]): Promise<Ciphertext[]> {
    await this.chunked(op, made.map(([item]) => item));
    return made.map(([, o]) => o);
  }

  private pairs(fn: string, as: readonly Ciphertext[], bs: readonly Ciphertext[]): void {
    if (!Array.isArray(as) || !Array.isArray(bs) || as.length !== bs.length)
      fail('LENGTH_MISMATCH', fn, 'two lists of equal length', `${(as as unknown[])?.length} and ${(bs as unknown[])?.length}`);
  }

  /** as[i]·bs[i] for every i (size-3 results). */
  async multiplyMany(as: readonly Ciphertext[], bs: readonly Ciphertext[]): Promise<Ciphertext[]> {
    this.pairs('multiplyMany', as, bs);
    const made = as.map((a, i): [JobItem, Ciphertext] => {
      const b = bs[i];
      this.check('multiplyMany', a, b);
      const args = { a: this.input(a), b: this.input(b) };
      const o = this.output('multiplyMany', undefined, a.level, a.size + b.size - 1);
      return [{ op: 'multiply', args: { ...args, out: describeCiphertext(o) } }, o];
    });
    return this.many('multiplyMany', made);
  }

  async relinearizeMany(as: readonly Ciphertext[], keys: RelinKeys): Promise<Ciphertext[]> {
    return this.many('relinearizeMany', as.map((a) => this.relinearizeItem(a, keys, undefined)));
  }

  /** relinearize(as[i]·bs[i]) for every i: the workload of a batch of products. */
  async multiplyRelinearizeMany(as: readonly Ciphertext[], bs: readonly Ciphertext[], keys: RelinKeys): Promise<Ciphertext[]> {
    this.pairs('multiplyRelinearizeMany', as, bs);
    return this.many('multiplyRelinearizeMany', as.map((a, i) => this.multiplyRelinearizeItem(a, bs[i], keys, undefined)));
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
      const fn = 'rotateRowsMany';
      if (!Array.isArray(steps)) fail('INVALID_ARGUMENT', fn, 'a list of steps with one ciphertext', steps);
      const list = steps as readonly number[];
      const elements = list.flatMap((s) => this.rotationElements(fn, s, keys));
      return this.hoisted(fn, as, 'rotateRowsMany', list, this.galoisId(fn, keys, elements), elements.length > 0);
    }
    if (typeof steps !== 'number') fail('INVALID_ARGUMENT', 'rotateRowsMany', 'one step with a list of ciphertexts', steps);
    return this.many('rotateRowsMany', as.map((a) => this.rotateRowsItem(a, steps, keys, undefined)));
  }

  /** Galois automorphisms of one ciphertext for many elements (Evaluator.applyGaloisMany), split among the workers. */
  async applyGaloisMany(a: Ciphertext, galoisElts: readonly number[], keys: GaloisKeys): Promise<Ciphertext[]> {
    const fn = 'applyGaloisMany';
    if (!Array.isArray(galoisElts)) fail('INVALID_ARGUMENT', fn, 'a list of Galois elements', galoisElts);
    const n = this.context.n;
    for (const g of galoisElts) if (!Number.isInteger(g) || (g & 1) === 0 || g < 1 || g >= 2 * n) fail('INVALID_ARGUMENT', fn, `odd Galois elements in [1, ${2 * n})`, g);
    return this.hoisted(fn, a, 'applyGaloisMany', galoisElts, this.galoisId(fn, keys, galoisElts.filter((g) => g !== 1)), galoisElts.some((g) => g !== 1));
  }

  private async hoisted(fn: string, a: Ciphertext, op: string, list: readonly number[], key: number, rotates: boolean): Promise<Ciphertext[]> {
    this.check(fn, a);
    if (rotates) this.checkGaloisSize(fn, a);
    const input = this.input(a);
    const outs = list.map(() => this.output(fn, undefined, a.level, 2));
    const ranges = splitRange(list.length, this.pool.size);
    await Promise.all(ranges.map(([from, to]) =>
      this.pool.run(this.context, fn, [{ op, args: { a: input, list: list.slice(from, to), key, outs: outs.slice(from, to).map(describeCiphertext) } }])));
    return outs;
  }

  /**
   * A prepared LinearTransform (Evaluator.linearTransform) as one job. Its factors
   * move to shared memory once (cached per transform); prepare it with
   * `{ shared: true }` to skip that copy.
   */
  async linearTransform(inputs: readonly Ciphertext[], lt: LinearTransform, keys: GaloisKeys | null): Promise<Ciphertext> {
    const fn = 'linearTransform';
    if (!(lt instanceof LinearTransform)) fail('INVALID_ARGUMENT', fn, 'a LinearTransform', lt);
    this.context.assertSame(fn, lt);
    if (!Array.isArray(inputs) || inputs.length !== lt.inputCount) fail('LENGTH_MISMATCH', fn, `${lt.inputCount} input ciphertexts`, (inputs as unknown[])?.length);
    this.check(fn, ...inputs);
    for (const ct of inputs) {
      if (ct.level !== lt.level) fail('PARAMETER_MISMATCH', fn, `inputs at the transform's level ${lt.level}`, `level ${ct.level}`);
      this.checkGaloisSize(fn, ct);
    }
    const elements = lt.galoisElements;
    if (elements.length > 0 && !keys) fail('MISSING_KEY', fn, `Galois keys for elements ${elements.join(', ')}`, null);
    const key = keys ? this.galoisId(fn, keys, elements) : null;
    const o = this.output(fn, undefined, lt.level, 2);
    const args = { inputs: inputs.map((ct) => this.input(ct)), lt: sharedTransform(this.context, lt), key, out: describeCiphertext(o) };
    return this.one(fn, { op: 'linearTransform', args }, o);
  }

  async modSwitchToNextMany(as: readonly Ciphertext[]): Promise<Ciphertext[]> {
    return this.many('modSwitchToNextMany', as.map((a) => this.modSwitchItem(a, undefined)));
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
    this.check(fn, ...inputs);
    const { taps, index, weight } = plan;
    if (!Number.isInteger(taps) || taps < 1) fail('INVALID_ARGUMENT', fn, 'a positive integer taps', taps);
    if (index.length !== weight.length || index.length % taps !== 0)
      fail('LENGTH_MISMATCH', fn, `index and weight of one length, a multiple of taps = ${taps}`, `${index.length} and ${weight.length}`);
    const size = inputs[0].size;
    for (const ct of inputs) if (ct.size !== size) fail('CIPHERTEXT_SIZE', fn, `inputs of one size (${size})`, ct.size);
    for (let k = 0; k < index.length; k++) {
      const i = index[k];
      if (!Number.isInteger(i) || i < 0 || i >= inputs.length) fail('OUT_OF_RANGE', fn, `input indices in [0, ${inputs.length})`, i);
      this.checkScalar(fn, weight[k]);
    }
    const descs = inputs.map((ct) => this.input(ct));
    const count = index.length / taps;
    if (outputs !== undefined && (!Array.isArray(outputs) || outputs.length !== count))
      fail('LENGTH_MISMATCH', fn, `${count} output ciphertexts`, (outputs as unknown[])?.length);
    const outs = Array.from({ length: count }, (_, o) => this.output(fn, outputs?.[o], inputs[0].level, size));
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
      return { op: 'linear', args: { inputs: chunkInputs, index: idx, weight: w, taps, outs: outs.slice(from, to).map(describeCiphertext) } };
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
    this.check('map', ...cts);
    const src = typeof fn === 'string' ? fn : fn.toString();
    const relin = options.relinKeys === undefined ? undefined : this.relinId('map', options.relinKeys);
    const galois = options.galoisKeys === undefined ? undefined : this.galoisId('map', options.galoisKeys, []);
    const descs = cts.map((ct) => this.input(ct));
    const ranges = splitRange(cts.length, this.pool.size * this.chunksPerWorker);
    const parts = await Promise.all(
      ranges.map(([from, to]) =>
        this.pool.run(this.context, 'map', [{ op: 'map', args: { src, cts: descs.slice(from, to), offset: from, relin, galois, args: options.args } }]),
      ),
    );
    return parts.flatMap((p) => (p[0] as SharedCiphertext[]).map((d) => ciphertextFrom(this.context, d)));
  }
}

/** A LinearTransform as structured-cloneable data over shared memory (cached per transform). */
export interface SharedLinearTransform {
  readonly level: number;
  readonly inputs: number;
  readonly groups: readonly (readonly [number, readonly PreparedTerm[]])[];
}

const sharedTransforms = new WeakMap<LinearTransform, SharedLinearTransform>();

function sharedTransform(ctx: BfvContext, lt: LinearTransform): SharedLinearTransform {
  let d = sharedTransforms.get(lt);
  if (!d) {
    const copies = new Map<Residues, Residues>();
    const share = (v: Residues | null): Residues | null => {
      if (!v) return null;
      let c = copies.get(v);
      if (!c) copies.set(v, (c = sharedCopy(ctx, v)));
      return c;
    };
    d = { level: lt.level, inputs: lt.inputCount, groups: [...lt.groups].map(([g, terms]) => [g, terms.map((t) => ({ ...t, vector: share(t.vector) }))] as const) };
    sharedTransforms.set(lt, d);
  }
  return d;
}
