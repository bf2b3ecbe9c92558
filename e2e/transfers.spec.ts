/**
 * The transfer count in real Chromium on WebGPU (SwiftShader): with previews and checkpoints off,
 * a denoise step reads nothing back to the CPU, for Euler, UniPC and DPM++ on every test pack,
 * single-graph and block-streamed (test-fastwan's stages). The same packs loaded without
 * GPU-resident outputs do read back every step, so the counter sees readbacks when they happen.
 * No CPU tensor is sent twice in a run (per-run constants go up once). Before decode nothing is
 * read back at all (FastWan's padded prompt positions are zeroed on the device), except i2v's
 * encoded start image. The last test repeats the block-streamed count on the native WebGPU build
 * of ONNX Runtime (`&build=webgpu`).
 */
import { expect, test } from '@playwright/test';
import type { PipelineBenchResult } from '../src/engine/bench/pipeline-bench';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';
import { join } from 'node:path';

const TEST_PACKS = join(import.meta.dirname, '..', 'test-packs');
const ALL = ['test-zimage', 'test-sdturbo', 'test-sdxlturbo', 'test-fastwan', 'test-fastwan-i2v'];
/** The eps UNets step with Euler only. */
const FLOW = ['test-zimage', 'test-fastwan', 'test-fastwan-i2v'];

let server: PackServer;
test.beforeAll(async () => {
  server = await startPackServer();
  for (const id of ALL) servedCopy(server.root, id, id, id, undefined, TEST_PACKS);
});
test.afterAll(async () => {
  await server.close();
});

for (const [solver, packs] of [
  ['euler', ALL],
  ['unipc', FLOW],
  ['dpmpp-2m', FLOW],
] as const) {
  test(`${solver}: 0 readbacks per denoise step on WebGPU for ${packs.join(', ')}`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.goto(
      `/bench.html?backend=auto&pipelines=${packs.join(',')}&base=${encodeURIComponent(server.url)}&solver=${solver}&rounds=0`,
    );
    await expect(page.locator('body[data-done]')).toBeAttached({ timeout: 230_000 });
    const text = (await page.textContent('#result')) ?? '';
    expect(await page.getAttribute('body', 'data-done'), text).toBe('ok');
    const rows = JSON.parse(text) as PipelineBenchResult[];
    expect(rows.map((r) => r.packId)).toEqual([...packs]);
    for (const r of rows) {
      expect(r.backend, r.packId).toBe('webgpu');
      expect(r.solver).toBe(solver);
      expect(r.transfersPerStep?.readbacks, `${r.packId} readbacks per step`).toBe(0);
      // No per-run constant (initial latent, guidance, zeros, masks, context) is sent again.
      expect(r.transfersPerStep?.reuploads, `${r.packId} constants uploaded again per step`).toBe(0);
      const stages = r.transfersByStage ?? {};
      expect(Object.keys(stages), r.packId).toContain('encode-text');
      for (const [stage, counts] of Object.entries(stages))
        if (stage !== 'decode' && stage !== 'encode-image')
          expect(counts.readbacks, `${r.packId} ${stage} readbacks`).toBe(0);
      expect(
        r.roundTripTransfersPerStep?.readbacks,
        `${r.packId} readbacks per step with outputs on the CPU`,
      ).toBeGreaterThan(0);
    }
    console.log(
      rows
        .map(
          (r) =>
            `${solver} ${r.packId}: per step ${JSON.stringify(r.transfersPerStep)}; round trip ${JSON.stringify(r.roundTripTransfersPerStep)}`,
        )
        .join('\n'),
    );
  });
}

test('native WebGPU build: 0 readbacks per denoise step on block-streamed test-fastwan', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(
    `/bench.html?backend=auto&pipelines=test-fastwan&base=${encodeURIComponent(server.url)}&build=webgpu&rounds=0`,
  );
  await expect(page.locator('body[data-done]')).toBeAttached({ timeout: 170_000 });
  const text = (await page.textContent('#result')) ?? '';
  expect(await page.getAttribute('body', 'data-done'), text).toBe('ok');
  const [r] = JSON.parse(text) as (PipelineBenchResult & { build?: string })[];
  expect(r?.build).toBe('webgpu');
  expect(r?.backend).toBe('webgpu');
  expect(r?.streamed).toBe(true);
  expect(r?.transfersPerStep?.readbacks, 'readbacks per step').toBe(0);
  expect(r?.transfersPerStep?.reuploads, 'constants uploaded again per step').toBe(0);
  expect(
    r?.roundTripTransfersPerStep?.readbacks,
    'readbacks per step with outputs on the CPU',
  ).toBeGreaterThan(0);
});
