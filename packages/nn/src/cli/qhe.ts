#!/usr/bin/env node
/**
 * `qhe`: one command for everything a user of this repository does —
 *   qhe [run] [flags]      encrypted MNIST (--dataset pneumonia: chest X-ray) inference (the default)
 *   qhe plan [model.json]  the BFV parameters planned for a model
 *   qhe serve [flags]      encrypted inference as an HTTP service (and its browser client)
 *   qhe classify --server URL <images…>  the client: keys, encryption, decryption stay local
 *   qhe train [flags]      quantization-aware training → integer model
 *   qhe sweep [flags]      the QAT sweep
 *   qhe xray [flags]       chest X-ray teachers and HE-friendly students (PneumoniaMNIST)
 *   qhe xray-plans         planner parameters and predicted encrypted time of the xray models
 *   qhe bfv-demo [flags]   the BFV engine alone
 * `qhe <command> --help` lists a command's flags with their defaults. Errors
 * are typed (`QheError`, "qhe <cmd> --flag: expected X, got Y") and exit 2.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { QheError } from '@qhe/bfv';
import { processIo, type CliIo, type Command } from './command.js';
import { COMMANDS, DEFAULT_COMMAND } from './commands.js';
import { flagError, formatFlags, parseFlags, type Flags } from './flags.js';

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'usage: qhe [command] [flags]        (npm run qhe -- [command] [flags])',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}${c.name === DEFAULT_COMMAND ? ' [default]' : ''}`),
    '',
    'qhe <command> --help lists its flags and their defaults.',
  ].join('\n');
}

export function commandHelp(c: Command<Flags>): string {
  return [
    `usage: qhe ${c.name} [flags]${c.positional ? ` ${c.positional.usage}` : ''}`,
    `  ${c.summary}`,
    '',
    'flags:',
    formatFlags(c.flags),
    ...(c.notes ? ['', c.notes] : []),
  ].join('\n');
}

/** Runs `qhe` with argv (without node and the script); resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const first = argv[0];
    if (first === '--help' || first === '-h' || first === 'help') { io.out(usage()); return 0; }
    const named = first !== undefined && !first.startsWith('-');
    const name = named ? first : DEFAULT_COMMAND;
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) flagError('qhe', `a command (${COMMANDS.map((c) => c.name).join(', ')}) or flags of qhe ${DEFAULT_COMMAND}`, JSON.stringify(name));
    const where = `qhe ${command.name}`;
    const { flags, positional, help } = parseFlags(where, command.flags, named ? argv.slice(1) : argv);
    if (help) { io.out(commandHelp(command)); return 0; }
    const p = command.positional ?? { usage: '', min: 0, max: 0 };
    if (positional.length < p.min || positional.length > p.max) {
      const expected = p.max === 0 ? 'no positional arguments' : `${p.min === p.max ? p.min : `${p.min}..${p.max}`} positional argument(s) ${p.usage}`;
      flagError(where, expected, positional.map((s) => JSON.stringify(s)).join(' ') || 'none');
    }
    return (await command.run(flags, positional, io)) ?? 0;
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof QheError || e?.name === 'QuantError' || e?.name === 'ServiceError') {
      io.err.write(`error [${e.code}]: ${e.message}\n`);
      return 2;
    }
    throw err;
  }
}

// Run when executed (node dist/cli/qhe.js, or the `qhe` bin through a symlink), not when imported by tests.
const self = fileURLToPath(import.meta.url);
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === self) {
  runCli(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
