/**
 * The soak (`npm run soak`, and with 5 kills e2e/soak.spec.ts): queues generation and matting
 * tasks on tiny packs, then closes the runner tab and opens a new one `kills` times at points
 * drawn from a seeded generator — in turn mid-step (a denoise step or matting frame before the last),
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
import { CLIP, makeClip, maskPngFile, tmpDir } from '../../e2e/support/matting';
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
/** Frames per matting task (of the 12-frame test clip) and denoise steps per generation task. */
const MATTING_FRAMES = 6;
const STEPS = 6;

/** Opens the app with the test packs listed and waits for its readiness marker. */
async function openRunner(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/?test-packs');
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached', timeout: WAIT });
  await showLatest(page);
  return page;
}

const queueRegion = (page: Page) => page.getByRole('region', { name: 'Queue' });
const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

async function queueButton(page: Page, name: string): Promise<void> {
  await queueRegion(page).getByRole('button', { name, exact: true }).click();
}

/** The number of tasks the Queue's summary line counts (the list itself is windowed to ~20 rows). */
async function taskCount(page: Page): Promise<number> {
  const text = (await page.getByTestId('queue-summary').textContent()) ?? '';
  return Number(/^(\d+) tasks?/.exec(text)?.[1] ?? 0);
}

async function waitForTasks(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) =>
      Number(
        /^(\d+) task/.exec(document.querySelector('[data-testid="queue-summary"]')?.textContent ?? '')?.[1],
      ) >= n,
    count,
    { timeout: WAIT },
  );
}

/** Scrolls the windowed queue list to its end, where the running task is once earlier batches are done. */
async function showLatest(page: Page): Promise<void> {
  await page.evaluate(() => {
    const list = document.querySelector('.queue-scroll');
    if (list) list.scrollTop = list.scrollHeight;
  });
}

async function addGeneration(page: Page, prompt: string, seed: number): Promise<void> {
  const before = await taskCount(page);
  await page.getByLabel('Model', { exact: true }).selectOption('test-t2v-random');
  await fillForm(page, { prompt, seed, steps: STEPS, frames: 5, resolution: '128x128', guidance: 1 });
  await page.getByRole('button', { name: 'Generate' }).click();
  await waitForTasks(page, before + 1);
}

async function addMatting(page: Page, clip: string, mask: string): Promise<void> {
  await nav(page, 'Matting').click();
  await page.getByLabel('Video', { exact: true }).setInputFiles(clip);
  await page
    .getByTestId('video-info')
    .filter({ hasText: `${CLIP.frames} frames` })
    .waitFor({ timeout: WAIT });
  await page.getByLabel('Upload mask').setInputFiles(mask);
  await page.locator('[data-testid="frame-viewer"][data-busy="false"]').waitFor({ timeout: WAIT });
  await page.getByLabel('End frame').fill(String(MATTING_FRAMES));
  await page.getByRole('button', { name: 'Run matting' }).click();
  await page.getByTestId('matting-queued').waitFor({ timeout: WAIT });
  await nav(page, 'Generate').click();
}

/**
 * Waits until the kill point is reached (or the running task ended first); `at` ∈ [0, 1) picks the
 * mid-step step. Returns what the running row said at that moment.
 */
async function reachPoint(page: Page, point: KillPoint, at: number): Promise<string> {
  const outputs = await page.getByRole('region', { name: 'Gallery' }).getByRole('listitem').count();
  const seen = await page.waitForFunction(
    ([point, at, outputs]) => {
      const row = document.querySelector('.queue-row[data-status="running"]');
      const text = row?.querySelector('.queue-status')?.textContent ?? '';
      if (!row) return 'between tasks';
      const m = /(\d+) of (\d+)/.exec(text);
      const step = m ? Number(m[1]) : 0;
      const total = m ? Number(m[2]) : Infinity;
      const cards = document.querySelectorAll('[aria-label="Gallery"] li').length;
      const reached =
        point === 'mid-step'
          ? step >= 1 + Math.floor(at * (total - 1))
          : point === 'encode'
            ? step >= total
            : cards > (outputs as number);
      return reached && (point === 'save' ? `${text}, new output saved` : text);
    },
    [point, at, outputs] as const,
    { timeout: WAIT, polling: 'raf' },
  );
  return String(await seen.jsonValue());
}

/** Runs the soak in `context` (a fresh browser context whose baseURL serves the built app). */
export async function runSoak(context: BrowserContext, o: SoakOptions): Promise<SoakCounts> {
  const log = o.log ?? (() => {});
  const rng = mulberry32(o.seed);
  const dir = tmpDir();
  const clip = makeClip(dir);
  const mask = maskPngFile(dir, 'mask.png', 0);
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
      await addMatting(page, join(dir, name), mask);
      titles.push(`Matting ${name}`);
    }
    await queueButton(page, 'Resume');
    await showLatest(page);
    batch++;
  };
  await queueBatch();
  log('queued');

  const byPoint: Record<KillPoint, number> = { 'mid-step': 0, encode: 0, save: 0 };
  // The points take turns from a seeded start, so even 5 kills reach each of them.
  const offset = Math.floor(rng() * POINTS.length);
  for (let kill = 1; kill <= o.kills; kill++) {
    const running = page.locator('.queue-row[data-status="running"]');
    const summary = (await page.getByTestId('queue-summary').textContent()) ?? '';
    if (!/\d+ (running|pending)/.test(summary)) await queueBatch();
    await running.first().waitFor({ timeout: WAIT });
    const point = POINTS[(offset + kill) % POINTS.length] as KillPoint;
    const at = await reachPoint(page, point, rng());
    await page.close();
    byPoint[point]++;
    log(`kill ${kill}/${o.kills}: ${point} (${at})`);
    page = await openRunner(context);
  }

  await page
    .waitForFunction(
      () =>
        !/\d+ (running|pending|paused)/.test(
          document.querySelector('[data-testid="queue-summary"]')?.textContent ?? '1 pending',
        ),
      undefined,
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
