/**
 * Both onnxruntime-web builds (src/engine/ort-build.ts) in Chromium on WebGPU (SwiftShader): every
 * contract test pack runs its denoise steps on the default (JSEP) build and on the native WebGPU
 * build with 0 readbacks per step; the step times are printed for docs/pack-format.md.
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { PipelineBenchResult } from '../src/engine/bench/pipeline-bench';
import { ORT_BUILDS } from '../src/engine/ort-build';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';

const TEST_PACKS = join(import.meta.dirname, '..', 'test-packs');
const ALL = ['test-zimage', 'test-sdturbo', 'test-sdxlturbo', 'test-fastwan', 'test-fastwan-i2v'];

let server: PackServer;
test.beforeAll(async () => {
  server = await startPackServer();
  for (const id of ALL) servedCopy(server.root, id, id, id, undefined, TEST_PACKS);
});
test.afterAll(async () => {
  await server.close();
});

for (const build of ORT_BUILDS) {
  test(`${build} build: every test pack steps on WebGPU without readbacks`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.goto(
      `/bench.html?backend=auto&build=${build}&pipelines=${ALL.join(',')}&base=${encodeURIComponent(server.url)}`,
    );
    await expect(page.locator('body[data-done]')).toBeAttached({ timeout: 230_000 });
    const text = (await page.textContent('#result')) ?? '';
    expect(await page.getAttribute('body', 'data-done'), text).toBe('ok');
    const rows = JSON.parse(text) as (PipelineBenchResult & { build: string })[];
    expect(rows.map((r) => r.packId)).toEqual(ALL);
    for (const r of rows) {
      expect(r.build).toBe(build);
      expect(r.backend, r.packId).toBe('webgpu');
      expect(r.transfersPerStep?.readbacks, `${r.packId} readbacks per step`).toBe(0);
    }
    console.log(
      rows
        .map((r) => `${build} ${r.packId}: step ${r.stepMs.toFixed(1)} ms, load ${r.loadMs.toFixed(0)} ms`)
        .join('\n'),
    );
  });
}
