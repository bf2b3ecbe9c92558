/**
 * "Load settings": an output downloaded from WebGP, or an MP4 made elsewhere with a WanGP-style
 * comment, fills the form again (unicode, quotes and <tags> kept as plain text).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { downloadNewest, fillForm, gallery, generate, openApp } from './support/app';

const tricky = 'a "quoted" <b>red</b> ball — ünïcødé 日本 rolling left';

async function formValues(page: Page) {
  const value = (label: string) => page.getByLabel(label, { exact: true }).inputValue();
  return {
    prompt: await value('Prompt'),
    negative: await value('Negative prompt'),
    seed: await value('Seed'),
    steps: await value('Steps'),
    frames: await value('Frames'),
    resolution: await value('Resolution'),
    guidance: await value('Guidance'),
  };
}

test('a downloaded output loads back into the form', async ({ page }) => {
  await openApp(page);
  await fillForm(page, {
    prompt: tricky,
    negativePrompt: 'blue <i>sky</i>',
    seed: 777,
    steps: 3,
    frames: 5,
    resolution: '128x128',
    guidance: 2,
  });
  const wanted = await formValues(page);
  await generate(page);
  await expect(gallery(page).locator('b, i')).toHaveCount(0);
  await expect(gallery(page).getByRole('listitem').first()).toContainText(tricky);
  const file = await downloadNewest(page);

  await fillForm(page, {
    prompt: 'something else',
    negativePrompt: '',
    seed: 1,
    steps: 9,
    frames: 9,
    resolution: '256x256',
    guidance: 1,
  });
  await page.getByLabel('Load settings').setInputFiles(file.path);
  await expect(page.getByRole('status')).toContainText(
    `Loaded 9 settings from ${file.name} (made by WebGP).`,
  );
  expect(await formValues(page)).toEqual(wanted);
});

test('an MP4 made by WanGP fills the form and says what it could not use', async ({ page }) => {
  const settings = {
    type: 'WanGP v8.7 by DeepBeepMeep - Wan2.1 text2video 1.3B',
    prompt: 'a green cat moving right in the forest',
    negative_prompt: 'blurry',
    seed: 4321,
    num_inference_steps: 20,
    video_length: 33,
    resolution: '832x480',
    guidance_scale: 5,
    flow_shift: 5,
    activated_loras: ['detail.safetensors'],
    model_type: 't2v_1.3B',
  };
  const path = join(mkdtempSync(join(tmpdir(), 'webgp-wangp-')), 'wangp.mp4');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=black:s=64x64:d=0.2',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-metadata',
    `comment=${JSON.stringify(settings)}`,
    path,
  ]);
  await openApp(page);
  await page.getByLabel('Load settings').setInputFiles(path);
  const notice = page.getByRole('status');
  await expect(notice).toContainText('Loaded 7 settings from wangp.mp4 (made by WanGP).');
  await expect(notice).toContainText('another model (t2v_1.3B)');
  await expect(notice).toContainText(
    'Not applied: resolution 832x480 is not available for this model; LoRA detail.safetensors is not in your LoRA library (import it on the LoRAs page).',
  );
  await expect(notice).not.toContainText('Ignored keys');
  const v = await formValues(page);
  expect(v).toMatchObject({
    prompt: settings.prompt,
    negative: 'blurry',
    seed: '4321',
    steps: '20',
    frames: '33',
    resolution: '256x256',
    guidance: '5',
  });
});

test('a file without settings is refused with a message and changes nothing', async ({ page }) => {
  await openApp(page);
  await fillForm(page, { prompt: 'keep me' });
  await page
    .getByLabel('Load settings')
    .setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('not json') });
  await expect(page.getByRole('alert')).toContainText('notes.json: the settings are not valid JSON');
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('keep me');
});
