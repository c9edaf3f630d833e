/** Training progress (`@qhe/quant`'s per-batch updates) on the CLI's progress display: one task per training run. */
import type { TrainProgress } from '@qhe/quant';
import type { Progress, ProgressTask } from './progress.js';

export function trainProgress(progress: Progress): (update: TrainProgress) => void {
  let task: ProgressTask | null = null;
  let label: string | null = null;
  return (u) => {
    if (u.label !== label || task === null) {
      task?.end();
      label = u.label;
      task = progress.task(`train ${u.label}`, u.totalSteps);
    }
    task.tick(u.step, `epoch ${u.epoch}/${u.epochs}, loss ${u.loss.toFixed(4)}, batch accuracy ${(100 * u.accuracy).toFixed(2)} %`);
    if (u.step === u.totalSteps) { task.end(); task = null; label = null; }
  };
}
