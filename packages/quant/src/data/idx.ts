/**
 * IDX files (MNIST's format) from disk; the byte parser is idx-format.ts, which
 * also runs in browsers.
 */
import { readFileSync, existsSync } from 'node:fs';
import { fail } from '../model/errors.js';
import { parseIdx, type IdxArray } from './idx-format.js';

export { parseIdx, type IdxArray } from './idx-format.js';

/** Reads and parses an IDX file, with typed errors naming the file. */
export function readIdx(path: string, expectedDims?: readonly number[]): IdxArray {
  if (!existsSync(path)) fail('FILE_MISSING', `readIdx(${path})`, 'an existing IDX file', 'no such file');
  return parseIdx(new Uint8Array(readFileSync(path)), path, expectedDims);
}

