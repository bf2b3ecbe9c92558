/**
 * The Gallery with two real outputs: filter, details (settings as inert text), Use settings,
 * selection exported as one zip equal to the single downloads, storage estimate, hover scrub,
 * and a delete that drops the item from selection and details.
 */
import { readFileSync } from 'node:fs';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { fillForm, gallery, generate, openApp } from './support/app';

const first = { prompt: 'a calm green meadow at dawn', seed: 11 };
const second = { prompt: 'a <b>tag</b> on a spinning top', seed: 22 };
const short = { steps: 2, frames: 5, resolution: '128x128', guidance: 1 };

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await d.path();
  return { name: d.suggestedFilename(), bytes: readFileSync(path) };
}

const fileNameOf = async (item: Locator) =>
  (await item.getByRole('link', { name: 'Download' }).getAttribute('download')) ?? '';

test('filter, details, use settings, zip export, storage estimate and hover scrub', async ({ page }) => {
  await openApp(page);
  await fillForm(page, { ...first, ...short });
  await generate(page);
  await fillForm(page, { ...second, ...short });
  await generate(page);

  const g = gallery(page);
  const items = g.getByRole('listitem');
  await expect(items).toHaveCount(2);
  await expect(items.first()).toContainText(second.prompt); // newest first, tags as text
  await expect(g.locator('b')).toHaveCount(0);
  await expect(g.getByTestId('storage-estimate')).toHaveText(/^Storage: .* used of .*\(\d+\.\d%\)$/);

  // Filter: case-insensitive on the prompt; no match shows a hint; the model and date selects keep both.
  const filter = g.getByLabel('Filter', { exact: true });
  await filter.fill('TAG');
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText(second.prompt);
  await expect(g).toContainText('Showing 1 of 2');
  await filter.fill('nothing like this');
  await expect(items).toHaveCount(0);
  await expect(g).toContainText('No outputs match the filter.');
  await filter.fill('');
  await g.getByLabel('Filter by model').selectOption('demo-t2v');
  await g.getByLabel('Filter by date').selectOption('Today');
  await expect(items).toHaveCount(2);
  await expect(g).toContainText('Showing 2 of 2');
  await g.getByLabel('Filter by model').selectOption('All models');
  await g.getByLabel('Filter by date').selectOption('Any time');
  await expect(g).not.toContainText('Showing');

  const [a, b] = [items.filter({ hasText: first.prompt }), items.filter({ hasText: second.prompt })];
  const [nameA, nameB] = [await fileNameOf(a), await fileNameOf(b)];

  // Details: every settings key, values as text.
  await b.getByRole('button', { name: 'Details' }).click();
  const details = page.getByRole('region', { name: 'Output details' });
  const value = (key: string) =>
    details.locator('dt', { hasText: new RegExp(`^${key}$`) }).locator('xpath=following-sibling::dd[1]');
  await expect(details.getByRole('heading', { name: nameB })).toBeVisible();
  await expect(value('num_inference_steps')).toHaveText('2');
  await expect(value('prompt')).toHaveText(second.prompt);
  await expect(value('seed')).toHaveText('22');
  await expect(value('model_type')).toHaveText('demo-t2v');
  await expect(value('Frames')).toHaveText('5');
  await expect(value('Resolution')).toHaveText('128×128');
  await expect(value('Size')).toHaveText(/^\d+(\.\d)? (B|KB|MB)$/);
  await expect(details.locator('b')).toHaveCount(0);
  await details.getByRole('button', { name: 'Close' }).click();
  await expect(details).toHaveCount(0);

  // Use settings on the other item fills the form.
  await fillForm(page, { prompt: 'something else', seed: 1 });
  await a.getByRole('button', { name: 'Use settings' }).click();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue(first.prompt);
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue(String(first.seed));

  // Export selected: one zip holding both MP4s, byte for byte the single downloads.
  const exportButton = g.getByRole('button', { name: 'Export selected' });
  await expect(exportButton).toBeDisabled();
  await a.getByRole('checkbox', { name: `Select ${nameA}` }).check();
  await g.getByRole('button', { name: 'Select all shown' }).click();
  await expect(b.getByRole('checkbox', { name: `Select ${nameB}` })).toBeChecked();
  const singles = [
    await download(page, () => a.getByRole('link', { name: 'Download' }).click()),
    await download(page, () => b.getByRole('link', { name: 'Download' }).click()),
  ];
  expect(singles.map((s) => s.name)).toEqual([nameA, nameB]);
  const zip = await download(page, () => exportButton.click());
  expect(zip.name).toMatch(/^webgp-outputs-\d{4}-\d\d-\d\d\.zip$/);
  const files = unzipSync(new Uint8Array(zip.bytes));
  expect(Object.keys(files).sort()).toEqual([nameA, nameB].sort());
  for (const s of singles) {
    expect(s.name).toMatch(/\.mp4$/);
    expect(files[s.name]?.byteLength).toBe(s.bytes.byteLength);
    expect(Buffer.from(files[s.name]!).equals(s.bytes)).toBe(true);
  }

  // Hover scrub: the thumbnail becomes the video, and 90% of the width seeks near the end.
  const media = a.locator('figure');
  await media.hover();
  const video = a.locator('video');
  await expect(video).toBeVisible();
  await expect(a.getByRole('img', { name: `Thumbnail: ${first.prompt}` })).toHaveCount(0);
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState >= 1 && v.duration > 0))
    .toBe(true);
  const box = (await media.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime / v.duration))
    .toBeGreaterThan(0.8);
  await page.mouse.move(0, 0);
  await expect(a.getByRole('img', { name: `Thumbnail: ${first.prompt}` })).toBeVisible();
  await expect(video).toHaveCount(0);

  // Deleting an open, selected item closes its details and leaves one selected.
  await b.getByRole('button', { name: 'Details' }).click();
  await expect(details).toBeVisible();
  await g.getByRole('button', { name: `Delete ${nameB}` }).click();
  await expect(items).toHaveCount(1);
  await expect(details).toHaveCount(0);
  await expect(g).toContainText('1 selected');
  await expect(exportButton).toBeEnabled();
});
