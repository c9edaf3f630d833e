import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, takeSplit, type Mnist, type MnistSplit } from '../src/data/mnist.js';
import { parseIntegerModel, serializeIntegerModel, quantizeInput, predictInteger, type IntegerModel } from '../src/model/index.js';
import { initBackend } from '../src/train/backend.js';
import { exportIntegerModel } from '../src/train/export.js';
import { runExperiment, trainTeacher } from '../src/train/experiment.js';
import { fakeQuantWeights, mm } from '../src/train/ops.js';
import { BN_EPSILON, geometry, initParams, Network } from '../src/train/network.js';
import { Rng } from '../src/data/prng.js';
import { predictFloat, train, DEFAULT_TRAIN } from '../src/train/trainer.js';

let mnist: Mnist;

/** Fraction of the split on which the exported integer model and the fake-quantised float network predict the same class. */
function agreement(m: IntegerModel, net: Network, split: MnistSplit, inputBits: number): number {
  const fl = predictFloat(net, split, inputBits);
  const ip = predictInteger(m, Array.from({ length: split.count }, (_, i) => quantizeInput(m.input, split.images.subarray(i * 784, i * 784 + 784))));
  let agree = 0;
  for (let i = 0; i < ip.length; i++) if (ip[i] === fl[i]) agree++;
  return agree / ip.length;
}
beforeAll(async () => {
  await initBackend();
  const full = loadMnist();
  mnist = { train: takeSplit(full.train, 3000), test: takeSplit(full.test, 500) };
});

describe('ops', () => {
  it('fake-quantised weights lie on the grid, and the gradient is straight-through', () => {
    const w = tf.tensor2d([[0.3, -1.2], [0.05, 0.7], [-0.4, 0.01]]);
    for (const perChannel of [false, true]) {
      const { wq, step } = fakeQuantWeights(w, null, 3, perChannel);
      const q = wq.arraySync(), s = step.dataSync();
      q.forEach((row) => row.forEach((v, o) => {
        const k = v / s[perChannel ? o : 0];
        expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-4);
        expect(Math.abs(Math.round(k))).toBeLessThanOrEqual(3);
      }));
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(fakeQuantWeights(x as tf.Tensor2D, null, 3, perChannel).wq, tf.tensor2d([[1, 2], [3, 4], [5, 6]]))))(w);
      expect(Array.from(g.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });
  it('mm gradient equals the analytic transposes', () => {
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]), b = tf.tensor2d([[1, 0], [2, 1], [0, 3]]);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(mm(x as tf.Tensor2D, y as tf.Tensor2D)))([a, b]);
    expect(ga.arraySync()).toEqual([[1, 3, 3], [1, 3, 3]]);
    expect(gb.arraySync()).toEqual([[5, 5], [7, 7], [9, 9]]);
  });
});

describe('batch-norm folding', () => {
  it('the eval forward pass equals γ·(x·w − μ)/√(σ²+ε) + β by definition', () => {
    const specs = [{ kind: 'dense' as const, out: 3 }, { kind: 'batchNorm' as const }, { kind: 'act' as const }, { kind: 'dense' as const, out: 2 }];
    const rng = new Rng(5);
    // A dense layer reads any [n, 1, 1] input as n features.
    const params = initParams(geometry(specs, [4, 1, 1]), 'square', rng);
    expect(params.biases[0]).toBeNull(); // β replaces the bias of a layer followed by batch norm
    const bn = params.bn[1]!;
    bn.gamma.assign(tf.tensor1d([1.5, -0.5, 2]));
    bn.beta.assign(tf.tensor1d([0.1, 0.2, -0.3]));
    bn.movingMean.assign(tf.tensor1d([0.3, -0.1, 0.05]));
    bn.movingVariance.assign(tf.tensor1d([0.5, 2, 0.01]));
    const net = new Network(specs, [4, 1, 1], 'square', params, { weightBits: null, perChannel: false, inputBits: 8 });
    const x = tf.tensor2d([[0.1, 0.5, -0.2, 0.9], [1, 0, 0.3, -0.4]]);
    const got = net.forward(x).arraySync();
    const w1 = params.weights[0]!.arraySync() as number[][], w2 = params.weights[3]!.arraySync() as number[][], b2 = params.biases[3]!.arraySync() as number[];
    const [g, be, mu, v] = [bn.gamma, bn.beta, bn.movingMean, bn.movingVariance].map((t) => Array.from(t.dataSync()));
    const xs = x.arraySync();
    xs.forEach((row, n) => {
      const h = [0, 1, 2].map((o) => {
        const z = row.reduce((acc, xi, k) => acc + xi * w1[k][o], 0);
        return (g[o] * (z - mu[o])) / Math.sqrt(v[o] + BN_EPSILON) + be[o];
      }).map((y) => y * y);
      const want = [0, 1].map((o) => h.reduce((acc, hi, k) => acc + hi * w2[k][o], b2[o]));
      want.forEach((y, o) => expect(got[n][o]).toBeCloseTo(y, 4));
    });
    net.dispose();
  });
});

describe('training smoke test (3000 images, 1 epoch)', () => {
  it('cryptonets x², 4-bit weights, 2-bit inputs: export validates and integer predictions match the float fake-quant model', () => {
    const r = runExperiment({ network: 'cryptonets', activation: 'square', weightBits: 4, inputBits: 2, kd: false, epochs: 1, teacherEpochs: 1, seed: 3, perChannel: false, progress: false }, mnist);
    expect(r.model).not.toBeNull();
    const m = parseIntegerModel(serializeIntegerModel(r.model!));
    expect(m.layers.map((l) => l.type)).toEqual(['conv2d', 'square', 'flatten', 'dense', 'square', 'dense']);
    for (const l of m.layers) if (l.type === 'conv2d' || l.type === 'dense') for (const w of l.weights) expect(Math.abs(w)).toBeLessThanOrEqual(7);
    expect(r.row.floatAccuracy).toBeGreaterThan(0.8);
    expect(agreement(m, r.net, mnist.test, 2)).toBeGreaterThan(0.98);
    expect(r.row.maxIntegerBits).toBe(m.maxBits);
  });

  it('seed 2 net, quadratic with per-channel weights and KD from a ReLU teacher: integer and float predictions agree', () => {
    const small = { train: takeSplit(mnist.train, 1500), test: mnist.test };
    const t = trainTeacher({ network: 'seed2', teacherEpochs: 1, seed: 4, progress: false }, small.train);
    const r = runExperiment({ network: 'seed2', activation: 'quadratic', weightBits: 6, inputBits: 4, kd: true, epochs: 1, teacherEpochs: 1, seed: 4, perChannel: true, progress: false }, small, t.net);
    const m = parseIntegerModel(serializeIntegerModel(r.model!));
    expect(m.layers.filter((l) => l.type === 'quadratic')).toHaveLength(2);
    expect(m.multiplicativeDepth).toBe(2);
    expect(agreement(m, r.net, small.test, 4)).toBeGreaterThan(0.98);
  });

  it('cryptonets quadratic at 8/8 bits: scales far below 1e-30 are exported without loss', () => {
    const r = runExperiment({ network: 'cryptonets', activation: 'quadratic', weightBits: 8, inputBits: 8, kd: false, epochs: 1, teacherEpochs: 1, seed: 6, perChannel: false, progress: false }, { train: takeSplit(mnist.train, 1500), test: mnist.test });
    expect(Math.min(...r.model!.tensors.at(-1)!.scale)).toBeLessThan(1e-30);
    expect(Math.abs(r.row.integerAccuracy! - r.row.floatAccuracy)).toBeLessThanOrEqual(0.01);
    r.net.dispose();
  });

  it('average pooling trains as avgPool and exports as sumPool with 1/k in the scale', () => {
    const specs = [
      { kind: 'conv' as const, k: 3, cout: 4, stride: 2, padding: { top: 1, left: 1, bottom: 1, right: 1 } }, { kind: 'act' as const },
      { kind: 'avgPool' as const, window: 2, stride: 2 }, { kind: 'flatten' as const }, { kind: 'dense' as const, out: 10 },
    ];
    const r = train({ ...DEFAULT_TRAIN, network: 'cryptonets', specs, activation: 'quadratic', weightBits: 4, inputBits: 2, perChannel: true, epochs: 1, seed: 5, progress: false }, takeSplit(mnist.train, 1500));
    const m = parseIntegerModel(serializeIntegerModel(exportIntegerModel(r.net, 2, 'pool')));
    expect(m.layers.map((l) => l.type)).toEqual(['conv2d', 'quadratic', 'sumPool', 'flatten', 'dense']);
    expect(m.tensors[3].shape).toEqual([7, 7, 4]);
    expect(agreement(m, r.net, mnist.test, 2)).toBeGreaterThan(0.98);
    r.net.dispose();
  });

  it('batch norm: folded into the linear layer, absent from the integer model, integer = float predictions', () => {
    const r = runExperiment({ network: 'cryptonets', activation: 'square', weightBits: 4, inputBits: 2, kd: false, epochs: 2, teacherEpochs: 1, seed: 7, perChannel: false, progress: false, batchNorm: true }, mnist);
    expect(r.net.specs.filter((s) => s.kind === 'batchNorm')).toHaveLength(2); // after conv and dense 100, not after the logits
    const bn = r.net.params.bn.filter((b) => b !== null);
    // The moving statistics moved away from their initial (0, 1).
    for (const b of bn) expect(Math.max(...Array.from(b!.movingMean.dataSync(), Math.abs))).toBeGreaterThan(1e-3);
    const m = parseIntegerModel(serializeIntegerModel(r.model!));
    expect(m.layers.map((l) => l.type)).toEqual(['conv2d', 'square', 'flatten', 'dense', 'square', 'dense']);
    expect(r.model!.name).toMatch(/-bn$/);
    expect(r.row.batchNorm).toBe(true);
    expect(r.row.floatAccuracy).toBeGreaterThan(0.8);
    expect(agreement(m, r.net, mnist.test, 2)).toBeGreaterThan(0.98);
    r.net.dispose();
  });

  it('is deterministic given a seed', () => {
    const tiny = takeSplit(mnist.train, 256);
    const run = () => {
      const r = train({ ...DEFAULT_TRAIN, network: 'cryptonets', activation: 'square', weightBits: 3, inputBits: 2, epochs: 1, seed: 9, progress: false }, tiny);
      const m = exportIntegerModel(r.net, 2, 'det');
      r.net.dispose();
      return serializeIntegerModel(m);
    };
    expect(run()).toBe(run());
  });
});

describe.skipIf(!process.env.QHE_SLOW)('full MNIST training (QHE_SLOW)', () => {
  it('CryptoNets x², 4-bit weights, 4-bit inputs, 2 epochs on 60k images: integer accuracy ≥ 97.5% and equal to float within 0.2 pt', () => {
    const full = loadMnist();
    const r = runExperiment({ network: 'cryptonets', activation: 'square', weightBits: 4, inputBits: 4, kd: false, epochs: 2, teacherEpochs: 1, seed: 1, perChannel: false, progress: false }, full);
    expect(r.row.integerAccuracy!).toBeGreaterThanOrEqual(0.975);
    expect(Math.abs(r.row.integerAccuracy! - r.row.floatAccuracy)).toBeLessThanOrEqual(0.002);
  });
});
