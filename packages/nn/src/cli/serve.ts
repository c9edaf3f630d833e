/**
 * `qhe serve`: runs the inference service (service/server.ts) for one model
 * until SIGTERM or SIGINT, then shuts down gracefully (admitted requests
 * finish, new ones get 503) and exits 0. Prints the plan, what the model card
 * says about flooding, and "listening on <url>" (the line scripts wait for);
 * then one line per request (no contents).
 */
import { availableParallelism } from 'node:os';
import { formatPlan } from '../planner/index.js';
import { formatSinglePlan } from '../single/format.js';
import { InferenceService } from '../service/server.js';
import { defineCommand } from './command.js';
import { loadModel, modelFlag, modelPath } from './common.js';
import { boolFlag, choiceFlag, intFlag, optionalFlag, stringFlag } from './flags.js';

const cores = availableParallelism();

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'serve encrypted inference over HTTP (model card, sessions, infer; browser client at /)',
  flags: {
    model: modelFlag,
    host: stringFlag({ help: 'address to listen on', default: '127.0.0.1', placeholder: 'HOST' }),
    port: intFlag({ help: 'TCP port (0: any free port, printed on start)', default: 8080, min: 0, max: 65535, placeholder: 'PORT' }),
    workers: intFlag({ help: 'worker threads evaluating requests', default: cores, min: 1, max: 256, defaultLabel: `all cores (${cores})` }),
    modes: choiceFlag({ help: 'inference modes offered: batch (up to N images per request), single (one image, lower latency)', choices: ['batch,single', 'batch', 'single'], default: 'batch,single' }),
    noFlooding: boolFlag({ help: 'do NOT noise-flood the returned logits (their noise may then reveal the weights; the model card says so)' }),
    floodingSecurity: intFlag({ help: 'statistical security λ of the flooding, bits', default: 40, min: 1, max: 128 }),
    maxSessions: intFlag({ help: 'sessions (uploaded key sets) held at once', default: 16, min: 1, max: 100000 }),
    sessionIdle: intFlag({ help: 'seconds an unused session is kept', default: 900, min: 1, max: 7 * 86400 }),
    queue: intFlag({ help: 'requests that may wait while one runs (more: 503 + Retry-After)', default: 8, min: 0, max: 10000 }),
    images: optionalFlag(intFlag({ help: 'images per batch the plan is made for', default: 0, min: 1, max: 65536 }), 'the planner default (8192)'),
    polyDegree: optionalFlag(intFlag({ help: 'force the ring degree N (tests; with --allow-insecure below the security table)', default: 0, min: 1024, max: 65536 }), 'planned'),
    allowInsecure: boolFlag({ help: 'allow parameters below 128-bit security (tests only; the model card says so)' }),
    quiet: boolFlag({ help: 'no per-request log lines' }),
  },
  notes: [
    'Routes: GET /v1/model (the model card), POST /v1/sessions (evaluation keys), POST /v1/sessions/{id}/infer,',
    'DELETE /v1/sessions/{id}, GET /v1/health; the browser client at /. Stops on SIGTERM/SIGINT after admitted requests.',
    'Steady memory: V8 grows its young generation with the allocation rate; for a long-running server start node with',
    'NODE_OPTIONS=--max-semi-space-size=4 (RSS then settles after ~50 requests instead of ~700 on small models).',
  ].join('\n'),
  async run(f, _positional, io) {
    const path = modelPath(io, f.model);
    const service = await InferenceService.start({
      model: loadModel('qhe serve', path),
      host: f.host,
      port: f.port,
      workers: f.workers,
      modes: f.modes.split(',') as ('batch' | 'single')[],
      flooding: !f.noFlooding,
      floodingSecurity: f.floodingSecurity,
      maxSessions: f.maxSessions,
      sessionIdleSeconds: f.sessionIdle,
      queueLength: f.queue,
      plan: { ...(f.images ? { images: f.images } : {}), ...(f.polyDegree ? { polyDegree: f.polyDegree } : {}), allowInsecure: f.allowInsecure },
      log: f.quiet ? undefined : (line) => io.out(`${new Date().toISOString()} ${line}`),
    });
    const card = service.card;
    io.out(`model ${card.model.name} (${path})`);
    for (const mode of ['batch', 'single'] as const) {
      const plan = service.plans[mode];
      if (!plan) continue;
      io.out(`mode ${mode}:`);
      io.out('program' in plan ? formatSinglePlan(plan) : formatPlan(plan));
      const mc = card.modes[mode];
      if (mc) io.out(`  bytes: evaluation keys ${mb(mc.bytes.evaluationKeys)} once per session; request ${mb(mc.bytes.request)}; response ${mb(mc.bytes.response)}`);
    }
    io.out(card.flooding.enabled ? `noise flooding ON: λ = ${card.flooding.statisticalSecurity} bits` : `noise flooding OFF (--no-flooding): ${card.flooding.note}`);
    io.out(`listening on ${service.url}`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        io.out(`${signal}: finishing admitted requests, refusing new ones`);
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        void service.close().then(resolve);
      };
      const onTerm = (): void => stop('SIGTERM');
      const onInt = (): void => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
    io.out('stopped');
    return 0;
  },
});

function mb(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
