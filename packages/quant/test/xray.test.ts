import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPneumoniaMnist, type PneumoniaMnist } from '../src/data/pneumonia.js';
import type { MedMnistSplit } from '../src/data/medmnist.js';
import { binaryMetrics, parseIntegerModel, predictInteger, quantizeInput, rocAuc, serializeIntegerModel, type IntegerModel } from '../src/model/index.js';
import { xraySpec } from '../src/train/architectures.js';
import { initBackend } from '../src/train/backend.js';
import { geometry, withBatchNorm, type Network } from '../src/train/network.js';
import { ADD_ALIGN_BITS, alignScales } from '../src/train/residual.js';
import { balancedClassWeights, predictFloat } from '../src/train/trainer.js';
import { integerMetrics, runXray, XRAY_DEFAULTS, xrayKey } from '../src/train/xray.js';

/** The first n images of a split (views). */
const take = (s: MedMnistSplit, n: number): MedMnistSplit => ({ ...s, count: n, images: s.images.subarray(0, n * 784), labels: s.labels.subarray(0, n) });

function agreement(m: IntegerModel, net: Network, split: MedMnistSplit, inputBits: number): number {
  const fl = predictFloat(net, split, inputBits);
  const ip = predictInteger(m, Array.from({ length: split.count }, (_, i) => quantizeInput(m.input, split.images.subarray(i * 784, i * 784 + 784))));
  return ip.filter((p, i) => p === fl[i]).length / ip.length;
}

describe('metrics (accuracy, ROC AUC, F1)', () => {
  it('AUC equals the pairwise definition (ties ½), with number and bigint scores', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.constantFrom(0, 1)), { minLength: 2, maxLength: 60 }), (pairs) => {
      const s = pairs.map((p) => p[0]), y = pairs.map((p) => p[1]);
      let num = 0, den = 0;
      for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) if (y[i] === 1 && y[j] === 0) { den++; num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0; }
      const want = den === 0 ? NaN : num / den;
      if (den === 0) { expect(rocAuc(s, y)).toBeNaN(); return; }
      expect(rocAuc(s, y)).toBeCloseTo(want, 12);
      // Shifting by 2^80 keeps the ranking: bigints are compared exactly.
      expect(rocAuc(s.map((v) => (1n << 80n) + BigInt(v)), y)).toBeCloseTo(want, 12);
    }));
  });

  it('accuracy, F1, sensitivity and specificity from the confusion matrix; ties go to class 0', () => {
    const m = binaryMetrics([3, -1, 0, 2, -4, 5n as unknown as number], [1, 1, 1, 0, 0, 1]);
    expect(m.confusion).toEqual({ tp: 2, fp: 1, tn: 1, fn: 2 });
    expect(m.accuracy).toBeCloseTo(3 / 6);
    expect(m.f1).toBeCloseTo(4 / 7);
    expect(m.sensitivity).toBeCloseTo(2 / 4);
    expect(m.specificity).toBeCloseTo(1 / 2);
    expect(() => binaryMetrics([1, 2], [1])).toThrow(/as many labels as scores/);
  });

  it('balanced class weights give every class the same total weight', () => {
    const w = balancedClassWeights([1, 1, 1, 0, 1, 1, 1, 1], 2);
    expect(w[0] * 1).toBeCloseTo(w[1] * 7);
    expect(w[0] * 1 + w[1] * 7).toBeCloseTo(8);
  });
});

describe('residual scale alignment', () => {
  it('integer factors: the finer tensor gets exactly 2^k, the other is rounded within 2^−ADD_ALIGN_BITS', () => {
    fc.assert(fc.property(fc.double({ min: -40, max: 0, noNaN: true }), fc.double({ min: -40, max: 0, noNaN: true }), (ea, eb) => {
      const a = 2 ** ea, b = 2 ** eb;
      const al = alignScales([a], [b]);
      const [fa, fb, sy] = [al.scale[0], al.fromScale[0], al.sigma[0]];
      expect(Number.isSafeInteger(fa) && Number.isSafeInteger(fb) && fa >= 1 && fb >= 1).toBe(true);
      expect(Math.abs((fa * sy) / a - 1)).toBeLessThanOrEqual(2 ** -ADD_ALIGN_BITS);
      expect(Math.abs((fb * sy) / b - 1)).toBeLessThanOrEqual(2 ** -ADD_ALIGN_BITS);
      const fine = Math.min(fa, fb);
      expect(Math.log2(fine) % 1).toBe(0);
    }));
    const pc = alignScales([1e-3, 2e-3], [1e-6]);
    expect(pc.scale).toHaveLength(2);
    expect(pc.fromScale).toEqual([1, 1]);
  });

  it('batch norm insertion keeps residual sources pointing at the same layers', () => {
    const base = xraySpec('resnet');
    const bn = withBatchNorm(base);
    const add = bn.find((s) => s.kind === 'add') as { kind: 'add'; from: number };
    const src = base[(base.find((s) => s.kind === 'add') as { from: number }).from];
    expect(bn[add.from]).toBe(src);
    const g = geometry(bn, [28, 28, 1]);
    expect(g.at(-1)!.outShape).toEqual([2]);
  });
});

describe('chest X-ray training smoke test (PneumoniaMNIST subset; MedMNIST v2, Kermany et al. 2018)', () => {
  let data: PneumoniaMnist;
  beforeAll(async () => {
    await initBackend();
    const full = loadPneumoniaMnist();
    data = { train: take(full.train, 600), val: take(full.val, 200) };
  });

  it('resnet, x², 4-bit weights: the export has the residual add, validates, and the integer model agrees with the float network', () => {
    const r = runXray({ ...XRAY_DEFAULTS, network: 'resnet', activation: 'square', weightBits: 4, inputBits: 4, kd: false, epochs: 2, width: 4, progress: false }, data);
    const m = parseIntegerModel(serializeIntegerModel(r.model!));
    expect(m.version).toBe(2);
    expect(m.layers.map((l) => l.type)).toEqual(['conv2d', 'sumPool', 'square', 'conv2d', 'square', 'conv2d', 'add', 'square', 'sumPool', 'flatten', 'dense']);
    const add = m.layers[6];
    expect(add.type === 'add' && add.from).toBe(3); // the output of the first square
    expect(m.multiplicativeDepth).toBe(3);
    expect(agreement(m, r.net, data.val, 4)).toBeGreaterThan(0.97);
    expect(integerMetrics(m, data.val).accuracy).toBe(r.row.integer!.accuracy);
    expect(r.row.integer!.auc).toBeGreaterThanOrEqual(0);
    expect(r.row.integer!.auc).toBeLessThanOrEqual(1);
    expect(m.metadata.validationAccuracy).toBe(r.row.integer!.accuracy);
    r.net.dispose();
  });

  it('select = best: the student of the best epoch of the second half on the validation split, recorded with its epoch', () => {
    const r = runXray({ ...XRAY_DEFAULTS, network: 'resnet', activation: 'square', weightBits: 4, inputBits: 4, kd: false, epochs: 3, width: 4, select: 'best', progress: false }, data);
    expect([2, 3]).toContain(r.row.selectedEpoch);
    expect(xrayKey(r.row)).toMatch(/\|best$/);
    const m = parseIntegerModel(serializeIntegerModel(r.model!));
    // The kept model is the chosen epoch's: its metrics are the recorded ones.
    expect(integerMetrics(m, data.val)).toMatchObject(r.row.integer!);
    expect(m.metadata.selectedEpoch).toBe(r.row.selectedEpoch);
    r.net.dispose();
  });

  it('alexnet, trainable quadratic distilled from a ReLU teacher: KD options recorded, integer = float predictions', () => {
    const t = runXray({ ...XRAY_DEFAULTS, network: 'alexnet', activation: 'relu', weightBits: null, inputBits: 8, kd: false, epochs: 1, width: 4, progress: false }, data);
    const r = runXray({ ...XRAY_DEFAULTS, network: 'alexnet', activation: 'quadratic', weightBits: 6, inputBits: 4, kd: true, temperature: 2, alpha: 0.3, epochs: 1, width: 4, progress: false }, data, { net: t.net, metrics: t.row.float });
    const m = parseIntegerModel(serializeIntegerModel(r.model!));
    expect(m.layers.filter((l) => l.type === 'quadratic')).toHaveLength(3);
    expect(m.layers.filter((l) => l.type === 'conv2d')).toHaveLength(3);
    expect(r.row.teacher).toEqual(t.row.float);
    expect([r.row.temperature, r.row.alpha]).toEqual([2, 0.3]);
    expect(agreement(m, r.net, data.val, 4)).toBeGreaterThan(0.97);
    t.net.dispose(); r.net.dispose();
  });
});

describe.skipIf(!process.env.QHE_SLOW)('full chest X-ray training (QHE_SLOW)', () => {
  it('resnet, trainable quadratic, 4-bit weights and inputs, distilled from a ReLU teacher, 15 epochs on all 3,882 images: validation accuracy ≥ 85 %, AUC ≥ 0.93, within 3 pt of the teacher', async () => {
    await initBackend();
    const data = loadPneumoniaMnist();
    const cfg = { ...XRAY_DEFAULTS, network: 'resnet' as const, epochs: 15, progress: false as const };
    const t = runXray({ ...cfg, activation: 'relu', weightBits: null, inputBits: 8, kd: false }, data);
    const r = runXray({ ...cfg, activation: 'quadratic', weightBits: 4, inputBits: 4, kd: true }, data, { net: t.net, metrics: t.row.float });
    expect(r.row.integer!.accuracy).toBeGreaterThanOrEqual(0.85);
    expect(r.row.integer!.auc).toBeGreaterThanOrEqual(0.93);
    expect(t.row.float.accuracy - r.row.integer!.accuracy).toBeLessThanOrEqual(0.03);
    expect(integerMetrics(r.model!, data.val).accuracy).toBe(r.row.integer!.accuracy);
    t.net.dispose(); r.net.dispose();
  });
});
