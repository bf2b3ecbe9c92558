import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';
import { chromiumArgs, chromiumExecutable } from '../e2e/support/browser';
import { treeRssBytes, withPeakRss } from './process-memory';
const PORT = 4176;
const base = `http://127.0.0.1:${PORT}`;
const server = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort'], { stdio: 'ignore', detached: true });
try {
  for (let i = 0; i < 100; i++) { try { if ((await fetch(base)).ok) break; } catch { /* */ } await new Promise((r) => setTimeout(r, 200)); }
  for (const backend of (process.argv[2] ?? 'auto,wasm').split(',')) for (const frames of (process.argv[3] ?? '48,480').split(',').map(Number)) {
    const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs({ webgpu: true }) });
    const page = await browser.newPage();
    await page.goto('about:blank');
    const baseline = treeRssBytes(process.pid);
    const { result, peakBytes } = await withPeakRss(process.pid, async () => {
      await page.goto(`${base}/bench.html?backend=${backend}&matting=${frames}`);
      await page.waitForSelector('body[data-done]', { timeout: 300_000 });
      return page.textContent('#result');
    });
    console.log(backend, frames, ((peakBytes - baseline) / 2 ** 20).toFixed(1), 'MiB', result);
    await browser.close();
  }
} finally { if (server.pid) process.kill(-server.pid); }
