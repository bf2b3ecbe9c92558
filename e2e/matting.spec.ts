/**
 * Matting in real Chromium with the demo packs (demo-sam, demo-matanyone): a clip made here
 * (white square moving on a dark background, sine tone) is uploaded through "Video", a click on
 * the square makes the mask, "Run matting" queues a task whose outputs are checked frame by frame
 * (alpha video and RGBA PNG zip: IoU ≥ 0.9 against the true square), the foreground video keeps
 * the audio; its frames are decoded with WebCodecs (settings `decoder`). An uploaded mask works too,
 * on a fragmented MP4 decoded with ffmpeg.wasm. A video dropped on the page loads and scrubs both
 * ways; negative points and "Add mask" shape the mask (three coloured squares). Bad inputs (text file, truncated MP4, MP4 without
 * frames, end before start, a mask of another shape, no mask) get their specific alert and queue
 * nothing; a mask chosen while the video opens is applied once it is open; pause/resume, a
 * reload mid-run and Abort behave as for generation tasks.
 */
import { expect, type Page, test } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { decodePng } from '../src/engine/media/png-decode';
import { chooseSetting, openApp } from './support/app';
import { decodeRgb, encodedByX264, expectAudioCopied, probe } from './support/media';
import {
  CLIP,
  iou,
  makeClip,
  makeEmptyVideo,
  makeFragmented,
  makeRotated,
  makeWebm,
  makeShapesClip,
  makeTruncatedVideo,
  maskPngFile,
  SHAPES,
  squareX,
  streamTypes,
  tmpDir,
} from './support/matting';
import { expectAlphaVideo, nav, runAndDownload } from './support/matting-run';
import { queueButton, queueRegion, rows, statusOf } from './support/queue';

let dir = '';
let clip = '';
// Made when the tests run, not when Playwright lists them.
test.beforeAll(() => {
  dir = tmpDir();
  clip = makeClip(dir);
});

async function openMatting(page: Page, backend?: 'wasm', encoder?: 'ffmpeg'): Promise<void> {
  await openApp(page);
  if (backend) await chooseSetting(page, 'Backend', backend);
  if (encoder) await page.getByLabel('Video encoder').selectOption(encoder);
  await nav(page, 'Matting').click();
  await expect(page.getByRole('region', { name: 'Matting' })).toBeVisible();
}

async function loadClip(page: Page, path?: string, size = `${CLIP.width}×${CLIP.height}`): Promise<void> {
  await page.getByLabel('Video', { exact: true }).setInputFiles(path ?? clip);
  await expect(page.getByTestId('video-info')).toContainText(`${CLIP.frames} frames · ${size}`);
  await expect(page.getByTestId('video-info')).toContainText('with audio');
}

const viewer = (page: Page) => page.getByTestId('frame-viewer');

/** Clicks video pixel (x, y) on the frame viewer. */
async function clickFrame(page: Page, x: number, y: number): Promise<void> {
  const box = await viewer(page).boundingBox();
  if (!box) throw new Error('frame viewer not visible');
  await viewer(page).click({
    position: { x: ((x + 0.5) / CLIP.width) * box.width, y: ((y + 0.5) / CLIP.height) * box.height },
  });
}

function expectZip(path: string, frames: number): void {
  const files = unzipSync(new Uint8Array(readFileSync(path)));
  const names = Object.keys(files).sort();
  expect(names).toEqual(Array.from({ length: frames }, (_, i) => `img_${String(i).padStart(3, '0')}.png`));
  names.forEach((name, n) => {
    const bytes = files[name] as Uint8Array;
    expect(bytes[25], `${name} colour type (6 = RGBA)`).toBe(6);
    const img = decodePng(bytes);
    const alpha = new Uint8Array(img.width * img.height).map((_, p) => img.rgba[p * 4 + 3] as number);
    expect(iou(alpha, n), `${name} alpha`).toBeGreaterThanOrEqual(0.9);
  });
}

// WebAssembly here keeps the 12-frame run short (SwiftShader's WebGPU takes seconds per frame), and
// the ffmpeg.wasm encoder (libx264 in chunks of 8 frames) is used; the uploaded-mask test below runs
// the same path on WebGPU with WebCodecs.
test('a click on the square masks it; Run matting gives alpha ≥ 0.9 IoU on every frame, audio kept, one RGBA PNG per frame (WebAssembly, WebCodecs decode, ffmpeg.wasm encode)', async ({
  page,
}) => {
  await openMatting(page, 'wasm', 'ffmpeg');
  await loadClip(page);
  await clickFrame(page, squareX(0) + 10, CLIP.y + 10);
  await expect(viewer(page)).toHaveAttribute('data-busy', 'false');
  const pixels = Number(await viewer(page).getAttribute('data-mask-pixels'));
  expect(pixels).toBeGreaterThanOrEqual(0.9 * CLIP.side * CLIP.side);
  expect(pixels).toBeLessThanOrEqual(1.1 * CLIP.side * CLIP.side);
  await page.getByRole('button', { name: 'Check' }).click();
  await expect(page.getByTestId('check-result')).toContainText(
    `${CLIP.frames} frames · ${CLIP.width}×${CLIP.height}`,
  );
  await expect(page.getByTestId('check-result')).toContainText('decoder: webcodecs');

  const out = await runAndDownload(page, dir);
  expect(out.alpha).toContain('alpha');
  expect([encodedByX264(out.alpha), encodedByX264(out.foreground)]).toEqual([true, true]);
  expectAlphaVideo(out.alpha, CLIP.frames);
  expectZip(out.zip, CLIP.frames);
  expect(streamTypes(out.foreground)).toEqual(expect.arrayContaining(['video', 'audio']));
  expect(probe(out.foreground).comment).toMatchObject({
    type: 'matting',
    source_video: 'square.mp4',
    start_frame: 0,
    end_frame: 11,
    video_length: 12,
    mask_type: 'alpha',
    model_type: 'demo-matanyone',
    segment_model_type: 'demo-sam',
    backend: 'wasm',
    decoder: 'webcodecs',
    muxer: 'ffmpeg',
  });

  // The run history lists the files with their roles.
  const [history] = await Promise.all([
    page.waitForEvent('download'),
    queueButton(page, 'Export history').click(),
  ]);
  const runs = readFileSync(await history.path(), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { status: string; artifacts: { role: string; fileName: string }[] });
  expect(runs.at(-1)?.status).toBe('done');
  expect(runs.at(-1)?.artifacts.map((a) => a.role)).toEqual([
    'mask_foreground',
    'mask_alpha',
    'rgba_archive',
    'audio',
  ]);
});

// A fragmented MP4 (moof boxes) is demuxed by mediabunny and decoded by WebCodecs; the outputs
// are muxed by mediabunny with the source's AAC copied as it is (its packets compared byte for byte).
test('an uploaded mask of half the size is resized with a notice; the run (WebGPU, fragmented MP4 decoded by WebCodecs, muxed by mediabunny) pauses and resumes between frames', async ({
  page,
}) => {
  await openMatting(page);
  const fragmented = makeFragmented(dir, clip);
  await loadClip(page, fragmented);
  await page
    .getByLabel('Upload mask')
    .setInputFiles(maskPngFile(dir, 'half.png', 0, { width: CLIP.width / 2, height: CLIP.height / 2 }));
  await expect(page.getByTestId('mask-notice')).toHaveText(
    `half.png is 48×32; it was resized to the video's ${CLIP.width}×${CLIP.height}.`,
  );
  await page.getByLabel('End frame').fill('3');
  await page.getByLabel('Mask type').selectOption('greenscreen');
  // Pause holds the run between frames and Resume carries on: every frame is still there, once.
  const out = await runAndDownload(page, dir, async (row) => {
    await expect(statusOf(row)).toHaveText(/^Running: frame [12] of 4$/);
    await queueButton(page, 'Pause').click();
    await expect(statusOf(row)).toHaveText(/^Paused at frame [1-3] of 4$/);
    await queueButton(page, 'Resume').click();
  });
  expect(encodedByX264(out.alpha)).toBe(false); // WebCodecs
  const comment = probe(out.foreground).comment;
  expect(comment).toMatchObject({
    type: 'matting',
    mask_type: 'greenscreen',
    start_frame: 0,
    end_frame: 3,
    backend: 'webgpu',
    decoder: 'webcodecs',
    muxer: 'mediabunny',
  });
  expect(probe(out.foreground).encoderTag ?? '').not.toMatch(/Lavf/);
  expect(streamTypes(out.foreground)).toEqual(expect.arrayContaining(['video', 'audio']));
  expectAudioCopied(fragmented, out.foreground, 4 / CLIP.fps); // stream-copied: the source's AAC packets byte for byte
  expect(comment).not.toHaveProperty('segment_model_type'); // the mask was uploaded, not made with SAM
  expectAlphaVideo(out.alpha, 4);
  expectZip(out.zip, 4);
  // Greenscreen: the background of the foreground video is MatAnyone's green, the square stays white.
  const rgb = decodeRgb(out.foreground);
  const pixel = (x: number, y: number) => [
    ...rgb.subarray((y * CLIP.width + x) * 3, (y * CLIP.width + x) * 3 + 3),
  ];
  pixel(2, 2).forEach((v, c) => expect(Math.abs(v - ([120, 255, 155][c] as number))).toBeLessThanOrEqual(12));
  pixel(squareX(0) + 10, CLIP.y + 10).forEach((v) => expect(v).toBeGreaterThanOrEqual(235));
});

test('a fragmented MP4, a rotated phone video and a WebM (VP9, Opus) decode through WebCodecs, upright', async ({
  page,
}) => {
  await openMatting(page, 'wasm');
  const { width, height } = CLIP;
  for (const [path, size, shape] of [
    [makeFragmented(dir, clip), `${width}×${height}`, { width, height }],
    [makeRotated(dir, clip), `${height}×${width}`, { width: height, height: width }],
    [makeWebm(dir, clip), `${width}×${height}`, { width, height }],
  ] as const) {
    await loadClip(page, path, size);
    await page.getByLabel('Upload mask').setInputFiles(maskPngFile(dir, `mask-${size}.png`, 0, shape));
    await page.getByRole('button', { name: 'Check' }).click();
    await expect(page.getByTestId('check-result')).toContainText(`${CLIP.frames} frames · ${size}`);
    await expect(page.getByTestId('check-result')).toContainText('decoder: webcodecs');
    await expect(viewer(page)).toHaveAttribute('data-busy', 'false');
    // The square is white wherever the frame puts it: the frame was decoded, not left black.
    const red = await viewer(page).evaluate((c) => {
      const ctx = (c as HTMLCanvasElement).getContext('2d');
      const d = ctx?.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
      let max = 0;
      for (let i = 0; d && i < d.length; i += 4) max = Math.max(max, d[i] as number);
      return max;
    });
    expect(red).toBeGreaterThanOrEqual(235);
  }
});

/** Reads video pixel (x, y)'s red value from the frame viewer's canvas. */
const viewerRed = (page: Page, x: number, y: number) =>
  viewer(page).evaluate(
    (c, [px, py]) =>
      (c as HTMLCanvasElement).getContext('2d')?.getImageData(px as number, py as number, 1, 1).data[0],
    [x, y],
  );

test('a video dropped on the page loads; the scrubber seeks both ways; negative points exclude a region and Add mask merges masks', async ({
  page,
}) => {
  await openMatting(page, 'wasm');
  const bytes = readFileSync(clip).toString('base64');
  const dataTransfer = await page.evaluateHandle((b64) => {
    const dt = new DataTransfer();
    dt.items.add(
      new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'dropped.mp4', { type: 'video/mp4' }),
    );
    return dt;
  }, bytes);
  await page.getByRole('region', { name: 'Matting' }).dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId('video-info')).toContainText(
    `dropped.mp4: ${CLIP.frames} frames · ${CLIP.width}×${CLIP.height}`,
  );
  // Forward then back (WebCodecs restarts from the keyframe): each frame shows the square where it is then.
  for (const n of [9, 3]) {
    await page.getByRole('slider', { name: /^Frame \d+ of/ }).fill(String(n));
    await expect(page.getByText(`Frame ${n} of ${CLIP.frames - 1}`)).toBeVisible();
    await expect.poll(() => viewerRed(page, squareX(n) + 10, CLIP.y + 10)).toBeGreaterThan(200);
    await expect.poll(() => viewerRed(page, squareX(n) - 4, CLIP.y + 10)).toBeLessThan(60);
  }

  await page.getByLabel('Video', { exact: true }).setInputFiles(makeShapesClip(dir));
  await expect(page.getByTestId('video-info')).toContainText('shapes.mp4: 2 frames');
  const area = SHAPES.side * SHAPES.side;
  const pixels = async () => Number(await viewer(page).getAttribute('data-mask-pixels'));
  const click = async ([x, y]: readonly [number, number]) => {
    await clickFrame(page, x + SHAPES.side / 2, y + SHAPES.side / 2);
    await expect(viewer(page)).toHaveAttribute('data-busy', 'false');
  };
  // The demo SAM takes the light grey square with the white one; a negative point on it leaves it out.
  await click(SHAPES.white);
  await expect.poll(pixels).toBeGreaterThan(1.5 * area);
  await page.getByLabel('Negative points').check();
  await click(SHAPES.grey);
  await expect.poll(pixels).toBeLessThan(1.2 * area);
  expect(await pixels()).toBeGreaterThan(0.7 * area);
  // Add mask keeps the white square; a click on the red one then adds it.
  await page.getByLabel('Negative points').uncheck();
  await page.getByRole('button', { name: 'Add mask' }).click();
  await click(SHAPES.red);
  await expect.poll(pixels).toBeGreaterThan(1.5 * area);
  expect(await pixels()).toBeLessThan(2.2 * area);
});

test('bad inputs get specific alerts and queue nothing', async ({ page }) => {
  await openMatting(page);
  const text = join(dir, 'clip.txt');
  writeFileSync(text, 'not a video at all');
  await page.getByLabel('Video', { exact: true }).setInputFiles(text);
  await expect(page.getByRole('alert')).toContainText('clip.txt is not a video ffmpeg can read');
  await page.getByRole('button', { name: 'Run matting' }).click();
  await expect(page.getByRole('alert').first()).toContainText('clip.txt is not a video ffmpeg can read');
  await page.getByLabel('Video', { exact: true }).setInputFiles(makeTruncatedVideo(dir, clip));
  await expect(page.getByRole('alert')).toContainText('broken.mp4 is not a video ffmpeg can read');
  await page.getByLabel('Video', { exact: true }).setInputFiles(makeEmptyVideo(dir));
  await expect(page.getByRole('alert')).toContainText('The video has no frames: empty.mp4');

  await loadClip(page);
  await page.getByRole('button', { name: 'Run matting' }).click();
  await expect(page.getByRole('alert')).toContainText('Make a mask first');
  // The brush paints a mask; Clear removes it again.
  await page.getByLabel('Brush', { exact: true }).selectOption('paint');
  await clickFrame(page, 40, 30);
  await expect(viewer(page)).not.toHaveAttribute('data-mask-pixels', '0');
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(viewer(page)).toHaveAttribute('data-mask-pixels', '0');
  await page.getByLabel('Brush', { exact: true }).selectOption('off');

  await page
    .getByLabel('Upload mask')
    .setInputFiles(maskPngFile(dir, 'square.png', 0, { width: 50, height: 50 }));
  await expect(page.getByRole('alert')).toContainText(
    "square.png is 50×50 but the video is 96×64: the mask must have the video's shape.",
  );
  await page.getByLabel('Upload mask').setInputFiles(maskPngFile(dir, 'ok.png', 0));
  await expect(page.getByTestId('mask-notice')).toHaveText('Mask loaded from ok.png.');

  await page.getByLabel('Start frame').fill('5');
  await page.getByLabel('End frame').fill('3');
  await page.getByRole('button', { name: 'Run matting' }).click();
  await expect(page.getByRole('alert')).toHaveText('End frame (3) is before start frame (5).');
  await page.getByRole('button', { name: 'Check' }).click();
  await expect(page.getByRole('alert')).toHaveText('End frame (3) is before start frame (5).');
  await expect(page.getByTestId('check-result')).toHaveCount(0);

  await nav(page, 'Generate').click();
  await expect(queueRegion(page).getByText('No tasks.')).toBeVisible();
});

test('a reload restarts an interrupted matting run from its first frame; Abort then stops it and saves nothing', async ({
  page,
}) => {
  await openMatting(page, 'wasm');
  await page.getByLabel('Video', { exact: true }).setInputFiles(makeClip(dir, 'long.mp4', 96));
  await expect(page.getByTestId('video-info')).toContainText('96 frames');
  await page.getByLabel('Upload mask').setInputFiles(maskPngFile(dir, 'first.png', 0));
  await page.getByRole('button', { name: 'Run matting' }).click();
  await nav(page, 'Generate').click();
  const row = rows(page).last();
  await expect(statusOf(row)).toHaveText(/^Running: frame [2-5]\d of 96$/);

  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  // Polled every 25 ms: with WebCodecs decoding, the restarted run is past frame 9 within a second.
  await expect
    .poll(() => statusOf(row).textContent(), { intervals: [25], timeout: 60_000 })
    .toMatch(/^Running: frame [1-9] of 96$/);
  await queueButton(page, 'Abort').click();
  await expect(statusOf(row)).toHaveText(/^Aborted at frame \d+ of 96$/);
  await expect(page.getByRole('region', { name: 'Gallery' })).toContainText('Nothing saved yet');
  // Queue files carry generation tasks only: the export says it left the matting task out.
  await Promise.all([page.waitForEvent('download'), queueButton(page, 'Export queue').click()]);
  await expect(queueRegion(page).getByRole('status')).toHaveText(
    '1 matting task was left out: queue files carry generation tasks only.',
  );
});

// A mask chosen while the video is still opening used to be dropped without a word. Both files are
// handed to their inputs in one page task, so the mask's change handler runs before the video's
// open (a round trip to the media worker) can possibly finish, however fast WebCodecs opens it.
test('a mask chosen while the video is still opening is applied once it is open', async ({ page }) => {
  await openMatting(page);
  const video = await page.getByLabel('Video', { exact: true }).elementHandle();
  const mask = await page.getByLabel('Upload mask').elementHandle();
  const files = {
    video: readFileSync(makeFragmented(dir, clip)).toString('base64'),
    mask: readFileSync(maskPngFile(dir, 'early.png', 0)).toString('base64'),
  };
  await page.evaluate(
    ([videoInput, maskInput, b64]) => {
      const notices: string[] = [];
      (window as unknown as { maskNotices: string[] }).maskNotices = notices;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="mask-notice"]')?.textContent?.trim();
        if (text && text !== notices.at(-1)) notices.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
      const choose = (input: HTMLInputElement, name: string, type: string, data: string): void => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], name, { type }));
        input.files = transfer.files;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.dispatchEvent(new Event('change', { bubbles: true }));
      };
      choose(videoInput as HTMLInputElement, 'square-fragmented.mp4', 'video/mp4', b64.video);
      choose(maskInput as HTMLInputElement, 'early.png', 'image/png', b64.mask);
    },
    [video, mask, files] as const,
  );
  await expect(page.getByTestId('video-info')).toContainText(`${CLIP.frames} frames`);
  await expect(page.getByTestId('mask-notice')).toHaveText('Mask loaded from early.png.');
  expect(await page.evaluate(() => (window as unknown as { maskNotices: string[] }).maskNotices)).toEqual([
    'early.png will be applied once the video is open.',
    'Mask loaded from early.png.',
  ]);
  await expect(viewer(page)).not.toHaveAttribute('data-mask-pixels', '0');
  await page.getByRole('button', { name: 'Check' }).click();
  await expect(page.getByTestId('check-result')).toContainText(`${CLIP.frames} frames`);
  await expect(page.getByRole('alert')).toHaveCount(0);
});
