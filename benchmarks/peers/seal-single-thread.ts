/**
 * node-seal running qhe's single-image packed program (seal-single.ts) in its
 * own worker thread (its own isolate; seal-thread.ts explains why), for some of
 * the plan's CRT channels. The latency suite starts as many of these threads
 * as qhe has workers and splits the channels between them, so the comparison
 * is at equal cores: a SEAL user with two cores runs two instances.
 */
import { parentPort } from 'node:worker_threads';
import { serveThread } from '../lib/thread-server.js';
import type { PackedProgram } from '@qhe/nn';
import { loadSeal, type CipherText } from './seal-lib.js';
import { SealSingleChannel } from './seal-single.js';

export interface SealSingleSetup {
  readonly n: number;
  /** Data-prime sizes then the special prime's (SEAL's convention: special last). */
  readonly coeffBits: readonly number[];
  /** This thread's CRT plaintext primes. */
  readonly plainModuli: readonly bigint[];
  readonly program: PackedProgram;
  readonly inputLevel: number;
  /** Per input ciphertext: slot → input index or −1. */
  readonly inputSlots: readonly Int32Array[];
  readonly outputSlots: Int32Array;
}

export interface SealSingleImageResult {
  readonly encryptMs: number;
  readonly serverMs: number;
  readonly decryptMs: number;
  readonly layerMs: number[];
  /** Per channel of this thread: the output slots' values in [0, t). */
  readonly residues: number[][];
  /** Smallest final noise budget over this thread's channels. */
  readonly budget: number;
}

export interface SealSingleThreadApi {
  setup(setup: SealSingleSetup): { keygenMs: number; galoisSteps: number; galoisKeyBytes: number };
  runImage(image: Int32Array): SealSingleImageResult;
  dispose(): void;
}

if (parentPort) {
  const port = parentPort;
  const seal = await loadSeal();
  let channels: SealSingleChannel[] = [];
  let cfg: SealSingleSetup | null = null;
  const api: { [K in keyof SealSingleThreadApi]: (...a: Parameters<SealSingleThreadApi[K]>) => ReturnType<SealSingleThreadApi[K]> } = {
    setup(setup) {
      for (const c of channels) c.dispose();
      cfg = setup;
      const t0 = performance.now();
      channels = setup.plainModuli.map((t) => new SealSingleChannel(seal, setup.n, setup.coeffBits, t, setup.program, setup.inputLevel));
      const keygenMs = performance.now() - t0;
      // SEAL keeps Galois keys at the full key level in 64-bit words: per step, (L) digits × 2 polys × (L + 1) limbs × N words.
      const L = setup.coeffBits.length - 1;
      const steps = channels[0]?.galoisSteps ?? 0;
      return { keygenMs, galoisSteps: steps, galoisKeyBytes: channels.length * steps * L * 2 * (L + 1) * setup.n * 8 };
    },
    runImage(image) {
      if (!cfg) throw new Error('seal-single-thread: setup first');
      const { inputSlots, outputSlots, inputLevel } = cfg;
      let encryptMs = 0, serverMs = 0, decryptMs = 0, budget = Infinity;
      const layerMs: number[] = [];
      const residues: number[][] = [];
      for (const ch of channels) {
        const s = ch.s;
        let t0 = performance.now();
        const inputs: CipherText[] = inputSlots.map((slots) => {
          const v = new Uint32Array(s.n);
          for (let j = 0; j < s.n; j++) { const idx = slots[j]; const x = idx >= 0 ? image[idx] % s.t : 0; v[j] = x < 0 ? x + s.t : x; }
          // Symmetric encryption with the client's secret key, as ours.
          const pt = s.encode(v);
          const ct = s.cipher();
          ch.symmetric.encryptSymmetric(pt, ct);
          pt.delete();
          for (let l = 0; l < inputLevel; l++) s.evaluator.cipherModSwitchToNext(ct, ct);
          return ct;
        });
        encryptMs += performance.now() - t0;
        t0 = performance.now();
        const { output, layerMs: lm } = ch.run(inputs);
        serverMs += performance.now() - t0;
        lm.forEach((m, i) => (layerMs[i] = (layerMs[i] ?? 0) + m));
        t0 = performance.now();
        const slots = s.decrypt(output);
        decryptMs += performance.now() - t0;
        residues.push(Array.from(outputSlots, (k) => slots[k]));
        budget = Math.min(budget, s.budget(output));
        output.delete();
        for (const ct of inputs) ct.delete();
      }
      return { encryptMs, serverMs, decryptMs, layerMs, residues, budget };
    },
    dispose() {
      for (const c of channels) c.dispose();
      channels = [];
    },
  };
  serveThread(port, api);
}
