/**
 * A packed program: what the server computes for one image in `single` mode,
 * as plain data over ciphertext registers, independent of the CRT channel (its
 * integers are reduced mod each t_j when a channel prepares it). The planner
 * (planner.ts) builds it from the model with the layouts of layouts.ts; the
 * Evaluator, the worker pool and the node-seal peer all run the same program;
 * `simulateProgram` runs it on plain slot vectors mod t (the specification).
 *
 * Ops (every op names the model layer it belongs to):
 * - transform: out = Σ_g σ_g(Σ D ⊙ σ_b(in_j)) — bfv's LinearTransform with
 *   rotation codes (slots.ts) for b and g; D is a slot vector of exact integers
 *   (already rotated by σ_g^{-1}) or one integer for every slot;
 * - addPlain: reg += a slot vector of exact integers (biases);
 * - square: reg = reg² (relinearized);
 * - polynomial: reg = a ⊙ reg² + b ⊙ reg + c with a, b integers or slot vectors;
 * - modSwitch: the listed registers drop to `level` (scheduled by the planner).
 */

export interface TransformTerm {
  readonly input: number;
  readonly baby: number;
  readonly giant: number;
  /** Slot vector of safe integers, or one integer for every slot. */
  readonly diagonal: Float64Array | number;
}

export type ProgramOp =
  | { readonly kind: 'transform'; readonly layer: number; readonly inputs: readonly number[]; readonly out: number; readonly terms: readonly TransformTerm[]; readonly role: 'diagonals' | 'sum' }
  | { readonly kind: 'addPlain'; readonly layer: number; readonly reg: number; readonly values: readonly bigint[] }
  | { readonly kind: 'square'; readonly layer: number; readonly reg: number }
  | { readonly kind: 'polynomial'; readonly layer: number; readonly reg: number; readonly a: bigint | readonly bigint[]; readonly b: bigint | readonly bigint[]; readonly c: readonly bigint[] }
  | { readonly kind: 'modSwitch'; readonly layer: number; readonly regs: readonly number[]; readonly level: number };

export interface PackedProgram {
  readonly n: number;
  /** Registers 0 … inputCount − 1 hold the client's ciphertexts. */
  readonly inputCount: number;
  readonly registers: number;
  readonly ops: readonly ProgramOp[];
  /** The register holding the result. */
  readonly output: number;
}

const mod = (x: bigint, t: bigint): bigint => ((x % t) + t) % t;

/** Exact integer → residue mod t (numbers are safe integers). */
export function residue(v: number | bigint, t: bigint): bigint {
  return mod(typeof v === 'bigint' ? v : BigInt(v), t);
}

/**
 * The program on plain slot vectors mod t: `inputs[j]` is the slot vector of
 * input register j. Levels play no part. Returns every register's final value.
 */
export function simulateProgram(program: PackedProgram, inputs: readonly (readonly bigint[])[], t: bigint): bigint[][] {
  const n = program.n, R = n / 2;
  const regs: bigint[][] = Array.from({ length: program.registers }, () => new Array<bigint>(n).fill(0n));
  inputs.forEach((v, j) => (regs[j] = v.map((x) => mod(x, t))));
  const src = (s: number, c: number): number => ((s >= R) !== (c >= R) ? R : 0) + (((s % R) + (c % R)) % R);
  const at = (v: bigint | readonly bigint[], s: number): bigint => (typeof v === 'bigint' ? v : v[s]);
  for (const op of program.ops) {
    switch (op.kind) {
      case 'transform': {
        const groups = new Map<number, bigint[]>();
        for (const term of op.terms) {
          const x = regs[op.inputs[term.input]];
          let acc = groups.get(term.giant);
          if (!acc) groups.set(term.giant, (acc = new Array<bigint>(n).fill(0n)));
          if (typeof term.diagonal === 'number') {
            const d = BigInt(term.diagonal);
            if (d !== 0n) for (let s = 0; s < n; s++) acc[s] += d * x[src(s, term.baby)];
          } else {
            const d = term.diagonal;
            for (let s = 0; s < n; s++) if (d[s] !== 0) acc[s] += BigInt(d[s]) * x[src(s, term.baby)];
          }
        }
        const out = new Array<bigint>(n).fill(0n);
        for (const [g, acc] of groups) for (let s = 0; s < n; s++) out[s] += acc[src(s, g)];
        regs[op.out] = out.map((v) => mod(v, t));
        break;
      }
      case 'addPlain':
        regs[op.reg] = regs[op.reg].map((v, s) => mod(v + op.values[s], t));
        break;
      case 'square':
        regs[op.reg] = regs[op.reg].map((v) => (v * v) % t);
        break;
      case 'polynomial':
        regs[op.reg] = regs[op.reg].map((v, s) => mod(at(op.a, s) * v * v + at(op.b, s) * v + op.c[s], t));
        break;
      case 'modSwitch':
        break;
    }
  }
  return regs;
}
