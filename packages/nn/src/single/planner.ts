/**
 * Parameter and schedule planner of `single` mode (one image, low latency).
 *
 * For every ring degree N the packed program comes from the layouts
 * (compile.ts). For each N, number k of CRT plaintext primes (each a batching
 * prime of the smallest size whose product holds 2·maxAbs + 1, as the batch
 * planner) and chain length L (29-bit data primes plus one special prime, within
 * the HomomorphicEncryption.org bound), the noise model (noise.ts) runs the
 * program with a greedy modulus-switching schedule: at the start of every layer
 * the live ciphertexts drop to the lowest level from which the rest of the
 * program still ends with the margin. Among feasible (N, k, L) the planner keeps
 * the lowest estimated latency: work per channel (cost.ts, in NTTs of degree N,
 * scaled by N·log N) times the rounds ⌈k / workers⌉ in which the workers run the
 * channels. Finally the chosen program is checked against the exact integer
 * forward pass on plain slot vectors mod t (simulateProgram) on a random input.
 */
import { MAX_LOG_Q, QheError, bfvParameters, floodingReserveBits, type BfvParameterLiteral, type KernelName } from '@qhe/bfv';
import { forwardInteger, type IntegerModel } from '@qhe/quant/model';
import { planBasics } from '../planner/basics.js';
import { log2 } from '../planner/facts.js';
import type { FloodingPlan, PlanParameters } from '../planner/types.js';
import { crtPlainPrimes } from '../planner/primes.js';
import { compileModel, type ClientEncoding, type CompiledModel } from './compile.js';
import { opCost, transformShape } from './cost.js';
import { budgetAfter, freshBudget, type NoiseContext } from './noise.js';
import { simulateProgram, type PackedProgram, type ProgramOp } from './program.js';
import { formatCode, galoisElementOf } from './slots.js';

export interface SinglePlanOptions {
  readonly kernel?: KernelName;
  /** Force the ring degree. */
  readonly polyDegree?: number;
  /** Cap on the bits of each plaintext prime. */
  readonly maxPlainBits?: number;
  /** Force the number of CRT channels. */
  readonly channels?: number;
  /** Safety margin in bits left at the end. Default 10. */
  readonly marginBits?: number;
  /** Workers the server will use (channels run in ⌈k / workers⌉ rounds). Default 2. */
  readonly workers?: number;
  /** Lift the security bound (tests with tiny N). */
  readonly allowInsecure?: boolean;
  /**
   * Statistical security λ of the noise flooding the server applies to the
   * returned logits (circuit privacy, bfv flooding.ts): the schedule keeps
   * floodingReserveBits(N, k, λ) above the margin (k channels, one output
   * ciphertext each). Default none (no flooding), as the batch planner.
   */
  readonly floodingSecurity?: number;
}

export interface SingleLayerPlan {
  readonly index: number;
  readonly type: string;
  readonly level: number;
  readonly outputs: number;
  /** Layout after the layer. */
  readonly layout: string;
  /** How the layer is computed. */
  readonly method: string;
  readonly predictedBudget: number;
  /** Rotation codes this layer uses (slots.ts). */
  readonly rotations: readonly number[];
  readonly estimatedCost: number;
}

export interface SinglePlan extends PlanParameters {
  readonly mode: 'single';
  /** Level the client encrypts at (the first layer's). */
  readonly inputLevel: number;
  /** Input integers per image and their range (the model's input spec; the plan is exact inside it). */
  readonly inputSize: number;
  readonly inputMin: number;
  readonly inputMax: number;
  readonly input: ClientEncoding;
  readonly program: PackedProgram;
  /** Output feature → slot of the result register. */
  readonly outputSlots: Int32Array;
  /** The register holding each layer's output. */
  readonly layerOutputs: readonly number[];
  readonly layers: readonly SingleLayerPlan[];
  /** Every Galois element the program needs (ascending) and the same as rotation steps. */
  readonly galoisElements: readonly number[];
  readonly galoisSteps: readonly string[];
  /** Per Galois element, the first level that uses it: its key is made for that level (smaller keys). */
  readonly galoisKeyLevels: ReadonlyMap<number, number>;
  /** Level of the first square (the relinearization key is made for it). */
  readonly relinLevel: number;
  /** Evaluation-key bytes per channel (serialized Galois + relinearization keys). */
  readonly keyBytesPerChannel: number;
  /** Workers the plan was optimized for (estimatedCost: work in NTTs of degree N × N·log2 N / 2^16 on the critical path). */
  readonly workers: number;
}

function fail(message: string): never {
  throw new QheError('INVALID_PARAMETERS', message);
}

interface Schedule {
  readonly levels: number[];
  readonly budgets: number[];
  readonly final: number;
}

/**
 * Runs the noise model with layer levels `levels` (level of layer i's ops); budgets per layer.
 * Budgets and levels are tracked per register: a transform starts from the lowest budget of
 * its inputs, each first switched down to the layer's level (a residual add reads a register
 * left at an earlier level; withModSwitches emits the same switches).
 */
function simulate(s: NoiseContext, compiled: CompiledModel, levels: readonly number[]): { budgets: number[]; final: number } {
  const start = levels[0] ?? 0;
  const budget = new Map<number, number>(), at = new Map<number, number>();
  compiled.input.ciphertexts.forEach((_, r) => { budget.set(r, freshBudget(s, start)); at.set(r, start); });
  const lift = (r: number, level: number, layer: number): number => {
    let b = budget.get(r)!;
    if (at.get(r)! < level) { b = budgetAfter(s, { kind: 'modSwitch', layer, regs: [r], level }, level, b); budget.set(r, b); at.set(r, level); }
    return b;
  };
  let live = 0;
  const budgets: number[] = [];
  compiled.layers.forEach((layer, i) => {
    const level = levels[i];
    for (const op of layer.ops) {
      if (op.kind === 'transform') {
        const b = Math.min(...op.inputs.map((r) => lift(r, level, i)));
        budget.set(op.out, budgetAfter(s, op, level, b));
        at.set(op.out, level);
        live = op.out;
      } else if (op.kind !== 'modSwitch') {
        budget.set(op.reg, budgetAfter(s, op, level, lift(op.reg, level, i)));
        live = op.reg;
      }
    }
    budgets.push(budget.get(live)!);
  });
  return { budgets, final: budget.get(live)! };
}

/** Greedy lowest levels (non-decreasing) that keep the final budget ≥ margin, or null. */
function schedule(s: NoiseContext, compiled: CompiledModel, margin: number): Schedule | null {
  const L = s.levelLogQ.length;
  const count = compiled.layers.length;
  const levels = new Array<number>(count).fill(0);
  const ok = (lv: number[]): boolean => simulate(s, compiled, lv).final >= margin;
  if (!ok(levels)) return null;
  for (let i = 0; i < count; i++) {
    const cur = i > 0 ? levels[i - 1] : 0;
    let best = cur;
    for (let l = L - 1; l > cur; l--) {
      const trial = levels.slice();
      for (let j = i; j < count; j++) trial[j] = l;
      if (ok(trial)) { best = l; break; }
    }
    for (let j = i; j < count; j++) levels[j] = best;
  }
  const { budgets, final } = simulate(s, compiled, levels);
  return { levels, budgets, final };
}

/** The program with modSwitch ops before every op whose registers sit below its layer's level (as simulate). */
function withModSwitches(compiled: CompiledModel, levels: readonly number[]): ProgramOp[] {
  const ops: ProgramOp[] = [];
  const at = new Map<number, number>();
  compiled.input.ciphertexts.forEach((_, r) => at.set(r, levels[0] ?? 0));
  compiled.layers.forEach((layer, i) => {
    for (const op of layer.ops) {
      const reads = op.kind === 'transform' ? op.inputs : op.kind === 'modSwitch' ? [] : [op.reg];
      const low = [...new Set(reads)].filter((r) => at.get(r)! < levels[i]);
      if (low.length) ops.push({ kind: 'modSwitch', layer: i, regs: low, level: levels[i] });
      for (const r of low) at.set(r, levels[i]);
      ops.push(op);
      if (op.kind === 'transform') at.set(op.out, levels[i]);
    }
  });
  return ops;
}

/** The register holding each layer's output (the input register before any op). */
function liveRegisters(compiled: CompiledModel): number[] {
  let live = 0;
  return compiled.layers.map((layer) => {
    for (const op of layer.ops) if (op.kind === 'transform') live = op.out; else if (op.kind !== 'modSwitch') live = op.reg;
    return live;
  });
}

function layerCodes(ops: readonly ProgramOp[]): number[] {
  const s = new Set<number>();
  for (const op of ops) if (op.kind === 'transform') for (const t of op.terms) { if (t.baby) s.add(t.baby); if (t.giant) s.add(t.giant); }
  return [...s].sort((a, b) => a - b);
}

export function planSingle(model: IntegerModel, options: SinglePlanOptions = {}): SinglePlan {
  const { kernel, primeBits, maxPlainBits: maxT, marginBits: margin, maxAbs, need } = planBasics(model, options);
  const workers = options.workers ?? 2;
  if (!Number.isInteger(workers) || workers < 1) fail(`planSingle: expected workers ≥ 1, got ${workers}`);
  const lambda = options.floodingSecurity;
  if (lambda !== undefined && (!Number.isInteger(lambda) || lambda < 1 || lambda > 128))
    fail(`planSingle: expected floodingSecurity an integer in [1, 128] bits, got ${lambda}`);
  const degrees = options.polyDegree ? [options.polyDegree] : [2048, 4096, 8192, 16384, 32768];
  const reasons: string[] = [];
  let best: { cost: number; compiled: CompiledModel; ts: bigint[]; L: number; sched: Schedule; s: NoiseContext; bound: number; flooding: FloodingPlan | null } | null = null;
  for (const n of degrees) {
    const bound = options.allowInsecure ? primeBits * 40 : MAX_LOG_Q[128][n];
    if (bound === undefined) fail(`planSingle: expected a ring degree in the security table, got ${n}`);
    const minTBits = Math.ceil(Math.log2(2 * n)) + 2;
    if (minTBits > maxT) { reasons.push(`N=${n}: no batching prime ≤ ${maxT} bits`); continue; }
    let compiled: CompiledModel;
    try {
      compiled = compileModel(model, n);
    } catch (e) {
      if (e instanceof QheError) { reasons.push(`N=${n}: ${e.message}`); continue; }
      throw e;
    }
    const kMin = Math.max(1, Math.ceil(log2(need) / maxT));
    const ks = options.channels ? [options.channels] : [kMin, kMin + 1, kMin + 2, kMin + 3];
    for (const k of ks) {
      const ts = crtPlainPrimes(need, n, k, minTBits, maxT);
      if (!ts) { reasons.push(`N=${n}: ${k} plaintext prime(s) ≤ ${maxT} bits cannot hold 2·maxAbs+1 (${log2(need).toFixed(1)} bits)`); continue; }
      const logT = Math.max(...ts.map(log2));
      // One output ciphertext per channel: the flooding's union bound runs over N·k coefficients.
      const flooding: FloodingPlan | null = lambda === undefined ? null : { statisticalSecurity: lambda, ciphertexts: k, reserveBits: floodingReserveBits(n, k, lambda) };
      const endBits = margin + (flooding?.reserveBits ?? 0);
      const maxData = Math.floor(bound / primeBits) - 1;
      let found = false;
      for (let L = 1; L <= maxData && !found; L++) {
        // The chain may end before the last prime (bfv params.ts: levels that cannot hold t through a key switch).
        let maxLevel: number;
        try {
          maxLevel = bfvParameters({ polyDegree: n, coeffModulus: Array(L).fill(primeBits), specialModulus: [primeBits], plainModulus: ts.reduce((a, b) => (b > a ? b : a)), kernel, allowInsecure: true }).maxLevel;
        } catch (e) {
          if (e instanceof QheError) continue;
          throw e;
        }
        const s: NoiseContext = { n, logT, levelLogQ: Array.from({ length: maxLevel + 1 }, (_, l) => (L - l) * (primeBits - 0.01)) };
        if (freshBudget(s, 0) < 1) continue;
        const sched = schedule(s, compiled, endBits);
        if (!sched) continue;
        found = true;
        // Work per channel on the critical path; channels run ⌈k / workers⌉ rounds.
        let work = 0;
        compiled.layers.forEach((layer, i) => { for (const op of layer.ops) work += opCost(op, L - sched.levels[i]); });
        const cost = (work * Math.ceil(k / workers) * n * Math.log2(n)) / 65536;
        if (!best || cost < best.cost) best = { cost, compiled, ts, L, sched, s, bound, flooding };
      }
      if (!found) reasons.push(`N=${n}, ${k}×${logT.toFixed(0)}-bit t: noise budget below the ${margin}-bit margin${flooding ? ` + ${flooding.reserveBits}-bit flooding reserve` : ''} within log2(Q·P) ≤ ${bound}`);
    }
  }
  if (!best) fail(`planSingle(${model.name}): expected a packed plan within the security bound for maxAbs = ${maxAbs} (${log2(need).toFixed(1)} bits), got none: ${reasons.join('; ')}`);
  const { compiled, ts, L, sched, s, bound, cost, flooding } = best;
  const n = compiled.n;
  const literal: BfvParameterLiteral = { polyDegree: n, coeffModulus: Array(L).fill(primeBits), specialModulus: [primeBits], plainModulus: ts[0], kernel, allowInsecure: options.allowInsecure };
  const params = bfvParameters(literal);
  const ops = withModSwitches(compiled, sched.levels);
  const program: PackedProgram = { n, inputCount: compiled.input.ciphertexts.length, registers: compiled.registers, ops, output: compiled.output };
  const codes = layerCodes(ops);
  const elements = [...new Set(codes.map((c) => galoisElementOf(n, c)))].sort((a, b) => a - b);
  const keyLevels = new Map<number, number>();
  let relinLevel = -1;
  compiled.layers.forEach((layer, i) => {
    for (const c of layerCodes(layer.ops)) {
      const g = galoisElementOf(n, c);
      if (!keyLevels.has(g)) keyLevels.set(g, sched.levels[i]);
    }
    if (relinLevel < 0 && layer.ops.some((op) => op.kind === 'square' || op.kind === 'polynomial')) relinLevel = sched.levels[i];
  });
  // One key: per digit (one per data prime at its level, α = 1) a pair of polynomials over that level's primes ∪ special, 4 bytes a residue.
  const keyBytes = (level: number): number => 2 * (L - level) * (L - level + 1) * n * 4;
  const keyBytesPerChannel = [...keyLevels.values()].reduce((s, l) => s + keyBytes(l), 0) + (relinLevel >= 0 ? keyBytes(relinLevel) : 0);
  const plan: SinglePlan = Object.freeze({
    mode: 'single',
    flooding,
    model: model.name,
    polyDegree: n,
    kernel,
    coeffModulus: params.coeffModulus,
    specialModulus: params.specialModulus,
    plainModuli: ts,
    logQ: params.logQ,
    logQP: params.logQP,
    securityBound: options.allowInsecure ? null : bound,
    maxAbs,
    marginBits: margin,
    freshBudget: freshBudget(s, 0),
    inputLevel: sched.levels[0] ?? 0,
    inputSize: model.input.shape.reduce((a, b) => a * b, 1),
    inputMin: model.input.min,
    inputMax: model.input.max,
    input: compiled.input,
    program,
    outputSlots: compiled.outputSlots,
    layerOutputs: liveRegisters(compiled),
    layers: compiled.layers.map((layer, i) => ({
      index: i,
      type: layer.type,
      level: sched.levels[i],
      outputs: layer.outputs,
      layout: layer.layout.note,
      method: layer.note,
      predictedBudget: sched.budgets[i],
      rotations: layerCodes(layer.ops),
      estimatedCost: layer.ops.reduce((c, op) => c + opCost(op, L - sched.levels[i]), 0),
    })),
    galoisElements: elements,
    galoisSteps: codes.map((c) => formatCode(n, c)),
    galoisKeyLevels: keyLevels,
    relinLevel: Math.max(0, relinLevel),
    keyBytesPerChannel,
    predictedFinalBudget: sched.final,
    estimatedCost: cost,
    workers,
    allowInsecure: !!options.allowInsecure,
  });
  verifyPlan(model, plan);
  return plan;
}

/** Client slot vectors of an input image (quantised integers, HWC). */
export function encodeInputSlots(plan: Pick<SinglePlan, 'input'>, image: ArrayLike<number>): bigint[][] {
  return plan.input.ciphertexts.map((slots) => Array.from(slots, (idx) => (idx >= 0 ? BigInt(image[idx]) : 0n)));
}

/**
 * The plan on plain slot vectors (mod t_0) for a deterministic pseudo-random input
 * equals the exact integer forward pass at every output slot; throws otherwise.
 * Catches any layout or diagonal mistake before a key is made.
 */
export function verifyPlan(model: IntegerModel, plan: SinglePlan, image?: ArrayLike<number>): void {
  const { min, max } = model.input;
  const size = model.input.shape.reduce((a, b) => a * b, 1);
  let x = 0x9e3779b9;
  const rnd = (): number => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const input = image ?? Array.from({ length: size }, () => min + Math.floor(rnd() * (max - min + 1)));
  const t = plan.plainModuli[0];
  const regs = simulateProgram(plan.program, encodeInputSlots(plan, input), t);
  const out = regs[plan.program.output];
  const want = forwardInteger(model, input).map((v) => ((v % t) + t) % t);
  want.forEach((v, o) => {
    const got = out[plan.outputSlots[o]];
    if (got !== v) throw new QheError('INVALID_PARAMETERS', `planSingle(${plan.model}): the packed program gives ${got} for output ${o}, the integer model ${v} (mod ${t}): layout error`);
  });
}

/** Shape statistics of the plan's transforms (rotations hoisted / full, products) for reports. */
export function planStatistics(plan: SinglePlan): { babies: number; giants: number; vectorTerms: number; squares: number } {
  let babies = 0, giants = 0, vectorTerms = 0, squares = 0;
  for (const op of plan.program.ops) {
    if (op.kind === 'transform') {
      const sh = transformShape(op.terms);
      babies += sh.babies;
      giants += sh.giants;
      vectorTerms += op.terms.filter((t) => typeof t.diagonal !== 'number').length;
    } else if (op.kind === 'square' || op.kind === 'polynomial') squares++;
  }
  return { babies, giants, vectorTerms, squares };
}
