/**
 * `qhe bfv-demo`: the BFV showcase (the main job before encrypted inference). It
 * runs the BFV engine end to end the way a client and a server would use it:
 * the client generates keys and encrypts N slots, the server computes
 * (x·y + x) rotated by one slot with only public/evaluation keys, the client
 * decrypts and checks every slot against plaintext arithmetic. Prints timings
 * and the noise budget after each step.
 *
 * Options: --n 4096|8192|16384 (default 8192), --kernel u32|u64 (default u32).
 */
import { BatchEncoder, BfvContext, Decryptor, Encryptor, Evaluator, KeyGenerator, PRESETS, QheError, type KernelName } from '@qhe/bfv';

function parseArgs(argv: string[]): { n: number; kernel: KernelName } {
  const opts = { n: 8192, kernel: 'u32' as KernelName };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new QheError('INVALID_ARGUMENT', `qhe: expected a value after ${a}, got nothing`);
      return v;
    };
    if (a === '--n') opts.n = Number(value());
    else if (a === '--kernel') opts.kernel = value() as KernelName;
    else if (a === '--help' || a === '-h') {
      console.log('usage: qhe [--n 4096|8192|16384] [--kernel u32|u64]');
      process.exit(0);
    } else throw new QheError('INVALID_ARGUMENT', `qhe: expected --n, --kernel or --help, got ${JSON.stringify(a)}`);
  }
  if (![4096, 8192, 16384].includes(opts.n)) throw new QheError('INVALID_ARGUMENT', `qhe --n: expected 4096, 8192 or 16384, got ${opts.n}`);
  if (opts.kernel !== 'u32' && opts.kernel !== 'u64') throw new QheError('INVALID_ARGUMENT', `qhe --kernel: expected u32 or u64, got ${JSON.stringify(opts.kernel)}`);
  return opts;
}

function timed<T>(label: string, f: () => T, rows: string[][]): T {
  const start = performance.now();
  const result = f();
  rows.push([label, (performance.now() - start).toFixed(1)]);
  return result;
}

export function bfvDemo(argv: string[]): void {
  const { n, kernel } = parseArgs(argv);
  const preset = { 4096: PRESETS.n4096, 8192: PRESETS.n8192, 16384: PRESETS.n16384 }[n]!;
  const rows: string[][] = [];
  const ctx = timed('context', () => new BfvContext({ ...preset, kernel }), rows);
  const p = ctx.params;
  console.log(`qhe BFV demo: N=${n}, kernel=${kernel}, log2(Q·P)=${p.logQP} (${p.coeffModulus.length} data + ${p.specialModulus.length} special primes), t=${p.plainModulus}, security=${p.securityLevel}`);

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
  console.log('\nstep                          ms');
  for (const [label, ms] of rows) console.log(`${label.padEnd(28)} ${ms.padStart(8)}`);
  console.log('\nnoise budget (bits)');
  for (const [label, bits] of budgets) console.log(`${String(label).padEnd(28)} ${String(bits).padStart(8)}`);
  console.log(`\n${n - wrong}/${n} slots equal rotate(x·y + x, 1) computed in plaintext`);
  if (wrong > 0) process.exitCode = 1;
}

