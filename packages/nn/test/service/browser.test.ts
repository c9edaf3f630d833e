/**
 * The browser client in a real browser: Debian's chromium, headless, driven by
 * playwright-core pointed at /usr/bin/chromium (nothing downloads a browser).
 * The page served by `qhe serve` fetches the model card, and for two chosen PNG
 * files generates keys, encrypts, calls the server and decrypts in its Web
 * Worker; the logits it shows must equal the integer model's.
 *
 * Skipped when /usr/bin/chromium is missing, unless QHE_REQUIRE_BROWSER=1 (set
 * by .ci/run, which installs chromium), in which case a missing browser fails.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode as encodePng } from 'fast-png';
import { forwardInteger, quantizeInput } from '@qhe/quant/model';
import { pixelImages, startServer, tempDir, tinyModel, writeModel, type ServerProcess } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const required = process.env.QHE_REQUIRE_BROWSER === '1';
const available = existsSync(CHROMIUM);
const model = tinyModel();

describe.runIf(available || required)('browser client (chromium, headless)', () => {
  let server: ServerProcess;
  let browser: import('playwright-core').BrowserContext;
  beforeAll(async () => {
    if (!available) throw new Error(`browser test: expected Debian chromium at ${CHROMIUM} (apt-get install -y chromium), got none`);
    const dir = tempDir('browser');
    server = await startServer(['--model', writeModel(dir, model), '--poly-degree', '1024', '--allow-insecure', '--workers', '1', '--quiet']);
    const { chromium } = await import('playwright-core');
    // A fresh profile (user data dir) per run.
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'qhe-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (server) expect(await server.stop()).toBe(0);
  }, 120_000);

  it('encrypts in the browser, the server classifies, the page shows the exact logits, stage times and bytes', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector('#model[data-model="tiny"]', { timeout: 30_000 });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const px = pixelImages(2, 21);
    await page.setInputFiles('#file', px.map((p, i) => ({ name: `digit${i}.png`, mimeType: 'image/png', buffer: Buffer.from(encodePng({ width: 6, height: 6, data: p, channels: 1, depth: 8 })) })));
    await page.click('#classify');
    await page.waitForSelector('#result[data-state="done"], #result[data-state="error"]', { timeout: 120_000 });
    expect(await page.textContent('#status')).toBe('done');
    const rows = await page.$$eval('#predictions tbody tr', (trs) => trs.map((tr) => ({ cls: (tr as HTMLElement).dataset.class, logits: (tr as HTMLElement).dataset.logits })));
    const expected = px.map((p) => forwardInteger(model, quantizeInput(model.input, p)));
    expect(rows.map((r) => r.logits!.split(',').map(BigInt))).toEqual(expected);
    expect((await page.textContent('#timing'))!).toMatch(/key generation[\s\S]*encryption[\s\S]*server computation[\s\S]*decryption[\s\S]*total/);
    expect((await page.textContent('#bytes'))!).toMatch(/evaluation keys[\s\S]*upload[\s\S]*download/);
    // A second image reuses the session: no new key upload.
    await page.setInputFiles('#file', [{ name: 'again.png', mimeType: 'image/png', buffer: Buffer.from(encodePng({ width: 6, height: 6, data: px[0], channels: 1, depth: 8 })) }]);
    await page.click('#classify');
    await page.waitForFunction(() => document.querySelectorAll('#predictions tbody tr').length === 1 && document.querySelector('#result')?.getAttribute('data-state') === 'done', undefined, { timeout: 120_000 });
    expect(await page.$eval('#predictions tbody tr', (tr) => (tr as HTMLElement).dataset.logits)).toBe(expected[0].join(','));
    // Single mode: its own keys (Galois keys for the plan's rotations), one image per request, the same logits.
    expect(await page.$$eval('#mode option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['batch', 'single']);
    await page.selectOption('#mode', 'single');
    await page.setInputFiles('#file', [{ name: 'single.png', mimeType: 'image/png', buffer: Buffer.from(encodePng({ width: 6, height: 6, data: px[1], channels: 1, depth: 8 })) }]);
    await page.click('#classify');
    await page.waitForSelector('#result[data-mode="single"][data-state="done"], #result[data-state="error"]', { timeout: 120_000 });
    expect(await page.textContent('#status')).toBe('done');
    expect(await page.$eval('#predictions tbody tr', (tr) => (tr as HTMLElement).dataset.logits)).toBe(expected[1].join(','));
    expect(server.output()).not.toMatch(/error/i);
    expect(errors).toEqual([]);
  });
}, 120_000);
