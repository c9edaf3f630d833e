/**
 * The packed single-image program of `planSingle` (qhe's `single` mode) on
 * node-seal 6.0.3, as a careful SEAL user would run the same plan: the same
 * ring degree, data-prime sizes, special prime, CRT plaintext primes, levels,
 * input layout, diagonals and reductions.
 *
 * What SEAL offers and what it does not, and how the peer uses it:
 * - no hoisting (SEAL has no public API for one decomposition, many Galois
 *   elements): every rotation is a full `rotate_rows`; so the peer re-splits
 *   each diagonal product into balanced baby/giant steps (≈ 2√k rotations for
 *   k diagonals, the best split without hoisting) and sums reductions
 *   {k·Δ : k < m} by log2 m rotate-and-add steps (+ one `rotate_columns` for
 *   the row swap) instead of m − 1 hoisted rotations;
 * - baby-step rotations go to NTT form once (`transform_to_ntt`), the
 *   diagonals are NTT-form plaintexts prepared at their level
 *   (`transform_to_ntt` of the plaintext), products and sums stay in NTT form,
 *   one inverse NTT per giant step;
 * - integer weights (the first convolution) are constant plaintexts, which
 *   SEAL's BFV `multiply_plain` multiplies by its monomial fast path; SEAL does
 *   not centre plaintexts, so a weight w < 0 is applied as a subtraction of
 *   |w|·x, exactly as our signed scalar product (same noise);
 * - Galois keys for exactly the steps this schedule uses (at full level: SEAL
 *   has no leveled keys).
 */
import type { PackedProgram, ProgramOp, TransformTerm } from '@qhe/nn';
import type { CipherText, Encryptor, PlainText, SealLib } from './seal-lib.js';
import { createBfvSetup, type BfvSetup } from './seal-setup.js';

const R = (n: number): number => n / 2;

interface Rotation { readonly rows: number; readonly swap: boolean }

/** Rotation code (qhe slots.ts) → SEAL steps: rows in (−R/2, R/2], then the optional column swap. */
function rotationOf(n: number, code: number): Rotation {
  const r = code % R(n);
  return { rows: r > R(n) / 2 ? r - R(n) : r, swap: code >= R(n) };
}

type PeerTerm = { readonly input: number; readonly rotation: number; readonly diagonal: Float64Array | number };

/** A transform as SEAL runs it: giant code → terms (input, baby code, factor). */
interface PeerTransform {
  readonly kind: 'transform';
  readonly inputs: readonly number[];
  readonly out: number;
  readonly groups: ReadonlyMap<number, readonly PeerTerm[]>;
}
interface PeerSum {
  readonly kind: 'sum';
  readonly reg: number;
  readonly out: number;
  /** Log-step plan: row rotations to add in order, then a column swap, or null for one-by-one codes. */
  readonly steps: readonly number[] | null;
  readonly swap: boolean;
  readonly codes: readonly number[];
}

function rotateSlotsOf(n: number, d: Float64Array, code: number): Float64Array {
  const out = new Float64Array(n), half = R(n);
  for (let s = 0; s < n; s++) {
    const row = (s >= half) !== (code >= half) ? half : 0;
    out[s] = d[row + (((s % half) + (code % half)) % half)];
  }
  return out;
}

/**
 * A diagonals transform re-split for SEAL: every term's total rotation k = baby + giant,
 * factor D_k = σ_giant(pre-rotated factor); then babies [0, B), giants multiples of B with
 * B = ⌈√K⌉ when the rotations are the row rotations [0, K) of one input (the plan's
 * dense layers); otherwise the plan's own split.
 */
function resplit(n: number, op: Extract<ProgramOp, { kind: 'transform' }>): PeerTransform {
  const half = R(n);
  const plain = op.inputs.length === 1 && op.terms.every((t) => t.baby < half && t.giant < half && typeof t.diagonal !== 'number');
  const groups = new Map<number, PeerTerm[]>();
  const add = (giant: number, term: PeerTerm): void => {
    let g = groups.get(giant);
    if (!g) groups.set(giant, (g = []));
    g.push(term);
  };
  if (!plain) {
    for (const t of op.terms) add(t.giant, { input: t.input, rotation: t.baby, diagonal: t.diagonal });
    return { kind: 'transform', inputs: op.inputs, out: op.out, groups };
  }
  const total = op.terms.map((t: TransformTerm) => ({ k: (t.baby + t.giant) % half, d: rotateSlotsOf(n, t.diagonal as Float64Array, t.giant) }));
  const K = Math.max(...total.map((x) => x.k)) + 1;
  const B = Math.max(1, Math.ceil(Math.sqrt(K)));
  for (const { k, d } of total) {
    const g = k - (k % B);
    // Pre-rotate by −g so the giant rotation after the product lines up.
    add(g, { input: 0, rotation: k % B, diagonal: rotateSlotsOf(n, d, (half - g) % half) });
  }
  return { kind: 'transform', inputs: op.inputs, out: op.out, groups };
}

/** A reduction Σ_{c ∈ codes} σ_c(x): log steps when codes = {k·Δ : k < 2^e} (× {id, swap}). */
function sumPlan(n: number, op: Extract<ProgramOp, { kind: 'transform' }>): PeerSum {
  const half = R(n);
  const codes = op.terms.map((t) => t.baby);
  const rows = [...new Set(codes.map((c) => c % half))].sort((a, b) => a - b);
  const swap = codes.some((c) => c >= half);
  const m = rows.length, delta = rows[1] ?? 0;
  const regular = (m & (m - 1)) === 0 && rows.every((r, k) => r === k * delta) && codes.length === m * (swap ? 2 : 1) && op.terms.every((t) => t.giant === 0 && t.diagonal === 1);
  const steps: number[] = [];
  if (regular) for (let j = 1; j < m; j *= 2) steps.push(j * delta);
  return { kind: 'sum', reg: op.inputs[0], out: op.out, steps: regular ? steps : null, swap, codes };
}

export interface SealSingleChannelResult {
  readonly output: CipherText;
  readonly layerMs: number[];
}

/** One CRT channel of the plan on node-seal: keys, prepared plaintexts, and `run` per image. */
export class SealSingleChannel {
  readonly s: BfvSetup;
  /** An Encryptor that also holds the secret key (the client encrypts symmetrically). */
  readonly symmetric: Encryptor;
  /** Galois keys this schedule needs (row steps, 0 = column swap). */
  readonly galoisSteps: number;
  private readonly ops: readonly (PeerTransform | PeerSum | { kind: 'other'; op: ProgramOp })[];
  private readonly levelOf: number[] = [];
  /** NTT-form plaintexts per (op index, giant, term index); constants for scalar factors. */
  private readonly plains = new Map<string, PlainText>();
  private readonly constants = new Map<number, PlainText>();

  constructor(seal: SealLib, readonly n: number, coeffBits: readonly number[], t: bigint, readonly program: PackedProgram, readonly inputLevel: number) {
    const half = R(n);
    const ops = program.ops.map((op) =>
      op.kind === 'transform' ? (op.role === 'sum' ? sumPlan(n, op) : resplit(n, op)) : ({ kind: 'other', op } as const),
    );
    // Galois steps of this schedule.
    const steps = new Set<number>();
    const addRotation = (code: number): void => {
      if (code === 0) return;
      const r = rotationOf(n, code);
      if (r.rows !== 0) steps.add(r.rows);
      if (r.swap) steps.add(0);
    };
    for (const op of ops) {
      if (op.kind === 'transform') for (const [g, terms] of op.groups) { addRotation(g); for (const t of terms) addRotation(t.rotation); }
      else if (op.kind === 'sum') { if (op.steps) { for (const s of op.steps) steps.add(s > half / 2 ? s - half : s); if (op.swap) steps.add(0); } else for (const c of op.codes) addRotation(c); }
    }
    this.ops = ops;
    this.galoisSteps = steps.size;
    this.s = createBfvSetup(seal, n, { coeffBits, plainModulus: t, relin: true, galoisSteps: [...steps] });
    const pk = this.s.track(this.s.keygen.createPublicKey());
    this.symmetric = this.s.track(seal.Encryptor(this.s.context, pk, this.s.track(this.s.keygen.secretKey())));
    // Levels per op.
    let level = inputLevel;
    for (const op of program.ops) {
      if (op.kind === 'modSwitch') level = op.level;
      this.levelOf.push(level);
    }
    this.prepare();
  }

  private parmsAt(level: number) {
    const { s } = this;
    let data = s.context.getContextData(s.context.firstParmsId);
    for (let l = 0; l < level; l++) data = data.nextContextData;
    return data.parmsId;
  }

  /** Constant plaintext |w| mod t: the batch encoding of a constant vector is the constant polynomial (SEAL's monomial multiply_plain path). */
  private constant(w: number): PlainText {
    let p = this.constants.get(w);
    if (!p) this.constants.set(w, (p = this.s.encodeConstant(w)));
    return p;
  }

  private prepare(): void {
    const { s } = this;
    const t = s.t;
    this.ops.forEach((op, i) => {
      if (op.kind !== 'transform') return;
      const parms = this.parmsAt(this.levelOf[i]);
      for (const [g, terms] of op.groups) terms.forEach((term, k) => {
        if (typeof term.diagonal === 'number') return;
        const v = new Uint32Array(this.n);
        for (let j = 0; j < this.n; j++) { const r = term.diagonal[j] % t; v[j] = r < 0 ? r + t : r; }
        const pt = s.encode(v);
        s.evaluator.plainTransformToNtt(pt, parms, pt);
        this.plains.set(`${i}:${g}:${k}`, pt);
      });
    });
  }

  private rotate(ct: CipherText, code: number): void {
    if (code === 0) return;
    const { rows, swap } = rotationOf(this.n, code);
    const ev = this.s.evaluator, gk = this.s.galoisKeys!;
    if (rows !== 0) ev.rotateRows(ct, rows, gk, ct);
    if (swap) ev.rotateColumns(ct, gk, ct);
  }

  /** y += c·x for a signed integer c (|c| as a constant plaintext, then add or subtract). */
  private scalarAcc(acc: CipherText | null, x: CipherText, c: number, tmp: CipherText): CipherText {
    const { s } = this;
    const ev = s.evaluator, t = s.t;
    const r = ((c % t) + t) % t;
    const w = r > t / 2 ? r - t : r;
    if (w === 0) return acc ?? s.cipher();
    if (Math.abs(w) === 1) tmp.copy(x);
    else ev.multiplyPlain(x, this.constant(Math.abs(w)), tmp);
    if (!acc) {
      acc = s.cipher();
      if (w < 0) ev.negate(tmp, acc);
      else acc.copy(tmp);
    } else if (w < 0) ev.sub(acc, tmp, acc);
    else ev.add(acc, tmp, acc);
    return acc;
  }

  /** The program on one image's input ciphertexts (this channel); returns the output and per-layer ms. */
  run(inputs: readonly CipherText[]): SealSingleChannelResult {
    const { s } = this;
    const ev = s.evaluator;
    const regs: (CipherText | null)[] = new Array(this.program.registers).fill(null);
    inputs.forEach((ct, j) => (regs[j] = ct));
    const layerMs: number[] = [];
    const tmp = s.cipher(), rot = s.cipher();
    let layer = -1, t0 = performance.now();
    const set = (r: number, ct: CipherText): void => {
      const old = regs[r];
      regs[r] = ct;
      if (old && old !== ct && r >= inputs.length) old.delete();
    };
    this.ops.forEach((op, i) => {
      const src = this.program.ops[i];
      if (src.layer !== layer) {
        if (layer >= 0) layerMs[layer] = (layerMs[layer] ?? 0) + performance.now() - t0;
        layer = src.layer;
        t0 = performance.now();
      }
      if (op.kind === 'transform') {
        let result: CipherText | null = null;
        for (const [g, terms] of op.groups) {
          let inner: CipherText | null = null;
          terms.forEach((term, k) => {
            const x = regs[op.inputs[term.input]]!;
            if (typeof term.diagonal === 'number' && term.rotation === 0) {
              inner = this.scalarAcc(inner, x, term.diagonal, tmp);
              return;
            }
            rot.copy(x);
            this.rotate(rot, term.rotation);
            ev.cipherTransformToNtt(rot, rot);
            ev.multiplyPlain(rot, this.plains.get(`${i}:${g}:${k}`)!, rot);
            if (!inner) { inner = s.cipher(); inner.copy(rot); }
            else ev.add(inner, rot, inner);
          });
          if (!inner) continue;
          const u = inner as CipherText;
          if (u.isNttForm) ev.cipherTransformFromNtt(u, u);
          this.rotate(u, g);
          if (!result) result = u;
          else { ev.add(result, u, result); u.delete(); }
        }
        set(op.out, result ?? s.cipher());
      } else if (op.kind === 'sum') {
        const x = s.cipher();
        x.copy(regs[op.reg]!);
        if (op.steps) {
          for (const st of op.steps) { rot.copy(x); this.rotate(rot, st); ev.add(x, rot, x); }
          if (op.swap) { rot.copy(x); ev.rotateColumns(rot, s.galoisKeys!, rot); ev.add(x, rot, x); }
        } else {
          const y = s.cipher();
          y.copy(x);
          for (const c of op.codes) { if (c === 0) continue; rot.copy(x); this.rotate(rot, c); ev.add(y, rot, y); }
          x.copy(y);
          y.delete();
        }
        set(op.out, x);
      } else {
        const o = op.op;
        switch (o.kind) {
          case 'addPlain': {
            const v = new Uint32Array(this.n);
            const t = BigInt(s.t);
            o.values.forEach((b, j) => { const r = b % t; v[j] = Number(r < 0n ? r + t : r); });
            const pt = s.seal.PlainText();
            s.encoder.encode(v, pt);
            ev.addPlain(regs[o.reg]!, pt, regs[o.reg]!);
            pt.delete();
            break;
          }
          case 'square': {
            const y = s.cipher();
            ev.square(regs[o.reg]!, y);
            ev.relinearize(y, s.relinKeys!, y);
            set(o.reg, y);
            break;
          }
          case 'modSwitch':
            for (const r of o.regs) ev.cipherModSwitchToNext(regs[r]!, regs[r]!);
            break;
          case 'polynomial':
            throw new Error('seal-single: quadratic activations are not in the benchmarked models');
          default:
            break;
        }
      }
    });
    if (layer >= 0) layerMs[layer] = (layerMs[layer] ?? 0) + performance.now() - t0;
    tmp.delete();
    rot.delete();
    const output = regs[this.program.output]!;
    regs.forEach((ct, r) => { if (ct && r >= inputs.length && ct !== output) ct.delete(); });
    return { output, layerMs };
  }

  dispose(): void {
    this.s.dispose();
  }
}
