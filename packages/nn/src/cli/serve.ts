/**
 * `qhe serve`: runs the inference service (service/server.ts) for one model
 * until SIGTERM or SIGINT, then shuts down gracefully (admitted requests
 * finish, new ones get 503) and exits 0. Prints the plan, what the model card
 * says about flooding, and "listening on <url>" (the line scripts wait for);
 * then one line per request (no contents).
 */
import type { IntegerModel } from '@qhe/quant/model';
import { formatPlan } from '../planner.js';
import { InferenceService } from '../service/server.js';

export interface ServeCliOptions {
  readonly model: IntegerModel;
  readonly modelPath: string;
  readonly host: string;
  readonly port: number;
  readonly workers: number;
  readonly flooding: boolean;
  readonly floodingSecurity: number;
  readonly maxSessions: number;
  readonly sessionIdleSeconds: number;
  readonly queueLength: number;
  readonly images: number | undefined;
  readonly polyDegree: number | undefined;
  readonly allowInsecure: boolean;
  readonly quiet: boolean;
}

export async function runServe(o: ServeCliOptions, out: (line: string) => void): Promise<void> {
  const service = await InferenceService.start({
    model: o.model,
    host: o.host,
    port: o.port,
    workers: o.workers,
    flooding: o.flooding,
    floodingSecurity: o.floodingSecurity,
    maxSessions: o.maxSessions,
    sessionIdleSeconds: o.sessionIdleSeconds,
    queueLength: o.queueLength,
    plan: { ...(o.images ? { images: o.images } : {}), ...(o.polyDegree ? { polyDegree: o.polyDegree } : {}), allowInsecure: o.allowInsecure },
    log: o.quiet ? undefined : (line) => out(`${new Date().toISOString()} ${line}`),
  });
  const card = service.card;
  out(`model ${card.model.name} (${o.modelPath})`);
  for (const [mode, plan] of Object.entries(service.plans)) {
    out(`mode ${mode}:`);
    out(formatPlan(plan!));
    const mc = card.modes[mode as 'batch'];
    if (mc) out(`  bytes: evaluation keys ${mb(mc.bytes.evaluationKeys)} once per session; request ${mb(mc.bytes.request)}; response ${mb(mc.bytes.response)}`);
  }
  out(card.flooding.enabled ? `noise flooding ON: λ = ${card.flooding.statisticalSecurity} bits` : `noise flooding OFF (--no-flooding): ${card.flooding.note}`);
  out(`listening on ${service.url}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      out(`${signal}: finishing admitted requests, refusing new ones`);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      void service.close().then(resolve);
    };
    const onTerm = (): void => stop('SIGTERM');
    const onInt = (): void => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  out('stopped');
}

function mb(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
