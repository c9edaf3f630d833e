import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../src/data/mnist.js';
import { loadPneumoniaMnist } from '../src/data/pneumonia.js';
import { MANIFEST_FILE, readModelManifest } from '../src/data/models.js';
import { parseIntegerModel } from '../src/model/index.js';
import { integerAccuracy } from '../src/train/experiment.js';
import { integerMetrics } from '../src/train/xray.js';

const dir = join(__dirname, '..', 'models');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json') && f !== MANIFEST_FILE) : [];
const mnistFiles = files.filter((f) => !f.startsWith('xray-'));
const xrayFiles = files.filter((f) => f.startsWith('xray-'));

describe('committed default models', () => {
  it('at least one CryptoNets-size model is committed, and the manifest lists exactly the committed models', () => {
    expect(files.some((f) => f.startsWith('cryptonets'))).toBe(true);
    expect(readModelManifest(dir).models.map((m) => m.file).sort()).toEqual([...files].sort());
  });
  const test = mnistFiles.length ? loadMnist().test : null;
  for (const f of mnistFiles) {
    it(`${f}: validates and reproduces its recorded integer accuracy exactly`, () => {
      const m = parseIntegerModel(readFileSync(join(dir, f), 'utf8'));
      expect(m.metadata.integerAccuracy).toBeTypeOf('number');
      expect(integerAccuracy(m, test!)).toBe(m.metadata.integerAccuracy);
      expect(m.metadata.maxIntegerBits).toBe(m.maxBits);
    });
  }
  // Chest X-ray models: PneumoniaMNIST validation split (MedMNIST v2, Yang et al. 2023; Kermany et al. 2018).
  const val = xrayFiles.length ? loadPneumoniaMnist().val : null;
  for (const f of xrayFiles) {
    it(`${f}: validates and reproduces its recorded validation accuracy, AUC and F1 exactly`, () => {
      const m = parseIntegerModel(readFileSync(join(dir, f), 'utf8'));
      const got = integerMetrics(m, val!);
      expect([got.accuracy, got.auc, got.f1]).toEqual([m.metadata.validationAccuracy, m.metadata.validationAuc, m.metadata.validationF1]);
      expect(m.metadata.maxIntegerBits).toBe(m.maxBits);
    });
  }
});
