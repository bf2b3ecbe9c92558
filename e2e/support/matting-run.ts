/**
 * Running a queued matting task from the Matting page to its Gallery record, and checking its
 * alpha video against the test clip's true mask (matting.ts), for the matting e2e specs.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { join } from 'node:path';
import { alphaFrames, iou } from './matting';
import { rows, statusOf } from './queue';

/** A link of the main navigation ("Generate", "Matting", …). */
export const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

/**
 * Presses "Run matting", follows the task on the Generate page's queue to Done, and downloads the
 * record's foreground video, alpha video and RGBA zip into `dir`; returns their paths.
 */
export async function runAndDownload(
  page: Page,
  dir: string,
  whileRunning?: (row: Locator) => Promise<void>,
): Promise<{ foreground: string; alpha: string; zip: string }> {
  await page.getByRole('button', { name: 'Run matting' }).click();
  await expect(page.getByTestId('matting-queued')).toBeVisible();
  await nav(page, 'Generate').click();
  const row = rows(page).last();
  await whileRunning?.(row);
  await expect(statusOf(row)).toHaveText('Done', { timeout: 110_000 });
  const card = page.getByRole('region', { name: 'Gallery' }).getByRole('listitem').first();
  const save = async (click: () => Promise<void>) => {
    const [download] = await Promise.all([page.waitForEvent('download'), click()]);
    const path = join(dir, download.suggestedFilename());
    await download.saveAs(path);
    return path;
  };
  const foreground = await save(() => card.getByRole('link', { name: 'Download' }).click());
  const alpha = await save(() => card.getByRole('button', { name: /^Download .*_alpha\.mp4$/ }).click());
  const zip = await save(() => card.getByRole('button', { name: /^Download .*_rgba\.zip$/ }).click());
  return { foreground, alpha, zip };
}

/** The alpha video has `frames` frames, each matching the clip's true mask (IoU ≥ 0.9). */
export function expectAlphaVideo(path: string, frames: number): void {
  const alphas = alphaFrames(path);
  expect(alphas).toHaveLength(frames);
  alphas.forEach((a, n) => expect(iou(a, n), `alpha video frame ${n}`).toBeGreaterThanOrEqual(0.9));
}
