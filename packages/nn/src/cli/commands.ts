/**
 * The `qhe` subcommands, in the order `qhe --help` lists them. A new
 * subcommand is a file exporting a `defineCommand(…)` plus one line here.
 */
import { bfvDemoCommand } from './bfv-demo.js';
import { classifyCommand } from './classify.js';
import type { Command } from './command.js';
import type { Flags } from './flags.js';
import { planCommand } from './plan.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { sweepCommand } from './sweep.js';
import { trainCommand } from './train.js';
import { xrayCommand } from './xray.js';
import { xrayPlansCommand } from './xray-plans.js';

export const COMMANDS: readonly Command<Flags>[] = [runCommand, planCommand, serveCommand, classifyCommand, trainCommand, sweepCommand, xrayCommand, xrayPlansCommand, bfvDemoCommand] as unknown as Command<Flags>[];

/** The subcommand used when the first argument is a flag or absent. */
export const DEFAULT_COMMAND = 'run';
