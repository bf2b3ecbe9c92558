/**
 * Outputs and metadata in real Chromium: name templates (OS-safe, " (2)" on collision), a
 * single-frame output as a PNG with its settings text chunk, a WanGP-style PNG filling the form,
 * JSON-sidecar mode, live previews, and a full disk during save that loses nothing.
 */
import { expect, type Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { addPngText } from '../src/engine/media/png-text';
import { readPngText } from '../src/engine/metadata/read-container';
import { downloadNewest, fillForm, gallery, generate, openApp } from './support/app';
import { probe } from './support/media';
import { rowButton, rows, statusOf } from './support/queue';

const short = { steps: 2, frames: 5, resolution: '128x128', guidance: 1 };

async function settingsTab(page: Page) {
  const summary = page.getByText('Settings', { exact: true });
  if (!(await page.getByLabel('Metadata', { exact: true }).isVisible())) await summary.click();
}

test('a name template builds OS-safe names from any prompt, and a collision gets " (2)"', async ({
  page,
}) => {
  await openApp(page);
  await settingsTab(page);
  await page.getByLabel('File name template').fill('{oops}');
  await expect(page.getByRole('alert')).toContainText('Unknown token {oops}');
  await page.getByLabel('File name template').fill('{pack}_{prompt(20)}_s{seed}');
  await expect(page.getByRole('alert')).toHaveCount(0);
  const prompt = 'a/b\\c:d*e?f"g<h>i|j ball';
  await fillForm(page, { ...short, prompt, seed: 5 });
  await generate(page);
  expect((await downloadNewest(page)).name).toBe('demo-t2v_a_b_c_d_e_f_g_h_i_j _s5.mp4');
  await generate(page);
  expect((await downloadNewest(page)).name).toBe('demo-t2v_a_b_c_d_e_f_g_h_i_j _s5 (2).mp4');

  // The template is a setting: it survives a reload.
  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await settingsTab(page);
  await expect(page.getByLabel('File name template')).toHaveValue('{pack}_{prompt(20)}_s{seed}');
});

test('a single frame is saved as a PNG whose text chunk loads back into the form', async ({ page }) => {
  await openApp(page);
  const prompt = 'a "quoted" <i>still</i> — 日本 star';
  await fillForm(page, { ...short, frames: 1, prompt, seed: 31, negativePrompt: 'dull' });
  await generate(page);
  const file = await downloadNewest(page);
  expect(file.name).toMatch(/_seed31_.*\.png$/);
  const text = await readPngText(new Uint8Array(readFileSync(file.path)));
  expect(JSON.parse(text.comment ?? '{}')).toMatchObject({
    prompt,
    negative_prompt: 'dull',
    seed: 31,
    video_length: 1,
    type: 'WebGP 0.1.0 - demo-t2v',
  });
  await expect(
    page.getByRole('region', { name: 'Progress' }).getByRole('img', { name: /^Generated image/ }),
  ).toBeVisible();

  await fillForm(page, { ...short, prompt: 'something else', seed: 1, negativePrompt: '' });
  await page.getByLabel('Load settings').setInputFiles(file.path);
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue(prompt);
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('31');
  await expect(page.getByLabel('Frames', { exact: true })).toHaveValue('1');
});

test('a PNG made by WanGP (settings in a text chunk) fills the form', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'webgp-wangp-png-'));
  const plain = join(dir, 'plain.png');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=red:s=32x32',
    '-frames:v',
    '1',
    plain,
  ]);
  const settings = {
    type: 'WanGP v8.7 by DeepBeepMeep - Qwen image',
    prompt: 'a lighthouse at dusk',
    negative_prompt: 'text',
    seed: 99,
    num_inference_steps: 12,
    guidance_scale: 4,
    image_mode: 1,
  };
  const path = join(dir, 'wangp.png');
  writeFileSync(path, addPngText(new Uint8Array(readFileSync(plain)), 'comment', JSON.stringify(settings)));
  await openApp(page);
  await page.getByLabel('Load settings').setInputFiles(path);
  await expect(page.getByRole('status')).toContainText('Loaded 5 settings from wangp.png (made by WanGP).');
  await expect(page.getByRole('status')).toContainText('Ignored keys: image_mode.');
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('a lighthouse at dusk');
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('99');
  await expect(page.getByLabel('Steps', { exact: true })).toHaveValue('12');
});

test('sidecar mode keeps a JSON next to the output (none in the MP4), and the zip export carries both', async ({
  page,
}) => {
  await openApp(page);
  await settingsTab(page);
  await page.getByLabel('Metadata', { exact: true }).selectOption('json');
  await fillForm(page, { ...short, prompt: 'sidecar: a teal cube', seed: 8 });
  await generate(page);
  const file = await downloadNewest(page);
  expect(probe(file.path).comment).toEqual({});

  const item = gallery(page).getByRole('listitem').first();
  await item.getByRole('checkbox', { name: `Select ${file.name}` }).check();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    gallery(page).getByRole('button', { name: 'Export selected' }).click(),
  ]);
  const entries = unzipSync(new Uint8Array(readFileSync(await download.path())));
  const json = file.name.replace(/\.mp4$/, '.json');
  expect(Object.keys(entries).sort()).toEqual([json, file.name].sort());
  expect(Buffer.from(entries[file.name] as Uint8Array).equals(readFileSync(file.path))).toBe(true);
  expect(JSON.parse(new TextDecoder().decode(entries[json]))).toMatchObject({
    prompt: 'sidecar: a teal cube',
    seed: 8,
    num_inference_steps: 2,
  });
});

test('live previews of the latent show while denoising', async ({ page }) => {
  await openApp(page);
  await fillForm(page, {
    prompt: 'a big red ball rolling left at night',
    steps: 40,
    frames: 17,
    resolution: '256x256',
    guidance: 3,
  });
  await page.getByRole('button', { name: 'Generate' }).click();
  const preview = page.getByRole('img', { name: /^Live preview at step \d+ of 40$/ });
  await expect(preview).toBeVisible();
  // The demo pack's projection is its decoder's colour map: a red disc on a dark background.
  await expect
    .poll(() =>
      preview.locator('canvas').evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
        let red = 0;
        for (let i = 0; i < d.length; i += 4) if ((d[i] as number) > 150 && (d[i + 1] as number) < 100) red++;
        return red;
      }),
    )
    .toBeGreaterThan(0);
  await expect(page.getByText(/^Done in/)).toBeVisible();
  await expect(preview).toHaveCount(0);
});

test('a full disk during save shows a clear message, fails the task retryably, and damages nothing saved', async ({
  page,
}) => {
  // A disk cannot be filled from a test: refuse writes of output records the way a full
  // IndexedDB does (QuotaExceededError from put) while window.diskFull is set.
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      const full = (window as unknown as { diskFull?: boolean }).diskFull;
      if (full && this.name === 'outputs')
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.call(this, value, key);
    };
  });
  await openApp(page);
  await fillForm(page, { ...short, prompt: 'first: saved before the disk filled', seed: 1 });
  await generate(page);
  const first = await downloadNewest(page);

  await page.evaluate(() => ((window as unknown as { diskFull: boolean }).diskFull = true));
  await fillForm(page, { ...short, prompt: 'second: no room for me', seed: 2 });
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('alert')).toContainText(
    'Browser storage is full, so this output could not be saved',
  );
  const failed = rows(page).nth(1);
  await expect(statusOf(failed)).toHaveText(/^Failed: Browser storage is full/);
  await expect(rowButton(failed, 'Retry')).toBeVisible();
  await expect(gallery(page).getByRole('listitem')).toHaveCount(1);
  const again = await downloadNewest(page);
  expect(readFileSync(again.path).equals(readFileSync(first.path))).toBe(true);

  await page.evaluate(() => ((window as unknown as { diskFull: boolean }).diskFull = false));
  await rowButton(failed, 'Retry').click();
  await expect(statusOf(failed)).toHaveText('Done');
  await expect(gallery(page).getByRole('listitem')).toHaveCount(2);
  await expect(page.getByRole('alert')).toHaveCount(0);
});
