/**
 * A LoRA for the FastWan-contract test pack, whose targets are not listed but derived from its
 * block graphs by the manifest's lora.rules (node scopes /block/<module>/MatMul): installed from a
 * pack server, the LoRA imports matched to the pack's family with its format shown, generates, and
 * the output's settings carry activated_loras and the multipliers (with a ':' cond/uncond split).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { eighths } from '../tools/test-loras/index';
import { encodeSafetensors } from '../tools/test-loras/safetensors-writer';
import { block } from '../tools/test-packs/fastwan-dit';
import { chooseSetting, downloadNewest, fillForm, generate, installPack, openApp } from './support/app';
import { decodeRgb, probe } from './support/media';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';

const TEST_PACKS = join(import.meta.dirname, '..', 'test-packs');
const ID = 'served-fastwan-lora';
const NAME = 'Served FastWan LoRA test';

/** Rank-2 diffusers LoRA on blocks.1.ffn.fc1 (32 → 64) and blocks.2.attn1.to_q (32 → 32). */
function loraFile(): string {
  const pair = (module: string, inDim: number, outDim: number, seed: number) => [
    {
      name: `transformer.${module}.lora_A.weight`,
      dtype: 'F32',
      shape: [2, inDim],
      data: eighths(2, inDim, seed),
    },
    {
      name: `transformer.${module}.lora_B.weight`,
      dtype: 'F32',
      shape: [outDim, 2],
      data: eighths(outDim, 2, seed + 1),
    },
  ];
  const path = join(mkdtempSync(join(tmpdir(), 'webgp-lora-')), 'fastwan-style.safetensors');
  writeFileSync(
    path,
    encodeSafetensors([...pair('blocks.1.ffn.fc1', 32, 64, 61), ...pair('blocks.2.attn1.to_q', 32, 32, 63)]),
  );
  return path;
}

let server: PackServer;
test.beforeEach(async () => {
  server = await startPackServer();
});
test.afterEach(async () => {
  await server.close();
});

test('a LoRA for the FastWan-contract pack (targets derived from its graphs) imports, generates, and the settings carry it', async ({
  page,
}) => {
  servedCopy(server.root, 'test-fastwan', ID, NAME, undefined, TEST_PACKS);
  await openApp(page);
  await installPack(page, `${server.url}${ID}/`, NAME);

  const file = loraFile();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'LoRAs' }).click();
  await expect(page.locator('.lora-list[data-loaded="true"]')).toBeAttached();
  await page.getByLabel('Import LoRA').setInputFiles(file);
  const item = page.locator('.lora-item[data-name="fastwan-style.safetensors"]');
  await expect(item).toContainText('4 keys matched, 0 unmatched');
  await expect(item).toContainText('for fastwan2.2-ti2v-5b packs');
  await expect(item.locator('.lora-format')).toHaveText('LoRA');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Generate' }).click();
  await page.getByLabel('Model', { exact: true }).selectOption({ label: NAME });
  await page.getByLabel('fastwan-style.safetensors').check();
  await page.getByLabel('LoRA multipliers').fill('0.8:0,1');
  await fillForm(page, { prompt: 'a red kite', seed: 3 });
  await generate(page);
  const info = probe((await downloadNewest(page)).path);
  expect(info.comment).toMatchObject({
    activated_loras: ['fastwan-style.safetensors'],
    loras_multipliers: '0.8:0,1',
    loras_hashes: [createHash('sha256').update(readFileSync(file)).digest('hex')],
  });
});

test('a quantized (MatMulNBits) copy of the FastWan-contract pack generates with a LoRA side branch on WebGPU and on wasm', async ({
  page,
}) => {
  const id = 'served-fastwan-q4';
  const name = 'Served FastWan q4 LoRA test';
  const dir = servedCopy(
    server.root,
    'test-fastwan',
    id,
    name,
    (m) => {
      const blocks = (
        (m.components as Record<string, Record<string, unknown>>).transformer as {
          stages: Record<string, unknown>[];
        }
      ).stages[1] as Record<string, unknown>;
      delete blocks.bytes;
      delete blocks.sha256;
      for (const x of blocks.externalData as Record<string, unknown>[]) {
        delete x.bytes;
        delete x.sha256;
      }
    },
    TEST_PACKS,
  );
  for (let i = 0; i < 3; i++) {
    const n = String(i).padStart(2, '0');
    const g = block(i, `block_${n}.onnx.data`, undefined, 32);
    writeFileSync(join(dir, 'onnx/transformer-q4f16-64', `block_${n}.onnx`), g.model);
    writeFileSync(
      join(dir, 'onnx/transformer-q4f16-64', `block_${n}.onnx.data`),
      g.external?.data ?? new Uint8Array(),
    );
  }
  await openApp(page);
  await installPack(page, `${server.url}${id}/`, name);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'LoRAs' }).click();
  await expect(page.locator('.lora-list[data-loaded="true"]')).toBeAttached();
  await page.getByLabel('Import LoRA').setInputFiles(loraFile());
  await expect(page.locator('.lora-item[data-name="fastwan-style.safetensors"]')).toContainText(
    '4 keys matched, 0 unmatched',
  );

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Generate' }).click();
  await page.getByLabel('Model', { exact: true }).selectOption({ label: name });
  await page.getByLabel('fastwan-style.safetensors').check();
  await page.getByLabel('LoRA multipliers').fill('0.8');
  await fillForm(page, { prompt: 'a red kite', seed: 3 });
  await generate(page);
  await expect(page.getByTestId('backend-info')).toContainText('WebGPU');
  const gpu = decodeRgb((await downloadNewest(page)).path);
  await chooseSetting(page, 'Backend', 'wasm');
  await generate(page);
  await expect(page.getByTestId('backend-info')).toContainText('WebAssembly');
  const cpu = decodeRgb((await downloadNewest(page)).path);
  expect(gpu.length).toBe(cpu.length);
  let sum = 0;
  for (let i = 0; i < gpu.length; i++) sum += Math.abs(gpu[i]! - cpu[i]!);
  expect(sum / gpu.length).toBeLessThan(1);
});
