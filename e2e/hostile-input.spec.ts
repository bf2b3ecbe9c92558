/**
 * Hostile files in the browser: a 3 KB MP4 whose stsz claims 0xFFFFFFFF samples is refused as
 * the Matting video within seconds; a queue file whose tasks carry Object prototype names as keys
 * imports its tasks; and markup payloads in a prompt, a loaded WanGP-style settings file (values
 * and key names), a queue file, a pack name, an imported LoRA's file name and a preset name are
 * shown as text and run no script.
 */
import { expect, type Page, test } from '@playwright/test';
import { strToU8, zipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildMp4 } from '../tools/fuzz/mp4-build';
import { fillForm, installFromUrl, openApp } from './support/app';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';
import { queueButton, queuedPrompts, rows } from './support/queue';

const PAYLOAD = '<img src=x onerror=alert(1)>';
const params = (prompt: string, extra: Record<string, unknown> = {}) => ({
  prompt,
  negative_prompt: '',
  seed: 1,
  num_inference_steps: 2,
  video_length: 5,
  resolution: '128x128',
  sample_solver: 'euler',
  flow_shift: 3,
  guidance_scale: 1,
  model_type: 'demo-t2v',
  ...extra,
});

/** Fails the test on any dialog (alert) and counts images whose src is the payload's "x". */
function guard(page: Page): { dialogs: string[] } {
  const seen = { dialogs: [] as string[] };
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  return seen;
}
const injectedImages = (page: Page) => page.locator('img[src="x"]').count();

test('a 3 KB MP4 with a huge stsz sample count is refused as the Matting video within seconds', async ({
  page,
}) => {
  await openApp(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Matting' }).click();
  const bytes = buildMp4({ stszCount: 0xffffffff, padTo: 3000 });
  const started = Date.now();
  await page
    .getByLabel('Video', { exact: true })
    .setInputFiles({ name: 'huge-stsz.mp4', mimeType: 'video/mp4', buffer: Buffer.from(bytes) });
  await expect(page.getByRole('alert')).toContainText(
    '"huge-stsz.mp4" cannot be read: The video\'s "stsz" table claims 4294967295 entries',
    { timeout: 10_000 },
  );
  await expect(page.getByRole('alert')).toContainText('Re-export the video');
  expect(Date.now() - started).toBeLessThan(10_000);
});

test('a queue file whose tasks carry prototype-named keys imports them', async ({ page }) => {
  await openApp(page);
  await queueButton(page, 'Pause').click();
  const items = [
    { id: 'a', params: params('first', { constructor: 1 }) },
    {
      id: 'b',
      params: JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(params('second')).slice(1)}`) as unknown,
    },
    { id: 'c', params: params('third', { toString: 'x', hasOwnProperty: [] }) },
  ];
  await page.getByLabel('Import queue').setInputFiles({
    name: 'proto.zip',
    mimeType: 'application/zip',
    buffer: Buffer.from(zipSync({ 'queue.json': strToU8(JSON.stringify(items)) })),
  });
  expect(JSON.stringify(items)).toContain('"__proto__":{"x":1}');
  await expect(page.getByTestId('import-notice')).toContainText('Imported 3 tasks from proto.zip');
  expect(await queuedPrompts(page)).toEqual(['first', 'second', 'third']);
});

test.describe('markup payloads stay text', () => {
  let server: PackServer;
  test.beforeEach(async () => {
    server = await startPackServer();
  });
  test.afterEach(async () => {
    await server.close();
  });

  test('in a prompt, a loaded settings file, a queue file and a pack name, no script runs', async ({
    page,
  }) => {
    const seen = guard(page);
    await openApp(page);
    await queueButton(page, 'Pause').click();

    await fillForm(page, { prompt: `prompt ${PAYLOAD}` });
    await page.getByRole('button', { name: 'Generate' }).click();
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).first()).toContainText(`prompt ${PAYLOAD}`);

    const settings = {
      type: `WanGP ${PAYLOAD}`,
      prompt: `loaded ${PAYLOAD}`,
      [PAYLOAD]: PAYLOAD,
      activated_loras: [`${PAYLOAD}.safetensors`],
      model_type: PAYLOAD,
    };
    await page.getByLabel('Load settings').setInputFiles({
      name: `${PAYLOAD}.json`.replace(/[<>/]/g, '_'),
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(settings)),
    });
    await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue(`loaded ${PAYLOAD}`);
    await expect(page.getByRole('main')).toContainText(PAYLOAD);

    const queue = [
      { id: PAYLOAD, params: params(`queued ${PAYLOAD}`) },
      { id: 'bad', params: params('x', { model_type: PAYLOAD }) },
    ];
    await page.getByLabel('Import queue').setInputFiles({
      name: 'payload.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from(zipSync({ 'queue.json': strToU8(JSON.stringify(queue)) })),
    });
    await expect(page.getByTestId('import-notice')).toContainText(`unknown model "${PAYLOAD}"`);
    await expect(rows(page).filter({ hasText: `queued ${PAYLOAD}` })).toHaveCount(1);

    servedCopy(server.root, 'demo-t2v', 'payload-t2v', `Pack ${PAYLOAD}`);
    await installFromUrl(page, `${server.url}payload-t2v/`);
    await expect(
      page
        .getByRole('region', { name: 'Installed packs' })
        .getByRole('heading', { name: `Pack ${PAYLOAD}`, exact: true }),
    ).toBeVisible();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Generate' }).click();
    await expect(
      page.getByLabel('Model', { exact: true }).locator('option', { hasText: `Pack ${PAYLOAD}` }),
    ).toHaveCount(1);

    expect(await injectedImages(page)).toBe(0);
    expect(seen.dialogs).toEqual([]);
  });
});

test('a LoRA file name and a preset name carrying markup are shown as text and run no script', async ({
  page,
}) => {
  const seen = guard(page);
  await page.goto('/?test-packs#/loras');
  await expect(page.locator('.lora-list[data-loaded="true"]')).toBeAttached();
  const lora = `${PAYLOAD}.safetensors`;
  await page.getByLabel('Import LoRA').setInputFiles({
    name: lora,
    mimeType: 'application/octet-stream',
    buffer: readFileSync(join(import.meta.dirname, '..', 'test-packs', 'loras', 'test-style.safetensors')),
  });
  await expect(page.locator('.lora-item')).toHaveCount(1);
  await expect(page.locator('.lora-item')).toContainText(lora);

  const preset = { loras: [lora], loras_mult: '0.5', prompt: `preset ${PAYLOAD}`, full_prompt: false };
  await page.getByLabel('Import preset').setInputFiles({
    name: `${PAYLOAD}.lset`,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(preset)),
  });
  const presets = page.getByRole('region', { name: 'Presets' });
  await expect(presets.locator('.preset-item')).toHaveAttribute('data-name', PAYLOAD);
  await expect(presets.locator('.preset-item')).toContainText(PAYLOAD);

  await page.getByRole('link', { name: 'Generate', exact: true }).click();
  await page.getByLabel('Model', { exact: true }).selectOption('test-t2v-random');
  await page.getByRole('link', { name: 'LoRAs', exact: true }).click();
  await presets.getByRole('button', { name: `Apply ${PAYLOAD}` }).click();
  // WanGP puts the preset's prompt above the one in the box (empty here).
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue(`preset ${PAYLOAD}\n`);
  await expect(page.getByLabel(lora)).toBeChecked();

  expect(await injectedImages(page)).toBe(0);
  expect(seen.dialogs).toEqual([]);
});
