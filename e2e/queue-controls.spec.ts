/**
 * Per-task queue controls (Move up/down, Edit, Duplicate, Remove) and what a running queue does
 * for a user who looks away: the tab title, a Screen Wake Lock, and a notification on drain.
 */
import { expect, test } from '@playwright/test';
import { openApp } from './support/app';
import { addTask, queueButton, queuedPrompts, rowButton, rows, statusOf } from './support/queue';

const task = (prompt: string) => ({
  prompt,
  seed: 1,
  steps: 2,
  frames: 5,
  resolution: '128x128',
  guidance: 1,
});

test('Move up, Move down, Edit, Duplicate and Remove reorder and change pending tasks, and persist', async ({
  page,
}) => {
  await openApp(page);
  await queueButton(page, 'Pause').click();
  for (const p of ['alpha', 'beta', 'gamma']) await addTask(page, task(p));

  await rowButton(rows(page).nth(0), 'Move down').click();
  await expect.poll(() => queuedPrompts(page)).toEqual(['beta', 'alpha', 'gamma']);
  await rowButton(rows(page).nth(2), 'Move up').click();
  await expect.poll(() => queuedPrompts(page)).toEqual(['beta', 'gamma', 'alpha']);
  await expect(rowButton(rows(page).nth(0), 'Move up')).toBeDisabled();
  await expect(rowButton(rows(page).nth(2), 'Move down')).toBeDisabled();

  // Edit loads the task into the form; "Update task" saves it back in place.
  await rowButton(rows(page).nth(1), 'Edit').click();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('gamma');
  await page.getByLabel('Prompt', { exact: true }).fill('gamma, edited');
  await page.getByLabel('Seed', { exact: true }).fill('77');
  await page.getByRole('button', { name: 'Update task' }).click();
  await expect.poll(() => queuedPrompts(page)).toEqual(['beta', 'gamma, edited', 'alpha']);
  await expect(rows(page).nth(1)).toContainText('seed 77');
  await expect(page.getByRole('button', { name: 'Generate' })).toBeVisible();

  await rowButton(rows(page).nth(0), 'Duplicate').click();
  await expect.poll(() => queuedPrompts(page)).toEqual(['beta', 'beta', 'gamma, edited', 'alpha']);
  await rowButton(rows(page).nth(3), 'Remove').click();
  await expect.poll(() => queuedPrompts(page)).toEqual(['beta', 'beta', 'gamma, edited']);
  await expect(statusOf(rows(page).nth(1))).toHaveText('Pending');

  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  expect(await queuedPrompts(page)).toEqual(['beta', 'beta', 'gamma, edited']);
  await expect(rows(page).nth(2)).toContainText('seed 77');
});

test('a running queue shows progress in the title, holds a wake lock, and notifies when it drains', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['notifications']);
  await page.addInitScript(() => {
    const log: string[] = [];
    (window as unknown as { attentionLog: string[] }).attentionLog = log;
    class RecordingNotification {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      constructor(title: string, opts?: { body?: string }) {
        log.push(`notify: ${title} / ${opts?.body ?? ''}`);
      }
    }
    Object.defineProperty(window, 'Notification', { value: RecordingNotification });
    Object.defineProperty(navigator, 'wakeLock', {
      value: {
        request: async () => {
          log.push('wake lock');
          const sentinel = new EventTarget() as EventTarget & { release: () => Promise<void> };
          sentinel.release = async () => {
            log.push('wake lock released');
            sentinel.dispatchEvent(new Event('release'));
          };
          return sentinel;
        },
      },
    });
  });
  await openApp(page);
  await expect(page).toHaveTitle('WebGP');
  await queueButton(page, 'Pause').click();
  await addTask(page, { ...task('first of two'), steps: 20, frames: 17, resolution: '256x256' });
  await addTask(page, task('second of two'));
  await queueButton(page, 'Resume').click();
  await expect(page).toHaveTitle(/^\[\d+\/20\] \+1 queued · WebGP$/);
  await expect(statusOf(rows(page).nth(1))).toHaveText('Done');
  await expect(page).toHaveTitle('WebGP');
  const log = await page.evaluate(() => (window as unknown as { attentionLog: string[] }).attentionLog);
  expect(log).toEqual(['wake lock', 'wake lock released', 'notify: WebGP: the queue is done / 2 finished.']);
});
