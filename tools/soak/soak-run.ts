/**
 * The soak (`npm run soak`, and with 5 kills e2e/soak.spec.ts): queues generation and matting
 * tasks on tiny packs, then closes the runner tab and opens a new one `kills` times at points
 * drawn from a seeded generator — mid-step (a denoise step or matting frame before the last),
 * during encode (the last step reached: decode and mux), during save (the Gallery shows the new
 * output while the task's "done" record may still be on its way to IndexedDB). At the end it lets
 * the queue drain and compares what is stored (soak.html, read through src/storage) with what
 * was queued.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../src/engine/random';
import type { SoakSnapshot } from '../../src/app/soak-check';
import { fillForm } from '../../e2e/support/app';
import { CLIP, makeClip, squareX, tmpDir } from '../../e2e/support/matting';
import { type SoakCounts, soakCounts } from './soak-counts';

export interface SoakOptions {
  kills: number;
  seed: number;
  /** Generation tasks queued per batch (a new batch is queued when the queue runs dry). */
  generations?: number;
  /** Matting tasks queued in the first batch. */
  mattings?: number;
  log?: (line: string) => void;
}

export type KillPoint = 'mid-step' | 'encode' | 'save';
const POINTS: KillPoint[] = ['mid-step', 'encode', 'save'];
const WAIT = 90_000;
const FINISHED = ['done', 'failed', 'aborted'];

/** Opens the app with the test packs listed and waits for its readiness marker. */
async function openRunner(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/?test-packs');
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached', timeout: WAIT });
  return page;
}

const queueRegion = (page: Page) => page.getByRole('region', { name: 'Queue' });
const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

async function queueButton(page: Page, name: string): Promise<void> {
  await queueRegion(page).getByRole('button', { name, exact: true }).click();
}

async function waitForRows(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('.queue-row').length >= n, count, {
    timeout: WAIT,
  });
}

async function addGeneration(page: Page, prompt: string, seed: number): Promise<void> {
  const before = await page.locator('.queue-row').count();
  await page.getByLabel('Model', { exact: true }).selectOption('test-t2v-random');
  await fillForm(page, { prompt, seed, steps: 6, frames: 5, resolution: '128x128', guidance: 1 });
  await page.getByRole('button', { name: 'Generate' }).click();
  await waitForRows(page, before + 1);
}

async function addMatting(page: Page, clip: string): Promise<void> {
  await nav(page, 'Matting').click();
  await page.getByLabel('Video', { exact: true }).setInputFiles(clip);
  await page
    .getByTestId('video-info')
    .filter({ hasText: `${CLIP.frames} frames` })
    .waitFor({ timeout: WAIT });
  const viewer = page.getByTestId('frame-viewer');
  const box = await viewer.boundingBox();
  if (!box) throw new Error('soak: the frame viewer is not visible');
  await viewer.click({
    position: {
      x: ((squareX(0) + 10.5) / CLIP.width) * box.width,
      y: ((CLIP.y + 10.5) / CLIP.height) * box.height,
    },
  });
  await page.locator('[data-testid="frame-viewer"][data-busy="false"]').waitFor({ timeout: WAIT });
  await page.getByRole('button', { name: 'Run matting' }).click();
  await page.getByTestId('matting-queued').waitFor({ timeout: WAIT });
  await nav(page, 'Generate').click();
}

/** Waits until the kill point is reached (or the running task ended first). */
async function reachPoint(page: Page, point: KillPoint, target: number): Promise<void> {
  const outputs = await page.getByRole('region', { name: 'Gallery' }).getByRole('listitem').count();
  await page.waitForFunction(
    ([point, target, outputs]) => {
      const row = document.querySelector('.queue-row[data-status="running"]');
      if (!row) return true;
      const m = /(\d+) of (\d+)/.exec(row.querySelector('.queue-status')?.textContent ?? '');
      const step = m ? Number(m[1]) : 0;
      const total = m ? Number(m[2]) : Infinity;
      if (point === 'mid-step') return step >= Math.min(target, total - 1);
      if (point === 'encode') return step >= total;
      const cards = document.querySelectorAll('[aria-label="Gallery"] li').length;
      return cards > (outputs as number);
    },
    [point, target, outputs] as const,
    { timeout: WAIT, polling: 'raf' },
  );
}

/** Runs the soak in `context` (a fresh browser context whose baseURL serves the built app). */
export async function runSoak(context: BrowserContext, o: SoakOptions): Promise<SoakCounts> {
  const log = o.log ?? (() => {});
  const rng = mulberry32(o.seed);
  const dir = tmpDir();
  const clip = makeClip(dir);
  const titles: string[] = [];
  let page = await openRunner(context);
  await page.getByText('Settings', { exact: true }).click();
  await page.getByLabel('Backend').selectOption('wasm');
  await page.getByLabel('Video encoder').selectOption('ffmpeg');

  let batch = 0;
  const queueBatch = async () => {
    await queueButton(page, 'Pause');
    const mattings = batch === 0 ? (o.mattings ?? 2) : 0;
    for (let i = 0; i < (o.generations ?? 4); i++) {
      const prompt = `soak ${batch}.${i}: a kite over a lake`;
      await addGeneration(page, prompt, 1000 * batch + i);
      titles.push(prompt);
    }
    for (let i = 0; i < mattings; i++) {
      const name = `soak-${batch}-${i}.mp4`;
      copyFileSync(clip, join(dir, name));
      await addMatting(page, join(dir, name));
      titles.push(`Matting ${name}`);
    }
    await queueButton(page, 'Resume');
    batch++;
  };
  await queueBatch();

  const byPoint: Record<KillPoint, number> = { 'mid-step': 0, encode: 0, save: 0 };
  for (let kill = 1; kill <= o.kills; kill++) {
    const running = page.locator('.queue-row[data-status="running"]');
    const live = page.locator('.queue-row[data-status="running"], .queue-row[data-status="pending"]');
    if ((await live.count()) === 0) await queueBatch();
    await running.first().waitFor({ timeout: WAIT });
    const point = POINTS[Math.floor(rng() * POINTS.length)] as KillPoint;
    const target = 1 + Math.floor(rng() * 11);
    await reachPoint(page, point, target);
    const at =
      (await running
        .first()
        .locator('.queue-status')
        .textContent()
        .catch(() => null)) ?? 'between tasks';
    await page.close();
    byPoint[point]++;
    log(`kill ${kill}/${o.kills}: ${point} (${at})`);
    page = await openRunner(context);
  }

  await page
    .waitForFunction(
      (finished) =>
        [...document.querySelectorAll('.queue-row')].every((r) =>
          finished.includes(r.getAttribute('data-status') ?? ''),
        ),
      FINISHED,
      { timeout: 4 * WAIT, polling: 500 },
    )
    .catch(() => log('the queue did not drain: counting what is still open as stuck'));
  const check = await context.newPage();
  await check.goto('/soak.html');
  await check.locator('body[data-done]').waitFor({ state: 'attached', timeout: WAIT });
  const text = (await check.locator('#result').textContent()) ?? '';
  if ((await check.locator('body').getAttribute('data-done')) !== 'ok')
    throw new Error(`soak check: ${text}`);
  await check.close();
  await page.close();
  return { ...soakCounts(titles, JSON.parse(text) as SoakSnapshot), kills: o.kills, byPoint };
}
