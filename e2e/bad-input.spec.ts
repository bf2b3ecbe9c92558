/**
 * Bad input never starts work and never loses anything: field errors are announced next to the
 * field, and a corrupt pack.json or a missing ONNX file gives a specific message.
 */
import { expect, test } from '@playwright/test';
import { fillForm, gallery, openApp } from './support/app';

// Route the pack files ourselves: requests answered by the service worker bypass page routes.
test.use({ serviceWorkers: 'block' });

test('invalid fields are announced next to the field and nothing starts', async ({ page }) => {
  await openApp(page);
  const generateButton = page.getByRole('button', { name: 'Generate' });

  await fillForm(page, { prompt: '   ', steps: 0, frames: 60 });
  await generateButton.click();
  await expect(page.getByRole('alert').filter({ hasText: 'Enter a prompt' })).toBeVisible();
  await expect(
    page.getByRole('alert').filter({ hasText: 'Steps must be a whole number from 1 to 50' }),
  ).toBeVisible();
  await expect(
    page.getByRole('alert').filter({ hasText: 'Frames must be a whole number from 1 to 49' }),
  ).toBeVisible();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('progressbar')).toHaveCount(0);

  // Fixing one field clears only its message on the next attempt; the other values are kept.
  await fillForm(page, { prompt: 'a red ball' });
  await generateButton.click();
  await expect(page.getByRole('alert').filter({ hasText: 'Enter a prompt' })).toHaveCount(0);
  await expect(page.getByRole('alert').filter({ hasText: 'Steps must be' })).toBeVisible();
  await expect(page.getByLabel('Frames')).toHaveValue('60');
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  await expect(gallery(page).getByRole('listitem')).toHaveCount(0);
});

test('a corrupt pack.json is reported with the fields that are wrong', async ({ page }) => {
  await page.route('**/models/demo-t2v/pack.json', async (route) => {
    const manifest = await (await route.fetch()).json();
    delete manifest.components.transformer.file;
    manifest.pipeline = 'teleport';
    await route.fulfill({ json: manifest });
  });
  await openApp(page);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Model pack "demo-t2v" cannot be used');
  await expect(alert).toContainText('components.transformer.file: expected a non-empty string');
  await expect(alert).toContainText('pipeline: "teleport" is not supported');
  await expect(page.getByRole('button', { name: 'Generate' })).toHaveCount(0);
});

test('pack.json that is not JSON gets its own message', async ({ page }) => {
  await page.route('**/models/demo-t2v/pack.json', (route) =>
    route.fulfill({ body: '{"schema": "webgp.pack/1",', contentType: 'application/json' }),
  );
  await openApp(page);
  await expect(page.getByRole('alert')).toContainText('not valid JSON');
});

test('a missing ONNX file fails the run with its name, keeping the form', async ({ page }) => {
  await page.route('**/models/demo-t2v/transformer.onnx', (route) =>
    route.fulfill({ status: 404, body: 'not found' }),
  );
  await openApp(page);
  await fillForm(page, { prompt: 'a blue ball', frames: 5, resolution: '128x128' });
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('alert')).toContainText('Model file transformer.onnx is missing from pack');
  await expect(page.getByRole('alert')).toContainText('HTTP 404');
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('a blue ball');
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled();
  await expect(gallery(page).getByRole('listitem')).toHaveCount(0);
});

test('a corrupted ONNX file fails its integrity check', async ({ page }) => {
  await page.route('**/models/demo-t2v/vae_decoder.onnx', async (route) => {
    const body = await (await route.fetch()).body();
    const at = body.length - 10;
    body.writeUInt8(body.readUInt8(at) ^ 0xff, at);
    await route.fulfill({ body });
  });
  await openApp(page);
  await fillForm(page, { prompt: 'a green ball', frames: 5, resolution: '128x128' });
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('alert')).toContainText('vae_decoder.onnx failed its integrity check');
});
