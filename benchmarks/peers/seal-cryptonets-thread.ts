/**
 * The CryptoNets job on node-seal (seal-cryptonets.ts) for some of the plan's
 * CRT channels, in a worker thread of its own (its own isolate; seal-thread.ts
 * explains why). bench:inference starts as many of these threads as qhe has
 * workers and splits the channels between them (equal cores: a SEAL user with
 * two cores runs two instances), and one thread with every channel for the
 * one-thread row. Each thread loads the model, plans and quantizes the MNIST
 * test images itself (`cryptoNetsJob`, the suite does the same to check the
 * result), so only the small residues cross threads.
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { planInference, type InferencePlan } from '@qhe/nn';
import { loadMnist } from '@qhe/quant/data';
import { parseIntegerModel, quantizeInput, type IntegerModel } from '@qhe/quant/model';
import { serveThread } from '../lib/thread-server.js';
import { sealCryptoNets, type SealCryptoNetsResult } from './seal-cryptonets.js';
import { loadSeal } from './seal-lib.js';

export interface CryptoNetsJob {
  readonly model: IntegerModel;
  readonly plan: InferencePlan;
  /** The first `images` MNIST test images, quantized to the model's input. */
  readonly xs: Int32Array[];
  readonly labels: ArrayLike<number>;
}

/** The model at `modelPath`, its batch plan for `images` images, and those images (deterministic). */
export function cryptoNetsJob(modelPath: string, images: number): CryptoNetsJob {
  const model = parseIntegerModel(readFileSync(modelPath, 'utf8'));
  const plan = planInference(model, { images });
  const { test } = loadMnist();
  const xs = Array.from({ length: images }, (_, s) => quantizeInput(model.input, test.images.subarray(s * 784, (s + 1) * 784)));
  return { model, plan, xs, labels: test.labels };
}

export interface SealCryptoNetsThreadApi {
  /** Runs the channels `channels` (indices into the plan's plain moduli) of the job. */
  run(modelPath: string, images: number, channels: readonly number[]): SealCryptoNetsResult;
}

if (parentPort) {
  const port = parentPort;
  const seal = await loadSeal();
  const api: { [K in keyof SealCryptoNetsThreadApi]: (...a: Parameters<SealCryptoNetsThreadApi[K]>) => ReturnType<SealCryptoNetsThreadApi[K]> } = {
    run(modelPath, images, channels) {
      const { model, plan, xs } = cryptoNetsJob(modelPath, images);
      return sealCryptoNets(seal, model, plan, xs, { only: channels });
    },
  };
  serveThread(port, api);
}
