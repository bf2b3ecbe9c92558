/**
 * The ONNX Runtime build chosen in Settings (src/engine/ort-build.ts): a generation from the UI on
 * the native WebGPU build gives the default (JSEP) build's frames within 2/255 mean absolute
 * difference, and each MP4's settings say which build ran.
 */
import { expect, test } from '@playwright/test';
import { chooseSetting, downloadNewest, fillForm, generate, openApp } from './support/app';
import { decodeRgb, probe } from './support/media';

test('native WebGPU build: same frames as the default build, and the MP4 says which build ran', async ({
  page,
}) => {
  await openApp(page);
  const form = { prompt: 'a red ball rolling left', seed: 3, frames: 5, steps: 2, resolution: '128x128' };
  await fillForm(page, form);
  await generate(page);
  await expect(page.getByTestId('backend-info')).toContainText('WebGPU');
  const jsep = await downloadNewest(page);

  await chooseSetting(page, 'ONNX Runtime build', 'webgpu');
  await generate(page);
  await expect(page.getByTestId('backend-info')).toContainText('WebGPU');
  const native = await downloadNewest(page);

  expect(probe(jsep.path).comment).toMatchObject({ backend: 'webgpu', ort_build: 'default' });
  expect(probe(native.path).comment).toMatchObject({ backend: 'webgpu', ort_build: 'webgpu' });
  const a = decodeRgb(jsep.path);
  const b = decodeRgb(native.path);
  expect(a.length).toBe(128 * 128 * 3 * 5);
  expect(b.length).toBe(a.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  const mean = sum / a.length;
  console.log(`native vs default build: mean |Δ| ${mean.toFixed(3)} / 255`);
  expect(mean).toBeLessThanOrEqual(2);
});
