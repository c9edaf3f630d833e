/**
 * LinearTransform: a prepared slot-wise linear map on one or more ciphertexts,
 *
 *   out = Σ_g σ_g( Σ_{(j, b, D) ∈ terms(g)} D ⊙ σ_b(in_j) ),
 *
 * the baby-step/giant-step form of the diagonal method (Halevi & Shoup,
 * "Algorithms in HElib", CRYPTO 2014, §4; "Faster Homomorphic Linear
 * Transformations in HElib", CRYPTO 2018, §4–5). σ_b, σ_g are Galois
 * automorphisms given by their elements (1 = identity; a row rotation by k is
 * `galoisElementForStep(N, k)`, the row swap 2N − 1, and products mod 2N compose
 * them). A factor D is a Plaintext (a slot-wise product: the caller encodes the
 * diagonal already rotated by σ_g^{-1}) or an integer constant (every slot,
 * noise growth log2|D| instead of log2 t + ½·log2 N).
 *
 * Preparation (once per transform, the model owner's side): every plaintext
 * factor is lifted centred into (level base ∪ special primes) and transformed to
 * NTT form, so evaluation multiplies pointwise in Q·P ("double hoisting",
 * Bossuat, Mouchet, Troncoso-Pastoriza, Hubaux, EUROCRYPT 2021, §3.3, there for
 * CKKS): baby rotations are hoisted and left before ModDown, products and sums
 * stay in Q·P, and each giant step and the result pay one ModDown. See
 * `evaluateLinearTransform` (hoisting.ts).
 */
import { Plaintext } from './ciphertext.js';
import { assertContext, type BfvContext } from './context.js';
import { assertPlaintext, booleanOption, galoisElementOperand, integerOperand, optionsOperand } from './operands.js';
import { fail } from './math/errors.js';
import type { Residues } from './math/kernel.js';
import { RnsPoly } from './math/poly.js';
import { liftCentered } from './plain-lift.js';
import { centre } from './math/zq.js';

export interface LinearTransformTerm {
  /** Index of the input ciphertext. */
  readonly input: number;
  /** Galois element applied to the input (1: none). */
  readonly baby: number;
  /** Galois element applied to the sum of the terms that share it (1: none). */
  readonly giant: number;
  /** The factor: a Plaintext (slot-wise) or an integer constant (every slot). */
  readonly diagonal: Plaintext | bigint | number;
}

export interface LinearTransformOptions {
  /** Level of the inputs and the output. */
  readonly level: number;
  /** Number of input ciphertexts. */
  readonly inputs: number;
  readonly terms: readonly LinearTransformTerm[];
  /** Keep the prepared factors in SharedArrayBuffers (for the worker pool). */
  readonly shared?: boolean;
}

/** One prepared term: a vector factor over (level ∪ special) in NTT form, or a centred constant. */
export interface PreparedTerm {
  readonly input: number;
  readonly baby: number;
  readonly vector: Residues | null;
  readonly scalar: bigint;
}

export class LinearTransform {
  /** Terms grouped by giant element, in first-appearance order. */
  readonly groups: ReadonlyMap<number, readonly PreparedTerm[]>;

  private constructor(
    readonly context: BfvContext,
    readonly level: number,
    readonly inputCount: number,
    groups: Map<number, PreparedTerm[]>,
  ) {
    this.groups = groups;
  }

  /** Prepares the factors (lift to Q·P, NTT). Throws INVALID_ARGUMENT on malformed terms. */
  static create(context: BfvContext, options: LinearTransformOptions): LinearTransform {
    const fn = 'LinearTransform.create';
    assertContext(fn, context);
    const o = optionsOperand<LinearTransformOptions>(fn, options);
    const level = o.level as number;
    context.level(level); // LEVEL_EXHAUSTED outside [0, maxLevel]
    const inputs = integerOperand(fn, 'options.inputs', o.inputs, 1, 2 ** 20);
    const { terms, shared } = o;
    if (!Array.isArray(terms) || terms.length === 0) fail('INVALID_ARGUMENT', fn, 'options.terms: a non-empty list of terms', terms);
    const sharedMemory = booleanOption(fn, 'shared', shared, false);
    const n = context.n, twoN = 2 * n;
    const lv = context.level(level);
    const ext = lv.extendedOps;
    const groups = new Map<number, PreparedTerm[]>();
    const lifted = new Map<Plaintext, Residues>();
    for (const [k, term] of terms.entries()) {
      if (typeof term !== 'object' || term === null) fail('INVALID_ARGUMENT', `${fn}(terms[${k}])`, 'a { input, baby, giant, diagonal } term', term);
      const { input, baby, giant, diagonal } = term as LinearTransformTerm;
      if (!Number.isInteger(input) || input < 0 || input >= inputs) fail('INVALID_ARGUMENT', `${fn}(terms[${k}].input)`, `an input index in [0, ${inputs})`, input);
      for (const [name, g] of [['baby', baby], ['giant', giant]] as const)
        if (!Number.isInteger(g) || (g & 1) === 0 || g < 1 || g >= twoN) fail('INVALID_ARGUMENT', `${fn}(terms[${k}].${name})`, `an odd Galois element in [1, ${twoN})`, g);
      let prepared: PreparedTerm;
      if (diagonal instanceof Plaintext) {
        assertPlaintext(context, fn, diagonal);
        let v = lifted.get(diagonal);
        if (!v) {
          v = context.kernel.alloc(ext.length * n, sharedMemory);
          const poly = new RnsPoly(context.keyBase, context.kernel.alloc(context.keyBase.size * n), 'coeff');
          liftCentered(diagonal, context.t, poly);
          // Level limbs are a prefix of the key base; the special limbs sit at keyLimb.
          for (let j = 0; j < ext.length; j++) {
            const dst = v.subarray(j * n, (j + 1) * n);
            context.kernel.copy(poly.limb(lv.keyLimb[j]), dst);
            ext[j].forwardNtt(dst);
          }
          lifted.set(diagonal, v);
        }
        prepared = { input, baby, vector: v, scalar: 0n };
      } else if (typeof diagonal === 'bigint' || (typeof diagonal === 'number' && Number.isSafeInteger(diagonal))) {
        prepared = { input, baby, vector: null, scalar: centre(BigInt(diagonal), context.t) };
      } else {
        return fail('INVALID_ARGUMENT', `${fn}(terms[${k}].diagonal)`, 'a Plaintext or an integer', diagonal);
      }
      let g = groups.get(giant);
      if (!g) groups.set(giant, (g = []));
      g.push(prepared);
    }
    return new LinearTransform(context, level, inputs, groups);
  }

  /**
   * A transform from already prepared terms (the worker pool rebuilds one from
   * shared memory this way). Vectors must be (level ∪ special) limbs in NTT form.
   */
  static fromPrepared(context: BfvContext, level: number, inputs: number, groups: ReadonlyMap<number, readonly PreparedTerm[]>): LinearTransform {
    const fn = 'LinearTransform.fromPrepared';
    assertContext(fn, context);
    integerOperand(fn, 'level', level, 0, context.maxLevel);
    integerOperand(fn, 'inputs', inputs, 1, 2 ** 20);
    if (!(groups instanceof Map) || groups.size === 0) fail('INVALID_ARGUMENT', fn, 'a non-empty Map from giant element to prepared terms', groups);
    const total = context.level(level).extendedOps.length * context.n;
    const copy = new Map<number, PreparedTerm[]>();
    for (const [g, terms] of groups) {
      galoisElementOperand(context, fn, g);
      if (!Array.isArray(terms)) fail('INVALID_ARGUMENT', fn, `a list of prepared terms for giant ${g}`, terms);
      for (const t of terms as readonly unknown[]) {
        const p = t as PreparedTerm;
        if (typeof t !== 'object' || t === null) fail('INVALID_ARGUMENT', fn, 'prepared terms { input, baby, vector, scalar }', t);
        integerOperand(fn, 'a term\'s input', p.input, 0, inputs - 1);
        galoisElementOperand(context, fn, p.baby);
        if (typeof p.scalar !== 'bigint') fail('INVALID_ARGUMENT', fn, 'a bigint scalar in every prepared term', p.scalar);
        if (p.vector !== null && (!context.kernel.owns(p.vector) || p.vector.length !== total))
          fail('LENGTH_MISMATCH', fn, `prepared factors of ${total} residues (or null)`, p.vector);
      }
      copy.set(g, [...(terms as readonly PreparedTerm[])]);
    }
    return new LinearTransform(context, level, inputs, copy);
  }

  /** The Galois elements evaluation needs keys for (babies and giants, identity excluded), ascending. */
  get galoisElements(): number[] {
    const s = new Set<number>();
    for (const [g, terms] of this.groups) {
      if (g !== 1) s.add(g);
      for (const t of terms) if (t.baby !== 1) s.add(t.baby);
    }
    return [...s].sort((a, b) => a - b);
  }

  /** Distinct (input, baby) rotations: the hoisted key switches per evaluation. */
  get babyCount(): number {
    const s = new Set<string>();
    for (const terms of this.groups.values()) for (const t of terms) if (t.baby !== 1) s.add(`${t.input}:${t.baby}`);
    return s.size;
  }

  /** Non-identity giant steps: one full key switch each. */
  get giantCount(): number {
    return [...this.groups.keys()].filter((g) => g !== 1).length;
  }
}
