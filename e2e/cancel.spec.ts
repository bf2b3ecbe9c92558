/** Cancel stops a running generation between steps: the task is aborted, nothing is saved, the next run works. */
import { expect, test } from '@playwright/test';
import { fillForm, gallery, generate, openApp } from './support/app';
import { rowButton, rows, statusOf } from './support/queue';

test('Cancel stops the run at a step boundary and saves nothing; the next run works', async ({ page }) => {
  await openApp(page);
  // Many guided steps (two transformer passes each) on the largest clip, so the run is still
  // denoising when Cancel is pressed.
  await fillForm(page, {
    prompt: 'a white bird flying up over the snow',
    steps: 50,
    frames: 49,
    resolution: '256x256',
    guidance: 3,
  });
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByText(/^Denoising: step \d+ of 50/)).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();

  // The task ends as aborted in the Queue; the checks below see the run's outcome.
  await expect(statusOf(rows(page).first())).toHaveText(/^Aborted at step \d+ of 50$/);
  await expect(rowButton(rows(page).first(), 'Retry')).toBeVisible();
  await expect(page.getByText(/^Done in/)).toHaveCount(0);
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(gallery(page).getByRole('listitem')).toHaveCount(0);
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue(
    'a white bird flying up over the snow',
  );

  // The worker is free again: a short run completes.
  await fillForm(page, { prompt: 'a white bird', steps: 2, frames: 5, resolution: '128x128', guidance: 1 });
  await generate(page);
  await expect(gallery(page).getByRole('listitem')).toHaveCount(1);
});
