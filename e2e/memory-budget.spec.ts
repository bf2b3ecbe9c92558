/**
 * The GPU memory budget in Chromium (WebGPU on SwiftShader): test-zimage installed from a local
 * pack server generates with all sessions resident under the automatic budget, then, with a
 * budget below the pack's size set in Settings, with its sessions one phase at a time; the
 * "Last run" line says which, the two images are identical, and the setting survives a reload.
 * The Models page shows a real pack's GPU memory per phase, read from its bundled pack.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { decodePng } from '../src/engine/media/png-decode';
import { parseManifestText } from '../src/engine/pack/manifest';
import { downloadNewest, fillForm, generate, installPack, openApp } from './support/app';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';

const TEST_PACKS = join(import.meta.dirname, '..', 'test-packs');
const ID = 'test-zimage';
const SEQUENTIAL = /larger than the GPU memory budget .* ran one at a time/;

let server: PackServer;
test.beforeEach(async () => {
  server = await startPackServer();
});
test.afterEach(async () => {
  await server.close();
});

test('a budget below the pack runs it one phase at a time with the same image, and is kept', async ({
  page,
}) => {
  const manifest = parseManifestText(readFileSync(join(TEST_PACKS, ID, 'pack.json'), 'utf8'));
  const name = `Served ${manifest.name}`;
  servedCopy(server.root, ID, `served-${ID}`, name, undefined, TEST_PACKS);

  await openApp(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await installPack(page, `${server.url}served-${ID}/`, name);

  await nav.getByRole('link', { name: 'Generate' }).click();
  await page.getByLabel('Model', { exact: true }).selectOption({ label: name });
  await fillForm(page, { prompt: 'a red ball on a blue table', seed: 7 });
  await generate(page);
  const info = page.getByTestId('backend-info');
  await expect(info).toContainText('WebGPU');
  await expect(info).not.toContainText(SEQUENTIAL);
  const resident = decodePng(new Uint8Array(readFileSync((await downloadNewest(page)).path)));

  await page.getByText('Settings', { exact: true }).click();
  const budget = page.getByLabel('GPU memory budget (GiB)');
  await budget.fill('-1');
  await budget.press('Tab');
  await expect(page.locator('#gpu-budget-error')).toContainText('Enter the GPU memory in GiB');
  // 0.0001 GiB ≈ 107 KB: less than test-zimage's ~130 KB of graphs.
  await budget.fill('0.0001');
  await budget.press('Tab');
  await expect(page.locator('#gpu-budget-error')).toHaveCount(0);
  await generate(page);
  await expect(info).toContainText(SEQUENTIAL);
  const sequential = decodePng(new Uint8Array(readFileSync((await downloadNewest(page)).path)));
  expect(sequential.width).toBe(resident.width);
  expect(Buffer.from(sequential.rgba).equals(Buffer.from(resident.rgba))).toBe(true);

  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await page.getByText('Settings', { exact: true }).click();
  await expect(page.getByLabel('GPU memory budget (GiB)')).toHaveValue('0.0001');
});

test('the Models page shows the sessions of each Z-Image-Turbo phase from its pack.json, and the peak phase, not the sum', async ({
  page,
}) => {
  await openApp(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
  const card = page.locator('li[data-pack-id="z-image-turbo"]');
  await card.getByText('Details', { exact: true }).click();
  await expect(card.getByTestId('pack-phases')).toHaveText(
    'encode-text 2.22 GB → denoise 3.70 GB → decode 99.3 MB; run one phase at a time over the GPU memory budget (Settings), else 6.02 GB loaded together',
  );
  // 3.70 GB of denoise sessions + the registry's 1.56 GB working-memory estimate.
  await expect(card).toContainText('≈ 5.26 GB');
});
