/**
 * Model → packed program for one image (`single` mode): each layer maps a packed
 * layout (layouts.ts) to a packed layout.
 *
 * - First linear layer, weight-shared (conv2d, sumPool): the client sends the
 *   image in convolution representation, one ciphertext per kernel offset κ
 *   holding, in the slots of map 0, the input pixel each output position reads
 *   at κ (LoLa, Brutzkus et al. ICML 2019, §4 "convolution representation").
 *   Map c is Σ_κ w[κ,c]·ct_κ — integer scalars, log2‖w‖ bits of noise instead of
 *   a plaintext vector's log2 t + ½ log2 N — rotated into its own blocks by one
 *   giant step. The blocks form the windowed layout the next linear layer wants.
 * - First linear layer, dense: the client sends the input windowed.
 * - Linear layers on a windowed input: w rotations (baby-step/giant-step,
 *   hoisted) of diagonals that put output o's partial sums at local position o
 *   of every block, then a rotate-and-add over the blocks and the two rows
 *   (hoisted sums in levels) → replicated layout.
 * - Linear layers on a replicated input (period β): the hybrid diagonal method
 *   (GAZELLE §5.2): output period β' ≥ outputs, β' rotations, partial sums
 *   reduced over β/β' positions → replicated (β'); or, for an expanding layer,
 *   β rotations and no reduction.
 * - square / quadratic: slotwise on the layout; flatten: nothing (HWC order).
 * - add (residual): both summands replicated with one period, one two-input
 *   transform without rotations (residualAdd).
 *
 * Diagonals are built generically (buildDiagonals): for each rotation and each
 * output slot, the feature the rotation brings there, with the weight of that
 * (output, feature) pair unless the pair was already used in the slot's
 * reduction group; every layer checks that each non-zero weight is used exactly
 * once per group, and the planner checks the whole program against the exact
 * integer forward pass on plain slot vectors.
 */
import { QheError } from '@qhe/bfv';
import { compileLinear, tensorShapes, type IntegerLayer, type IntegerModel, type SparseLinear } from '@qhe/quant/model';
import { transformCost, transformShape, unitCosts } from './cost.js';
import { firstSlots, nextPowerOfTwo, replicatedLayout, windowedLayout, ZERO, type Layout } from './layouts.js';
import type { ProgramOp, TransformTerm } from './program.js';
import { inverseCode, rotationCode, sourceSlot } from './slots.js';

/** Nominal limb count for structural choices made before levels are known. */
const NOMINAL_L = 5;
/** Work charged per Galois key a choice adds (memory, keygen, upload), in NTT units. */
const KEY_PENALTY = 4;

export interface ClientEncoding {
  readonly kind: 'im2col' | 'windowed' | 'replicated';
  /** Per ciphertext: slot → input index (HWC) or ZERO. */
  readonly ciphertexts: readonly Int32Array[];
  readonly note: string;
}

export interface CompiledLayer {
  readonly index: number;
  readonly type: IntegerLayer['type'];
  readonly outputs: number;
  /** Layout after the layer. */
  readonly layout: Layout;
  /** How the layer is computed (method, rotations). */
  readonly note: string;
  readonly ops: readonly ProgramOp[];
}

export interface CompiledModel {
  readonly n: number;
  readonly input: ClientEncoding;
  readonly layers: readonly CompiledLayer[];
  readonly registers: number;
  readonly output: number;
  /** Output feature → slot. */
  readonly outputSlots: Int32Array;
}

function fail(message: string): never {
  throw new QheError('INVALID_PARAMETERS', message);
}

const isLinear = (t: IntegerLayer['type']): boolean => t === 'conv2d' || t === 'dense' || t === 'sumPool';

/** Dense Fout × Fin weight matrix of a linear layer's taps. */
function weightMatrix(taps: SparseLinear, fin: number): Float64Array {
  const W = new Float64Array(taps.outSize * fin);
  for (let o = 0; o < taps.outSize; o++)
    for (let k = taps.start[o]; k < taps.start[o + 1]; k++) W[o * fin + taps.idx[k]] += taps.w[k];
  return W;
}

// ---- generic diagonal builder ------------------------------------------------------

interface DiagonalSpec {
  readonly n: number;
  readonly input: Int32Array;
  /** Slot → output whose partial sum it holds, or −1. */
  readonly outOf: Int32Array;
  /** Slot → reduction group (slots of one group are summed together afterwards). */
  readonly groupOf: Int32Array | null;
  readonly groups: number;
  readonly rotations: readonly number[];
  readonly W: Float64Array;
  readonly fin: number;
  readonly fout: number;
}

/** Diagonals D_r (rotation code → slot vector) with every non-zero weight used once per group (checked). */
function buildDiagonals(spec: DiagonalSpec, what: string): Map<number, Float64Array> {
  const { n, input, outOf, groupOf, groups, rotations, W, fin, fout } = spec;
  // groups = 0: every output slot stands alone (no reduction); the rotations read distinct slots.
  const track = groups > 0 && groups * fout * fin <= 1 << 24;
  const used = track ? new Uint8Array(groups * fout * fin) : null;
  const diagonals = new Map<number, Float64Array>();
  for (const r of rotations) {
    let D: Float64Array | null = null;
    for (let s = 0; s < n; s++) {
      const o = outOf[s];
      if (o < 0) continue;
      const f = input[sourceSlot(n, s, r)];
      if (f < 0) continue;
      const w = W[o * fin + f];
      if (w === 0) continue;
      if (used) {
        const k = ((groupOf ? groupOf[s] : 0) * fout + o) * fin + f;
        if (used[k]) continue;
        used[k] = 1;
      }
      D ??= new Float64Array(n);
      D[s] = w;
    }
    if (D) diagonals.set(r, D);
  }
  if (used) {
    const present = new Uint8Array(groups * fout);
    for (let s = 0; s < n; s++) if (outOf[s] >= 0) present[(groupOf ? groupOf[s] : 0) * fout + outOf[s]] = 1;
    for (let g = 0; g < groups; g++)
      for (let o = 0; o < fout; o++) {
        if (!present[g * fout + o]) continue;
        for (let f = 0; f < fin; f++)
          if (W[o * fin + f] !== 0 && !used[(g * fout + o) * fin + f])
            fail(`${what}: the layout does not bring input ${f} to output ${o} (group ${g}) with rotations ${rotations.length}`);
      }
  }
  return diagonals;
}

// ---- baby-step/giant-step and reductions ----------------------------------------------

/** Splits the diagonals of contiguous rotations [0, K) into baby steps [0, B) and giant steps multiples of B (cheapest B). */
function bsgsTerms(n: number, diagonals: Map<number, Float64Array>, K: number): { terms: TransformTerm[]; baby: number } {
  const u = unitCosts(NOMINAL_L);
  const rotations = [...diagonals.keys()];
  // Candidates: every B up to 64, then powers of two (K can reach N/2 for an expanding layer).
  const candidates = new Set<number>([K]);
  for (let B = 1; B <= Math.min(K, 64); B++) candidates.add(B);
  for (let B = 128; B < K; B *= 2) candidates.add(B);
  let best = { cost: Infinity, B: 1 };
  for (const B of candidates) {
    const babies = new Set<number>(), giants = new Set<number>();
    for (const r of rotations) { babies.add(r % B); giants.add(r - (r % B)); }
    babies.delete(0);
    giants.delete(0);
    // One decomposition of the input, a hoisted inner product per baby, a full key switch per giant.
    const cost = (babies.size ? u.decompose : 0) + babies.size * u.innerProduct + giants.size * (2 * u.modDown + u.decompose + u.innerProduct) + rotations.length * u.nttTerm
      + KEY_PENALTY * (babies.size + giants.size);
    if (cost < best.cost) best = { cost, B };
  }
  const B = best.B;
  const terms = [...diagonals].map(([r, D]) => {
    const g = r - (r % B);
    const giant = rotationCode(n, g);
    const inv = inverseCode(n, giant);
    const pre = new Float64Array(n);
    for (let s = 0; s < n; s++) pre[s] = D[sourceSlot(n, s, inv)];
    return { input: 0, baby: rotationCode(n, r % B), giant, diagonal: pre };
  });
  return { terms, baby: B };
}

/**
 * Sum over the rotations {k·Δ : k < J} (J a power of two), optionally × {identity, row swap},
 * as levels of hoisted sums (each level: one decomposition, its rotations as babies, one
 * ModDown), the factorization chosen by estimated work plus key count.
 */
function reductionLevels(n: number, delta: number, J: number, swap: boolean): number[][] {
  const R = n / 2;
  const e = Math.round(Math.log2(J));
  const compositions = (m: number): number[][] => (m === 0 ? [[]] : Array.from({ length: m }, (_, i) => i + 1).flatMap((p) => compositions(m - p).map((rest) => [p, ...rest])));
  const u = unitCosts(NOMINAL_L);
  let best: { cost: number; levels: number[][] } = { cost: Infinity, levels: [] };
  for (const parts of compositions(e)) {
    for (let where = -1; where < (swap ? parts.length + 1 : 0); where++) {
      // where: −1 no swap; i < parts.length merge into level i; parts.length its own level.
      if (swap && where === -1) continue;
      const levels: number[][] = [];
      let step = delta;
      parts.forEach((p, i) => {
        const codes: number[] = [];
        for (let k = 0; k < 1 << p; k++) codes.push(rotationCode(n, k * step));
        if (where === i) for (let k = 0; k < 1 << p; k++) codes.push(rotationCode(n, k * step, true));
        levels.push(codes);
        step *= 1 << p;
      });
      if (swap && where === parts.length) levels.push([0, R]);
      const cost = levels.reduce((c, l) => c + u.decompose + (l.length - 1) * (u.innerProduct + KEY_PENALTY) + 2 * u.modDown, 0);
      if (cost < best.cost) best = { cost, levels };
    }
  }
  if (e === 0 && swap) best.levels = [[0, R]];
  return best.levels;
}

// ---- the compiler ----------------------------------------------------------------------

interface State {
  layout: Layout | null;
  reg: number;
  registers: number;
}

interface ConvLike {
  readonly kh: number; readonly kw: number; readonly cin: number; readonly cout: number;
  readonly sh: number; readonly sw: number; readonly top: number; readonly left: number;
  readonly weight: (i: number, j: number, ci: number, co: number) => number;
  readonly bias: readonly bigint[];
}

function convLike(layer: IntegerLayer, inShape: readonly number[]): ConvLike | null {
  if (layer.type === 'conv2d') {
    const [kh, kw, cin, cout] = layer.kernelShape;
    return { kh, kw, cin, cout, sh: layer.stride[0], sw: layer.stride[1], top: layer.padding.top, left: layer.padding.left, bias: layer.bias, weight: (i, j, ci, co) => layer.weights[((i * kw + j) * cin + ci) * cout + co] };
  }
  if (layer.type === 'sumPool') {
    const C = inShape[2];
    return { kh: layer.window[0], kw: layer.window[1], cin: C, cout: C, sh: layer.stride[0], sw: layer.stride[1], top: 0, left: 0, bias: Array(C).fill(0n), weight: (_i, _j, ci, co) => (ci === co ? 1 : 0) };
  }
  return null;
}

/** Estimated work of a windowed dense layer with window w and blocks of β (its rotations and reduction). */
function windowedDenseCost(n: number, block: number, window: number): number {
  const u = unitCosts(NOMINAL_L);
  const diag = u.decompose + (window - 1) * (u.innerProduct + KEY_PENALTY) + window * u.nttTerm + 2 * u.modDown;
  const levels = reductionLevels(n, block, n / 2 / block, true);
  return diag + levels.reduce((c, l) => c + u.decompose + (l.length - 1) * (u.innerProduct + KEY_PENALTY) + 2 * u.modDown, 0);
}

export function compileModel(model: IntegerModel, n: number): CompiledModel {
  const R = n / 2;
  const shapes = tensorShapes(model.input.shape, model.layers);
  const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
  const state: State = { layout: null, reg: 0, registers: 0 };
  let input: ClientEncoding | null = null;
  const layers: CompiledLayer[] = [];
  const newReg = (): number => state.registers++;
  /** Tensors an add reads later (t[from]) and, once computed, their register and layout. */
  const skipSources = new Set<number>(model.layers.flatMap((l) => (l.type === 'add' ? [l.from] : [])));
  const saved = new Map<number, { reg: number; layout: Layout }>();
  /** Outputs of the next linear layer after layer i (only activations/flatten in between), or null. */
  const nextLinearOutputs = (i: number): number | null => {
    for (let j = i + 1; j < model.layers.length; j++) {
      if (isLinear(model.layers[j].type)) return size(shapes[j + 1]);
    }
    return null;
  };
  const clientWindowed = (features: number, fnext: number, what: string): Layout => {
    let best: { cost: number; block: number; window: number } | null = null;
    for (let block = nextPowerOfTwo(fnext + 1); block <= R; block *= 2) {
      const w = Math.ceil(features / (n / block));
      if (fnext + w - 1 > block) continue;
      const cost = windowedDenseCost(n, block, w);
      if (!best || cost < best.cost) best = { cost, block, window: w };
    }
    if (!best) fail(`${what}: expected ${features} inputs and ${fnext} outputs to fit a windowed layout in ${n} slots, got none`);
    const { block, window } = best;
    return windowedLayout(n, block, window, features, (b, q) => (b * window + q < features ? b * window + q : ZERO), `windowed: blocks of ${block}, window ${window}`);
  };

  for (const [i, layer] of model.layers.entries()) {
    const fin = size(shapes[i]), fout = size(shapes[i + 1]);
    const ops: ProgramOp[] = [];
    let note = '';
    if (isLinear(layer.type)) {
      const taps = compileLinear(layer, shapes[i], shapes[i + 1])!;
      const conv = state.layout === null ? convLike(layer, shapes[i]) : null;
      if (conv) {
        note = firstConvolution(i, conv, shapes[i], shapes[i + 1], nextLinearOutputs(i), ops);
      } else {
        if (state.layout === null) {
          const lay = clientWindowed(fin, fout, `layer ${i} (${layer.type})`);
          input = { kind: 'windowed', ciphertexts: [lay.slots], note: `1 ciphertext, ${lay.note}` };
          state.layout = lay;
          state.reg = newReg();
        }
        const W = weightMatrix(taps, fin);
        note = state.layout.kind === 'windowed' ? windowedDense(i, W, fin, fout, taps.bias, ops) : replicatedDense(i, W, fin, fout, taps.bias, ops);
      }
    } else if (layer.type === 'flatten') {
      note = 'no data movement (HWC order)';
    } else if (layer.type === 'add') {
      note = residualAdd(i, layer, shapes[i], ops);
    } else {
      if (state.layout === null) {
        // An activation first: the client sends the input replicated.
        const period = nextPowerOfTwo(fin);
        if (period > R) fail(`layer ${i}: expected at most ${R} inputs for a replicated layout, got ${fin}`);
        state.layout = replicatedLayout(n, period, fin);
        input = { kind: 'replicated', ciphertexts: [state.layout.slots], note: `1 ciphertext, ${state.layout.note}` };
        state.reg = newReg();
      }
      const C = shapes[i][shapes[i].length - 1];
      keepSkipSource(i, ops);
      if (layer.type === 'square') {
        ops.push({ kind: 'square', layer: i, reg: state.reg });
        note = 'x² slotwise, relinearized';
      } else if (layer.type === 'quadratic') {
        const slots = state.layout.slots;
        const pick = (arr: readonly bigint[], f: number): bigint => (arr.length === 1 ? arr[0] : arr[f % C]);
        const vec = (arr: readonly bigint[]): bigint | bigint[] => {
          const v = Array.from(slots, (f) => (f >= 0 ? pick(arr, f) : 0n));
          const first = v.find((_, s) => slots[s] >= 0) ?? 0n;
          return v.every((x, s) => slots[s] < 0 || x === first) ? first : v;
        };
        ops.push({ kind: 'polynomial', layer: i, reg: state.reg, a: vec(layer.a), b: vec(layer.b), c: Array.from(slots, (f) => (f >= 0 ? pick(layer.c, f) : 0n)) });
        note = 'a·x² + b·x + c slotwise, relinearized';
      }
    }
    layers.push({ index: i, type: layer.type, outputs: fout, layout: state.layout!, note, ops });
    if (skipSources.has(i + 1)) saved.set(i + 1, { reg: state.reg, layout: state.layout! });
  }
  if (!state.layout || !input) fail(`compileModel(${model.name}): expected at least one layer, got none`);
  const outputSlots = firstSlots(state.layout);
  return { n, input, layers, registers: state.registers, output: state.reg, outputSlots };

  // ---- layer compilers (closures over state) ----

  function firstConvolution(i: number, conv: ConvLike, inShape: readonly number[], outShape: readonly number[], fnext: number | null, ops: ProgramOp[]): string {
    const [H, Wd, cin] = inShape;
    const [ho, wo, cout] = outShape;
    const P = ho * wo;
    let best: { cost: number; block: number; window: number; kRow: number } | null = null;
    for (let block = nextPowerOfTwo((fnext ?? 1) + 1); block <= R; block *= 2) {
      const kRow = Math.floor(R / (cout * block));
      if (kRow < 1) break;
      const w = Math.ceil(P / (2 * kRow));
      if ((fnext ?? 1) + w - 1 > block) continue;
      const cost = (fnext === null ? 0 : windowedDenseCost(n, block, w)) + (cout - 1) * unitCosts(NOMINAL_L).decompose;
      if (!best || cost < best.cost) best = { cost, block, window: w, kRow };
    }
    if (!best) fail(`layer ${i}: expected ${cout} maps of ${P} positions${fnext ? ` and ${fnext} outputs of the next layer` : ''} to fit blocks in ${n} slots, got none`);
    const { block, window: w, kRow } = best;
    const blocksPerRow = R / block;
    /** Map-0 block index m (both rows) → global block. */
    const globalBlock = (m: number, c: number): number => (m >= kRow ? blocksPerRow : 0) + c * kRow + (m % kRow);
    const featureAt = (b: number, q: number): number => {
      const row = b >= blocksPerRow ? 1 : 0, kk = b % blocksPerRow;
      const c = Math.floor(kk / kRow);
      if (c >= cout) return ZERO;
      const p = (row * kRow + (kk % kRow)) * w + q;
      return p < P ? p * cout + c : ZERO;
    };
    const layout = windowedLayout(n, block, w, P * cout, featureAt, `windowed: ${cout} maps × ${2 * kRow} blocks of ${block}, window ${w}`);
    // Client ciphertexts: one per kernel offset κ = (i, j, ci) with a non-zero weight, map 0's blocks only.
    const offsets: [number, number, number][] = [];
    for (let a = 0; a < conv.kh; a++) for (let b = 0; b < conv.kw; b++) for (let ci = 0; ci < cin; ci++) {
      let any = false;
      for (let co = 0; co < cout; co++) if (conv.weight(a, b, ci, co) !== 0) any = true;
      if (any) offsets.push([a, b, ci]);
    }
    // All weights zero: the layer is its bias; one (unused) offset keeps the input well-formed and
    // the transform without terms yields an encryption of zero (server.ts), the bias is added after.
    if (offsets.length === 0) offsets.push([0, 0, 0]);
    const ciphertexts = offsets.map(([a, b, ci]) => {
      const slots = new Int32Array(n).fill(ZERO);
      for (let m = 0; m < 2 * kRow; m++) {
        const base = globalBlock(m, 0) * block;
        for (let v = 0; v < block; v++) {
          const p = m * w + (v % w);
          if (p >= P) continue;
          const y = Math.floor(p / wo), x = p % wo;
          const iy = y * conv.sh + a - conv.top, ix = x * conv.sw + b - conv.left;
          if (iy < 0 || iy >= H || ix < 0 || ix >= Wd) continue;
          slots[base + v] = (iy * Wd + ix) * cin + ci;
        }
      }
      return slots;
    });
    input = { kind: 'im2col', ciphertexts, note: `${ciphertexts.length} ciphertexts (one per kernel offset), map 0 in ${2 * kRow} blocks of ${block}` };
    const inputs = ciphertexts.map(() => newReg());
    const terms: TransformTerm[] = [];
    for (let co = 0; co < cout; co++) {
      const giant = rotationCode(n, -co * kRow * block);
      offsets.forEach(([a, b, ci], k) => {
        const wgt = conv.weight(a, b, ci, co);
        if (wgt !== 0) terms.push({ input: k, baby: 0, giant, diagonal: wgt });
      });
    }
    const out = newReg();
    ops.push({ kind: 'transform', layer: i, inputs, out, terms, role: 'diagonals' });
    if (conv.bias.some((b) => b !== 0n)) ops.push({ kind: 'addPlain', layer: i, reg: out, values: Array.from(layout.slots, (f) => (f >= 0 ? conv.bias[f % cout] : 0n)) });
    state.layout = layout;
    state.reg = out;
    return `convolution representation: ${offsets.length} ciphertexts × ${cout} maps, integer weights; ${cout - 1} giant rotations place the maps`;
  }

  /** Before an in-place op on the live register: if an add still needs it, continue on a copy. */
  function keepSkipSource(i: number, ops: ProgramOp[]): void {
    if (![...saved.values()].some((v) => v.reg === state.reg)) return;
    const out = newReg();
    ops.push({ kind: 'transform', layer: i, inputs: [state.reg], out, terms: [{ input: 0, baby: 0, giant: 0, diagonal: 1 }], role: 'sum' });
    state.reg = out;
  }

  /**
   * A replicated layout of period P brought to period p < P (p still holds every
   * feature): the sum of its rotations by k·p, k < P/p, in hoisted levels. Each slot
   * s then reads the one slot ≡ s (mod p) of its period-P block that holds a feature.
   */
  function toPeriod(i: number, reg: number, from: Layout, p: number, ops: ProgramOp[]): { reg: number; layout: Layout } {
    const levels = reductionLevels(n, p, from.block / p, false);
    for (const codes of levels) {
      const out = newReg();
      ops.push({ kind: 'transform', layer: i, inputs: [reg], out, terms: codes.map((c) => ({ input: 0, baby: c, giant: 0, diagonal: 1 })), role: 'sum' });
      reg = out;
    }
    return { reg, layout: replicatedLayout(n, p, from.features) };
  }

  /**
   * Residual add y = scale·x + fromScale·t[from] (He et al. 2016): both tensors in one
   * replicated period (the larger period reduced to the smaller, toPeriod), then one
   * two-input transform without rotations — integer factors, or slot vectors when the
   * factors differ per channel. The skip tensor's register was kept since its layer
   * (keepSkipSource); the planner switches it down to this layer's level.
   */
  function residualAdd(i: number, layer: Extract<IntegerLayer, { type: 'add' }>, shape: readonly number[], ops: ProgramOp[]): string {
    const skip = saved.get(layer.from);
    if (!skip || !state.layout) fail(`layer ${i} (add): expected t[${layer.from}] computed by an earlier layer, got ${layer.from === 0 ? 'the model input' : 'none'} (single mode adds layer outputs only)`);
    let x = { reg: state.reg, layout: state.layout };
    let sk = { reg: skip.reg, layout: skip.layout };
    if (x.layout.kind !== 'replicated' || sk.layout.kind !== 'replicated')
      fail(`layer ${i} (add): expected both summands in a replicated layout, got ${x.layout.kind} and ${sk.layout.kind}`);
    let moved = '';
    if (sk.layout.block > x.layout.block) { sk = toPeriod(i, sk.reg, sk.layout, x.layout.block, ops); moved = `skip brought to period ${x.layout.block}, `; }
    else if (x.layout.block > sk.layout.block) { x = toPeriod(i, x.reg, x.layout, sk.layout.block, ops); moved = `input brought to period ${sk.layout.block}, `; }
    const C = shape[shape.length - 1];
    const factor = (arr: readonly number[]): Float64Array | number => {
      if (arr.every((v) => v === arr[0])) return arr[0];
      return Float64Array.from(x.layout.slots, (f) => (f >= 0 ? arr[f % C] : 0));
    };
    const out = newReg();
    ops.push({ kind: 'transform', layer: i, inputs: [x.reg, sk.reg], out, role: 'diagonals', terms: [
      { input: 0, baby: 0, giant: 0, diagonal: factor(layer.scale) },
      { input: 1, baby: 0, giant: 0, diagonal: factor(layer.fromScale) },
    ] });
    state.reg = out;
    state.layout = x.layout;
    return `${moved}scale·x + fromScale·t[${layer.from}] slotwise, no rotation`;
  }

  function reduce(i: number, levels: number[][], ops: ProgramOp[]): void {
    for (const codes of levels) {
      const out = newReg();
      ops.push({ kind: 'transform', layer: i, inputs: [state.reg], out, terms: codes.map((c) => ({ input: 0, baby: c, giant: 0, diagonal: 1 })), role: 'sum' });
      state.reg = out;
    }
  }

  function addBias(i: number, layout: Layout, bias: readonly bigint[], ops: ProgramOp[]): void {
    if (bias.some((b) => b !== 0n)) ops.push({ kind: 'addPlain', layer: i, reg: state.reg, values: Array.from(layout.slots, (f) => (f >= 0 ? bias[f] : 0n)) });
  }

  function windowedDense(i: number, W: Float64Array, fin: number, fout: number, bias: readonly bigint[], ops: ProgramOp[]): string {
    const lay = state.layout!;
    const { block, window: w } = lay;
    if (fout + w - 1 > block) fail(`layer ${i}: expected ${fout} outputs + window ${w} − 1 ≤ block ${block}, got more`);
    const outOf = new Int32Array(n);
    for (let s = 0; s < n; s++) outOf[s] = s % block < fout ? s % block : -1;
    const rotations = Array.from({ length: w }, (_, r) => r);
    const diagonals = buildDiagonals({ n, input: lay.slots, outOf, groupOf: null, groups: 1, rotations, W, fin, fout }, `layer ${i}`);
    const { terms, baby } = bsgsTerms(n, diagonals, w);
    const out = newReg();
    ops.push({ kind: 'transform', layer: i, inputs: [state.reg], out, terms, role: 'diagonals' });
    state.reg = out;
    const levels = reductionLevels(n, block, R / block, true);
    reduce(i, levels, ops);
    const layout = replicatedLayout(n, block, fout);
    addBias(i, layout, bias, ops);
    state.layout = layout;
    return `stacked diagonals: ${diagonals.size} rotations of the windowed input (baby steps ${baby}), sum over ${2 * (R / block)} blocks in ${levels.length} hoisted level(s) [${levels.map((l) => l.length).join('×')}]`;
  }

  function replicatedDense(i: number, W: Float64Array, fin: number, fout: number, bias: readonly bigint[], ops: ProgramOp[]): string {
    const lay = state.layout!;
    const period = lay.block;
    if (fin > period) fail(`layer ${i}: expected ${fin} inputs within the replicated period ${period}, got more`);
    const u = unitCosts(NOMINAL_L);
    if (fout <= period) {
      let best: { cost: number; periodOut: number } | null = null;
      for (let p = nextPowerOfTwo(fout); p <= period; p *= 2) {
        const levels = reductionLevels(n, p, period / p, false);
        const cost = u.decompose + (p - 1) * (u.innerProduct + KEY_PENALTY) + p * u.nttTerm + levels.reduce((c, l) => c + u.decompose + (l.length - 1) * (u.innerProduct + KEY_PENALTY) + 2 * u.modDown, 0);
        if (!best || cost < best.cost) best = { cost, periodOut: p };
      }
      const po = best!.periodOut;
      const outOf = new Int32Array(n), groupOf = new Int32Array(n);
      for (let s = 0; s < n; s++) { outOf[s] = s % po < fout ? s % po : -1; groupOf[s] = Math.floor(s / period); }
      const rotations = Array.from({ length: po }, (_, r) => r);
      const diagonals = buildDiagonals({ n, input: lay.slots, outOf, groupOf, groups: n / period, rotations, W, fin, fout }, `layer ${i}`);
      const { terms, baby } = bsgsTerms(n, diagonals, po);
      const out = newReg();
      ops.push({ kind: 'transform', layer: i, inputs: [state.reg], out, terms, role: 'diagonals' });
      state.reg = out;
      const levels = period > po ? reductionLevels(n, po, period / po, false) : [];
      reduce(i, levels, ops);
      const layout = replicatedLayout(n, po, fout);
      addBias(i, layout, bias, ops);
      state.layout = layout;
      return `hybrid diagonals: ${diagonals.size} rotations (baby steps ${baby}), output period ${po}, sum over ${period / po} positions${levels.length ? ` in ${levels.length} hoisted level(s) [${levels.map((l) => l.length).join('×')}]` : ''}`;
    }
    const po = nextPowerOfTwo(fout);
    if (po > R) fail(`layer ${i}: expected at most ${R} outputs in one ciphertext, got ${fout}`);
    const outOf = new Int32Array(n);
    for (let s = 0; s < n; s++) outOf[s] = s % po < fout ? s % po : -1;
    const rotations = Array.from({ length: period }, (_, r) => r);
    const diagonals = buildDiagonals({ n, input: lay.slots, outOf, groupOf: null, groups: 0, rotations, W, fin, fout }, `layer ${i}`);
    const { terms, baby } = bsgsTerms(n, diagonals, period);
    const out = newReg();
    ops.push({ kind: 'transform', layer: i, inputs: [state.reg], out, terms, role: 'diagonals' });
    state.reg = out;
    const layout = replicatedLayout(n, po, fout);
    addBias(i, layout, bias, ops);
    state.layout = layout;
    return `expanding diagonals: ${diagonals.size} rotations (baby steps ${baby}), output period ${po}`;
  }
}
