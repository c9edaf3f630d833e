/**
 * Chest X-ray experiments (PneumoniaMNIST; MedMNIST v2, Yang et al. 2023;
 * images from Kermany et al. 2018, CC BY 4.0), following Baruch et al. 2021:
 * a ReLU teacher of the same architecture, then HE-friendly students (x² or
 * the trainable a·x² + b·x + c) trained with quantisation and, optionally,
 * knowledge distillation from the teacher. The training split is imbalanced
 * (388 normal / 3,494 pneumonia), so the loss is class-weighted by default.
 * Every number is measured on the validation split (524 images): models are
 * chosen there and only there (the official test split is not in the
 * repository). Reported as the medical papers do: accuracy, ROC AUC, F1.
 */
import type { PneumoniaMnist } from '../data/pneumonia.js';
import type { MnistSplit } from '../data/mnist.js';
import { forwardInteger } from '../model/forward.js';
import { binaryMetrics, type BinaryMetrics } from '../model/metrics.js';
import { quantizeInput } from '../model/parse.js';
import type { IntegerModel } from '../model/schema.js';
import { xraySpec, type XrayNetwork } from './architectures.js';
import { exportIntegerModel } from './export.js';
import type { Activation } from '../config.js';
import { withBatchNorm, type Network } from './network.js';
import { balancedClassWeights, DEFAULT_TRAIN, logitsFloat, train, type TrainProgressFn } from './trainer.js';

export interface XrayConfig {
  readonly network: XrayNetwork;
  readonly activation: Activation;
  /** null = float weights (the ReLU teacher). */
  readonly weightBits: number | null;
  readonly inputBits: number;
  readonly kd: boolean;
  readonly epochs: number;
  readonly seed: number;
  readonly width: number;
  readonly batchNorm: boolean;
  readonly augment: boolean;
  readonly perChannel: boolean;
  /** 'weighted': loss weights n/(2·n_c); 'none': plain cross-entropy. */
  readonly balance: 'weighted' | 'none';
  /** KD temperature T and weight α (loss = α·T²·KL + (1 − α)·CE). */
  readonly temperature: number;
  readonly alpha: number;
  readonly learningRate: number;
  readonly batchSize: number;
  /**
   * 'last': the network after the last epoch. 'best': the epoch (from the second half
   * on) whose exact integer model has the best validation accuracy (then AUC) —
   * early stopping on the validation split, the only split models are chosen on.
   */
  readonly select?: 'last' | 'best';
  /** Called after every batch; false or absent = silent. */
  readonly progress?: TrainProgressFn | false;
}

export const XRAY_DEFAULTS: Omit<XrayConfig, 'network' | 'activation' | 'weightBits' | 'inputBits' | 'kd'> = {
  epochs: 30, seed: 1, width: 8, batchNorm: true, augment: true, perChannel: false, balance: 'weighted',
  temperature: 4, alpha: 0.5, learningRate: 2e-3, batchSize: 64,
};

export type Metrics3 = Pick<BinaryMetrics, 'accuracy' | 'auc' | 'f1' | 'sensitivity' | 'specificity'>;

/** One experiment's record: its configuration (what identifies it) and its validation metrics. */
export interface XrayRow extends Pick<XrayConfig, 'network' | 'activation' | 'weightBits' | 'inputBits' | 'kd' | 'epochs' | 'seed' | 'width'
  | 'batchNorm' | 'augment' | 'balance' | 'temperature' | 'alpha'> {
  /** Validation metrics of the float (fake-quantised) network. */
  readonly float: Metrics3;
  /** Validation metrics of the exact integer model (null for the ReLU teacher). */
  readonly integer: Metrics3 | null;
  readonly maxIntegerBits: number | null;
  readonly multiplicativeDepth: number | null;
  readonly trainSeconds: number;
  /** The teacher's validation metrics, for KD students (the gap is what Baruch et al. report). */
  readonly teacher?: Metrics3;
  /** Exported model file (relative to the results folder), if any. */
  readonly model?: string;
  /** With select = 'best': the epoch chosen on the validation split. */
  readonly select?: 'best';
  readonly selectedEpoch?: number;
}

/** Identity of an experiment: rows with the same key are not retrained. */
export function xrayKey(c: Pick<XrayConfig, 'network' | 'activation' | 'weightBits' | 'inputBits' | 'kd' | 'epochs' | 'seed' | 'width' | 'batchNorm' | 'augment' | 'balance' | 'temperature' | 'alpha' | 'select'>): string {
  return [c.network, c.activation, c.weightBits ?? 'float', c.inputBits, c.kd ? `kd${c.temperature}/${c.alpha}` : 'nokd', `e${c.epochs}`, `s${c.seed}`, `w${c.width}`, c.batchNorm ? 'bn' : 'nobn', c.augment ? 'aug' : 'noaug', c.balance,
    ...(c.select === 'best' && c.activation !== 'relu' ? ['best'] : [])].join('|');
}

export function xrayModelName(c: Pick<XrayConfig, 'network' | 'activation' | 'weightBits' | 'inputBits' | 'kd' | 'width'>): string {
  return `xray-${c.network}${c.width === 8 ? '' : `${c.width}`}-${c.activation}-w${c.weightBits ?? 8}-in${c.inputBits}${c.kd ? '-kd' : ''}`;
}

const pick = (m: BinaryMetrics): Metrics3 => ({ accuracy: m.accuracy, auc: m.auc, f1: m.f1, sensitivity: m.sensitivity, specificity: m.specificity });

/** Validation metrics of a float network: score = logit₁ − logit₀. */
export function floatMetrics(net: Network, split: MnistSplit, inputBits: number): BinaryMetrics {
  const { logits } = logitsFloat(net, split, inputBits);
  return binaryMetrics(Array.from({ length: split.count }, (_, i) => logits[2 * i + 1] - logits[2 * i]), split.labels);
}

/** Integer logits of every image of a split (exact forward pass). */
export function integerLogits(model: IntegerModel, split: MnistSplit): bigint[][] {
  const n = model.input.shape[0] * model.input.shape[1] * model.input.shape[2];
  return Array.from({ length: split.count }, (_, i) => forwardInteger(model, quantizeInput(model.input, split.images.subarray(i * n, (i + 1) * n))));
}

/** Validation metrics of the exact integer model: score = logit₁ − logit₀ (bigint, ranked exactly). */
export function integerMetrics(model: IntegerModel, split: MnistSplit): BinaryMetrics {
  return binaryMetrics(integerLogits(model, split).map((l) => l[1] - l[0]), split.labels);
}

export interface XrayResult { readonly row: XrayRow; readonly model: IntegerModel | null; readonly net: Network }

/** Trains one network (teacher when activation = 'relu') and evaluates it on the validation split. */
export function runXray(cfg: XrayConfig, data: PneumoniaMnist, teacher?: { net: Network; metrics: Metrics3 }): XrayResult {
  if (cfg.kd && !teacher) throw new Error('runXray: expected a teacher network for kd, got none');
  const base = xraySpec(cfg.network, { classes: 2, width: cfg.width });
  const specs = cfg.batchNorm ? withBatchNorm(base) : base;
  const relu = cfg.activation === 'relu';
  // Early stopping on the validation split (students only): the exact integer model of every epoch from the second half on.
  let best: { epoch: number; model: IntegerModel; integer: Metrics3; float: Metrics3 } | null = null;
  const onEpoch = cfg.select === 'best' && !relu ? (n: Network, epoch: number): void => {
    if (epoch <= cfg.epochs / 2) return;
    const m = exportIntegerModel(n, cfg.inputBits, xrayModelName(cfg));
    const integer = pick(integerMetrics(m, data.val));
    if (!best || integer.accuracy > best.integer.accuracy || (integer.accuracy === best.integer.accuracy && integer.auc > best.integer.auc))
      best = { epoch, model: m, integer, float: pick(floatMetrics(n, data.val, cfg.inputBits)) };
  } : undefined;
  const { net, seconds } = train({
    ...DEFAULT_TRAIN, network: 'cryptonets', specs, activation: cfg.activation, weightBits: relu ? null : cfg.weightBits,
    inputBits: relu ? 8 : cfg.inputBits, perChannel: cfg.perChannel, epochs: cfg.epochs, seed: cfg.seed, batchSize: cfg.batchSize,
    learningRate: cfg.learningRate, progress: cfg.progress, augment: cfg.augment, classes: 2,
    classWeights: cfg.balance === 'weighted' ? balancedClassWeights(data.train.labels, 2) : undefined,
    teacher: cfg.kd ? teacher!.net : undefined, temperature: cfg.temperature, alpha: cfg.alpha,
    label: xrayModelName(cfg) + (relu ? ' (teacher)' : ''), onEpoch,
  }, data.train);
  const chosen = best as { epoch: number; model: IntegerModel; integer: Metrics3; float: Metrics3 } | null;
  const float = chosen ? chosen.float : pick(floatMetrics(net, data.val, relu ? 8 : cfg.inputBits));
  let model: IntegerModel | null = chosen?.model ?? null;
  let integer: Metrics3 | null = chosen?.integer ?? null;
  if (!relu && !chosen) {
    model = exportIntegerModel(net, cfg.inputBits, xrayModelName(cfg));
    integer = pick(integerMetrics(model, data.val));
  }
  const row: XrayRow = {
    network: cfg.network, activation: cfg.activation, weightBits: relu ? null : cfg.weightBits, inputBits: relu ? 8 : cfg.inputBits, kd: cfg.kd,
    epochs: cfg.epochs, seed: cfg.seed, width: cfg.width, batchNorm: cfg.batchNorm, augment: cfg.augment, balance: cfg.balance,
    temperature: cfg.temperature, alpha: cfg.alpha, float, integer, maxIntegerBits: model?.maxBits ?? null,
    multiplicativeDepth: model?.multiplicativeDepth ?? null, trainSeconds: Math.round(seconds * 10) / 10,
    ...(cfg.kd ? { teacher: teacher!.metrics } : {}),
    ...(chosen ? { select: 'best' as const, selectedEpoch: chosen.epoch } : {}),
  };
  if (model) {
    model = {
      ...model,
      metadata: {
        ...row, dataset: 'PneumoniaMNIST (MedMNIST v2, Yang et al. 2023; Kermany et al. 2018; CC BY 4.0)',
        split: 'val (524 images)', trainedBy: 'qhe xray', validationAccuracy: integer!.accuracy, validationAuc: integer!.auc, validationF1: integer!.f1,
      },
    };
  }
  return { row, model, net };
}
