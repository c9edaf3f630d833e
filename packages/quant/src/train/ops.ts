/**
 * Differentiable building blocks the wasm backend lacks or runs slowly.
 * - `mm`: matMul with an explicit gradient built from tf.transpose + plain
 *   matMul, because transposeA/transposeB matMul is ~10× slower on wasm.
 * - `fakeQuantWeights`: symmetric fake quantisation with a straight-through
 *   estimator (Bengio et al. 2013; Jacob et al. 2018 §2.3). The grid is the one
 *   the exported integer circuit uses: v = w·r (r = relative scale of each input
 *   row, which differs per channel after per-channel quantisation, because BFV
 *   cannot requantise), step s = max|v|/qmax per tensor or per output column.
 */
import * as tf from '@tensorflow/tfjs';

type CG = Parameters<typeof tf.customGrad>[0];

export function mm(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad(((x: tf.Tensor, y: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, y]);
    return {
      value: tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1]) as tf.Tensor2D),
        tf.matMul(tf.transpose(saved[0]) as tf.Tensor2D, dy as tf.Tensor2D),
      ],
    };
  }) as unknown as CG);
  return f(a, b) as tf.Tensor2D;
}

/** Matmul by a constant (no gradient needed for b). */
export function mmConst(a: tf.Tensor2D, b: tf.Tensor2D, bT: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad(((x: tf.Tensor) => ({
    value: tf.matMul(x as tf.Tensor2D, b),
    gradFunc: (dy: tf.Tensor) => tf.matMul(dy as tf.Tensor2D, bT),
  })) as unknown as CG);
  return f(a) as tf.Tensor2D;
}

/**
 * Fake-quantised weights w [K, O]: round(w·r/s)·s/r with s per column or per
 * tensor; gradient passes straight through (max|v| defines s, so nothing clips).
 */
export function fakeQuantWeights(w: tf.Tensor2D, r: tf.Tensor2D | null, bits: number, perChannel: boolean): { wq: tf.Tensor2D; step: tf.Tensor } {
  const qmax = 2 ** (bits - 1) - 1;
  const v = r ? tf.mul(w, r) : w;
  const m = perChannel ? tf.max(tf.abs(v), 0, true) : tf.max(tf.abs(v));
  const step = tf.maximum(tf.div(m, qmax), 1e-30);
  const f = tf.customGrad(((x: tf.Tensor) => {
    const vx = r ? tf.mul(x, r) : x;
    const q = tf.mul(tf.round(tf.div(vx, step)), step);
    return { value: r ? tf.div(q, r) : q, gradFunc: (dy: tf.Tensor) => dy };
  }) as unknown as CG);
  return { wq: f(w) as tf.Tensor2D, step };
}

/**
 * The quadratic's leading coefficient as exported: A = round(a·2^f) with
 * f = ⌈8 − log2|a|⌉ (8 significant bits), so training sees the same a as the
 * integer circuit; straight-through gradient.
 */
export const QUAD_COEFF_BITS = 8;
export function quantizeLeading(a: tf.Tensor, F: number): tf.Tensor {
  const f = tf.customGrad(((x: tf.Tensor) => ({
    value: tf.div(tf.round(tf.mul(x, F)), F),
    gradFunc: (dy: tf.Tensor) => dy,
  })) as unknown as CG);
  return f(a);
}

/** f such that A = round(a·2^f) keeps QUAD_COEFF_BITS significant bits (shared with export). */
export function leadingExponent(a: number): number {
  return Math.max(0, Math.ceil(QUAD_COEFF_BITS - Math.log2(Math.max(Math.abs(a), 1e-12))));
}

/** Bias on the accumulator grid g (B = round(b/g) at export); straight-through gradient. */
export function fakeQuantBias(b: tf.Tensor, g: tf.Tensor): tf.Tensor {
  const f = tf.customGrad(((x: tf.Tensor) => ({
    value: tf.mul(tf.round(tf.div(x, g)), g),
    gradFunc: (dy: tf.Tensor) => dy,
  })) as unknown as CG);
  return f(b);
}
