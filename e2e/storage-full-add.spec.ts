/**
 * Storage full when a task is added: the alert says so and the task is not shown as queued
 * (it was never stored, so a reload would lose it anyway); the queue before it is untouched.
 */
import { expect, test } from '@playwright/test';
import { fillForm, openApp } from './support/app';
import { queueButton, queuedPrompts, rows } from './support/queue';

test('a task the store refuses (QuotaExceededError) is not shown as queued, and the alert says why', async ({
  page,
}) => {
  // A disk cannot be filled from a test: refuse writes of queue records the way a full IndexedDB does while window.diskFull is set.
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if ((window as unknown as { diskFull?: boolean }).diskFull && this.name === 'tasks')
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.call(this, value, key);
    };
  });
  await openApp(page);
  await queueButton(page, 'Pause').click();
  await fillForm(page, { prompt: 'stored first', steps: 2, frames: 5, resolution: '128x128' });
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(rows(page)).toHaveCount(1);

  await page.evaluate(() => ((window as unknown as { diskFull: boolean }).diskFull = true));
  await fillForm(page, { prompt: 'no room for me', steps: 2, frames: 5, resolution: '128x128' });
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('alert')).toContainText(
    'Browser storage is full, so the queue could not be saved',
  );
  await expect(page.getByRole('alert')).toContainText('The task was not added.');
  await expect(rows(page)).toHaveCount(1);
  expect(await queuedPrompts(page)).toEqual(['stored first']);

  await page.evaluate(() => ((window as unknown as { diskFull: boolean }).diskFull = false));
  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  expect(await queuedPrompts(page)).toEqual(['stored first']);
});
