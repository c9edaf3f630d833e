/**
 * Evaluator: homomorphic operations on BFV ciphertexts (FV §4; SEAL evaluator.cpp).
 * Every operation comes as `op(…)`, which allocates its result, and `opInto(…, out)`,
 * which writes into `out` (reshaped to the result's level and size; `out` may be
 * one of the inputs).
 *
 * multiply: BEHZ (behz.ts) or HPS (hps.ts), per context, in the three stages of multiply.ts:
 *   1. extend each input polynomial from q to q ∪ A (A = Bsk or P);
 *   2. NTT over q ∪ A; 3. tensor d_k = Σ_{i+j=k} a_i ⊙ b_j;
 *   4. inverse NTT; 5. ⌊t·d/q⌉ in A; 6. A → q.
 * relinearize, rotations: key switching with special primes (keyswitch.ts);
 * many rotations of one ciphertext and linear transforms share its
 * decomposition (hoisting.ts: Halevi–Shoup 2018 §5).
 * modSwitchToNext: divide and round by the last prime (SEAL
 * divide_and_round_q_last_inplace), keeping the plaintext and the invariant noise.
 *
 * Validation: every entry point checks its operands first (operands.ts: type,
 * parameters, structure, one level), then computes. `…Into(…, out)` accepts any
 * Ciphertext of these parameters as `out` (undefined allocates one).
 *
 * Transparency: a result whose c1, c2, … are all zero carries its plaintext in
 * clear (e.g. c·0, ct − ct, acc + (−1)·acc); every operation returns through
 * `result`, which throws TRANSPARENT_RESULT for such a result as SEAL does
 * (SEAL_THROW_ON_TRANSPARENT_CIPHERTEXT). The check stops at the first non-zero
 * word, so it costs nothing on a normal result. An `…Into` output that failed
 * the check holds the transparent value: discard it.
 */
import { Ciphertext, type Plaintext } from './ciphertext.js';
import {
  assertCiphertexts,
  operandsKeyId,
  assertGaloisKeys,
  assertNonZeroPlain,
  assertNotLastLevel,
  assertOutput,
  assertPlaintext,
  assertRelinKeys,
  assertRelinearizable,
  assertRelinearized,
  assertTargetLevel,
  galoisElementOperand,
  rotationElements,
  scalarOperand,
} from './operands.js';
import { mulExtend, mulFloor, mulTensor, multiplyBuffers } from './multiply.js';
import { assertContext, type BfvContext } from './context.js';
import type { GaloisKeys, RelinKeys } from './keys.js';
import { keySwitchPolys, switchKeyInto } from './keyswitch.js';
import { applyGaloisHoisted, evaluateLinearTransform } from './hoisting.js';
import { LinearTransform } from './linear-transform.js';
import { QheError, fail } from './math/errors.js';
import type { Residues } from './math/kernel.js';
import { RnsPoly, mulInto, toCoeff, toNtt } from './math/poly.js';
import { invMod } from './math/zq.js';
import { addScaledPlain, liftCentered } from './plain-lift.js';

export class Evaluator {
  /** multiplyPlain's lifted plaintext, one buffer per level (reused: an isolate runs one call at a time). */
  private readonly liftBuffers = new Map<number, RnsPoly>();

  constructor(readonly context: BfvContext) {
    assertContext('Evaluator', context);
  }

  // ---- checks ------------------------------------------------------------

  /** Operand checks (operands.ts); returns the operands' common key id. */
  private check(fn: string, ...cts: unknown[]): string | undefined {
    assertCiphertexts(this.context, fn, cts);
    return operandsKeyId(fn, cts);
  }

  /** The output buffer of an `…Into` call (undefined: a new one of that level and size). */
  private target(fn: string, out: Ciphertext | undefined, level: number, size: number): Ciphertext {
    if (out === undefined) return Ciphertext.empty(this.context, level, size);
    assertOutput(this.context, fn, out);
    return out;
  }

  /** Every operation's exit: the transparency guard (module header); the result belongs to the operands' key. */
  private result(fn: string, out: Ciphertext, keyId: string | undefined): Ciphertext {
    out.seed = undefined;
    out.keyId = keyId;
    if (out.isTransparent())
      throw new QheError('TRANSPARENT_RESULT', `${fn}: expected a result with a non-zero c1, got a transparent ciphertext (it would reveal the plaintext)`);
    return out;
  }

  // ---- additive ------------------------------------------------------------

  private combine(fn: string, a: Ciphertext, b: Ciphertext, into: Ciphertext | undefined, subtract: boolean): Ciphertext {
    const id = this.check(fn, a, b);
    const size = Math.max(a.size, b.size);
    const out = this.target(fn, into, a.level, size);
    const base = this.context.level(a.level).base;
    const kernel = this.context.kernel;
    // Inputs may alias out: read the shapes before reshaping, copy a's extra polys.
    const aPolys = a.polys.slice(), bPolys = b.polys.slice();
    out.reshape(a.level, size);
    for (let k = 0; k < size; k++) {
      const x = aPolys[k], y = bPolys[k], o = out.polys[k];
      for (let i = 0; i < base.size; i++) {
        const op = base.ops[i];
        if (x && y) (subtract ? op.sub : op.add).call(op, x.limb(i), y.limb(i), o.limb(i));
        else if (x) kernel.copy(x.limb(i), o.limb(i));
        else if (subtract) op.negate(y!.limb(i), o.limb(i));
        else kernel.copy(y!.limb(i), o.limb(i));
      }
    }
    return this.result(fn, out, id);
  }

  add(a: Ciphertext, b: Ciphertext): Ciphertext {
    return this.combine('add', a, b, undefined, false);
  }
  addInto(a: Ciphertext, b: Ciphertext, out: Ciphertext | undefined): Ciphertext {
    return this.combine('add', a, b, out, false);
  }

  sub(a: Ciphertext, b: Ciphertext): Ciphertext {
    return this.combine('sub', a, b, undefined, true);
  }
  subInto(a: Ciphertext, b: Ciphertext, out: Ciphertext | undefined): Ciphertext {
    return this.combine('sub', a, b, out, true);
  }

  negate(a: Ciphertext): Ciphertext {
    return this.negateInto(a, undefined);
  }
  negateInto(a: Ciphertext, into: Ciphertext | undefined): Ciphertext {
    const fn = 'negate';
    const id = this.check(fn, a);
    const out = this.target(fn, into, a.level, a.size);
    const polys = a.polys.slice();
    out.reshape(a.level, a.size);
    const base = this.context.level(a.level).base;
    polys.forEach((p, k) => {
      for (let i = 0; i < base.size; i++) base.ops[i].negate(p.limb(i), out.polys[k].limb(i));
    });
    return this.result(fn, out, id);
  }

  /** out ← a (checked by the caller). */
  private copyInto(a: Ciphertext, out: Ciphertext): Ciphertext {
    if (a === out) return out;
    const polys = a.polys;
    out.reshape(a.level, a.size);
    polys.forEach((p, k) => this.context.kernel.copy(p.data, out.polys[k].data));
    return out;
  }

  private plainSum(fn: string, a: Ciphertext, pt: Plaintext, into: Ciphertext | undefined, sign: 1 | -1): Ciphertext {
    const id = this.check(fn, a);
    assertPlaintext(this.context, fn, pt);
    const out = this.target(fn, into, a.level, a.size);
    this.copyInto(a, out);
    addScaledPlain(this.context.level(a.level), pt, this.context.t, out.polys[0], sign);
    return this.result(fn, out, id);
  }

  addPlain(a: Ciphertext, pt: Plaintext): Ciphertext {
    return this.plainSum('addPlain', a, pt, undefined, 1);
  }
  addPlainInto(a: Ciphertext, pt: Plaintext, out: Ciphertext | undefined): Ciphertext {
    return this.plainSum('addPlain', a, pt, out, 1);
  }

  subPlain(a: Ciphertext, pt: Plaintext): Ciphertext {
    return this.plainSum('subPlain', a, pt, undefined, -1);
  }
  subPlainInto(a: Ciphertext, pt: Plaintext, out: Ciphertext | undefined): Ciphertext {
    return this.plainSum('subPlain', a, pt, out, -1);
  }

  // ---- scalar and plaintext products -----------------------------------------

  /** a·c for an integer constant c (taken mod t, centred): no NTT, the workhorse of linear layers. */
  multiplyScalar(a: Ciphertext, c: bigint | number): Ciphertext {
    return this.multiplyScalarInto(a, c, undefined);
  }
  multiplyScalarInto(a: Ciphertext, c: bigint | number, into: Ciphertext | undefined): Ciphertext {
    const fn = 'multiplyScalar';
    const id = this.check(fn, a);
    const s = scalarOperand(this.context, fn, c);
    const out = this.target(fn, into, a.level, a.size);
    const polys = a.polys.slice();
    out.reshape(a.level, a.size);
    const base = this.context.level(a.level).base;
    polys.forEach((p, k) => {
      for (let i = 0; i < base.size; i++) base.ops[i].mulScalar(p.limb(i), s, out.polys[k].limb(i));
    });
    return this.result(fn, out, id);
  }

  /** acc ← acc + a·c (same level; acc grows to a's size if smaller). */
  multiplyScalarAddInto(a: Ciphertext, c: bigint | number, acc: Ciphertext): Ciphertext {
    const fn = 'multiplyScalarAdd';
    const id = this.check(fn, a, acc);
    const s = scalarOperand(this.context, fn, c);
    const base = this.context.level(a.level).base;
    while (acc.polys.length < a.size) acc.polys.push(RnsPoly.zero(base, 'coeff'));
    a.polys.forEach((p, k) => {
      for (let i = 0; i < base.size; i++) base.ops[i].mulScalarAcc(p.limb(i), s, acc.polys[k].limb(i));
    });
    return this.result(fn, acc, id);
  }

  multiplyPlain(a: Ciphertext, pt: Plaintext): Ciphertext {
    return this.multiplyPlainInto(a, pt, undefined);
  }
  multiplyPlainInto(a: Ciphertext, pt: Plaintext, into: Ciphertext | undefined): Ciphertext {
    const fn = 'multiplyPlain';
    const id = this.check(fn, a);
    assertPlaintext(this.context, fn, pt);
    assertNonZeroPlain(fn, pt);
    const out = this.target(fn, into, a.level, a.size);
    const base = this.context.level(a.level).base;
    let m = this.liftBuffers.get(a.level);
    if (!m) this.liftBuffers.set(a.level, (m = RnsPoly.zero(base, 'coeff')));
    liftCentered(pt, this.context.t, m);
    toNtt(m);
    const polys = a.polys.slice();
    out.reshape(a.level, a.size);
    polys.forEach((p, k) => {
      const o = out.polys[k];
      if (o !== p) this.context.kernel.copy(p.data, o.data);
      toNtt(o);
      mulInto(o, m, o);
      toCoeff(o);
    });
    return this.result(fn, out, id);
  }

  // ---- ciphertext products -----------------------------------------------------

  multiply(a: Ciphertext, b: Ciphertext): Ciphertext {
    return this.product('multiply', a, b, undefined);
  }
  /** BEHZ or HPS (params.multiplication), steps in multiply.ts. */
  multiplyInto(a: Ciphertext, b: Ciphertext, out: Ciphertext | undefined): Ciphertext {
    return this.product('multiply', a, b, out);
  }

  square(a: Ciphertext): Ciphertext {
    return this.product('square', a, a, undefined);
  }
  squareInto(a: Ciphertext, out: Ciphertext | undefined): Ciphertext {
    return this.product('square', a, a, out);
  }

  private product(fn: string, a: Ciphertext, b: Ciphertext, into: Ciphertext | undefined): Ciphertext {
    const id = this.check(fn, a, b);
    const ctx = this.context;
    const size = a.size + b.size - 1;
    if (size > 255) fail('CIPHERTEXT_SIZE', fn, 'a product of at most 255 polynomials (relinearize after each multiply)', size);
    const out = this.target(fn, into, a.level, size);
    const n = ctx.n, kernel = ctx.kernel;
    const level = ctx.level(a.level);
    const W = level.mulOps.length;
    const buffers = multiplyBuffers(ctx, level, a.size + (a === b ? 0 : b.size) + size);
    const { scratch, aux } = buffers;
    const next = (): Residues => buffers.polys.pop()!;
    const extend = (p: RnsPoly): Residues => {
      const ext = next();
      mulExtend(level, n, p.data, ext, scratch);
      return ext;
    };
    // Steps 1–2 (into buffers: out may alias a or b).
    const ea = a.polys.map(extend);
    const eb = a === b ? null : b.polys.map(extend);
    // Steps 3–4.
    const d = Array.from({ length: size }, next);
    mulTensor(level, kernel, n, ea, eb, d, 0, W);
    // Steps 5–6.
    out.reshape(a.level, size);
    for (let k = 0; k < size; k++) mulFloor(level, kernel, n, d[k], out.polys[k].data, scratch, aux);
    return this.result(fn, out, id);
  }

  // ---- key switching -------------------------------------------------------------

  relinearize(a: Ciphertext, keys: RelinKeys): Ciphertext {
    return this.relinearizeInto(a, keys, undefined);
  }
  relinearizeInto(a: Ciphertext, keys: RelinKeys, into: Ciphertext | undefined): Ciphertext {
    const fn = 'relinearize';
    this.check(fn, a);
    assertRelinKeys(this.context, fn, keys);
    const id = operandsKeyId(fn, [a], keys);
    assertRelinearizable(fn, a);
    const out = this.target(fn, into, a.level, 2);
    if (a.size === 2) return this.result(fn, this.copyInto(a, out), id);
    const [, d0, d1] = keySwitchPolys(this.context, a.level);
    switchKeyInto(this.context, a.level, a.polys[2], keys.key, d0, d1);
    const [c0, c1] = a.polys;
    const base = this.context.level(a.level).base;
    out.reshape(a.level, 2);
    for (let i = 0; i < base.size; i++) {
      base.ops[i].add(c0.limb(i), d0.limb(i), out.polys[0].limb(i));
      base.ops[i].add(c1.limb(i), d1.limb(i), out.polys[1].limb(i));
    }
    return this.result(fn, out, id);
  }

  /** Applies X → X^g (g odd in [1, 2N)) with the matching Galois key. */
  applyGalois(a: Ciphertext, galoisElt: number, keys: GaloisKeys): Ciphertext {
    return this.applyGaloisInto(a, galoisElt, keys, undefined);
  }
  applyGaloisInto(a: Ciphertext, galoisElt: number, keys: GaloisKeys, into: Ciphertext | undefined): Ciphertext {
    return this.galois('applyGalois', a, galoisElt, keys, into);
  }

  private galois(fn: string, a: Ciphertext, galoisElt: unknown, keys: unknown, into: Ciphertext | undefined): Ciphertext {
    this.check(fn, a);
    assertGaloisKeys(this.context, fn, keys);
    const id = operandsKeyId(fn, [a], keys);
    const g = galoisElementOperand(this.context, fn, galoisElt);
    assertRelinearized(fn, a);
    const key = keys.get(g);
    const out = this.target(fn, into, a.level, 2);
    const base = this.context.level(a.level).base;
    // σ_g(c0), σ_g(c1) into scratch first: `out` may alias `a`, which is not read after that.
    const [c0, c1, d0] = keySwitchPolys(this.context, a.level);
    for (let i = 0; i < base.size; i++) {
      base.ops[i].automorphism(a.polys[0].limb(i), g, c0.limb(i));
      base.ops[i].automorphism(a.polys[1].limb(i), g, c1.limb(i));
    }
    out.reshape(a.level, 2);
    switchKeyInto(this.context, a.level, c1, key, d0, out.polys[1]);
    for (let i = 0; i < base.size; i++) base.ops[i].add(c0.limb(i), d0.limb(i), out.polys[0].limb(i));
    return this.result(fn, out, id);
  }

  /**
   * Rotates both rows of the 2 × N/2 slot matrix left by `steps` (right if
   * negative). Uses the key for that step if present; otherwise composes the
   * rotation from the power-of-two keys (signed binary digits of |steps|).
   */
  rotateRows(a: Ciphertext, steps: number, keys: GaloisKeys): Ciphertext {
    return this.rotateRowsInto(a, steps, keys, undefined);
  }
  rotateRowsInto(a: Ciphertext, steps: number, keys: GaloisKeys, into: Ciphertext | undefined): Ciphertext {
    const fn = 'rotateRows';
    this.check(fn, a);
    assertGaloisKeys(this.context, fn, keys);
    const id = operandsKeyId(fn, [a], keys);
    const elements = rotationElements(this.context, fn, steps, keys);
    if (elements.length === 0) return this.result(fn, this.copyInto(a, this.target(fn, into, a.level, a.size)), id);
    assertRelinearized(fn, a);
    for (const g of elements) keys.get(g); // every key the composition needs, before anything is computed
    const out = this.target(fn, into, a.level, 2);
    if (elements.length === 1) return this.galois(fn, a, elements[0], keys, out);
    let current = a;
    for (const g of elements) current = this.galois(fn, current, g, keys, current === a ? undefined : current);
    return this.result(fn, this.copyInto(current, out), id);
  }

  /**
   * Galois automorphisms of one ciphertext for many elements with one key-switching
   * decomposition (hoisting.ts); element 1 is a copy. Every element needs its own key.
   */
  applyGaloisMany(a: Ciphertext, galoisElts: readonly number[], keys: GaloisKeys): Ciphertext[] {
    return this.applyGaloisManyInto(a, galoisElts, keys, this.outputs('applyGaloisMany', a, galoisElts));
  }
  applyGaloisManyInto(a: Ciphertext, galoisElts: readonly number[], keys: GaloisKeys, outs: readonly Ciphertext[]): Ciphertext[] {
    const fn = 'applyGaloisMany';
    const id = this.checkMany(fn, a, galoisElts, keys, outs);
    const elts = galoisElts.map((g) => galoisElementOperand(this.context, fn, g));
    if (elts.some((g) => g !== 1)) assertRelinearized(fn, a);
    for (const g of elts) if (g !== 1) keys.get(g); // MISSING_KEY before anything is computed
    const hoisted = elts.map((g, i) => [g, i] as const).filter(([g]) => g !== 1);
    // An output may alias `a`: hoisting copies c0 and decomposes c1 before writing, copies come from a snapshot.
    const src = outs.includes(a) ? a.clone() : a;
    if (hoisted.length > 0) applyGaloisHoisted(this.context, src, hoisted.map(([g]) => g), keys, hoisted.map(([, i]) => outs[i]));
    elts.forEach((g, i) => { if (g === 1) this.copyInto(src, outs[i]); });
    return outs.map((o) => this.result(fn, o, id));
  }

  /**
   * Row rotations of one ciphertext by every step (rotateRows' convention), the
   * steps with their own key hoisted (one decomposition for all of them); steps
   * without one are composed from power-of-two keys as rotateRows does, and 0 is a copy.
   */
  rotateRowsMany(a: Ciphertext, steps: readonly number[], keys: GaloisKeys): Ciphertext[] {
    return this.rotateRowsManyInto(a, steps, keys, this.outputs('rotateRowsMany', a, steps));
  }
  rotateRowsManyInto(a: Ciphertext, steps: readonly number[], keys: GaloisKeys, outs: readonly Ciphertext[]): Ciphertext[] {
    const fn = 'rotateRowsMany';
    const id = this.checkMany(fn, a, steps, keys, outs);
    const elements = steps.map((s) => rotationElements(this.context, fn, s, keys));
    if (elements.some((e) => e.length > 0)) assertRelinearized(fn, a);
    for (const e of elements) for (const g of e) keys.get(g); // MISSING_KEY before anything is computed
    const src = outs.includes(a) ? a.clone() : a;
    const direct = elements.map((e, i) => [e, i] as const).filter(([e]) => e.length === 1);
    if (direct.length > 0) applyGaloisHoisted(this.context, src, direct.map(([[g]]) => g), keys, direct.map(([, i]) => outs[i]));
    elements.forEach((e, i) => {
      if (e.length === 0) this.copyInto(src, outs[i]);
      else if (e.length > 1) this.rotateRowsInto(src, steps[i], keys, outs[i]);
    });
    return outs.map((o) => this.result(fn, o, id));
  }

  private outputs(fn: string, a: Ciphertext, list: readonly number[]): Ciphertext[] {
    if (!Array.isArray(list)) fail('INVALID_ARGUMENT', fn, 'a list', list);
    this.check(fn, a);
    return list.map(() => Ciphertext.empty(this.context, a.level, 2));
  }

  /** Checks of the …Many calls; returns the common key id of `a` and the keys. */
  private checkMany(fn: string, a: Ciphertext, list: readonly number[], keys: GaloisKeys, outs: readonly Ciphertext[]): string | undefined {
    this.check(fn, a);
    assertGaloisKeys(this.context, fn, keys);
    if (!Array.isArray(list)) fail('INVALID_ARGUMENT', fn, 'a list', list);
    if (!Array.isArray(outs) || outs.length !== list.length) fail('LENGTH_MISMATCH', fn, `${list.length} output ciphertexts`, (outs as unknown[])?.length);
    for (const o of outs) assertOutput(this.context, fn, o);
    if (new Set(outs).size !== outs.length) fail('INVALID_ARGUMENT', fn, 'distinct output ciphertexts', 'the same one twice');
    return operandsKeyId(fn, [a], keys);
  }

  /**
   * out = Σ_g σ_g(Σ D ⊙ σ_b(inputs[j])) for a prepared LinearTransform (its module
   * documents the formula; hoisting.ts the evaluation). Inputs: size 2, at lt.level.
   */
  linearTransform(inputs: readonly Ciphertext[], lt: LinearTransform, keys: GaloisKeys | null): Ciphertext {
    return this.linearTransformInto(inputs, lt, keys, undefined as never);
  }
  linearTransformInto(inputs: readonly Ciphertext[], lt: LinearTransform, keys: GaloisKeys | null, into: Ciphertext): Ciphertext {
    const fn = 'linearTransform';
    if (!(lt instanceof LinearTransform)) fail('INVALID_ARGUMENT', fn, 'a LinearTransform', lt);
    this.context.assertSame(fn, lt);
    if (keys !== null) assertGaloisKeys(this.context, fn, keys);
    if (!Array.isArray(inputs) || inputs.length !== lt.inputCount) fail('LENGTH_MISMATCH', fn, `${lt.inputCount} input ciphertexts`, (inputs as unknown[])?.length);
    this.check(fn, ...inputs);
    const id = operandsKeyId(fn, inputs, keys ?? undefined);
    for (const ct of inputs) {
      if (ct.level !== lt.level) fail('PARAMETER_MISMATCH', fn, `inputs at the transform's level ${lt.level}`, `level ${ct.level}`);
      assertRelinearized(fn, ct);
    }
    const out = this.target(fn, into, lt.level, 2);
    return this.result(fn, evaluateLinearTransform(this.context, inputs, lt, keys, out), id);
  }

  /** Swaps the two rows of the slot matrix (Galois element 2N − 1). */
  rotateColumns(a: Ciphertext, keys: GaloisKeys): Ciphertext {
    return this.galois('rotateColumns', a, 2 * this.context.n - 1, keys, undefined);
  }
  rotateColumnsInto(a: Ciphertext, keys: GaloisKeys, out: Ciphertext | undefined): Ciphertext {
    return this.galois('rotateColumns', a, 2 * this.context.n - 1, keys, out);
  }

  // ---- modulus switching ----------------------------------------------------------

  modSwitchToNext(a: Ciphertext): Ciphertext {
    return this.modSwitchToNextInto(a, undefined);
  }
  modSwitchToNextInto(a: Ciphertext, into: Ciphertext | undefined): Ciphertext {
    const fn = 'modSwitchToNext';
    const id = this.check(fn, a);
    const ctx = this.context;
    assertNotLastLevel(ctx, fn, a);
    const out = this.target(fn, into, a.level + 1, a.size);
    const from = ctx.level(a.level).base;
    const to = ctx.level(a.level + 1).base;
    const last = from.size - 1;
    const qLast = from.primes[last];
    const half = qLast >> 1n;
    const lastOps = from.ops[last];
    const shifted = ctx.kernel.alloc(ctx.n);
    const sources = a.polys.slice();
    // The next level's primes are a prefix of this level's: in place, the result is
    // a view of the first L − 1 limbs (subMulScalar is elementwise, so aliasing is safe).
    let targets: RnsPoly[];
    if (out === a) targets = sources.map((p) => new RnsPoly(to, p.data.subarray(0, to.size * ctx.n), 'coeff'));
    else targets = out.reshape(a.level + 1, a.size).polys;
    sources.forEach((p, k) => {
      // x_j ← (x_j − [x_last + ⌊q_last/2⌋]_{q_j} + [⌊q_last/2⌋]_{q_j}) · q_last^{-1}
      lastOps.addScalar(p.limb(last), half, shifted);
      for (let j = 0; j < to.size; j++) to.ops[j].subMulScalar(p.limb(j), shifted, half, invMod(qLast, to.primes[j]), targets[k].limb(j));
    });
    out.level = a.level + 1;
    out.polys = targets;
    return this.result(fn, out, id);
  }

  /** Repeated modSwitchToNext down to `level` (a copy when a is already there). */
  modSwitchTo(a: Ciphertext, level: number): Ciphertext {
    const fn = 'modSwitchTo';
    const id = this.check(fn, a);
    assertTargetLevel(this.context, fn, a, level);
    let c = a;
    while (c.level < level) c = this.modSwitchToNext(c);
    return c === a ? this.result(fn, a.clone(), id) : c;
  }
}
