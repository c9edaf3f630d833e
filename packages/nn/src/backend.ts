/**
 * What a layer needs from the HE engine, per CRT channel (`HeBackend`), and the
 * synchronous implementation over `Evaluator` (one core). The worker-pool
 * implementation is `pool-backend.ts`; the server (`server.ts`) only sees the
 * interface, so the layers do not change with the backend.
 */
import { BfvContext, Ciphertext, CoefficientEncoder, Encryptor, Evaluator, PublicKey, RelinKeys } from '@qhe/bfv';
import { mod } from '@qhe/bfv/math';
import type { SparseLinear } from '@qhe/quant/model';

export interface HeBackend {
  readonly name: string;
  /**
   * out[o] = bias[o] + Σ w·in[idx] over the layer's terms, weights and bias
   * reduced mod t here; relinearize the outputs if asked. `progress(done)`
   * reports finished outputs (at least every few percent of the layer).
   */
  linear(inputs: readonly Ciphertext[], layer: SparseLinear, bias: readonly bigint[], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]>;
  /**
   * out = a·x² + b·x + c per element (a, b, c per output, reduced mod t here);
   * relinearize if asked. Consumes `inputs` (see `take`).
   */
  quadratic(inputs: Ciphertext[], coef: (i: number) => readonly [bigint, bigint, bigint], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]>;
  /** The inputs switched down to `level`. Consumes `inputs` (see `take`). */
  modSwitchTo(inputs: Ciphertext[], level: number): Promise<Ciphertext[]>;
}

/**
 * Takes inputs[from, to) out of an array the callee owns: the array no longer
 * references them, so each input can be freed as soon as its output exists.
 * Element-wise operations (products, mod switching) consume their inputs this
 * way, which keeps one copy of a layer plus a wave, not two copies.
 */
export function take(inputs: Ciphertext[], from: number, to: number): Ciphertext[] {
  const out = inputs.slice(from, to);
  (inputs as (Ciphertext | undefined)[]).fill(undefined, from, to);
  return out;
}

/** The synchronous backend over `Evaluator` (one core). */
export class EvaluatorBackend implements HeBackend {
  readonly name = 'evaluator (1 thread)';
  private readonly ev: Evaluator;
  private readonly coef: CoefficientEncoder;
  private readonly enc: Encryptor;
  constructor(readonly context: BfvContext, publicKey: PublicKey, private readonly relinKeys: RelinKeys) {
    this.ev = new Evaluator(context);
    this.coef = new CoefficientEncoder(context);
    this.enc = new Encryptor(context, { publicKey });
  }

  /** An encryption of the public constant c ∈ [0, t) at `level`. */
  constant(level: number, c: bigint): Ciphertext {
    // A neuron without non-zero terms is a public constant; encrypting it keeps every output a real ciphertext.
    const ct = this.enc.encrypt(this.coef.encodeScalar(c));
    return level > 0 ? this.ev.modSwitchTo(ct, level) : ct;
  }

  /** ct + c for c ∈ [0, t), in place. */
  private addConstant(ct: Ciphertext, c: bigint): Ciphertext {
    return c === 0n ? ct : this.ev.addPlainInto(ct, this.coef.encodeScalar(c), ct);
  }

  /** ct + c for any integer c (reduced mod t here), in place. */
  addConstantPublic(ct: Ciphertext, c: bigint): Ciphertext {
    return this.addConstant(ct, mod(c, this.context.t));
  }

  /** y = a·(x²) + b·x + c given y = x² (in place); coefficients reduced mod t here. */
  finishQuadratic(y: Ciphertext, x: Ciphertext, coef: readonly [bigint, bigint, bigint]): Ciphertext {
    const t = this.context.t;
    const [a, b, c] = coef.map((v) => mod(v, t));
    if (a === 0n) {
      // a ≡ 0 (mod t_j): this channel's activation is affine; drop the square.
      if (b === 0n) return this.constant(x.level, c);
      return this.addConstant(this.ev.multiplyScalarInto(x, b, y), c);
    }
    if (a !== 1n) this.ev.multiplyScalarInto(y, a, y);
    if (b !== 0n) this.ev.multiplyScalarAddInto(x, b, y);
    return this.addConstant(y, c);
  }

  async linear(inputs: readonly Ciphertext[], layer: SparseLinear, bias: readonly bigint[], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]> {
    const out: Ciphertext[] = [];
    const t = this.context.t;
    for (let o = 0; o < layer.outSize; o++) {
      let acc: Ciphertext | null = null;
      for (let k = layer.start[o]; k < layer.start[o + 1]; k++) {
        const w = mod(BigInt(layer.w[k]), t);
        if (w === 0n) continue; // w ≡ 0 mod t_j contributes nothing in this channel
        const x = inputs[layer.idx[k]];
        if (acc === null) acc = this.ev.multiplyScalar(x, w);
        else this.ev.multiplyScalarAddInto(x, w, acc);
      }
      const b = mod(bias[o], t);
      let y = acc === null ? this.constant(inputs[0].level, b) : this.addConstant(acc, b);
      if (relinearize && y.size > 2) y = this.ev.relinearize(y, this.relinKeys);
      out.push(y);
      progress?.(o + 1);
    }
    return out;
  }

  async quadratic(inputs: Ciphertext[], coef: (i: number) => readonly [bigint, bigint, bigint], relinearize: boolean, progress?: (done: number) => void): Promise<Ciphertext[]> {
    const out: Ciphertext[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const [x] = take(inputs, i, i + 1);
      let y = this.finishQuadratic(this.ev.square(x), x, coef(i));
      if (relinearize && y.size > 2) y = this.ev.relinearize(y, this.relinKeys);
      out.push(y);
      progress?.(i + 1);
    }
    return out;
  }

  async modSwitchTo(inputs: Ciphertext[], level: number): Promise<Ciphertext[]> {
    const out: Ciphertext[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const [ct] = take(inputs, i, i + 1);
      out.push(ct.level === level ? ct : this.ev.modSwitchTo(ct, level));
    }
    return out;
  }
}
