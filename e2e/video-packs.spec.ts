/**
 * The real video packs' contracts in Chromium: test-sam and test-matanyone2 (test-packs/, mirrors
 * of sam-vit-b and matanyone2: WebNN SAM file names with the size fed by shape; MatAnyone 2
 * graphs without the inputs the real export drops) are installed from the local pack server with
 * "Install from URL", chosen on the Matting page, and segment a click and matte the clip (mask
 * size, alpha IoU ≥ 0.9 per frame in the alpha video and the RGBA PNGs, the Gallery record's
 * files and settings). That the registry's real entries start a download is e2e/models.spec.ts's.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { expect, type Page, test } from '@playwright/test';
import { decodePng } from '../src/engine/media/png-decode';
import { chooseSetting, installFromUrl, openApp } from './support/app';
import { packRecord } from './support/installed';
import { probe } from './support/media';
import { expectAlphaVideo, nav, runAndDownload } from './support/matting-run';
import { CLIP, iou, makeClip, squareX, tmpDir } from './support/matting';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';

const TEST_PACKS = join(import.meta.dirname, '..', 'test-packs');
const SAM = { id: 'test-sam', name: 'Test SAM (sam-vit-b contract, analytic)' };
const MA2 = { id: 'test-matanyone2', name: 'Test MatAnyone 2 (matanyone2 contract, analytic)' };

let server: PackServer;
test.beforeEach(async () => {
  server = await startPackServer();
});
test.afterEach(async () => {
  await server.close();
});

const installedItem = (page: Page, name: string) =>
  page
    .getByRole('region', { name: 'Installed packs' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name, exact: true }) });

async function openModels(page: Page, backend?: 'wasm'): Promise<void> {
  await openApp(page);
  if (backend) await chooseSetting(page, 'Backend', backend);
  await nav(page, 'Models').click();
  await expect(page.getByRole('region', { name: 'Models' })).toBeVisible();
}

async function install(page: Page, pack: { id: string; name: string }): Promise<void> {
  servedCopy(server.root, pack.id, pack.id, pack.name, undefined, TEST_PACKS);
  await installFromUrl(page, `${server.url}${pack.id}/`);
  await expect(installedItem(page, pack.name).getByTestId('install-state')).toHaveAttribute(
    'data-status',
    'installed',
  );
}

test('test-sam and test-matanyone2 install from URL, are offered on the Matting page, segment a click and matte every frame', async ({
  page,
}) => {
  const dir = tmpDir();
  const clip = makeClip(dir);
  // WebAssembly keeps the 12-frame run short on SwiftShader.
  await openModels(page, 'wasm');
  await install(page, SAM);
  await install(page, MA2);
  expect(await packRecord(page, MA2.id)).toMatchObject({
    status: 'installed',
    baseUrl: `${server.url}${MA2.id}/`,
  });

  await nav(page, 'Matting').click();
  const segment = page.getByLabel('Segment pack');
  const matting = page.getByLabel('Matting pack');
  // Installed video packs are listed; the registry's real ones are not until they are installed.
  await expect(segment.locator('option')).toHaveText([
    'WebGP demo SAM (analytic, not a real model)',
    SAM.name,
  ]);
  await expect(matting.locator('option')).toHaveText([
    'WebGP demo MatAnyone (analytic, not a real model)',
    MA2.name,
  ]);
  await segment.selectOption({ label: SAM.name });
  await matting.selectOption({ label: MA2.name });

  await page.getByLabel('Video', { exact: true }).setInputFiles(clip);
  await expect(page.getByTestId('video-info')).toContainText(
    `${CLIP.frames} frames · ${CLIP.width}×${CLIP.height}`,
  );
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
  const pixels = Number(await viewer.getAttribute('data-mask-pixels'));
  expect(pixels).toBeGreaterThanOrEqual(0.9 * CLIP.side * CLIP.side);
  expect(pixels).toBeLessThanOrEqual(1.1 * CLIP.side * CLIP.side);

  const { foreground, alpha, zip } = await runAndDownload(page, dir);

  expect(probe(foreground).comment).toMatchObject({
    type: 'matting',
    model_type: MA2.id,
    segment_model_type: SAM.id,
    start_frame: 0,
    end_frame: 11,
    backend: 'wasm',
  });
  expectAlphaVideo(alpha, CLIP.frames);
  const pngs = unzipSync(new Uint8Array(readFileSync(zip)));
  expect(Object.keys(pngs)).toHaveLength(CLIP.frames);
  for (const [name, bytes] of Object.entries(pngs)) {
    const img = decodePng(bytes);
    const a = new Uint8Array(img.width * img.height).map((_, p) => img.rgba[p * 4 + 3] as number);
    expect(iou(a, Number(/img_(\d+)\.png/.exec(name)?.[1])), name).toBeGreaterThanOrEqual(0.9);
  }
});
