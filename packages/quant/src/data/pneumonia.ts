/**
 * PneumoniaMNIST (MedMNIST v2, Yang et al. 2023; images from Kermany et al.,
 * Cell 2018; CC BY 4.0): 28 × 28 grey-scale paediatric chest X-rays, label
 * 0 = normal, 1 = pneumonia. The repository ships the training (3,882) and
 * validation (524) splits in `packages/quant/data/pneumoniamnist/` (see the
 * README there); the official test split is kept out on purpose, so models
 * are chosen on the validation split only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fail } from '../model/errors.js';
import { parseMedMnist, type MedMnist, type MedMnistOptions, type MedMnistSplit } from './medmnist.js';

/** The committed PneumoniaMNIST file (training and validation splits). */
export const PNEUMONIA_FILE = fileURLToPath(new URL('../../data/pneumoniamnist/pneumoniamnist-trainval.npz', import.meta.url));

export const PNEUMONIA_CLASSES = ['normal', 'pneumonia'] as const;

/** Reads and validates a MedMNIST `.npz` from disk. */
export function readMedMnist(path: string, options: MedMnistOptions = {}): MedMnist {
  if (!existsSync(path)) fail('FILE_MISSING', `readMedMnist(${path})`, 'an existing MedMNIST .npz file', 'no such file');
  return parseMedMnist(new Uint8Array(readFileSync(path)), path, options);
}

export interface PneumoniaMnist { readonly train: MedMnistSplit; readonly val: MedMnistSplit; readonly test?: MedMnistSplit }

/** PneumoniaMNIST: train and val are required (test is used when a full MedMNIST file is given). */
export function loadPneumoniaMnist(path: string = PNEUMONIA_FILE): PneumoniaMnist {
  const d = readMedMnist(path, { classes: PNEUMONIA_CLASSES.length, shape: [28, 28, 1], require: ['train', 'val'] });
  return { train: d.train!, val: d.val!, ...(d.test ? { test: d.test } : {}) };
}
