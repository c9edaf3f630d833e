/**
 * One experiment = (optional ReLU teacher) → student → float accuracy →
 * integer export → exact integer accuracy on the test split. Shared by the
 * `qhe train` and `qhe sweep` jobs so both report the same numbers.
 */
import type { Mnist, MnistSplit } from '../data/mnist.js';
import { predictInteger } from '../model/forward.js';
import { quantizeInput } from '../model/parse.js';
import type { IntegerModel } from '../model/schema.js';
import { exportIntegerModel } from './export.js';
import { modelName, type Activation, type NetworkName } from '../config.js';
import type { Network } from './network.js';
import { accuracy, DEFAULT_TRAIN, predictFloat, train, type TrainOptions, type TrainProgressFn } from './trainer.js';

export interface ExperimentConfig {
  readonly network: NetworkName;
  readonly weightBits: number | null;
  readonly inputBits: number;
  readonly activation: Activation;
  readonly kd: boolean;
  readonly epochs: number;
  readonly teacherEpochs: number;
  readonly seed: number;
  readonly perChannel: boolean;
  readonly progress?: TrainProgressFn | false;
  /** Status lines between the phases (evaluation, export), which take seconds to minutes. */
  readonly log?: (line: string) => void;
  /** Batch norm after every linear layer but the last, folded at export. Default false. */
  readonly batchNorm?: boolean;
  /** Random ±1-pixel shifts of the training images. Default false. */
  readonly augment?: boolean;
}

export interface ExperimentRow {
  readonly network: NetworkName;
  readonly weightBits: number | null;
  readonly inputBits: number;
  readonly activation: Activation;
  readonly kd: boolean;
  readonly floatAccuracy: number;
  readonly integerAccuracy: number | null;
  readonly maxIntegerBits: number | null;
  readonly trainSeconds: number;
  readonly epochs: number;
  readonly seed: number;
  readonly perChannel: boolean;
  /** Absent in rows written before batch norm existed (= false). */
  readonly batchNorm?: boolean;
  /** Absent = false. */
  readonly augment?: boolean;
}

export interface ExperimentResult { readonly row: ExperimentRow; readonly model: IntegerModel | null; readonly net: Network; }

export function integerAccuracy(model: IntegerModel, split: MnistSplit): number {
  const inputs: Int32Array[] = [];
  for (let i = 0; i < split.count; i++) inputs.push(quantizeInput(model.input, split.images.subarray(i * 784, (i + 1) * 784)));
  return accuracy(predictInteger(model, inputs), split.labels);
}

/** Trains the float ReLU teacher (8-bit inputs, float weights). */
export function trainTeacher(cfg: Pick<ExperimentConfig, 'network' | 'teacherEpochs' | 'seed' | 'progress'>, data: MnistSplit): { net: Network; seconds: number } {
  const r = train({ ...DEFAULT_TRAIN, network: cfg.network, activation: 'relu', weightBits: null, inputBits: 8, epochs: cfg.teacherEpochs, seed: cfg.seed, progress: cfg.progress, label: `${cfg.network}/teacher` }, data);
  return { net: r.net, seconds: r.seconds };
}

export function runExperiment(cfg: ExperimentConfig, mnist: Mnist, teacher?: Network): ExperimentResult {
  const opts: TrainOptions = {
    ...DEFAULT_TRAIN,
    network: cfg.network, activation: cfg.activation, weightBits: cfg.activation === 'relu' ? null : cfg.weightBits,
    inputBits: cfg.inputBits, epochs: cfg.epochs, seed: cfg.seed, perChannel: cfg.perChannel, progress: cfg.progress,
    teacher: cfg.kd ? teacher : undefined, batchNorm: cfg.batchNorm, augment: cfg.augment,
    label: `${cfg.network}/${cfg.activation}/w${cfg.weightBits ?? 'f'}/in${cfg.inputBits}${cfg.kd ? '/kd' : ''}${cfg.batchNorm ? '/bn' : ''}${cfg.augment ? '/aug' : ''}`,
  };
  if (cfg.kd && !teacher) throw new Error('runExperiment: expected a teacher network for kd, got none');
  const { net, seconds } = train(opts, mnist.train);
  cfg.log?.(`${opts.label}: float accuracy on ${mnist.test.count} test images…`);
  const floatAccuracy = accuracy(predictFloat(net, mnist.test, cfg.inputBits), mnist.test.labels);
  let model: IntegerModel | null = null;
  let intAcc: number | null = null;
  if (cfg.activation !== 'relu') {
    cfg.log?.(`${opts.label}: integer export and exact integer accuracy on ${mnist.test.count} test images…`);
    model = exportIntegerModel(net, cfg.inputBits, modelName(cfg), {});
    intAcc = integerAccuracy(model, mnist.test);
  }
  const row: ExperimentRow = {
    network: cfg.network, weightBits: cfg.activation === 'relu' ? null : cfg.weightBits, inputBits: cfg.inputBits, activation: cfg.activation, kd: cfg.kd,
    floatAccuracy, integerAccuracy: intAcc, maxIntegerBits: model?.maxBits ?? null, trainSeconds: Math.round(seconds * 10) / 10,
    epochs: cfg.epochs, seed: cfg.seed, perChannel: cfg.perChannel, ...(cfg.batchNorm ? { batchNorm: true } : {}), ...(cfg.augment ? { augment: true } : {}),
  };
  if (model) model = { ...model, metadata: { ...row, trainedBy: 'qhe train' } };
  return { row, model, net };
}
