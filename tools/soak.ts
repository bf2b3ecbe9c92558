/**
 * `npm run soak`: serves the production build, then kills and reopens the runner tab 50 times
 * (tools/soak/soak-run.ts) over a queue of generation and matting tasks on tiny packs and prints
 * the counts; exits 1 unless nothing was lost, duplicated, stuck, failed or orphaned.
 * SOAK_KILLS and SOAK_SEED change the run; WEBGP_SOAK_PORT the preview port.
 */
import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';
import { chromiumArgs, chromiumExecutable } from '../e2e/support/browser';
import { formatCounts, soakClean } from './soak/soak-counts';
import { runSoak } from './soak/soak-run';

const PORT = Number(process.env.WEBGP_SOAK_PORT ?? 4175);
const KILLS = Number(process.env.SOAK_KILLS ?? 50);
const SEED = Number(process.env.SOAK_SEED ?? 16);
const base = `http://127.0.0.1:${PORT}`;

async function waitForServer(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      if (Date.now() > end) throw new Error(`the preview server at ${url} did not start`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const server = spawn('npx', ['vite', 'preview', '--port', String(PORT)], { stdio: 'ignore', detached: true });
try {
  await waitForServer(base, 60_000);
  const browser = await chromium.launch({
    executablePath: chromiumExecutable(),
    args: chromiumArgs({ webgpu: true }),
  });
  try {
    const context = await browser.newContext({ baseURL: base });
    const started = Date.now();
    const counts = await runSoak(context, {
      kills: KILLS,
      seed: SEED,
      generations: 6,
      mattings: 3,
      log: (l) => console.log(l),
    });
    console.log(`\nsoak: seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(formatCounts(counts));
    process.exitCode = soakClean(counts) ? 0 : 1;
  } finally {
    await browser.close();
  }
} finally {
  // Gone already when another server held the port (the soak then used that one).
  if (server.pid && server.exitCode === null) process.kill(-server.pid);
}
