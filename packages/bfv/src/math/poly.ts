/**
 * RnsPoly: an element of R_Q = Z_Q[X]/(X^N + 1) stored as residues modulo each
 * prime of an RNS base, limb i contiguous at [i·N, (i+1)·N) of one typed array
 * (so a whole polynomial can live in one SharedArrayBuffer).
 * Each polynomial is tagged with its representation: coefficients, or NTT
 * evaluations (kernel.ts's convention). Operations refuse mismatched
 * representation, base (modulus chain, degree) or kernel with a typed error.
 */
import { fail } from './errors.js';
import type { Residues } from './kernel.js';
import { RnsBase } from './rns.js';

export type Representation = 'coeff' | 'ntt';

export class RnsPoly {
  constructor(
    readonly base: RnsBase,
    readonly data: Residues,
    public representation: Representation,
  ) {
    if (!base.kernel.owns(data)) fail('KERNEL_MISMATCH', 'RnsPoly', `${base.kernel.name} kernel storage`, data);
    if (data.length !== base.size * base.n) fail('LENGTH_MISMATCH', 'RnsPoly', `${base.size}×${base.n} residues`, data.length);
  }

  static zero(base: RnsBase, representation: Representation, shared = false): RnsPoly {
    return new RnsPoly(base, base.kernel.alloc(base.size * base.n, shared), representation);
  }

  static fromBigInts(base: RnsBase, coefficients: ArrayLike<bigint>): RnsPoly {
    if (coefficients.length !== base.n) fail('LENGTH_MISMATCH', 'RnsPoly.fromBigInts', `${base.n} coefficients`, coefficients.length);
    const p = RnsPoly.zero(base, 'coeff');
    base.decompose(coefficients, p.data);
    return p;
  }

  /** Small signed integers (e.g. secret or error coefficients) into every limb. */
  static fromSmall(base: RnsBase, values: ArrayLike<number>): RnsPoly {
    if (values.length !== base.n) fail('LENGTH_MISMATCH', 'RnsPoly.fromSmall', `${base.n} coefficients`, values.length);
    const p = RnsPoly.zero(base, 'coeff');
    for (let i = 0; i < base.size; i++) base.ops[i].fromNumbers(values, p.limb(i));
    return p;
  }

  get n(): number {
    return this.base.n;
  }

  get limbCount(): number {
    return this.base.size;
  }

  limb(i: number): Residues {
    const n = this.base.n;
    return this.data.subarray(i * n, (i + 1) * n);
  }

  clone(shared = false): RnsPoly {
    const copy = RnsPoly.zero(this.base, this.representation, shared);
    this.base.kernel.copy(this.data, copy.data);
    return copy;
  }

  /** Coefficients in [0, Q) (converts a copy out of NTT form if needed). */
  toBigInts(): bigint[] {
    const p = this.representation === 'ntt' ? this.clone() : this;
    if (p.representation === 'ntt') toCoeff(p);
    return this.base.compose(p.data);
  }
}

/** Throws unless every polynomial has the same base and kernel as the first, and the representation. */
export function assertCompatible(fn: string, representation: Representation | null, ...polys: RnsPoly[]): void {
  const base = polys[0].base;
  for (const p of polys) {
    if (p.base.kernel !== base.kernel) fail('KERNEL_MISMATCH', fn, `operands on kernel ${base.kernel.name}`, p.base.kernel.name);
    if (!p.base.equals(base))
      fail('MODULUS_MISMATCH', fn, `operands over the same ${base.size}-prime base`, `a ${p.base.size}-prime base ${p.base.primes.join(',')}`);
    if (representation && p.representation !== representation)
      fail('REPRESENTATION_MISMATCH', fn, `${representation} representation`, p.representation);
  }
  if (!representation) {
    for (const p of polys)
      if (p.representation !== polys[0].representation)
        fail('REPRESENTATION_MISMATCH', fn, `operands in one representation (${polys[0].representation})`, p.representation);
  }
}

export function addInto(a: RnsPoly, b: RnsPoly, out: RnsPoly): RnsPoly {
  assertCompatible('add', null, a, b, out);
  for (let i = 0; i < a.limbCount; i++) a.base.ops[i].add(a.limb(i), b.limb(i), out.limb(i));
  return out;
}

/** Pointwise product; both operands in NTT form. */
export function mulInto(a: RnsPoly, b: RnsPoly, out: RnsPoly): RnsPoly {
  assertCompatible('mul', 'ntt', a, b, out);
  for (let i = 0; i < a.limbCount; i++) a.base.ops[i].mul(a.limb(i), b.limb(i), out.limb(i));
  return out;
}

/** In place: coefficient → NTT form. */
export function toNtt(p: RnsPoly): RnsPoly {
  if (p.representation !== 'coeff') fail('REPRESENTATION_MISMATCH', 'toNtt', 'coeff representation', p.representation);
  for (let i = 0; i < p.limbCount; i++) p.base.ops[i].forwardNtt(p.limb(i));
  p.representation = 'ntt';
  return p;
}

/** In place: NTT → coefficient form. */
export function toCoeff(p: RnsPoly): RnsPoly {
  if (p.representation !== 'ntt') fail('REPRESENTATION_MISMATCH', 'toCoeff', 'ntt representation', p.representation);
  for (let i = 0; i < p.limbCount; i++) p.base.ops[i].inverseNtt(p.limb(i));
  p.representation = 'coeff';
  return p;
}
