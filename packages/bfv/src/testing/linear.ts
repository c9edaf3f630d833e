/**
 * Plaintext references for Galois automorphisms and linear transforms on slot
 * vectors (the batching layout of encoder.ts: slot i of row 0 is the evaluation
 * at ψ^{3^i}, slot N/2 + i of row 1 at ψ^{−3^i}), so σ_g moves the value at
 * exponent g·e to the slot of exponent e.
 */
const slotTables = new Map<number, { exponent: Int32Array; slotOf: Int32Array }>();

function tables(n: number) {
  let t = slotTables.get(n);
  if (!t) {
    const m = 2 * n, half = n / 2;
    const exponent = new Int32Array(n), slotOf = new Int32Array(m).fill(-1);
    let e = 1;
    for (let i = 0; i < half; i++) {
      exponent[i] = e;
      exponent[half + i] = m - e;
      slotOf[e] = i;
      slotOf[m - e] = half + i;
      e = (e * 3) % m;
    }
    slotTables.set(n, (t = { exponent, slotOf }));
  }
  return t;
}

/** The slots of σ_g(m) given the slots of m: out[s] = values[slot(g·e_s mod 2N)]. */
export function galoisSlotsReference<T>(values: readonly T[], galoisElt: number): T[] {
  const n = values.length;
  const { exponent, slotOf } = tables(n);
  const m = 2 * n;
  return values.map((_, s) => values[slotOf[Number((BigInt(exponent[s]) * BigInt(galoisElt)) % BigInt(m))]]);
}

/** A LinearTransform term on plain slot vectors: the diagonal as slots (zero-padded), or a constant. */
export interface LinearTransformReferenceTerm {
  readonly input: number;
  readonly baby: number;
  readonly giant: number;
  readonly diagonal: readonly bigint[] | bigint;
}

/** Σ_g σ_g(Σ D ⊙ σ_b(inputs[j])) mod t, slot by slot (linear-transform.ts's formula). */
export function linearTransformReference(terms: readonly LinearTransformReferenceTerm[], inputs: readonly (readonly bigint[])[], t: bigint): bigint[] {
  const n = inputs[0].length;
  const mod = (x: bigint): bigint => ((x % t) + t) % t;
  const groups = new Map<number, bigint[]>();
  for (const term of terms) {
    const rotated = galoisSlotsReference(inputs[term.input], term.baby);
    let acc = groups.get(term.giant);
    if (!acc) groups.set(term.giant, (acc = new Array<bigint>(n).fill(0n)));
    // A short diagonal is zero-padded, as the encoder pads short vectors.
    for (let s = 0; s < n; s++) acc[s] = mod(acc[s] + rotated[s] * (typeof term.diagonal === 'bigint' ? term.diagonal : (term.diagonal[s] ?? 0n)));
  }
  const out = new Array<bigint>(n).fill(0n);
  for (const [g, acc] of groups) {
    const r = galoisSlotsReference(acc, g);
    for (let s = 0; s < n; s++) out[s] = mod(out[s] + r[s]);
  }
  return out;
}
