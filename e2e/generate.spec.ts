/**
 * The walking skeleton end to end on WebGPU (SwiftShader): generate from the UI, play it,
 * download an H.264 MP4 whose frames equal the analytic target and whose comment tag holds the
 * settings, and find it again after a reload.
 */
import { expect, test } from '@playwright/test';
import { chooseSetting, downloadNewest, fillForm, gallery, generate, openApp } from './support/app';
import { compareWithReference, encodedByX264, probe } from './support/media';
import { ffmpegCoreCached, waitForServiceWorker } from './support/service-worker';

// H.264 (yuv420p) is lossy: the decoded clip must match the exact analytic frames on average
// within 2/255 per channel (measured 0.73 WebCodecs, 1.15 libx264) and everywhere within 24/255
// (measured 11: chroma subsampling at the disc's soft edge).
const MEAN_TOLERANCE = 2;
const MAX_TOLERANCE = 24;

const request = {
  prompt: 'a big red ball rolling left at night',
  negativePrompt: '',
  guidance: 1,
  frames: 9,
  resolution: '128x128',
};

test('generates a playable MP4 equal to the analytic target, with its settings, kept after reload', async ({
  page,
}) => {
  await openApp(page);
  await expect(page.getByText('Demo pack, not a real video model.')).toBeVisible();
  await fillForm(page, { ...request, seed: 42, steps: 6 });
  await generate(page);

  await expect(page.getByTestId('backend-info')).toContainText('WebGPU');
  const video = page.getByRole('region', { name: 'Progress' }).locator('video');
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && v.duration > 0))
    .toBe(true);

  const file = await downloadNewest(page);
  expect(file.name).toMatch(
    /^\d{4}-\d\d-\d\d-\d\dh\d\dm\d\ds_seed42_a big red ball rolling left at night\.mp4$/,
  );
  const info = probe(file.path);
  expect(info).toMatchObject({ codec: 'h264', width: 128, height: 128, frames: 9 });
  expect(info.comment).toMatchObject({
    prompt: request.prompt,
    negative_prompt: '',
    seed: 42,
    num_inference_steps: 6,
    video_length: 9,
    resolution: '128x128',
    sample_solver: 'euler',
    flow_shift: 3,
    guidance_scale: 1,
    model_type: 'demo-t2v',
    pack_version: '1.0.0',
    backend: 'webgpu',
    muxer: 'mediabunny',
  });
  expect(encodedByX264(file.path)).toBe(false); // WebCodecs fast path
  expect(info.encoderTag ?? '').not.toMatch(/Lavf/); // muxed by mediabunny, not ffmpeg
  const diff = compareWithReference(file.path, request);
  expect(diff.mean).toBeLessThanOrEqual(MEAN_TOLERANCE);
  expect(diff.max).toBeLessThanOrEqual(MAX_TOLERANCE);

  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  const items = gallery(page).getByRole('listitem');
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText(request.prompt);
  expect((await downloadNewest(page)).name).toBe(file.name);
});

test('classifier-free guidance with a negative prompt lands on the guided target', async ({ page }) => {
  const cfg = {
    prompt: 'a small yellow star moving up over the ocean',
    negativePrompt: 'red',
    guidance: 2.5,
    frames: 5,
    resolution: '192x320',
  };
  await openApp(page);
  await fillForm(page, { ...cfg, steps: 4 });
  await generate(page);
  const file = await downloadNewest(page);
  expect(probe(file.path)).toMatchObject({ codec: 'h264', width: 192, height: 320, frames: 5 });
  expect(compareWithReference(file.path, cfg).mean).toBeLessThanOrEqual(MEAN_TOLERANCE);
});

test('the ffmpeg.wasm fallback encoder writes the same clip; its core loads on first need, not precached, and is cached for a later offline run', async ({
  page,
  context,
}) => {
  await openApp(page);
  await waitForServiceWorker(page);
  expect(await ffmpegCoreCached(page)).toEqual({ precached: 0, runtime: 0 });
  await chooseSetting(page, 'Video encoder', 'ffmpeg');
  await fillForm(page, { ...request, steps: 3 });
  await generate(page);
  const file = await downloadNewest(page);
  const info = probe(file.path);
  expect(info).toMatchObject({ codec: 'h264', frames: 9 });
  expect(info.comment).toMatchObject({ prompt: request.prompt, muxer: 'ffmpeg' });
  expect(info.encoderTag).toMatch(/^Lavf/);
  expect(encodedByX264(file.path)).toBe(true);
  const diff = compareWithReference(file.path, request);
  expect(diff.mean).toBeLessThanOrEqual(MEAN_TOLERANCE);
  expect(diff.max).toBeLessThanOrEqual(MAX_TOLERANCE);
  // The core (JS + wasm) came from the network once and now sits in the runtime cache.
  expect(await ffmpegCoreCached(page)).toEqual({ precached: 0, runtime: 2 });

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await fillForm(page, { ...request, prompt: 'offline on the fallback', frames: 5, steps: 2 });
  await generate(page);
  const offline = await downloadNewest(page);
  expect(probe(offline.path).comment).toMatchObject({ prompt: 'offline on the fallback', muxer: 'ffmpeg' });
  await context.setOffline(false);
});

test("UniPC (WanGP's default solver) and DPM++ 2M land on the analytic target too, and the MP4 says which", async ({
  page,
}) => {
  await openApp(page);
  for (const [solver, written] of [
    ['unipc', 'unipc'],
    ['dpmpp-2m', 'dpm++'],
  ] as const) {
    const r = {
      prompt: 'a small green star moving up in space',
      negativePrompt: 'red',
      guidance: 2,
      frames: 5,
      resolution: '128x128',
    };
    await fillForm(page, { ...r, seed: 3, steps: 6, solver });
    await generate(page);
    const file = await downloadNewest(page);
    expect(probe(file.path).comment).toMatchObject({ sample_solver: written, num_inference_steps: 6 });
    const diff = compareWithReference(file.path, r);
    expect(diff.mean).toBeLessThanOrEqual(MEAN_TOLERANCE);
    expect(diff.max).toBeLessThanOrEqual(MAX_TOLERANCE);
  }
});
