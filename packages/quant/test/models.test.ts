import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../src/data/mnist.js';
import { MANIFEST_FILE, readModelManifest } from '../src/data/models.js';
import { parseIntegerModel } from '../src/model/index.js';
import { integerAccuracy } from '../src/train/experiment.js';

const dir = join(__dirname, '..', 'models');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json') && f !== MANIFEST_FILE) : [];

describe('committed default models', () => {
  it('at least one CryptoNets-size model is committed, and the manifest lists exactly the committed models', () => {
    expect(files.some((f) => f.startsWith('cryptonets'))).toBe(true);
    expect(readModelManifest(dir).models.map((m) => m.file).sort()).toEqual([...files].sort());
  });
  const test = files.length ? loadMnist().test : null;
  for (const f of files) {
    it(`${f}: validates and reproduces its recorded integer accuracy exactly`, () => {
      const m = parseIntegerModel(readFileSync(join(dir, f), 'utf8'));
      expect(m.metadata.integerAccuracy).toBeTypeOf('number');
      expect(integerAccuracy(m, test!)).toBe(m.metadata.integerAccuracy);
      expect(m.metadata.maxIntegerBits).toBe(m.maxBits);
    });
  }
});
