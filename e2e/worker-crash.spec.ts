/**
 * A worker that dies does not block the queue: closing the engine worker mid-run fails that task
 * within seconds with a message that says what happened and a Retry button, the next task runs
 * on a fresh worker, and Retry then completes the first one.
 */
import { expect, test } from '@playwright/test';
import { addTask, openWithTestPacks, queueButton, rowButton, rows, statusOf, stepOf } from './support/queue';

const LONG = {
  pack: 'test-t2v-random',
  prompt: 'long task: a kite',
  seed: 7,
  steps: 40,
  frames: 9,
  resolution: '128x128',
  guidance: 1,
};
const SHORT = {
  pack: 'test-t2v-random',
  prompt: 'short task: a boat',
  seed: 11,
  steps: 3,
  frames: 5,
  resolution: '128x128',
  guidance: 1,
};

test('closing the engine worker mid-run fails that task as retryable within seconds and the next task runs', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await openWithTestPacks(page);
  await queueButton(page, 'Pause').click();
  await addTask(page, LONG);
  await addTask(page, SHORT);
  await queueButton(page, 'Resume').click();
  const [first, second] = [rows(page).first(), rows(page).nth(1)];
  await expect.poll(() => stepOf(first), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);

  const engine = page.workers().find((w) => w.url().includes('engine.worker'));
  expect(engine, 'the engine worker is running').toBeDefined();
  const closedAt = Date.now();
  await engine!.evaluate(() => (self as unknown as { close(): void }).close()).catch(() => undefined);

  await expect(statusOf(first)).toHaveText(
    /^Failed: The engine worker stopped while working \(it crashed, ran out of memory or was closed\)\. .*press Retry/,
    { timeout: 10_000 },
  );
  expect(Date.now() - closedAt).toBeLessThan(10_000);
  await expect(rowButton(first, 'Retry')).toBeVisible();
  await expect(statusOf(second)).toHaveText(/^Done/, { timeout: 120_000 });

  await rowButton(first, 'Retry').click();
  await expect(statusOf(rows(page).filter({ hasText: LONG.prompt }).first())).toHaveText(/^Done/, {
    timeout: 180_000,
  });
});
