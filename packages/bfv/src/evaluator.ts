/**
 * Evaluator: homomorphic operations on BFV ciphertexts (FV §4; SEAL evaluator.cpp).
 * Every operation comes as `op(…)`, which allocates its result, and `opInto(…, out)`,
 * which writes into `out` (reshaped to the result's level and size; `out` may be
 * one of the inputs).
 *
 * multiply: BEHZ (behz.ts), in the three stages of behz-multiply.ts:
 *   1. extend each input polynomial from q to Bsk (FastBconv with m̃, SmMRq);
 *   2. NTT over q ∪ Bsk; 3. tensor d_k = Σ_{i+j=k} a_i ⊙ b_j;
 *   4. inverse NTT; 5. ⌊t·d/q⌉ in Bsk (fast floor); 6. Bsk → q (FastBconvSk).
 * relinearize, rotations: key switching with special primes (keyswitch.ts).
 * modSwitchToNext: divide and round by the last prime (SEAL
 * divide_and_round_q_last_inplace), keeping the plaintext and the invariant noise.
 *
 * Transparency: a result whose c1, c2, … are all zero carries its plaintext in
 * clear (e.g. c·0, ct − ct); such results throw TRANSPARENT_RESULT as SEAL does.
 */
import { Ciphertext, type Plaintext } from './ciphertext.js';
import {
  assertCiphertexts,
  assertGaloisKeys,
  assertNonZeroPlain,
  assertNotLastLevel,
  assertPlaintext,
  assertRelinKeys,
  assertRelinearizable,
  assertRelinearized,
  rotationElements,
  scalarOperand,
} from './operands.js';
import { behzExtend, behzFloor, behzTensor } from './behz-multiply.js';
import type { BfvContext } from './context.js';
import type { GaloisKeys, RelinKeys } from './keys.js';
import { switchKey } from './keyswitch.js';
import { QheError, fail } from './math/errors.js';
import type { Residues } from './math/kernel.js';
import { RnsPoly, mulInto, toCoeff, toNtt } from './math/poly.js';
import { invMod } from './math/zq.js';
import { addScaledPlain, liftCentered } from './plain-lift.js';

export class Evaluator {
  constructor(readonly context: BfvContext) {}

  // ---- checks ------------------------------------------------------------

  private check(fn: string, ...cts: Ciphertext[]): void {
    assertCiphertexts(this.context, fn, cts);
  }

  private guardTransparent(fn: string, out: Ciphertext): Ciphertext {
    if (out.isTransparent())
      throw new QheError('TRANSPARENT_RESULT', `${fn}: expected a result with a non-zero c1, got a transparent ciphertext (it would reveal the plaintext)`);
    return out;
  }

  // ---- additive ------------------------------------------------------------

  private combine(fn: string, a: Ciphertext, b: Ciphertext, out: Ciphertext, subtract: boolean): Ciphertext {
    this.check(fn, a, b);
    const size = Math.max(a.size, b.size);
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
    return this.guardTransparent(fn, out);
  }

  add(a: Ciphertext, b: Ciphertext): Ciphertext {
    return this.addInto(a, b, Ciphertext.empty(this.context, a.level, Math.max(a.size, b.size)));
  }
  addInto(a: Ciphertext, b: Ciphertext, out: Ciphertext): Ciphertext {
    return this.combine('add', a, b, out, false);
  }

  sub(a: Ciphertext, b: Ciphertext): Ciphertext {
    return this.subInto(a, b, Ciphertext.empty(this.context, a.level, Math.max(a.size, b.size)));
  }
  subInto(a: Ciphertext, b: Ciphertext, out: Ciphertext): Ciphertext {
    return this.combine('sub', a, b, out, true);
  }

  negate(a: Ciphertext): Ciphertext {
    return this.negateInto(a, Ciphertext.empty(this.context, a.level, a.size));
  }
  negateInto(a: Ciphertext, out: Ciphertext): Ciphertext {
    this.check('negate', a);
    const polys = a.polys.slice();
    out.reshape(a.level, a.size);
    const base = this.context.level(a.level).base;
    polys.forEach((p, k) => {
      for (let i = 0; i < base.size; i++) base.ops[i].negate(p.limb(i), out.polys[k].limb(i));
    });
    return out;
  }

  private copyInto(a: Ciphertext, out: Ciphertext): Ciphertext {
    if (a === out) return out;
    const polys = a.polys;
    out.reshape(a.level, a.size);
    polys.forEach((p, k) => this.context.kernel.copy(p.data, out.polys[k].data));
    return out;
  }

  addPlain(a: Ciphertext, pt: Plaintext): Ciphertext {
    return this.addPlainInto(a, pt, Ciphertext.empty(this.context, a.level, a.size));
  }
  addPlainInto(a: Ciphertext, pt: Plaintext, out: Ciphertext): Ciphertext {
    return this.plainSum('addPlain', a, pt, out, 1);
  }

  subPlain(a: Ciphertext, pt: Plaintext): Ciphertext {
    return this.subPlainInto(a, pt, Ciphertext.empty(this.context, a.level, a.size));
  }
  subPlainInto(a: Ciphertext, pt: Plaintext, out: Ciphertext): Ciphertext {
    return this.plainSum('subPlain', a, pt, out, -1);
  }

  /** out = a ± Δ·pt: Δ·m (rounded, plain-lift.ts) added to or subtracted from c0. */
  private plainSum(fn: string, a: Ciphertext, pt: Plaintext, out: Ciphertext, sign: 1 | -1): Ciphertext {
    this.check(fn, a);
    assertPlaintext(this.context, fn, pt);
    this.copyInto(a, out);
    addScaledPlain(this.context.level(a.level), pt, this.context.t, out.polys[0], sign);
    return out;
  }

  // ---- scalar and plaintext products -----------------------------------------

  /** a·c for an integer constant c (taken mod t, centred): no NTT, the workhorse of linear layers. */
  multiplyScalar(a: Ciphertext, c: bigint | number): Ciphertext {
    return this.multiplyScalarInto(a, c, Ciphertext.empty(this.context, a.level, a.size));
  }
  multiplyScalarInto(a: Ciphertext, c: bigint | number, out: Ciphertext): Ciphertext {
    this.check('multiplyScalar', a);
    const s = scalarOperand(this.context, 'multiplyScalar', c);
    const polys = a.polys.slice();
    out.reshape(a.level, a.size);
    const base = this.context.level(a.level).base;
    polys.forEach((p, k) => {
      for (let i = 0; i < base.size; i++) base.ops[i].mulScalar(p.limb(i), s, out.polys[k].limb(i));
    });
    return out;
  }

  /** acc ← acc + a·c (same level; acc grows to a's size if smaller). */
  multiplyScalarAddInto(a: Ciphertext, c: bigint | number, acc: Ciphertext): Ciphertext {
    this.check('multiplyScalarAdd', a, acc);
    const s = scalarOperand(this.context, 'multiplyScalarAdd', c);
    const base = this.context.level(a.level).base;
    while (acc.polys.length < a.size) acc.polys.push(RnsPoly.zero(base, 'coeff'));
    a.polys.forEach((p, k) => {
      for (let i = 0; i < base.size; i++) base.ops[i].mulScalarAcc(p.limb(i), s, acc.polys[k].limb(i));
    });
    acc.seed = undefined;
    return acc;
  }

  multiplyPlain(a: Ciphertext, pt: Plaintext): Ciphertext {
    return this.multiplyPlainInto(a, pt, Ciphertext.empty(this.context, a.level, a.size));
  }
  multiplyPlainInto(a: Ciphertext, pt: Plaintext, out: Ciphertext): Ciphertext {
    this.check('multiplyPlain', a);
    assertPlaintext(this.context, 'multiplyPlain', pt);
    assertNonZeroPlain('multiplyPlain', pt);
    const base = this.context.level(a.level).base;
    const m = RnsPoly.zero(base, 'coeff');
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
    return this.guardTransparent('multiplyPlain', out);
  }

  // ---- ciphertext products -----------------------------------------------------

  multiply(a: Ciphertext, b: Ciphertext): Ciphertext {
    return this.multiplyInto(a, b, Ciphertext.empty(this.context, a.level, a.size + b.size - 1));
  }

  square(a: Ciphertext): Ciphertext {
    return this.multiplyInto(a, a, Ciphertext.empty(this.context, a.level, 2 * a.size - 1));
  }
  squareInto(a: Ciphertext, out: Ciphertext): Ciphertext {
    return this.multiplyInto(a, a, out);
  }

  /** BEHZ, steps in behz-multiply.ts. */
  multiplyInto(a: Ciphertext, b: Ciphertext, out: Ciphertext): Ciphertext {
    this.check('multiply', a, b);
    const ctx = this.context;
    const n = ctx.n, kernel = ctx.kernel;
    const level = ctx.level(a.level);
    const W = level.behzOps.length;
    const scratch = kernel.alloc(level.behz.scratchLimbs * n);
    const extend = (p: RnsPoly): Residues => {
      const ext = kernel.alloc(W * n);
      behzExtend(level, n, p.data, ext, scratch);
      return ext;
    };
    // Steps 1–2 (copies: out may alias a or b).
    const ea = a.polys.map(extend);
    const eb = a === b ? null : b.polys.map(extend);
    // Steps 3–4.
    const size = a.size + b.size - 1;
    const d = Array.from({ length: size }, () => kernel.alloc(W * n));
    behzTensor(level, kernel, n, ea, eb, d, 0, W);
    // Steps 5–6.
    out.reshape(a.level, size);
    for (let k = 0; k < size; k++) behzFloor(level, kernel, n, d[k], out.polys[k].data, scratch);
    return out;
  }

  // ---- key switching -------------------------------------------------------------

  relinearize(a: Ciphertext, keys: RelinKeys): Ciphertext {
    return this.relinearizeInto(a, keys, Ciphertext.empty(this.context, a.level, 2));
  }
  relinearizeInto(a: Ciphertext, keys: RelinKeys, out: Ciphertext): Ciphertext {
    this.check('relinearize', a);
    assertRelinKeys(this.context, 'relinearize', keys);
    assertRelinearizable('relinearize', a);
    if (a.size === 2) return this.copyInto(a, out);
    const [d0, d1] = switchKey(this.context, a.level, a.polys[2], keys.key);
    const [c0, c1] = a.polys;
    const base = this.context.level(a.level).base;
    out.reshape(a.level, 2);
    for (let i = 0; i < base.size; i++) {
      base.ops[i].add(c0.limb(i), d0.limb(i), out.polys[0].limb(i));
      base.ops[i].add(c1.limb(i), d1.limb(i), out.polys[1].limb(i));
    }
    return out;
  }

  /** Applies X → X^g (g odd in [1, 2N)) with the matching Galois key. */
  applyGalois(a: Ciphertext, galoisElt: number, keys: GaloisKeys): Ciphertext {
    return this.applyGaloisInto(a, galoisElt, keys, Ciphertext.empty(this.context, a.level, 2));
  }
  applyGaloisInto(a: Ciphertext, galoisElt: number, keys: GaloisKeys, out: Ciphertext): Ciphertext {
    this.check('applyGalois', a);
    assertGaloisKeys(this.context, 'applyGalois', keys);
    assertRelinearized('applyGalois', a);
    const key = keys.get(galoisElt);
    const base = this.context.level(a.level).base;
    const [c0, c1] = a.polys.map((p) => {
      const r = RnsPoly.zero(base, 'coeff');
      for (let i = 0; i < base.size; i++) base.ops[i].automorphism(p.limb(i), galoisElt, r.limb(i));
      return r;
    });
    const [d0, d1] = switchKey(this.context, a.level, c1, key);
    out.reshape(a.level, 2);
    for (let i = 0; i < base.size; i++) base.ops[i].add(c0.limb(i), d0.limb(i), out.polys[0].limb(i));
    this.context.kernel.copy(d1.data, out.polys[1].data);
    return out;
  }

  /**
   * Rotates both rows of the 2 × N/2 slot matrix left by `steps` (right if
   * negative). Uses the key for that step if present; otherwise composes the
   * rotation from the power-of-two keys (signed binary digits of |steps|).
   */
  rotateRows(a: Ciphertext, steps: number, keys: GaloisKeys): Ciphertext {
    return this.rotateRowsInto(a, steps, keys, Ciphertext.empty(this.context, a.level, 2));
  }
  rotateRowsInto(a: Ciphertext, steps: number, keys: GaloisKeys, out: Ciphertext): Ciphertext {
    const elements = rotationElements(this.context, 'rotateRows', steps, keys);
    if (elements.length === 0) return this.copyInto(a, out);
    if (elements.length === 1) return this.applyGaloisInto(a, elements[0], keys, out);
    let current = a;
    for (const g of elements) current = this.applyGaloisInto(current, g, keys, current === a ? Ciphertext.empty(this.context, a.level, 2) : current);
    return this.copyInto(current, out);
  }

  /** Swaps the two rows of the slot matrix (Galois element 2N − 1). */
  rotateColumns(a: Ciphertext, keys: GaloisKeys): Ciphertext {
    return this.applyGalois(a, 2 * this.context.n - 1, keys);
  }
  rotateColumnsInto(a: Ciphertext, keys: GaloisKeys, out: Ciphertext): Ciphertext {
    return this.applyGaloisInto(a, 2 * this.context.n - 1, keys, out);
  }

  // ---- modulus switching ----------------------------------------------------------

  modSwitchToNext(a: Ciphertext): Ciphertext {
    return this.modSwitchToNextInto(a, Ciphertext.empty(this.context, Math.min(a.level + 1, this.context.maxLevel), a.size));
  }
  modSwitchToNextInto(a: Ciphertext, out: Ciphertext): Ciphertext {
    this.check('modSwitchToNext', a);
    const ctx = this.context;
    assertNotLastLevel(ctx, 'modSwitchToNext', a);
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
    out.seed = undefined;
    return out;
  }

  /** Repeated modSwitchToNext down to `level`. */
  modSwitchTo(a: Ciphertext, level: number): Ciphertext {
    if (!Number.isInteger(level) || level < a.level || level > this.context.maxLevel)
      fail('LEVEL_EXHAUSTED', 'modSwitchTo', `a level in [${a.level}, ${this.context.maxLevel}]`, level);
    let c = a;
    while (c.level < level) c = this.modSwitchToNext(c);
    return c === a ? a.clone() : c;
  }
}
