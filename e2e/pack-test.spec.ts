/**
 * "Test this pack" on the Models page: a pack installed from the local pack server passes with
 * a time per stage; test-nan (its transformer emits NaN) fails naming the transformer stage and
 * "not finite"; both results are kept with the install records and shown again after a reload.
 * Bundled packs, the video (SAM, MatAnyone) demo packs included, can be tested too (result kept for the tab).
 */
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { installFromUrl, openApp } from './support/app';
import { packRecord } from './support/installed';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';

const TEST_PACKS = join(import.meta.dirname, '..', 'test-packs');
const GOOD = { id: 'served-random', name: 'Served random pack (copy)' };
const NAN = { id: 'served-nan', name: 'Served NaN pack (copy)' };

let server: PackServer;

test.beforeEach(async () => {
  server = await startPackServer();
  servedCopy(server.root, 'test-t2v-random', GOOD.id, GOOD.name);
  servedCopy(server.root, 'test-nan', NAN.id, NAN.name, undefined, TEST_PACKS);
});
test.afterEach(async () => {
  await server.close();
});

const installedItem = (page: Page, name: string) =>
  page
    .getByRole('region', { name: 'Installed packs' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name, exact: true }) });

async function openModels(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
  await expect(page.getByRole('region', { name: 'Models' })).toBeVisible();
}

async function install(page: Page, id: string, name: string): Promise<void> {
  await installFromUrl(page, `${server.url}${id}/`);
  await expect(installedItem(page, name).getByTestId('install-state')).toHaveAttribute(
    'data-status',
    'installed',
  );
}

async function runTest(page: Page, name: string) {
  const item = installedItem(page, name);
  await item.getByRole('button', { name: `Test this pack: ${name}` }).click();
  const result = item.getByTestId('pack-test');
  await expect(result).toBeVisible();
  return result;
}

test('a served pack passes with stage times, test-nan fails at the transformer, and both results survive a reload', async ({
  page,
}) => {
  await openApp(page);
  await openModels(page);
  await install(page, GOOD.id, GOOD.name);
  const good = await runTest(page, GOOD.name);
  await expect(good).toHaveAttribute('data-result', 'pass');
  await expect(good).toContainText('Pass');
  await expect(good.getByTestId('pack-test-times')).toHaveText(
    /^load [\d.]+ ms · text-encoder [\d.]+ ms · transformer \(step 1\) [\d.]+ ms · vae-decoder [\d.]+ ms · total [\d.]+ ms$/,
  );
  await expect(good).toContainText('128x128, 1 frame, 1 step, seed 42');
  // The transfer count: on WebGPU the test's one inspection readback per step, and what went up.
  await expect(good.getByTestId('pack-test-transfers')).toHaveText(
    /^Transfers per denoise step: \d+ uploads? \([\d.]+ [KMG]?B\), 1 readback \([\d.]+ [KMG]?B\) · whole run [\d.]+ [KMG]?B up, [\d.]+ [KMG]?B back$/,
  );

  await install(page, NAN.id, NAN.name);
  const bad = await runTest(page, NAN.name);
  await expect(bad).toHaveAttribute('data-result', 'fail');
  await expect(bad.getByTestId('pack-test-reason')).toHaveText(
    /^— transformer \(step 1\): not finite: (\d+) of \1 values are NaN or ±Inf$/,
  );
  await expect(bad.getByTestId('pack-test-times')).not.toContainText('vae-decoder');

  const stored = (await packRecord(page, NAN.id)) as unknown as { test?: { pass: boolean; reason: string } };
  expect(stored.test).toMatchObject({
    pass: false,
    reason: expect.stringMatching(/^transformer \(step 1\): not finite/),
  });

  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await expect(installedItem(page, GOOD.name).getByTestId('pack-test')).toHaveAttribute(
    'data-result',
    'pass',
  );
  await expect(installedItem(page, NAN.name).getByTestId('pack-test-reason')).toContainText(
    'transformer (step 1): not finite',
  );
});

test('bundled packs can be tested from their cards: a generation pack and the demo SAM and MatAnyone packs', async ({
  page,
}) => {
  await openApp(page);
  await openModels(page);
  const card = (id: string) => page.getByRole('region', { name: 'Models' }).locator(`[data-pack-id="${id}"]`);
  const expected: Record<string, RegExp> = {
    'demo-t2v': /^load .* · transformer \(step 1\) .* · vae-decoder [\d.]+ ms · total/,
    'demo-sam': /^image-encoder [\d.]+ ms · mask-decoder [\d.]+ ms · total/,
    'demo-matanyone':
      /^matting-open [\d.]+ ms · matting-frame \(step 1\) [\d.]+ ms · matting-frame \(step 2\) [\d.]+ ms · total/,
  };
  for (const [id, times] of Object.entries(expected)) {
    await card(id)
      .getByRole('button', { name: /^Test this pack/ })
      .click();
    await expect(card(id).getByTestId('pack-test')).toHaveAttribute('data-result', 'pass');
    await expect(card(id).getByTestId('pack-test-times')).toHaveText(times);
  }
});
