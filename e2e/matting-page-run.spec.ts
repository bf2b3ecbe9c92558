/**
 * The Matting page at 390×844 follows its own run: after "Run matting" it shows frame k of n
 * (with an ETA once frames have passed) and Pause/Abort, then the finished outputs on the page —
 * a player with the video's aspect ratio and a download link per file — without visiting Generate.
 */
import { expect, type Page, test } from '@playwright/test';
import { chooseSetting, openApp } from './support/app';
import { CLIP, makeClip, squareX, tmpDir } from './support/matting';

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true });

let clip = '';
test.beforeAll(() => {
  clip = makeClip(tmpDir());
});

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

test('on a phone, the Matting page shows its run progress, Pause/Abort and then its outputs', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await openApp(page);
  await chooseSetting(page, 'Backend', 'wasm');
  await page.getByLabel('Video encoder').selectOption('ffmpeg');
  await nav(page, 'Matting').click();
  await page.getByLabel('Video', { exact: true }).setInputFiles(clip);
  await expect(page.getByTestId('video-info')).toContainText(`${CLIP.frames} frames`);
  const viewer = page.getByTestId('frame-viewer');
  const box = await viewer.boundingBox();
  if (!box) throw new Error('frame viewer not visible');
  await viewer.click({
    position: {
      x: ((squareX(0) + 10.5) / CLIP.width) * box.width,
      y: ((CLIP.y + 10.5) / CLIP.height) * box.height,
    },
  });
  await expect(viewer).toHaveAttribute('data-busy', 'false');

  await page.getByRole('button', { name: 'Run matting' }).click();
  await expect(page.getByTestId('matting-progress')).toHaveText(/frame \d+ of 12( · about \d+ s left)?\./, {
    timeout: 60_000,
  });
  await expect(page.getByRole('button', { name: 'Abort' })).toBeVisible();
  await expect(
    page.getByRole('button', { name: 'Pause' }).or(page.getByRole('button', { name: 'Resume' })),
  ).toBeVisible();

  const result = page.getByTestId('matting-result');
  await expect(result.getByRole('link', { name: /^Download square.*\.mp4$/ }).first()).toBeVisible({
    timeout: 120_000,
  });
  const names = await result.getByRole('link').allTextContents();
  expect(names.some((n) => /_alpha\.mp4$/.test(n))).toBe(true);
  expect(names.some((n) => /_rgba\.zip$/.test(n))).toBe(true);
  const player = result.locator('video');
  await expect(player).toBeVisible();
  const size = await player.boundingBox();
  expect(size!.width / size!.height).toBeCloseTo(CLIP.width / CLIP.height, 1);
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
  ).toBe(0);
});
