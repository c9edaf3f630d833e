/**
 * Work estimates for packed programs, in units of one forward NTT of one limb
 * of degree N (so estimates at one N compare across levels and ops; the planner
 * scales by N·log N across ring degrees). Constants from CPU-time measurements of
 * this engine at N = 8192, L = 5 (u32 kernel): decomposing a polynomial for key
 * switching ≈ 37 NTTs (1.25·L·(L+1)), one inner product with a key ≈ 14 (it
 * streams the key's 2·L·(L+1) limbs from memory), a ModDown ≈ 7 per polynomial, a
 * full rotation ≈ 100 (the automorphisms and buffers on top), a pointwise product
 * of one limb ≈ 0.12 NTT, a scalar multiply-add of one limb ≈ 0.06.
 */
import type { ProgramOp, TransformTerm } from './program.js';

export interface TransformShape {
  /** Inputs whose c0, c1 go to NTT form (they feed NTT-domain terms). */
  readonly inputsNtt: number;
  /** Inputs decomposed for key switching (a baby rotation reads them). */
  readonly inputsDecomposed: number;
  /** Distinct (input, baby ≠ identity) pairs: hoisted inner products. */
  readonly babies: number;
  /** Non-identity giant steps: a ModDown, a decomposition and an inner product each. */
  readonly giants: number;
  /** Terms multiplied in Q·P (vector factors, or constants on rotated inputs). */
  readonly nttTerms: number;
  /** Constant factors on unrotated inputs: scalar multiply-adds over Q. */
  readonly coefficientTerms: number;
  /** Whether anything is accumulated in Q·P (one final ModDown). */
  readonly lazy: boolean;
}

export function transformShape(terms: readonly TransformTerm[]): TransformShape {
  const ntt = new Set<number>(), dec = new Set<number>(), babies = new Set<string>(), giants = new Set<number>();
  let nttTerms = 0, coefficientTerms = 0, lazy = false;
  for (const t of terms) {
    if (t.giant !== 0) { giants.add(t.giant); lazy = true; }
    if (typeof t.diagonal === 'number' && t.baby === 0) { coefficientTerms++; continue; }
    nttTerms++;
    ntt.add(t.input);
    if (t.giant === 0) lazy = true;
    if (t.baby !== 0) { dec.add(t.input); babies.add(`${t.input}:${t.baby}`); }
  }
  return { inputsNtt: ntt.size, inputsDecomposed: dec.size, babies: babies.size, giants: giants.size, nttTerms, coefficientTerms, lazy };
}

/** Unit costs at L data limbs (one special prime). */
export function unitCosts(L: number) {
  const ext = L + 1;
  return {
    decompose: 1.25 * L * ext,
    innerProduct: 0.45 * L * ext,
    modDown: 1.2 * ext,
    nttTerm: 0.25 * ext,
    coefficientTerm: 0.12 * L,
    inputNtt: 2 * L,
    /** BEHZ square (extend, tensor, floor over ≈ 2L + 1 limbs) plus relinearization. */
    squareRelin: 7 * (2 * L + 1) + 1.25 * L * ext + 0.45 * L * ext + 2 * 1.2 * ext,
    plainAdd: 0.1 * L,
    plainMultiply: 4 * L,
  };
}

export function transformCost(shape: TransformShape, L: number): number {
  const u = unitCosts(L);
  return (
    shape.inputsNtt * u.inputNtt +
    shape.inputsDecomposed * u.decompose +
    shape.babies * (u.innerProduct + 0.05 * L) +
    shape.nttTerms * u.nttTerm +
    shape.coefficientTerms * u.coefficientTerm +
    shape.giants * (2 * u.modDown + u.decompose + u.innerProduct + L) +
    (shape.lazy ? 2 * u.modDown : 0)
  );
}

/** Estimated work of one op at L data limbs (modSwitch ≈ free). */
export function opCost(op: ProgramOp, L: number): number {
  const u = unitCosts(L);
  switch (op.kind) {
    case 'transform': return transformCost(transformShape(op.terms), L);
    case 'addPlain': return u.plainAdd;
    case 'square': return u.squareRelin;
    case 'polynomial': return u.squareRelin + (typeof op.a === 'bigint' ? u.plainAdd : u.plainMultiply) + (typeof op.b === 'bigint' ? u.plainAdd : u.plainMultiply);
    case 'modSwitch': return 0.2 * L;
  }
}
