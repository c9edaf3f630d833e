/**
 * The CryptoNets network (Gilad-Bachrach et al., ICML 2016) on node-seal 6.0.3,
 * computing exactly what `qhe` computes: the same integer model, the same plan
 * (`planInference`: N, data-prime sizes, special prime, the CRT plaintext
 * primes t_j, the level of every layer, lazy relinearization), the same slot
 * batching (slot s = image s, one ciphertext per pixel / feature).
 *
 * How a careful SEAL user writes it:
 *   - one SEAL context per CRT channel, with `CoeffModulus.Create(N, bits)`
 *     (SEAL picks its own primes of the plan's sizes; the last is the special
 *     prime) and the plan's exact t_j as plain modulus;
 *   - integer weights as constant plaintexts, encoded once per distinct value:
 *     SEAL's BFV `multiply_plain` takes its monomial fast path for them (no NTT),
 *     the same work as our `multiplyScalar`. That path multiplies by the
 *     plaintext coefficient in [0, t) as it is, without SEAL's usual centred
 *     lift: measured here, × (t − 1) costs 27 bits of budget where × 1 costs 0,
 *     and the plan's budget runs out. So a weight w < 0 is applied as
 *     `sub(acc, |w|·x)` (or a negation), exactly as our signed `multiplyScalar`;
 *   - weights ≡ 0 (mod t_j) are skipped (SEAL refuses transparent results);
 *   - a layer's outputs are switched down to the next layer's level as soon as
 *     they are produced (identical arithmetic, less wasm heap).
 * node-seal is single-threaded: one instance runs on one core; bench:inference
 * also runs one instance per core, splitting the channels (seal-cryptonets-thread.ts).
 *
 * Steps per channel:
 *   1. context and keys (public, relinearization);
 *   2. encrypt the 784 input columns;
 *   3. the layers, timed one by one;
 *   4. decrypt the logits; the caller recombines the channels and checks them
 *      against the exact integer forward pass.
 */
import { compileLinear, tensorShapes, type IntegerModel, type SparseLinear } from '@qhe/quant/model';
import type { InferencePlan } from '@qhe/nn';
import type { CipherText, PlainText, SealLib } from './seal-lib.js';
import { createBfvSetup, type BfvSetup } from './seal-setup.js';

export interface SealCryptoNetsResult {
  /** Residues of the logits per channel: [channel][output][slot], values in [0, t_j). */
  readonly residues: Uint32Array[][];
  readonly layerMs: number[];
  /** Noise budget (bits) of the first output of each layer, smallest over the channels (outside the timed region). */
  readonly layerBudgets: number[];
  readonly ms: { keygen: number; encrypt: number; server: number; decrypt: number; total: number };
  /** Smallest final noise budget over the channels, in bits. */
  readonly finalBudget: number;
  readonly logQP: number;
  readonly channels: number;
}

const bits = (q: bigint): number => q.toString(2).length;

/** a mod t in [0, t) for the plaintext constants. */
const residue = (v: bigint | number, t: number): number => {
  const r = Number(BigInt(v) % BigInt(t));
  return r < 0 ? r + t : r;
};

/** a mod t in (−t/2, t/2]: the representative with the smallest noise growth. */
const centred = (v: bigint | number, t: number): number => {
  const r = residue(v, t);
  return r > t / 2 ? r - t : r;
};

class Channel {
  private readonly constants = new Map<number, PlainText>();

  constructor(readonly s: BfvSetup) {}

  /** The constant plaintext w (in [0, t)), cached per value. */
  constant(w: number): PlainText {
    let p = this.constants.get(w);
    if (!p) this.constants.set(w, (p = this.s.encodeConstant(w)));
    return p;
  }

  switchTo(ct: CipherText, level: number, from: number): void {
    for (let l = from; l < level; l++) this.s.evaluator.cipherModSwitchToNext(ct, ct);
  }

  /** A public constant as a fresh encryption at `level` (a neuron whose terms all vanish mod t). */
  encryptConstant(c: number, level: number): CipherText {
    const ct = this.s.encrypt(new Uint32Array(this.s.n).fill(c));
    this.switchTo(ct, level, 0);
    return ct;
  }

  /** out[o] = bias[o] + Σ w·in[idx] for inputs at `level`. */
  linear(inputs: readonly CipherText[], level: number, taps: SparseLinear, bias: readonly bigint[]): CipherText[] {
    const { s } = this;
    const ev = s.evaluator, t = s.t;
    const tmp = s.cipher();
    const out: CipherText[] = [];
    for (let o = 0; o < taps.outSize; o++) {
      let acc: CipherText | null = null;
      for (let k = taps.start[o]; k < taps.start[o + 1]; k++) {
        const w = centred(taps.w[k], t);
        if (w === 0) continue;
        const x = inputs[taps.idx[k]];
        if (acc === null) {
          ev.multiplyPlain(x, this.constant(Math.abs(w)), (acc = s.cipher()));
          if (w < 0) ev.negate(acc, acc);
        } else {
          ev.multiplyPlain(x, this.constant(Math.abs(w)), tmp);
          if (w > 0) ev.add(tmp, acc, acc);
          else ev.sub(acc, tmp, acc);
        }
      }
      const b = residue(bias[o], t);
      if (acc === null) acc = this.encryptConstant(b, level);
      else if (b !== 0) ev.addPlain(acc, this.constant(b), acc);
      out.push(acc);
    }
    tmp.delete();
    return out;
  }

  /** y ← y·w for a centred w ≠ 0 (|w| as the plaintext, then a negation). */
  private scale(y: CipherText, w: number): void {
    if (Math.abs(w) !== 1) this.s.evaluator.multiplyPlain(y, this.constant(Math.abs(w)), y);
    if (w < 0) this.s.evaluator.negate(y, y);
  }

  /** a·x² + b·x + c elementwise, as our `finishQuadratic` (a ≡ 0 drops the square). */
  quadratic(inputs: readonly CipherText[], level: number, coef: (i: number) => readonly [bigint, bigint, bigint]): CipherText[] {
    const { s } = this;
    const ev = s.evaluator, t = s.t;
    const tmp = s.cipher();
    const out = inputs.map((x, i) => {
      const [a, b] = coef(i).slice(0, 2).map((v) => centred(v, t));
      const c = residue(coef(i)[2], t);
      const y = s.cipher();
      if (a === 0) {
        if (b === 0) {
          y.delete();
          return this.encryptConstant(c, level);
        }
        y.copy(x);
        this.scale(y, b);
      } else {
        ev.square(x, y);
        this.scale(y, a);
        if (b !== 0) {
          tmp.copy(x);
          this.scale(tmp, b);
          ev.add(tmp, y, y);
        }
      }
      if (c !== 0) ev.addPlain(y, this.constant(c), y);
      return y;
    });
    tmp.delete();
    return out;
  }
}

/**
 * Runs the model on `images` (quantized integer inputs, one per slot, at most
 * N) with node-seal and the given plan. Ciphertexts are freed as soon as the
 * next layer no longer needs them. `only` runs just these CRT channels (indices
 * into `plan.plainModuli`, residues in that order): one share of the job when
 * several instances split it (seal-cryptonets-thread.ts); `channels` the first k.
 */
export function sealCryptoNets(
  seal: SealLib, model: IntegerModel, plan: InferencePlan, images: readonly ArrayLike<number>[],
  options: { channels?: number; only?: readonly number[]; onLayer?: (index: number, budget: number) => void } = {},
): SealCryptoNetsResult {
  const n = plan.polyDegree;
  if (images.length < 1 || images.length > n) throw new Error(`sealCryptoNets: expected 1..${n} images, got ${images.length}`);
  const coeffBits = [...plan.coeffModulus, ...plan.specialModulus].map(bits);
  if (plan.specialModulus.length !== 1) throw new Error(`sealCryptoNets: SEAL has exactly one special prime, the plan has ${plan.specialModulus.length}`);
  const shapes = tensorShapes(model.input.shape, model.layers);
  const layerMs = model.layers.map(() => 0);
  const layerBudgets = model.layers.map(() => Infinity);
  const ms = { keygen: 0, encrypt: 0, server: 0, decrypt: 0, total: 0 };
  const residues: Uint32Array[][] = [];
  let finalBudget = Infinity, logQP = 0;

  const ts = options.only ? options.only.map((j) => plan.plainModuli[j]) : plan.plainModuli.slice(0, options.channels ?? plan.plainModuli.length);
  for (const t of ts) {
    let t0 = performance.now();
    const s = createBfvSetup(seal, n, { coeffBits, plainModulus: t, relin: true }); // step 1
    ms.keygen += performance.now() - t0;
    logQP = s.logQ;
    try {
      const ch = new Channel(s);
      const ev = s.evaluator;
      // Step 2: one ciphertext per input feature, slot s = image s (signed values).
      t0 = performance.now();
      const features = images[0].length;
      const column = new Int32Array(n);
      let cur: CipherText[] = [];
      for (let f = 0; f < features; f++) {
        for (let i = 0; i < images.length; i++) column[i] = images[i][f];
        const pt = s.seal.PlainText();
        s.encoder.encode(column, pt);
        const ct = s.cipher();
        s.encryptor.encrypt(pt, ct);
        pt.delete();
        cur.push(ct);
      }
      ms.encrypt += performance.now() - t0;
      let level = 0;
      // Step 3: the layers at the plan's levels.
      for (const [i, layer] of model.layers.entries()) {
        const lp = plan.layers[i];
        t0 = performance.now();
        if (level < lp.level) {
          for (const ct of cur) ch.switchTo(ct, lp.level, level);
          level = lp.level;
        }
        const taps = compileLinear(layer, shapes[i], shapes[i + 1]);
        let next: CipherText[];
        if (taps) next = ch.linear(cur, level, taps, taps.bias);
        else if (layer.type === 'square') next = ch.quadratic(cur, level, () => [1n, 0n, 0n]);
        else if (layer.type === 'quadratic') {
          const C = shapes[i + 1][shapes[i + 1].length - 1];
          const pick = (arr: readonly bigint[], k: number): bigint => (arr.length === 1 ? arr[0] : arr[k % C]);
          next = ch.quadratic(cur, level, (k) => [pick(layer.a, k), pick(layer.b, k), pick(layer.c, k)]);
        } else next = cur; // flatten: HWC data is already flat
        if (lp.relinearizeAfter) for (const ct of next) if (ct.size > 2) ev.relinearize(ct, s.relinKeys!, ct);
        if (next !== cur) for (const ct of cur) ct.delete();
        cur = next;
        // Switch down now if the next layer runs lower: same arithmetic, half the heap.
        const nextLevel = plan.layers[i + 1]?.level ?? level;
        if (nextLevel > level) {
          for (const ct of cur) ch.switchTo(ct, nextLevel, level);
          level = nextLevel;
        }
        layerMs[i] += performance.now() - t0;
        layerBudgets[i] = Math.min(layerBudgets[i], s.budget(cur[0]));
        options.onLayer?.(i, layerBudgets[i]);
      }
      // Step 4.
      t0 = performance.now();
      residues.push(cur.map((ct) => s.decrypt(ct).slice(0, images.length)));
      ms.decrypt += performance.now() - t0;
      finalBudget = Math.min(finalBudget, s.budget(cur[0]));
      for (const ct of cur) ct.delete();
    } finally {
      s.dispose();
    }
  }
  ms.server = layerMs.reduce((a, b) => a + b, 0);
  ms.total = ms.keygen + ms.encrypt + ms.server + ms.decrypt;
  return { residues, layerMs, layerBudgets, ms, finalBudget, logQP, channels: residues.length };
}
