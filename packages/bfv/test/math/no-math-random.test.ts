/**
 * All randomness in qhe comes from the system CSPRNG (math/crypto.ts, sampling.ts). Math.random is not
 * cryptographic, so no source file may mention it, not even in a comment (a
 * mention is where a call starts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('no Math.random under packages/bfv/src', () => {
  it('scans every source file', () => {
    const all = files(SRC).filter((f) => /\.(ts|mts|cts|js|mjs|cjs)$/.test(f));
    expect(all.some((f) => f.endsWith(join('math', 'sampling.ts')))).toBe(true);
    // Also catch spaced or bracketed spellings: Math . random, Math['random'].
    const pattern = /Math\s*(\.\s*random|\[\s*['"`]random['"`]\s*\])/;
    const offenders = all.filter((f) => pattern.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });
});
