/** Without WebGPU the engine falls back to ONNX Runtime's WebAssembly backend and still lands on the target. */
import { expect, test } from '@playwright/test';
import { chromiumArgs, chromiumExecutable } from './support/browser';
import { downloadNewest, fillForm, generate, openApp } from './support/app';
import { compareWithReference, probe } from './support/media';

test.use({ launchOptions: { executablePath: chromiumExecutable(), args: chromiumArgs({ webgpu: false }) } });

test('generates on the wasm backend when WebGPU is unavailable', async ({ page }) => {
  const request = {
    prompt: 'a huge cyan balloon moving right in the sky',
    negativePrompt: '',
    guidance: 1,
    frames: 9,
    resolution: '128x128',
  };
  await openApp(page);
  expect(await page.evaluate(async () => !!(await navigator.gpu?.requestAdapter()))).toBe(false);
  await fillForm(page, { ...request, steps: 4 });
  await generate(page);
  await expect(page.getByTestId('backend-info')).toContainText('WebAssembly');
  const file = await downloadNewest(page);
  const info = probe(file.path);
  expect(info).toMatchObject({ codec: 'h264', frames: 9 });
  expect(info.comment.backend).toBe('wasm');
  expect(compareWithReference(file.path, request).mean).toBeLessThanOrEqual(2);
});
