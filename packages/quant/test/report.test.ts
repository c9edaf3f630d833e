import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRows, rowKey, writeReports } from '../src/report/rows.js';
import type { ExperimentRow } from '../src/train/experiment.js';
import { QuantError } from '../src/model/errors.js';

const row = (o: Partial<ExperimentRow>): ExperimentRow => ({
  network: 'cryptonets', weightBits: 8, inputBits: 8, activation: 'square', kd: false, floatAccuracy: 0.98, integerAccuracy: 0.979,
  maxIntegerBits: 100, trainSeconds: 10, epochs: 8, seed: 1, perChannel: false, ...o,
});

describe('sweep reports', () => {
  const rows = [
    row({}), row({ weightBits: 4, inputBits: 2, kd: true, maxIntegerBits: 60, integerAccuracy: 0.977 }),
    row({ activation: 'quadratic', network: 'seed2', maxIntegerBits: 120 }),
    row({ activation: 'relu', weightBits: null, integerAccuracy: null, maxIntegerBits: null, floatAccuracy: 0.99 }),
  ];
  it('keys distinguish every configuration field', () => {
    const keys = new Set(rows.map(rowKey));
    expect(keys.size).toBe(rows.length);
    expect(rowKey(row({ seed: 2 }))).not.toBe(rowKey(row({})));
    expect(rowKey(row({ perChannel: true }))).not.toBe(rowKey(row({})));
  });
  it('writes json/md/svg that round-trip and contain every row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qhe-sweep-'));
    try {
      writeReports(dir, rows, new Map());
      expect(loadRows(join(dir, 'sweep.json'))).toEqual(rows);
      const md = readFileSync(join(dir, 'sweep.md'), 'utf8');
      expect(md.split('\n').filter((l) => l.startsWith('| cryptonets') || l.startsWith('| seed2'))).toHaveLength(rows.length);
      expect(md).toContain('| 97.70 |');
      const svg = readFileSync(join(dir, 'sweep.svg'), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.match(/<g class="pt"/g)!.length).toBe(3); // the 3 integer points, not the ReLU row
      expect(svg).not.toMatch(/NaN|undefined/);
      writeFileSync(join(dir, 'sweep.json'), '{"rows": 3}');
      expect(() => loadRows(join(dir, 'sweep.json'))).toThrow(QuantError);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
