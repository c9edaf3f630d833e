/**
 * The page: shows the model card, hands chosen files to the worker, renders the
 * prediction, the stage times and the bytes sent. All cryptography is in the
 * worker (worker.ts).
 */
import type { InferenceMode, ModeCard, ModelCard } from '../../src/service/card.js';
import type { FromWorker, ToWorker } from './protocol.js';

const $ = <T extends HTMLElement>(sel: string): T => document.querySelector(sel) as T;
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const fileInput = $<HTMLInputElement>('#file');
const button = $<HTMLButtonElement>('#classify');
const modeSelect = $<HTMLSelectElement>('#mode');
const status = $<HTMLParagraphElement>('#status');
const result = $<HTMLElement>('#result');

const text = (tag: string, content: string, cls?: string): HTMLElement => {
  const el = document.createElement(tag);
  el.textContent = content;
  if (cls) el.className = cls;
  return el;
};
const row = (cells: HTMLElement[]): HTMLTableRowElement => {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
};
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const bytes = (n: number): string => (n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

const MODE_LABEL: Record<InferenceMode, string> = {
  batch: 'batch — many images per request, smaller keys',
  single: 'single — one image per request, lower latency, larger keys',
};

function planLine(mode: ModeCard): string {
  const plan = mode.plan;
  return `Plan (${mode.mode}): N = ${plan.polyDegree}, ${plan.coeffModulus.length} × ${Number(plan.coeffModulus[0]).toString(2).length}-bit primes, ${plan.plainModuli.length} plaintext channel${plan.plainModuli.length === 1 ? '' : 's'}; ${plan.securityBound === null ? 'INSECURE test parameters' : `128-bit security (log Q·P = ${plan.logQP} ≤ ${plan.securityBound})`}. Keys ${bytes(mode.bytes.evaluationKeys)} once, then ${bytes(mode.bytes.request)} per request (${mode.maxImages === 1 ? 'one image' : `up to ${mode.maxImages} images`}).`;
}

function showCard(card: ModelCard): void {
  const section = $<HTMLElement>('#model');
  section.replaceChildren();
  const modes = (['batch', 'single'] as const).filter((m) => card.modes[m]);
  const acc = card.model.accuracy.float ?? card.model.accuracy.integer;
  section.append(
    text('h2', `Model: ${card.model.name}`),
    text('p', `Input ${card.model.input.shape.join('×')} (${card.model.input.bits}-bit), ${card.model.outputs} classes: ${card.model.classNames.join(', ')}. ${acc === null ? '' : `Recorded accuracy ${(100 * acc).toFixed(2)} %.`}`),
    ...modes.map((m) => text('p', planLine(card.modes[m]!))),
    text('p', card.flooding.enabled ? `Circuit privacy: the answer is noise-flooded (λ = ${card.flooding.statisticalSecurity} bits).` : `Warning: ${card.flooding.note}.`, card.flooding.enabled ? undefined : 'warn'),
  );
  // Batch first when offered: one key set serves any number of images, and its keys are the smaller.
  modeSelect.replaceChildren(...modes.map((m) => Object.assign(document.createElement('option'), { value: m, textContent: MODE_LABEL[m] })));
  section.dataset.model = card.model.name;
  button.disabled = false;
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  if (m.type === 'card') showCard(m.card);
  else if (m.type === 'progress') status.textContent = `${m.stage}: ${m.done}/${m.total}`;
  else if (m.type === 'error') {
    status.replaceChildren(text('span', `${m.code}: ${m.message}`, 'err'));
    result.dataset.state = 'error';
    button.disabled = false;
  } else if (m.type === 'result') {
    const tbody = $<HTMLTableSectionElement>('#predictions tbody');
    tbody.replaceChildren(
      ...m.images.map((im) => {
        const tr = row([text('td', im.name + (im.notes.length ? ` (${im.notes.join('; ')})` : '')), text('td', im.className), text('td', im.logits.join(', '))]);
        tr.dataset.class = String(im.index);
        tr.dataset.logits = im.logits.join(',');
        return tr;
      }),
    );
    const t = m.timing;
    $<HTMLTableSectionElement>('#timing tbody').replaceChildren(
      ...([['key generation', t.keygenMs], ['key upload', t.uploadKeysMs], ['encryption', t.encryptMs], ['server computation', t.serverMs], ['request round trip', t.requestMs], ['decryption', t.decryptMs], ['total', t.totalMs]] as const).map(([k, v]) =>
        row([text('td', k), text('td', seconds(v), 'num')]),
      ),
    );
    $<HTMLTableSectionElement>('#bytes tbody').replaceChildren(
      ...([['evaluation keys', m.bytes.evaluationKeys], ['upload', m.bytes.upload], ['download', m.bytes.download]] as const).map(([k, v]) => row([text('td', k), text('td', bytes(v), 'num')])),
    );
    result.hidden = false;
    result.dataset.state = 'done';
    status.textContent = 'done';
    result.dataset.mode = m.mode;
    $<HTMLElement>('#prediction-title').textContent = `Prediction (${m.mode} mode)`;
    button.disabled = false;
  }
};

button.onclick = async () => {
  const files = [...(fileInput.files ?? [])];
  if (files.length === 0) {
    status.textContent = 'choose one or more image files first';
    return;
  }
  button.disabled = true;
  result.dataset.state = 'running';
  status.textContent = 'reading files…';
  const payload = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
  const msg: ToWorker = { type: 'classify', mode: modeSelect.value as InferenceMode, files: payload };
  worker.postMessage(msg, payload.map((p) => p.bytes));
};
