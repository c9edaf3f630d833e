import { chromium } from 'playwright-core';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [url, out, files, mode] = process.argv.slice(2);
const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'qhe-shot-')), { executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'], viewport: { width: 1000, height: 1100 } });
const page = await ctx.newPage();
await page.goto(url);
await page.waitForSelector('#model[data-model]', { timeout: 120000 });
if (files) {
  if (mode) await page.selectOption('#mode', mode);
  await page.setInputFiles('#file', files.split(','));
  await page.click('#classify');
  await page.waitForSelector('#result[data-state="done"], #result[data-state="error"]', { timeout: 600000 });
}
await page.screenshot({ path: out, fullPage: true });
console.log(await page.textContent('#status'));
await ctx.close();
