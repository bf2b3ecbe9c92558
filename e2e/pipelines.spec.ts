/**
 * Every generation pipeline in Chromium, through the real downloader: each contract test pack
 * (Z-Image t2i, SD-Turbo eps UNet, SDXL-Turbo's two text encoders, block-streamed FastWan t2v,
 * FastWan i2v) is installed from a local pack server into OPFS, generates on WebGPU (SwiftShader) and on wasm, and the two agree;
 * the t2i images also match the Node (onnxruntime-node) result of the same request. The
 * playwright.config.ts project "native-webgpu" runs this suite again on the native WebGPU build of
 * ONNX Runtime (Settings → ONNX Runtime build), block-streamed packs included.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { createEngine } from '../src/engine/engine';
import { decodePng } from '../src/engine/media/png-decode';
import { parseManifestText } from '../src/engine/pack/manifest';
import { defaultRequest } from '../src/engine/request';
import { CPU_ONLY, diskPackSource, ortNodeModule } from '../tests/helpers/ort-node';
import { png } from '../tests/helpers/png';
import { chooseSetting, downloadNewest, fillForm, generate, installPack, openApp } from './support/app';
import { decodeRgb } from './support/media';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';

const TEST_PACKS = join(import.meta.dirname, '..', 'test-packs');
const PROMPT = 'a red ball on a blue table';
const SEED = 7;

/** Mean and max absolute difference of two equally long byte arrays. */
function diff(a: Uint8Array, b: Uint8Array): { mean: number; max: number } {
  expect(a.length).toBe(b.length);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    sum += d;
    max = Math.max(max, d);
  }
  return { mean: sum / a.length, max };
}

/** RGB bytes of a downloaded PNG (decoded in JS) or MP4 (ffmpeg). */
function rgbOf(path: string): Uint8Array {
  if (!path.endsWith('.png')) return decodeRgb(path);
  const img = decodePng(new Uint8Array(readFileSync(path)));
  return img.rgba.filter((_, i) => i % 4 !== 3);
}

/** A start image file: a bright square on dark. */
function startImageFile(width: number, height: number): string {
  const px = new Uint8Array(width * height * 3).fill(20);
  for (let y = height / 4; y < (3 * height) / 4; y++)
    for (let x = width / 4; x < (3 * width) / 4; x++)
      px.fill(230, (y * width + x) * 3, (y * width + x) * 3 + 3);
  const path = join(mkdtempSync(join(tmpdir(), 'webgp-start-')), 'start.png');
  writeFileSync(path, png(width, height, 2, 3, px, 0));
  return path;
}

let server: PackServer;
test.beforeEach(async () => {
  server = await startPackServer();
});
test.afterEach(async () => {
  await server.close();
});

for (const id of ['test-zimage', 'test-sdturbo', 'test-sdxlturbo', 'test-fastwan', 'test-fastwan-i2v']) {
  test(`${id}: installs from a pack server, generates on WebGPU and wasm, and they agree`, async ({
    page,
  }) => {
    const ortBuild = test.info().project.metadata.ortBuild as string | undefined;
    // The native build compiles its shaders again for every session (docs/pack-format.md).
    if (ortBuild) test.setTimeout(240_000);
    const manifest = parseManifestText(readFileSync(join(TEST_PACKS, id, 'pack.json'), 'utf8'));
    const served = `served-${id}`;
    const name = `Served ${manifest.name}`;
    servedCopy(server.root, id, served, name, undefined, TEST_PACKS);

    await openApp(page);
    if (ortBuild) await chooseSetting(page, 'ONNX Runtime build', ortBuild);
    await installPack(page, `${server.url}${served}/`, name);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Generate' }).click();
    await page.getByLabel('Model', { exact: true }).selectOption({ label: name });
    await fillForm(page, { prompt: PROMPT, seed: SEED });
    const [w, h] = manifest.defaults.resolution.split('x').map(Number) as [number, number];
    if (manifest.pipeline === 'i2v-flow-dit')
      await page.getByLabel('Start image', { exact: true }).setInputFiles(startImageFile(w, h));

    await generate(page);
    await expect(page.getByTestId('backend-info')).toContainText('WebGPU');
    const gpu = await downloadNewest(page);
    const single = manifest.limits.maxFrames === 1;
    expect(gpu.name.endsWith(single ? '.png' : '.mp4')).toBe(true);
    const a = rgbOf(gpu.path);
    expect(a.length).toBe(w * h * 3 * (single ? 1 : manifest.defaults.frames));
    // The native build's pass checks its WebGPU EP against Node below for images; video (no Node
    // reference here) is checked against the CPU as in the default pass.
    if (!ortBuild || !single) {
      await chooseSetting(page, 'Backend', 'wasm');
      await generate(page);
      await expect(page.getByTestId('backend-info')).toContainText('WebAssembly');
      const cpu = await downloadNewest(page);
      // Tolerance: float32 kernels differ between WebGPU and wasm by ~1e-6 relative; after 8-bit
      // rounding (and, for video, the same H.264 encode of both) that is at most a level or two.
      const d = diff(a, rgbOf(cpu.path));
      expect(d.mean).toBeLessThan(1);
      expect(d.max).toBeLessThanOrEqual(single ? 2 : 12);
    }

    if (single) {
      // The same request in Node (onnxruntime-node, CPU) gives the same image.
      const engine = createEngine({
        ort: ortNodeModule,
        sourceFor: async () => diskPackSource(id, TEST_PACKS),
        probe: async () => CPU_ONLY,
      });
      const node = await engine.generate('node', { ...defaultRequest(manifest, PROMPT), seed: SEED });
      const nodeRgb = node.frames.rgba.filter((_, i) => i % 4 !== 3);
      const nd = diff(a, nodeRgb);
      expect(nd.mean).toBeLessThan(1);
      expect(nd.max).toBeLessThanOrEqual(2);
    }
  });
}
