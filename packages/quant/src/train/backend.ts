/**
 * TF.js backend selection. tfjs-node does not install on the target machines,
 * so training runs on the WebAssembly backend (5–50× faster than the pure-JS
 * cpu backend here); in Node its .wasm binaries must be located explicitly.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let chosen: string | null = null;

export async function initBackend(prefer: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  if (chosen) return chosen;
  if (prefer === 'wasm') {
    try {
      const require = createRequire(import.meta.url);
      setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
      if (await tf.setBackend('wasm')) { await tf.ready(); chosen = 'wasm'; return chosen; }
    } catch { /* fall back below */ }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  chosen = 'cpu';
  return chosen;
}
