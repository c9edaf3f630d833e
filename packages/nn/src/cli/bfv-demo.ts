/**
 * `qhe bfv-demo`: the BFV engine end to end, the way a client and a server use
 * it: the client generates keys and encrypts N slots, the server computes
 * (x·y + x) rotated by one slot with only public/evaluation keys, the client
 * decrypts and checks every slot against plaintext arithmetic. Prints timings
 * and the noise budget after each step.
 */
import { BatchEncoder, BfvContext, Decryptor, Encryptor, Evaluator, KeyGenerator, PRESETS } from '@qhe/bfv';
import { defineCommand } from './command.js';
import { choiceFlag } from './flags.js';
import { kernelFlag } from './common.js';

function timed<T>(label: string, f: () => T, rows: string[][]): T {
  const start = performance.now();
  const result = f();
  rows.push([label, (performance.now() - start).toFixed(1)]);
  return result;
}

export const bfvDemoCommand = defineCommand({
  name: 'bfv-demo',
  summary: 'the BFV engine alone: keys, encrypt, multiply, relinearize, rotate, decrypt, with timings and noise budgets',
  flags: {
    n: choiceFlag({ help: 'ring degree (a 128-bit preset)', choices: ['4096', '8192', '16384'], default: '8192' }),
    kernel: kernelFlag,
  },
  run(f, _positional, io) {
    const n = Number(f.n);
    const preset = { 4096: PRESETS.n4096, 8192: PRESETS.n8192, 16384: PRESETS.n16384 }[n]!;
    const rows: string[][] = [];
    const ctx = timed('context', () => new BfvContext({ ...preset, kernel: f.kernel }), rows);
    const p = ctx.params;
    io.out(`qhe BFV demo: N=${n}, kernel=${f.kernel}, log2(Q·P)=${p.logQP} (${p.coeffModulus.length} data + ${p.specialModulus.length} special primes), t=${p.plainModulus}, security=${p.securityLevel}`);

    // Client.
    const keygen = timed('keygen (sk, pk)', () => new KeyGenerator(ctx), rows);
    const publicKey = timed('public key', () => keygen.createPublicKey(), rows);
    const relinKeys = timed('relinearization keys', () => keygen.createRelinKeys(), rows);
    const galoisKeys = timed('galois keys (step 1)', () => keygen.createGaloisKeys({ steps: [1] }), rows);
    const encoder = new BatchEncoder(ctx);
    const t = Number(p.plainModulus);
    const x = Array.from({ length: n }, (_, i) => (i * 7919 + 3) % t);
    const y = Array.from({ length: n }, (_, i) => (i * 104729 + 5) % t);
    const encryptor = new Encryptor(ctx, { publicKey });
    const cx = timed('encrypt x', () => encryptor.encrypt(encoder.encode(x)), rows);
    const cy = timed('encrypt y', () => encryptor.encrypt(encoder.encode(y)), rows);

    // Server: sees ciphertexts and evaluation keys only.
    const ev = new Evaluator(ctx);
    const prod = timed('multiply', () => ev.multiply(cx, cy), rows);
    const relin = timed('relinearize', () => ev.relinearize(prod, relinKeys), rows);
    const sum = timed('add', () => ev.add(relin, cx), rows);
    const rotated = timed('rotateRows(1)', () => ev.rotateRows(sum, 1, galoisKeys), rows);

    // Client.
    const decryptor = new Decryptor(ctx, keygen.secretKey);
    const got = timed('decrypt + decode', () => encoder.decode(decryptor.decrypt(rotated)), rows);
    const half = n / 2;
    const expected = (i: number): number => Number((BigInt(x[i]) * BigInt(y[i]) + BigInt(x[i])) % BigInt(t));
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const row = i < half ? 0 : half;
      const src = row + (((i - row) + 1) % half);
      if (got[i] !== expected(src)) wrong++;
    }
    const budgets = [
      ['fresh', decryptor.invariantNoiseBudget(cx)],
      ['after multiply + relinearize', decryptor.invariantNoiseBudget(relin)],
      ['after add + rotate', decryptor.invariantNoiseBudget(rotated)],
    ];
    const lines = ['', 'step                          ms'];
    for (const [label, ms] of rows) lines.push(`${label.padEnd(28)} ${ms.padStart(8)}`);
    lines.push('', 'noise budget (bits)');
    for (const [label, bits] of budgets) lines.push(`${String(label).padEnd(28)} ${String(bits).padStart(8)}`);
    lines.push('', `${n - wrong}/${n} slots equal rotate(x·y + x, 1) computed in plaintext`);
    io.out(lines.join('\n'));
    return wrong > 0 ? 1 : 0;
  },
});
