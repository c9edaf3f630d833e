/**
 * Parameter planner: from a quantized integer model to BFV parameters.
 *
 * - Plaintext modulus (Legiest et al. 2023 §3): the circuit is exact iff the
 *   plaintext space holds every integer tensor, i.e. ∏ t_j > 2·maxAbs. One
 *   batching prime when that fits below the kernel's prime size, otherwise a
 *   CRT of k batching primes, each an independent channel (CryptoNets,
 *   Gilad-Bachrach et al. ICML 2016, §4 use the same CRT split) recombined by
 *   the client.
 * - Noise: a forward simulation of SEAL's invariant noise budget (Fan &
 *   Vercauteren 2012 bounds, constants calibrated on this engine's measured
 *   `invariantNoiseBudget`): fresh = log Q − log t − (½log N + 1.5); an
 *   integer-weighted sum costs log2‖w‖₂ + ½ (random-walk growth of independent
 *   noises); x² costs log t + ½ log N + 6; mod switching and relinearization
 *   cap the budget at the fresh level of the target modulus (their rounding
 *   noise; key switching 10 bits lower), combined as a soft minimum.
 * - Modulus chain: 29-bit (u32) data primes plus one special prime no smaller
 *   than any data prime (hybrid key switching, Gentry–Halevi–Smart 2012), total
 *   log2(Q·P) within the HomomorphicEncryption.org 2018 table (MAX_LOG_Q).
 * - Modulus switching is scheduled greedily: at the input of every layer the
 *   ciphertexts drop to the lowest level from which the rest of the circuit
 *   still ends with the safety margin (SEAL's advice for CryptoNets).
 * - Circuit privacy (option `floodingSecurity` = λ): the server floods the
 *   returned logits (bfv flooding.ts) with noise of width 2^λ·N·k·2·B_e, B_e the
 *   noise bound at the margin, so the circuit must end with
 *   margin + floodingReserveBits(N, outputs·k, λ) ≈ margin + λ + log2(N·outputs·k) + 3
 *   bits; the reserve enters the schedule's end condition like the margin.
 * - Among feasible (N, L, k) the planner takes the lowest estimated cost.
 */
import { MAX_LOG_Q, QheError, bfvParameters, floodingReserveBits, type BfvParameterLiteral, type KernelName } from '@qhe/bfv';
import { compileTaps, tensorShapes, type IntegerModel } from '@qhe/quant/model';

export interface PlanOptions {
  /** Images per run (fills slots; N ≥ images is preferred but not required). Default 8192. */
  readonly images?: number;
  readonly kernel?: KernelName;
  /** Force the ring degree. */
  readonly polyDegree?: number;
  /** Cap on the bits of each plaintext prime (forces CRT in tests). */
  readonly maxPlainBits?: number;
  /** Safety margin in bits left at the end. Default 10. */
  readonly marginBits?: number;
  /** Lift the security bound (tests with tiny N). */
  readonly allowInsecure?: boolean;
  /**
   * Statistical security λ of the noise flooding the server applies to the
   * returned logits (circuit privacy); the plan reserves its budget. Default
   * none (no flooding): the in-process demo returns nothing to anyone.
   */
  readonly floodingSecurity?: number;
}

/** Noise flooding planned for the outputs (see `PlanOptions.floodingSecurity`). */
export interface FloodingPlan {
  /** λ: the returned logits are within statistical distance 2^−λ of any other weights' (same plan). */
  readonly statisticalSecurity: number;
  /** Ciphertexts flooded together (outputs × channels): the union bound's k. */
  readonly ciphertexts: number;
  /** Budget bits reserved above the margin. */
  readonly reserveBits: number;
}

export interface LayerPlan {
  readonly index: number;
  readonly type: string;
  /** Level the inputs are switched to before this layer. */
  readonly level: number;
  /** Relinearize the outputs of this layer (lazily after the linear layer that follows a square). */
  readonly relinearizeAfter: boolean;
  /** Ciphertext size of the outputs. */
  readonly outSize: number;
  readonly predictedBudget: number;
  readonly outputs: number;
}

export interface InferencePlan {
  readonly model: string;
  readonly polyDegree: number;
  readonly kernel: KernelName;
  readonly coeffModulus: readonly bigint[];
  readonly specialModulus: readonly bigint[];
  readonly plainModuli: readonly bigint[];
  readonly logQ: number;
  readonly logQP: number;
  readonly securityBound: number | null;
  readonly maxAbs: bigint;
  readonly marginBits: number;
  readonly freshBudget: number;
  readonly layers: readonly LayerPlan[];
  readonly predictedFinalBudget: number;
  readonly estimatedCost: number;
  readonly allowInsecure: boolean;
  readonly flooding: FloodingPlan | null;
}

const SQUARE_EXTRA = 6;
const FRESH_EXTRA = 1.5;
// Key switching (one digit per q_i, special prime ≈ q_i) leaves more noise than a
// fresh encryption. 10 was too optimistic: CryptoNets' last layer (dense after a
// switch to 2 primes, then relinearize) measured 8 bits where 10.8 were predicted,
// below the margin; 14 keeps every measured layer budget ≥ its prediction − 1.
const RELIN_EXTRA = 14;

function millerRabin(n: bigint): boolean {
  if (n < 2n) return false;
  for (const p of [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n]) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  let d = n - 1n, s = 0;
  while ((d & 1n) === 0n) { d >>= 1n; s++; }
  const pow = (b: bigint, e: bigint): bigint => {
    let r = 1n; b %= n;
    while (e > 0n) { if (e & 1n) r = (r * b) % n; b = (b * b) % n; e >>= 1n; }
    return r;
  };
  outer: for (const a of [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n]) {
    let x = pow(a, d);
    if (x === 1n || x === n - 1n) continue;
    for (let i = 1; i < s; i++) { x = (x * x) % n; if (x === n - 1n) continue outer; }
    return false;
  }
  return true;
}

/** The `count` largest primes below 2^bits with p ≡ 1 (mod 2N) (batching: N slots). */
export function batchingPrimes(bits: number, n: number, count: number): bigint[] {
  const m = BigInt(2 * n);
  const lo = m;
  let p = (((1n << BigInt(bits)) - 1n) / m) * m + 1n;
  if (p >= 1n << BigInt(bits)) p -= m;
  const out: bigint[] = [];
  for (; p >= lo && out.length < count; p -= m) if (millerRabin(p)) out.push(p);
  return out;
}

const log2 = (x: bigint): number => {
  const s = x.toString(2);
  return s.length - 53 > 0 ? Math.log2(Number(x >> BigInt(s.length - 53))) + (s.length - 53) : Math.log2(Number(x));
};
const softMin = (a: number, b: number): number => -Math.log2(2 ** -a + 2 ** -b);

interface LayerCost { type: string; l2Bits: number; terms: number; outputs: number; coefBits: number }

/** Per-layer facts the simulation needs: weight norms, term counts, output counts. */
function layerFacts(model: IntegerModel): LayerCost[] {
  const shapes = tensorShapes(model.input.shape, model.layers);
  return model.layers.map((layer, i) => {
    const outputs = shapes[i + 1].reduce((a, b) => a * b, 1);
    const taps = compileTaps(layer, shapes[i], shapes[i + 1]);
    if (taps) {
      let worst = 1;
      for (let o = 0; o < taps.outSize; o++) {
        let s = 0;
        for (let k = taps.start[o]; k < taps.start[o + 1]; k++) s += taps.w[k] * taps.w[k];
        worst = Math.max(worst, s);
      }
      return { type: layer.type, l2Bits: 0.5 * Math.log2(worst) + 0.5, terms: taps.idx.length, outputs, coefBits: 0 };
    }
    if (layer.type === 'quadratic') {
      let a = 1n;
      for (const v of layer.a) a = (v < 0n ? -v : v) > a ? (v < 0n ? -v : v) : a;
      return { type: layer.type, l2Bits: 0, terms: 0, outputs, coefBits: log2(a) + 1 };
    }
    return { type: layer.type, l2Bits: 0, terms: 0, outputs, coefBits: 0 };
  });
}

const isLinear = (type: string): boolean => type === 'conv2d' || type === 'dense' || type === 'sumPool';
const isMult = (type: string): boolean => type === 'square' || type === 'quadratic';

/** Relinearize after layer i? After a square unless the next real layer is linear (then after that one). */
function relinSchedule(facts: LayerCost[]): boolean[] {
  const out = facts.map(() => false);
  let pending = false;
  for (let i = 0; i < facts.length; i++) {
    const type = facts[i].type;
    if (isMult(type)) {
      if (pending) out[i - 1] = true; // unreachable in valid order, kept for safety
      pending = true;
      let j = i + 1;
      while (j < facts.length && facts[j].type === 'flatten') j++;
      if (j >= facts.length || !isLinear(facts[j].type)) { out[i] = true; pending = false; }
    } else if (pending && isLinear(type)) {
      out[i] = true; pending = false;
    }
  }
  return out;
}

interface SimInput { n: number; logT: number; levelLogQ: number[]; facts: LayerCost[]; relin: boolean[] }

function freshCap(s: SimInput, level: number): number {
  return s.levelLogQ[level] - s.logT - (0.5 * Math.log2(s.n) + FRESH_EXTRA);
}

/** Simulates from layer `from` with budget b at `level`; `levels[i]` gives switch targets (≥ current). Returns budgets after each layer. */
function simulate(s: SimInput, levels: number[]): number[] {
  let b = freshCap(s, 0);
  let level = 0;
  const out: number[] = [];
  for (let i = 0; i < s.facts.length; i++) {
    const f = s.facts[i];
    if (levels[i] > level) { level = levels[i]; b = softMin(b, freshCap(s, level)); }
    if (isLinear(f.type)) b -= f.l2Bits;
    else if (isMult(f.type)) b -= s.logT + 0.5 * Math.log2(s.n) + SQUARE_EXTRA + f.coefBits;
    if (s.relin[i]) b = softMin(b, freshCap(s, level) - RELIN_EXTRA);
    out.push(b);
  }
  return out;
}

/** Greedy mod-switch schedule; returns the per-layer levels. */
function scheduleLevels(s: SimInput, margin: number): number[] | null {
  const L = s.levelLogQ.length;
  const levels = s.facts.map(() => 0);
  const ok = (lv: number[]): boolean => { const r = simulate(s, lv); return r.length === 0 || r[r.length - 1] >= margin; };
  if (!ok(levels)) return null;
  for (let i = 0; i < s.facts.length; i++) {
    if (s.facts[i].type === 'flatten') { levels[i] = i > 0 ? levels[i - 1] : 0; continue; }
    const cur = i > 0 ? levels[i - 1] : 0;
    let best = cur;
    for (let l = L - 1; l > cur; l--) {
      const trial = levels.slice();
      for (let j = i; j < trial.length; j++) trial[j] = l;
      if (ok(trial)) { best = l; break; }
    }
    for (let j = i; j < levels.length; j++) levels[j] = best;
  }
  return levels;
}

/** Relative cost (units of one scalar op on one residue polynomial of degree N). */
function cost(s: SimInput, levels: number[], inputs: number): number {
  const L = s.levelLogQ.length;
  let c = inputs * 60 * (L + 1);
  let size = 2;
  for (let i = 0; i < s.facts.length; i++) {
    const f = s.facts[i];
    const primes = L - levels[i];
    if (isLinear(f.type)) c += f.terms * size * primes;
    else if (isMult(f.type)) { c += f.outputs * 70 * primes * Math.log2(s.n); size = 3; }
    if (s.relin[i]) { c += f.outputs * 25 * primes * Math.log2(s.n); size = 2; }
  }
  return c * s.n;
}

function fail(message: string): never {
  throw new QheError('INVALID_PARAMETERS', message);
}

/** Chooses N, the chain, the plaintext primes and the mod-switch/relinearization schedule. */
export function planInference(model: IntegerModel, options: PlanOptions = {}): InferencePlan {
  const kernel = options.kernel ?? 'u32';
  const primeBits = kernel === 'u32' ? 29 : 60;
  // One bit below the data primes so no t_j can coincide with a q_i.
  const maxT = Math.min(options.maxPlainBits ?? primeBits - 1, primeBits - 1);
  const margin = options.marginBits ?? 10;
  const images = options.images ?? 8192;
  if (!Number.isInteger(images) || images < 1) fail(`planInference: expected images ≥ 1, got ${images}`);
  const lambda = options.floodingSecurity;
  if (lambda !== undefined && (!Number.isInteger(lambda) || lambda < 1 || lambda > 128))
    fail(`planInference: expected floodingSecurity an integer in [1, 128] bits, got ${lambda}`);
  const outputCount = tensorShapes(model.input.shape, model.layers).at(-1)!.reduce((a, b) => a * b, 1);
  let maxAbs = 0n;
  for (const t of model.tensors) if (t.maxAbs > maxAbs) maxAbs = t.maxAbs;
  const need = 2n * maxAbs + 1n;
  const facts = layerFacts(model);
  const relin = relinSchedule(facts);
  const inputs = model.input.shape.reduce((a, b) => a * b, 1);
  const degrees = options.polyDegree ? [options.polyDegree] : [1024, 2048, 4096, 8192, 16384, 32768];
  let best: { plan: Omit<InferencePlan, 'coeffModulus' | 'specialModulus' | 'logQ' | 'logQP'>; literal: BfvParameterLiteral } | null = null;
  const reasons: string[] = [];
  for (const n of degrees) {
    const bound = options.allowInsecure ? primeBits * 40 : MAX_LOG_Q[128][n];
    if (bound === undefined) fail(`planInference: expected a ring degree in the security table, got ${n}`);
    const minTBits = Math.ceil(Math.log2(2 * n)) + 2;
    if (minTBits > maxT) { reasons.push(`N=${n}: no batching prime ≤ ${maxT} bits`); continue; }
    const kMin = Math.max(1, Math.ceil(log2(need) / maxT));
    for (let k = kMin; k <= kMin + 2; k++) {
      // Smallest prime size whose k largest batching primes cover 2·maxAbs + 1.
      let ts: bigint[] | null = null;
      for (let b = Math.max(minTBits, Math.ceil(log2(need) / k)); b <= maxT && !ts; b++) {
        const cand = batchingPrimes(b, n, k);
        if (cand.length === k && cand.reduce((a, c) => a * c, 1n) >= need) ts = cand;
      }
      if (!ts) { reasons.push(`N=${n}: ${k} plaintext prime(s) ≤ ${maxT} bits cannot hold 2·maxAbs+1 (${log2(need).toFixed(1)} bits)`); continue; }
      const logT = Math.max(...ts.map(log2));
      const flooding: FloodingPlan | null = lambda === undefined ? null
        : { statisticalSecurity: lambda, ciphertexts: outputCount * k, reserveBits: floodingReserveBits(n, outputCount * k, lambda) };
      const endBits = margin + (flooding?.reserveBits ?? 0);
      const maxData = Math.floor(bound / primeBits) - 1;
      let found = false;
      for (let L = 1; L <= maxData && !found; L++) {
        const qLog = primeBits - 0.01;
        const s: SimInput = { n, logT, levelLogQ: Array.from({ length: L }, (_, l) => (L - l) * qLog), facts, relin };
        if (freshCap(s, 0) < 1) continue;
        const levels = scheduleLevels(s, endBits);
        if (!levels) continue;
        found = true;
        const budgets = simulate(s, levels);
        const c = cost(s, levels, inputs) * k * Math.ceil(images / n);
        if (!best || c < best.plan.estimatedCost) {
          const shapes = tensorShapes(model.input.shape, model.layers);
          let size = 2;
          const layers = facts.map((f, i): LayerPlan => {
            if (isMult(f.type)) size = 3;
            if (relin[i]) size = 2;
            return { index: i, type: f.type, level: levels[i], relinearizeAfter: relin[i], outSize: size, predictedBudget: budgets[i], outputs: shapes[i + 1].reduce((a, b) => a * b, 1) };
          });
          best = {
            plan: {
              model: model.name, polyDegree: n, kernel, plainModuli: ts, securityBound: options.allowInsecure ? null : bound,
              maxAbs, marginBits: margin, freshBudget: freshCap(s, 0), layers,
              predictedFinalBudget: budgets.length ? budgets[budgets.length - 1] : freshCap(s, 0), estimatedCost: c,
              allowInsecure: !!options.allowInsecure, flooding,
            },
            literal: { polyDegree: n, coeffModulus: Array(L).fill(primeBits), specialModulus: [primeBits], plainModulus: ts[0], kernel, allowInsecure: options.allowInsecure },
          };
        }
      }
      if (!found) reasons.push(`N=${n}, ${k}×${log2(ts[0]).toFixed(0)}-bit t: noise budget below the ${margin}-bit margin${flooding ? ` + ${flooding.reserveBits}-bit flooding reserve` : ''} within log2(Q·P) ≤ ${bound}`);
    }
  }
  if (!best) {
    fail(`planInference(${model.name}): expected parameters within the 128-bit security bound with maxAbs = ${maxAbs} (${log2(need).toFixed(1)} bits for t) and multiplicative depth ${model.multiplicativeDepth}, got none: ${reasons.join('; ')}`);
  }
  const params = bfvParameters(best.literal);
  return Object.freeze({ ...best.plan, coeffModulus: params.coeffModulus, specialModulus: params.specialModulus, logQ: params.logQ, logQP: params.logQP });
}

/** Parameter literal for channel j of a plan (same q chain, its own t_j). */
export function channelParameters(plan: InferencePlan, j: number): BfvParameterLiteral {
  return {
    polyDegree: plan.polyDegree, kernel: plan.kernel, coeffModulus: plan.coeffModulus, specialModulus: plan.specialModulus,
    plainModulus: plan.plainModuli[j], allowInsecure: plan.allowInsecure,
  };
}

/** Human-readable plan. */
export function formatPlan(plan: InferencePlan, measured?: readonly (number | null)[]): string {
  const lines = [
    `plan for ${plan.model}: N=${plan.polyDegree} (${plan.polyDegree} slots), kernel ${plan.kernel}`,
    `  q chain: ${plan.coeffModulus.length} × ${plan.coeffModulus[0].toString(2).length}-bit data primes + ${plan.specialModulus.length} special; log2 Q = ${plan.logQ}, log2 Q·P = ${plan.logQP}${plan.securityBound ? ` ≤ ${plan.securityBound} (128-bit)` : ' (insecure, test only)'}`,
    `  plaintext: ${plan.plainModuli.length === 1 ? 't' : `CRT of ${plan.plainModuli.length} channels, t`} = ${plan.plainModuli.join(', ')} (needs > 2·maxAbs = 2·${plan.maxAbs})`,
    `  fresh budget ${plan.freshBudget.toFixed(1)} bits; margin ${plan.marginBits} bits`,
    plan.flooding
      ? `  noise flooding of the outputs: λ = ${plan.flooding.statisticalSecurity} bits statistical over ${plan.flooding.ciphertexts} ciphertexts; reserve ${plan.flooding.reserveBits} bits above the margin`
      : '  no noise flooding (outputs not circuit-private)',
    '  layer          level  relin  ct size  outputs  predicted budget' + (measured ? '  measured' : ''),
  ];
  for (const l of plan.layers) {
    const m = measured?.[l.index];
    lines.push(`  ${String(l.index).padStart(2)} ${l.type.padEnd(10)} ${String(l.level).padStart(6)}  ${(l.relinearizeAfter ? 'yes' : '').padEnd(5)}  ${String(l.outSize).padStart(7)}  ${String(l.outputs).padStart(7)}  ${l.predictedBudget.toFixed(1).padStart(16)}` + (measured ? `  ${m === null || m === undefined ? '—' : m}`.padStart(10) : ''));
  }
  return lines.join('\n');
}
