/**
 * The operations a WorkerPool runs, in one table (`OPERATIONS`): for each, how
 * its arguments cross to a worker (one codec per argument), the Evaluator's
 * checks that run before dispatch, the level and size of its results, and the
 * Evaluator call the worker makes. Both sides are derived from it:
 * ParallelEvaluator validates, encodes and allocates from an entry (`perform`),
 * and the worker (worker.ts) dispatches every job item through the same entry.
 *
 * Adding an operation to the pool is one entry:
 *
 *   myOp: evaluatorOp(ciphertext, galoisKeys, integer)({ // one codec per argument, in order
 *     check: (ctx, fn, a, keys, k) => …,                // the Evaluator's checks beyond the codecs'
 *     outputs: (ctx, a) => [[a.level, 2]],              // [level, size] of each result
 *     run: (ev, [out], a, keys, k) => ev.myOpInto(a, keys, k, out),
 *   }),
 *
 * after which `parallelEvaluator.perform('myOp', [a, keys, k])` and its batch form
 * `performMany('myOp', [[a, keys, k], …])` work, typed from the entry; a named
 * method on ParallelEvaluator is then a one-line wrapper. An operation with several
 * results lists several shapes and receives several outputs. A new kind of
 * argument is a new codec (below).
 * Tasks (`task(…)`) are the pool's own work items, whose wire arguments
 * ParallelEvaluator builds itself: the stages of a limb-parallel multiply
 * (multiply.ts), linear layers, and `map`.
 *
 * Results are bit-identical to the Evaluator's by construction: the worker runs
 * the Evaluator itself (or the same multiply.ts stage functions) on views of the
 * caller's shared memory.
 */
import { Ciphertext, Plaintext } from '../ciphertext.js';
import { mulExtend, mulFloor, mulTensor } from '../multiply.js';
import type { BfvContext } from '../context.js';
import type { Evaluator } from '../evaluator.js';
import { GaloisKeys, RelinKeys } from '../keys.js';
import { LinearTransform, type PreparedTerm } from '../linear-transform.js';
import { QheError, fail } from '../math/errors.js';
import type { Residues } from '../math/kernel.js';
import {
  assertGaloisKeys,
  assertNonZeroPlain,
  assertNotLastLevel,
  assertPlaintext,
  assertRelinKeys,
  assertRelinearizable,
  assertRelinearized,
  rotationElements,
  scalarOperand,
} from '../operands.js';
import { adoptShared, describeCiphertext, isShared, sharedCopy, type SharedCiphertext } from './protocol.js';

// ---- the two sides an entry talks to -------------------------------------------------

/** What an argument codec may use on the caller's side. */
export interface CallerScope {
  readonly context: BfvContext;
  /** Registers an evaluation key set with every worker (once per key object); returns its id. */
  registerKeys(keys: RelinKeys | GaloisKeys): number;
}

/** What an operation may use inside a worker, for one job. */
export interface WorkerScope {
  readonly context: BfvContext;
  readonly evaluator: Evaluator;
  /** The Ciphertext over a shared descriptor; descriptors of the same arrays give the same object (aliasing survives). */
  ciphertext(d: SharedCiphertext): Ciphertext;
  /**
   * Runs `fn` with the output views and makes sure the results landed in the
   * shared arrays (an Evaluator may replace `out.polys`, as modSwitchToNextInto does).
   */
  outputs(ds: readonly SharedCiphertext[], fn: (outs: readonly Ciphertext[]) => void): void;
  /** A registered key set, checked to be of `kind`. */
  keys<T extends RelinKeys | GaloisKeys>(id: number, kind: abstract new (...args: never[]) => T): T;
  /** Multiplication (BEHZ/HPS) scratch for a level, reused across jobs. */
  scratch(level: number): Residues;
  /** A `map` function from its source text (compiled once per worker). */
  compile(src: string): MapFunction;
}

/** The signature of `ParallelEvaluator.map` functions, as they run in a worker. */
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

// ---- argument codecs ----------------------------------------------------------------

/** How one argument of type T crosses to a worker as a structured-cloneable W. */
export interface ArgCodec<T, W = unknown> {
  /** The ciphertexts in the argument, for the joint operand check (one parameter set, one level). */
  readonly operands?: (value: T) => readonly Ciphertext[];
  /** The Evaluator's check of this argument (caller side, before anything is encoded). */
  readonly check?: (context: BfvContext, fn: string, value: T) => void;
  /** Caller side: the wire form (may move data into shared memory or register keys). */
  readonly encode: (scope: CallerScope, value: T) => W;
  /** Worker side: the value back from its wire form. */
  readonly decode: (scope: WorkerScope, wire: W) => T;
}

/** A ciphertext, moved into shared memory once (in place) and passed as a descriptor of its arrays. */
export const ciphertext: ArgCodec<Ciphertext, SharedCiphertext> = {
  operands: (ct) => [ct],
  encode: (_, ct) => describeCiphertext(adoptShared(ct)),
  decode: (w, d) => w.ciphertext(d),
};

/** A plaintext, as a shared copy of its residues. */
export const plaintext: ArgCodec<Plaintext, Residues> = {
  check: assertPlaintext,
  encode: (s, pt) => sharedCopy(s.context, pt.data),
  decode: (w, data) => new Plaintext(w.context, data),
};

/** An integer constant (number or bigint), checked as the Evaluator checks it. */
export const scalar: ArgCodec<bigint | number, bigint | number> = {
  check: (ctx, fn, c) => void scalarOperand(ctx, fn, c),
  encode: (_, c) => c,
  decode: (_, c) => c,
};

/** A plain number (a Galois element, a step count), checked by the operation. */
export const integer: ArgCodec<number, number> = {
  encode: (_, v) => v,
  decode: (_, v) => v,
};

/** Relinearization keys, registered with the pool once and passed by id. */
export const relinKeys: ArgCodec<RelinKeys, number> = {
  check: assertRelinKeys,
  encode: (s, k) => s.registerKeys(k),
  decode: (w, id) => w.keys(id, RelinKeys),
};

/** Galois keys, registered with the pool once and passed by id. */
export const galoisKeys: ArgCodec<GaloisKeys, number> = {
  check: assertGaloisKeys,
  encode: (s, k) => s.registerKeys(k),
  decode: (w, id) => w.keys(id, GaloisKeys),
};

/** A list of integers (rotation steps, Galois elements), checked by the operation. */
export const integers: ArgCodec<readonly number[], readonly number[]> = {
  check: (_, fn, v) => {
    if (!Array.isArray(v)) fail('INVALID_ARGUMENT', fn, 'a list of integers', v);
  },
  encode: (_, v) => [...v],
  decode: (_, v) => v,
};

/** A list of ciphertexts, each moved into shared memory once and passed as a descriptor. */
export const ciphertexts: ArgCodec<readonly Ciphertext[], readonly SharedCiphertext[]> = {
  operands: (cts) => cts,
  check: (_, fn, v) => {
    if (!Array.isArray(v)) fail('INVALID_ARGUMENT', fn, 'a list of ciphertexts', v);
  },
  encode: (_, cts) => cts.map((ct) => describeCiphertext(adoptShared(ct))),
  decode: (w, ds) => ds.map((d) => w.ciphertext(d)),
};

/** A LinearTransform as structured-cloneable data over shared memory. */
export interface SharedLinearTransform {
  readonly level: number;
  readonly inputs: number;
  readonly groups: readonly (readonly [number, readonly PreparedTerm[]])[];
}

const sharedTransforms = new WeakMap<LinearTransform, SharedLinearTransform>();

/** A prepared LinearTransform: its factors move to shared memory once per transform (cached). */
export const linearTransform: ArgCodec<LinearTransform, SharedLinearTransform> = {
  check: (ctx, fn, lt) => {
    if (!(lt instanceof LinearTransform)) fail('INVALID_ARGUMENT', fn, 'a LinearTransform', lt);
    ctx.assertSame(fn, lt);
  },
  encode: (s, lt) => {
    let d = sharedTransforms.get(lt);
    if (!d) {
      const copies = new Map<Residues, Residues>();
      const share = (v: Residues | null): Residues | null => {
        if (!v) return null;
        let c = copies.get(v);
        if (!c) copies.set(v, (c = sharedCopy(s.context, v)));
        return c;
      };
      d = { level: lt.level, inputs: lt.inputCount, groups: [...lt.groups].map(([g, terms]) => [g, terms.map((t) => ({ ...t, vector: share(t.vector) }))] as const) };
      sharedTransforms.set(lt, d);
    }
    return d;
  },
  decode: (w, d) => LinearTransform.fromPrepared(w.context, d.level, d.inputs, new Map(d.groups)),
};

/** Galois keys or null (a transform without rotations). */
export const optionalGaloisKeys: ArgCodec<GaloisKeys | null, number | null> = {
  check: (ctx, fn, k) => {
    if (k !== null) assertGaloisKeys(ctx, fn, k);
  },
  encode: (s, k) => (k === null ? null : s.registerKeys(k)),
  decode: (w, id) => (id === null ? null : w.keys(id, GaloisKeys)),
};

// ---- entries --------------------------------------------------------------------------

/** [level, size] of a result ciphertext. */
export type Shape = readonly [level: number, size: number];

/** One job item on the wire: an entry name, its encoded arguments and the shared outputs. */
export interface JobItem {
  readonly op: OperationName;
  readonly args: readonly unknown[];
  readonly outs?: readonly SharedCiphertext[];
}

/** One codec per argument of A. */
export type ArgCodecs<A extends unknown[]> = { readonly [K in keyof A]: ArgCodec<A[K], any> };

export interface EvaluatorOpDefinition<A extends unknown[]> {
  /** The Evaluator's checks beyond the arguments' own, in the Evaluator's order. */
  readonly check?: (context: BfvContext, fn: string, ...args: A) => void;
  /** Level and size of each result. */
  readonly outputs: (context: BfvContext, ...args: A) => readonly Shape[];
  /**
   * The outputs are also inputs (acc ← acc + a·c): they are checked with the operands,
   * keep their values, and only grow to the shape's size.
   */
  readonly accumulate?: boolean;
  /** Worker side: the Evaluator's …Into call writing the results into `outs`. */
  readonly run: (evaluator: Evaluator, outs: readonly Ciphertext[], ...args: A) => unknown;
}

export interface EvaluatorOp<A extends unknown[]> extends EvaluatorOpDefinition<A> {
  readonly kind: 'evaluator';
  readonly args: ArgCodecs<A>;
  readonly work: (scope: WorkerScope, item: JobItem) => void;
}

export interface Task<A extends unknown[]> {
  readonly kind: 'task';
  readonly work: (scope: WorkerScope, item: JobItem) => unknown;
  /** Type witness of the wire arguments (never set). */
  readonly wire?: A;
}

/**
 * An entry that runs an Evaluator operation on decoded arguments into shared outputs:
 * `evaluatorOp(codec, …)({ check?, outputs, accumulate?, run })` (the codecs fix the
 * argument types the definition is checked against).
 */
function evaluatorOp<A extends unknown[]>(...args: ArgCodecs<A>): (def: EvaluatorOpDefinition<A>) => EvaluatorOp<A> {
  const codecs = args as readonly ArgCodec<unknown, unknown>[];
  return (def) => ({
    ...def,
    args,
    kind: 'evaluator',
    work: (scope, item) => {
      const decoded = codecs.map((c, i) => c.decode(scope, item.args[i])) as unknown as A;
      scope.outputs(item.outs ?? [], (outs) => def.run(scope.evaluator, outs, ...decoded));
    },
  });
}

/** An entry whose wire arguments the caller builds itself; `work` returns the item's result. */
function task<A extends unknown[]>(work: (scope: WorkerScope, ...args: A) => unknown): Task<A> {
  return { kind: 'task', work: (scope, item) => work(scope, ...(item.args as unknown as A)) };
}

// Result shapes shared by several entries (the rest parameters accept any further arguments).
const same = (_: BfvContext, a: Ciphertext, ..._rest: unknown[]): readonly Shape[] => [[a.level, a.size]];
const pair = (_: BfvContext, a: Ciphertext, b: Ciphertext, ..._rest: unknown[]): readonly Shape[] => [[a.level, Math.max(a.size, b.size)]];
const product = (_: BfvContext, a: Ciphertext, b: Ciphertext, ..._rest: unknown[]): readonly Shape[] => [[a.level, a.size + b.size - 1]];
const relinearized = (_: BfvContext, a: Ciphertext, ..._rest: unknown[]): readonly Shape[] => [[a.level, 2]];

export const OPERATIONS = {
  // ---- additive
  add: evaluatorOp(ciphertext, ciphertext)({ outputs: pair, run: (ev, [o], a, b) => ev.addInto(a, b, o) }),
  sub: evaluatorOp(ciphertext, ciphertext)({ outputs: pair, run: (ev, [o], a, b) => ev.subInto(a, b, o) }),
  negate: evaluatorOp(ciphertext)({ outputs: same, run: (ev, [o], a) => ev.negateInto(a, o) }),
  addPlain: evaluatorOp(ciphertext, plaintext)({ outputs: same, run: (ev, [o], a, pt) => ev.addPlainInto(a, pt, o) }),
  subPlain: evaluatorOp(ciphertext, plaintext)({ outputs: same, run: (ev, [o], a, pt) => ev.subPlainInto(a, pt, o) }),

  // ---- scalar and plaintext products
  multiplyPlain: evaluatorOp(ciphertext, plaintext)({
    check: (_, fn, _a, pt) => assertNonZeroPlain(fn, pt),
    outputs: same,
    run: (ev, [o], a, pt) => ev.multiplyPlainInto(a, pt, o),
  }),
  multiplyScalar: evaluatorOp(ciphertext, scalar)({ outputs: same, run: (ev, [o], a, c) => ev.multiplyScalarInto(a, c, o) }),
  multiplyScalarAdd: evaluatorOp(ciphertext, scalar)({
    outputs: same,
    accumulate: true,
    run: (ev, [acc], a, c) => ev.multiplyScalarAddInto(a, c, acc),
  }),

  // ---- ciphertext products (see ParallelEvaluator.multiplyInto for the limb-parallel split)
  multiply: evaluatorOp(ciphertext, ciphertext)({ outputs: product, run: (ev, [o], a, b) => ev.multiplyInto(a, b, o) }),
  square: evaluatorOp(ciphertext)({ outputs: (ctx, a) => product(ctx, a, a), run: (ev, [o], a) => ev.squareInto(a, o) }),
  /** multiply then relinearize in one job: no size-3 intermediate leaves the worker. */
  multiplyRelinearize: evaluatorOp(ciphertext, ciphertext, relinKeys)({
    check: (_, fn, a, b) => {
      if (a.size + b.size - 1 !== 3) fail('CIPHERTEXT_SIZE', fn, 'two size-2 operands (a size-3 product)', `sizes ${a.size}, ${b.size}`);
    },
    outputs: relinearized,
    run: (ev, [o], a, b, rk) => ev.relinearizeInto(ev.multiply(a, b), rk, o),
  }),

  // ---- key switching
  relinearize: evaluatorOp(ciphertext, relinKeys)({
    check: (_, fn, a) => assertRelinearizable(fn, a),
    outputs: relinearized,
    run: (ev, [o], a, rk) => ev.relinearizeInto(a, rk, o),
  }),
  applyGalois: evaluatorOp(ciphertext, integer, galoisKeys)({
    check: (_, fn, a, elt, gk) => {
      assertRelinearized(fn, a);
      gk.get(elt); // MISSING_KEY
    },
    outputs: relinearized,
    run: (ev, [o], a, elt, gk) => ev.applyGaloisInto(a, elt, gk, o),
  }),
  rotateRows: evaluatorOp(ciphertext, integer, galoisKeys)({
    check: (ctx, fn, a, steps, gk) => {
      const elements = rotationElements(ctx, fn, steps, gk);
      if (elements.length > 0) assertRelinearized(fn, a);
      for (const g of elements) gk.get(g); // MISSING_KEY
    },
    outputs: (_, a, steps) => [[a.level, steps === 0 ? a.size : 2]],
    run: (ev, [o], a, steps, gk) => ev.rotateRowsInto(a, steps, gk, o),
  }),
  rotateColumns: evaluatorOp(ciphertext, galoisKeys)({
    check: (ctx, fn, a, gk) => {
      assertRelinearized(fn, a);
      gk.get(2 * ctx.n - 1); // MISSING_KEY
    },
    outputs: relinearized,
    run: (ev, [o], a, gk) => ev.rotateColumnsInto(a, gk, o),
  }),

  /** Hoisted rotations of one ciphertext (Evaluator.rotateRowsMany); ParallelEvaluator splits the steps among workers. */
  rotateRowsMany: evaluatorOp(ciphertext, integers, galoisKeys)({
    check: (ctx, fn, a, steps, gk) => {
      const elements = steps.flatMap((s) => rotationElements(ctx, fn, s, gk));
      if (elements.length > 0) assertRelinearized(fn, a);
      for (const g of elements) gk.get(g); // MISSING_KEY
    },
    outputs: (_, a, steps) => steps.map((s): Shape => [a.level, s === 0 ? a.size : 2]),
    run: (ev, outs, a, steps, gk) => ev.rotateRowsManyInto(a, steps, gk, outs),
  }),
  /** Galois automorphisms of one ciphertext for many elements, one decomposition (Evaluator.applyGaloisMany). */
  applyGaloisMany: evaluatorOp(ciphertext, integers, galoisKeys)({
    check: (ctx, fn, a, elts, gk) => {
      for (const g of elts) if (!Number.isInteger(g) || (g & 1) === 0 || g < 1 || g >= 2 * ctx.n) fail('INVALID_ARGUMENT', fn, `odd Galois elements in [1, ${2 * ctx.n})`, g);
      if (elts.some((g) => g !== 1)) assertRelinearized(fn, a);
      for (const g of elts) if (g !== 1) gk.get(g); // MISSING_KEY
    },
    outputs: (_, a, elts) => elts.map((g): Shape => [a.level, g === 1 ? a.size : 2]),
    run: (ev, outs, a, elts, gk) => ev.applyGaloisManyInto(a, elts, gk, outs),
  }),
  /** A prepared linear transform (Evaluator.linearTransform): baby steps hoisted, one ModDown per giant step. */
  linearTransform: evaluatorOp(ciphertexts, linearTransform, optionalGaloisKeys)({
    check: (_, fn, cts, lt, gk) => {
      if (cts.length !== lt.inputCount) fail('LENGTH_MISMATCH', fn, `${lt.inputCount} input ciphertexts`, cts.length);
      for (const ct of cts) {
        if (ct.level !== lt.level) fail('PARAMETER_MISMATCH', fn, `inputs at the transform's level ${lt.level}`, `level ${ct.level}`);
        assertRelinearized(fn, ct);
      }
      const elements = lt.galoisElements;
      if (elements.length > 0 && !gk) fail('MISSING_KEY', fn, `Galois keys for elements ${elements.join(', ')}`, null);
      for (const g of elements) gk!.get(g); // MISSING_KEY
    },
    outputs: (_, _cts, lt) => [[lt.level, 2]],
    run: (ev, [o], cts, lt, gk) => ev.linearTransformInto(cts, lt, gk, o),
  }),

  // ---- modulus switching
  modSwitchToNext: evaluatorOp(ciphertext)({
    check: (ctx, fn, a) => assertNotLastLevel(ctx, fn, a),
    outputs: (_, a) => [[a.level + 1, a.size]],
    run: (ev, [o], a) => ev.modSwitchToNextInto(a, o),
  }),

  // ---- tasks: stages of a limb-parallel multiply (multiply.ts; split by ParallelEvaluator.multiplyInto)
  mulExtend: task((w, level: number, src: Residues, dst: Residues) => mulExtend(w.context.level(level), w.context.n, src, dst, w.scratch(level))),
  mulTensor: task((w, level: number, ea: readonly Residues[], eb: readonly Residues[] | null, d: readonly Residues[], from: number, to: number) =>
    mulTensor(w.context.level(level), w.context.kernel, w.context.n, ea, eb, d, from, to),
  ),
  mulFloor: task((w, level: number, d: Residues, out: Residues) => mulFloor(w.context.level(level), w.context.kernel, w.context.n, d, out, w.scratch(level))),

  /** Outputs of a linear layer: out_o = Σ_k w[o·taps+k] · in[index[o·taps+k]], in the order a sequential loop uses. */
  linear: task((w, inputs: readonly SharedCiphertext[], index: Uint32Array, weight: readonly (number | bigint)[], taps: number, outs: readonly SharedCiphertext[]) => {
    const ev = w.evaluator;
    const xs = inputs.map((d) => w.ciphertext(d));
    outs.forEach((d, o) =>
      w.outputs([d], ([out]) => {
        ev.multiplyScalarInto(xs[index[o * taps]], weight[o * taps], out);
        for (let k = 1; k < taps; k++) ev.multiplyScalarAddInto(xs[index[o * taps + k]], weight[o * taps + k], out);
      }),
    );
  }),

  /** `map`: the caller's function on each ciphertext; results in shared arrays allocated here. */
  map: task((w, src: string, cts: readonly SharedCiphertext[], offset: number, relin: number | undefined, galois: number | undefined, args: unknown): SharedCiphertext[] => {
    const f = w.compile(src);
    const relinKeys = relin === undefined ? undefined : w.keys(relin, RelinKeys);
    const galoisKeys = galois === undefined ? undefined : w.keys(galois, GaloisKeys);
    return cts.map((d, i) => {
      const r = f(w.ciphertext(d), { context: w.context, evaluator: w.evaluator, relinKeys, galoisKeys, index: offset + i, args });
      if (!(r instanceof Ciphertext)) throw new QheError('INVALID_ARGUMENT', `map: expected the function to return a Ciphertext, got ${typeof r}`);
      return { level: r.level, polys: r.polys.map((p) => (isShared(p.data) ? p.data : p.clone(true).data)) };
    });
  }),
} as const;

export type Operations = typeof OPERATIONS;
export type OperationName = keyof Operations;
/** Names of the entries that run an Evaluator operation (the ones `perform` accepts). */
export type EvaluatorOpName = { [K in OperationName]: Operations[K] extends EvaluatorOp<any> ? K : never }[OperationName];
export type TaskName = Exclude<OperationName, EvaluatorOpName>;
/** The caller-side arguments of an Evaluator operation. */
export type OperationArgs<K extends EvaluatorOpName> = Operations[K] extends EvaluatorOp<infer A> ? A : never;
/** The wire arguments of a task. */
export type TaskArgs<K extends TaskName> = Operations[K] extends Task<infer A> ? A : never;

export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(OPERATIONS, name);
}

/** A job item for a task (its wire arguments built by the caller). */
export function taskItem<K extends TaskName>(op: K, ...args: TaskArgs<K>): JobItem {
  return { op, args };
}
