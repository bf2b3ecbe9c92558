/**
 * The queue in real Chromium: tasks survive reloads in order, a second tab mirrors and controls
 * the runner, closing the runner tab mid-task hands the work over and the resumed output equals
 * an uninterrupted run, Abort frees the runner within a step, and the `status` request answers.
 */
import { expect, type Locator, type Page, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gallery } from './support/app';
import { decodeRgb } from './support/media';
import {
  addTask,
  openWithTestPacks,
  queueButton,
  queuedPrompts,
  rowButton,
  rows,
  statusOf,
  stepOf,
} from './support/queue';

// About 0.15 s a step on SwiftShader: long enough to close a tab or press Abort mid-run.
const LONG = {
  pack: 'test-t2v-random',
  prompt: 'long task: a green kite over a lake',
  seed: 7,
  steps: 40,
  frames: 17,
  resolution: '128x128',
  guidance: 3,
  negativePrompt: 'fog',
};
const SHORT = (prompt: string, seed: number) => ({
  pack: 'test-t2v-random',
  prompt,
  seed,
  steps: 3,
  frames: 5,
  resolution: '128x128',
  guidance: 1,
});

async function downloadItem(page: Page, item: Locator): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    item.getByRole('link', { name: 'Download' }).click(),
  ]);
  const path = join(mkdtempSync(join(tmpdir(), 'webgp-queue-')), download.suggestedFilename());
  await download.saveAs(path);
  return path;
}

test('queued tasks survive reload, a second tab resumes them, and closing the runner mid-task hands the work over with an identical result', async ({
  context,
}) => {
  test.setTimeout(300_000);
  const a = await context.newPage();
  await openWithTestPacks(a);
  await expect(a.getByTestId('queue-summary')).toContainText('this tab runs the queue');
  await queueButton(a, 'Pause').click();
  await addTask(a, LONG);
  await addTask(a, SHORT('second: a red boat', 11));
  await addTask(a, SHORT('third: a blue bird', 12));
  const order = [LONG.prompt, 'second: a red boat', 'third: a blue bird'];
  await expect(statusOf(rows(a).first())).toHaveText('Pending');

  await a.reload();
  await expect(a.locator('body[data-ready="true"]')).toBeAttached();
  await expect(rows(a)).toHaveCount(3);
  expect(await queuedPrompts(a)).toEqual(order);
  await expect(a.getByTestId('queue-summary')).toContainText('queue paused');

  const b = await context.newPage();
  await openWithTestPacks(b);
  await expect(rows(b)).toHaveCount(3);
  expect(await queuedPrompts(b)).toEqual(order);
  await expect(b.getByTestId('queue-summary')).toContainText('another tab runs the queue');

  // B's Resume reaches the runner (tab A), which starts the first task; B sees its steps live.
  await queueButton(b, 'Resume').click();
  await expect(statusOf(rows(b).first())).toHaveText(/^Running: step ([3-9]|\d\d) of 40$/);
  const closedAt = await stepOf(rows(b).first());
  await a.close();

  // B takes the runner lock and resumes the task from its last checkpoint, then runs the rest.
  await expect(b.getByTestId('queue-summary')).toContainText('this tab runs the queue');
  for (let i = 0; i < 3; i++) await expect(statusOf(rows(b).nth(i))).toHaveText('Done', { timeout: 200_000 });
  const resumedFrom = Number(
    /resumed from step (\d+)/.exec((await rows(b).first().textContent()) ?? '')?.[1],
  );
  expect(resumedFrom).toBeGreaterThanOrEqual(closedAt - 1); // the checkpoint of the last finished step
  expect(resumedFrom).toBeLessThan(40);

  // An uninterrupted run of the same task (Duplicate) gives the same frames.
  await rowButton(rows(b).first(), 'Duplicate').click();
  await expect(statusOf(rows(b).nth(1))).toHaveText('Done', { timeout: 200_000 });
  const items = gallery(b).getByRole('listitem').filter({ hasText: LONG.prompt });
  await expect(items).toHaveCount(2);
  const [uninterrupted, resumed] = [
    decodeRgb(await downloadItem(b, items.nth(0))),
    decodeRgb(await downloadItem(b, items.nth(1))),
  ];
  expect(resumed.length).toBe(128 * 128 * 3 * 17);
  expect(resumed.equals(uninterrupted)).toBe(true);
});

test('Abort stops the running task within a step and the queue moves on; a status request returns the JSON summary', async ({
  page,
}) => {
  await openWithTestPacks(page);
  await queueButton(page, 'Pause').click();
  await addTask(page, { ...LONG, prompt: 'to abort: a long flight' });
  await addTask(page, SHORT('after the abort', 5));

  const status = () =>
    page.evaluate(
      () =>
        new Promise<unknown>((resolve) => {
          const ch = new BroadcastChannel('webgp-queue');
          const requestId = crypto.randomUUID();
          ch.onmessage = (e: MessageEvent<{ type: string; requestId?: string; status?: unknown }>) => {
            if (e.data.type === 'status-reply' && e.data.requestId === requestId) {
              ch.close();
              resolve(e.data.status);
            }
          };
          ch.postMessage({ v: 1, type: 'status', requestId });
        }),
    );
  expect(await status()).toMatchObject({
    paused: true,
    running: null,
    queueLength: 2,
    counts: { pending: 2 },
    pending: [{ prompt: 'to abort: a long flight' }, { prompt: 'after the abort' }],
  });

  await queueButton(page, 'Resume').click();
  const first = rows(page).first();
  await expect(statusOf(first)).toHaveText(/^Running: step [2-9] of 40$/);
  expect(await status()).toMatchObject({
    paused: false,
    running: { prompt: 'to abort: a long flight', total: 40 },
    queueLength: 2,
  });
  const before = await stepOf(first);
  await queueButton(page, 'Abort').click();
  await expect(statusOf(first)).toHaveText(/^Aborted at step \d+ of 40$/);
  expect(await stepOf(first)).toBeLessThanOrEqual(before + 2); // the step in flight, plus one reported while clicking
  await expect(statusOf(rows(page).nth(1))).toHaveText('Done');
  await expect(rowButton(first, 'Retry')).toBeVisible();
  await expect(gallery(page).getByRole('listitem')).toHaveCount(1);
  expect(await status()).toMatchObject({ running: null, queueLength: 0, counts: { aborted: 1, done: 1 } });
});

test('reloading the runner tab mid-run resumes the task from its checkpoint in the same tab', async ({
  page,
}) => {
  // 30 steps of LONG take ~25 s alone; with another worker's test on the same 2 cores, over 60 s.
  test.setTimeout(240_000);
  await openWithTestPacks(page);
  await addTask(page, { ...LONG, prompt: 'reload me: a slow comet', steps: 30 });
  const row = rows(page).first();
  await expect(statusOf(row)).toHaveText(/^Running: step ([3-9]|\d\d) of 30$/);
  const reloadedAt = await stepOf(row);
  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await expect(statusOf(rows(page).first())).toHaveText('Done', { timeout: 200_000 });
  const resumedFrom = Number(
    /resumed from step (\d+)/.exec((await rows(page).first().textContent()) ?? '')?.[1],
  );
  expect(resumedFrom).toBeGreaterThanOrEqual(reloadedAt - 1);
  expect(resumedFrom).toBeLessThan(30);
  await expect(gallery(page).getByRole('listitem')).toHaveCount(1);
});
