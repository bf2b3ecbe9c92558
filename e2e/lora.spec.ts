/**
 * LoRAs in real Chromium (WebGPU on SwiftShader, real OPFS and IndexedDB): import a LoRA and see
 * its matched keys, generate with it and find it in the MP4's settings comment, restore it with
 * "Use settings", delete it and see a task naming it fail with that name; import a `.lset` preset
 * that survives a reload, applies as WanGP does and exports with identical keys and values;
 * malformed files are refused with an alert and nothing is stored; a dropped `.lset` and a
 * `#/loras?preset=<blob: URL>` link import; a pack installed after the LoRA list was read is
 * matched by the next import; LoHa, LoKr and DoRA files show their format.
 */
import { expect, type Page, test } from '@playwright/test';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadNewest, fillForm, generate, installFromUrl } from './support/app';
import { probe } from './support/media';
import { servedCopy, startPackServer } from './support/pack-server';
import { dbCount } from './support/webgp-db';
import { eighths } from '../tools/test-loras/index';
import { encodeSafetensors } from '../tools/test-loras/safetensors-writer';

const LORAS = join(import.meta.dirname, '..', 'test-packs', 'loras');
const STYLE = join(LORAS, 'test-style.safetensors');

async function openLoras(page: Page): Promise<void> {
  await page.goto('/?test-packs#/loras');
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await expect(page.locator('.lora-list[data-loaded="true"]')).toBeAttached();
}

async function importLora(page: Page, path: string): Promise<void> {
  await page.getByLabel('Import LoRA').setInputFiles(path);
}

/** Records in an object store of the one database and files in an OPFS folder, read from the page. */
async function stored(
  page: Page,
  store: string,
  folder?: string,
): Promise<{ records: number; files: number }> {
  const records = await dbCount(page, store);
  const files = await page.evaluate(async (folder) => {
    let files = 0;
    if (folder) {
      try {
        const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(folder);
        for await (const name of dir.keys()) files += name ? 1 : 0;
      } catch {
        files = 0;
      }
    }
    return files;
  }, folder ?? '');
  return { records, files };
}

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'webgp-lora-')), name);
  writeFileSync(path, text);
  return path;
}

test('LyCORIS and DoRA files import with their format shown beside the matched keys', async ({ page }) => {
  await openLoras(page);
  await page
    .getByLabel('Import LoRA')
    .setInputFiles(['test-loha', 'test-lokr', 'test-dora'].map((n) => join(LORAS, `${n}.safetensors`)));
  for (const [name, format] of [
    ['test-loha', 'LoHa'],
    ['test-lokr', 'LoKr'],
    ['test-dora', 'DoRA'],
  ] as const) {
    const item = page.locator(`.lora-item[data-name="${name}.safetensors"]`);
    await expect(item.locator('.lora-format')).toHaveText(format);
    await expect(item).toContainText(/for webgp-test packs · [1-9]\d* keys matched, 0 unmatched/);
  }
});

test('a LoRA imports with its matched keys, generates, and the output settings list it', async ({ page }) => {
  await openLoras(page);
  await importLora(page, STYLE);
  const item = page.locator('.lora-item[data-name="test-style.safetensors"]');
  await expect(item).toContainText('7 keys matched, 2 unmatched');
  await expect(item).toContainText('rank 2');
  await expect(item).toContainText('for webgp-test packs');
  await item.getByText('Unmatched keys of test-style.safetensors').click();
  await expect(item.getByText('diffusion_model.blocks.9.cross_attn.q.lora_A.weight')).toBeVisible();
  expect(await stored(page, 'loras', 'loras')).toEqual({ records: 1, files: 1 });

  await page.getByRole('link', { name: 'Generate', exact: true }).click();
  await page.getByLabel('Model', { exact: true }).selectOption('test-t2v-random');
  await page.getByLabel('test-style.safetensors').check();
  await page.getByLabel('LoRA multipliers').fill('1 2');
  await fillForm(page, { prompt: 'a red kite', steps: 3, frames: 5, resolution: '128x128', guidance: 1 });
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: 'The LoRA multipliers give 2 values but 1 LoRA is selected' }),
  ).toBeVisible();
  await page.getByLabel('LoRA multipliers').fill('0.5,abc');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: '"abc" at position 5 is not a number.' }),
  ).toBeVisible();
  await page.getByLabel('LoRA multipliers').fill('0.8,1');
  await generate(page);
  const info = probe((await downloadNewest(page)).path);
  expect(info.comment).toMatchObject({
    model_type: 'test-t2v-random',
    activated_loras: ['test-style.safetensors'],
    loras_multipliers: '0.8,1',
    loras_hashes: [createHash('sha256').update(readFileSync(STYLE)).digest('hex')],
  });

  // "Use settings" on the output restores the LoRA selection and multipliers.
  await page.getByLabel('test-style.safetensors').uncheck();
  await expect(page.getByLabel('LoRA multipliers')).toHaveCount(0);
  await page
    .getByRole('region', { name: 'Gallery' })
    .getByRole('button', { name: 'Use settings' })
    .first()
    .click();
  await expect(page.getByLabel('test-style.safetensors')).toBeChecked();
  await expect(page.getByLabel('LoRA multipliers')).toHaveValue('0.8,1');

  // Deleted from the library, the LoRA a task names makes that task fail with a message naming it.
  await page.getByRole('link', { name: 'LoRAs', exact: true }).click();
  await page.getByRole('button', { name: 'Delete test-style.safetensors' }).click();
  await expect(page.locator('.lora-item')).toHaveCount(0);
  expect(await stored(page, 'loras', 'loras')).toEqual({ records: 0, files: 0 });
  await page.getByRole('link', { name: 'Generate', exact: true }).click();
  await expect(page.getByLabel('test-style.safetensors (not in your library)')).toBeChecked();
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('region', { name: 'Queue' }).getByTestId('task-status').nth(1)).toHaveText(
    "Failed: LoRA test-style.safetensors is not in this browser's LoRA library. Import test-style.safetensors on the LoRAs page, then retry the task.",
  );
});

test('a LoRA for a pack installed after the LoRA list was read is matched to that pack', async ({ page }) => {
  const server = await startPackServer();
  try {
    // A copy of the test pack whose only LoRA module is one no bundled pack has.
    servedCopy(server.root, 'test-t2v-random', 'lora-pack-x', 'LoRA pack X', (m) => {
      const t = (m.components as Record<string, Record<string, unknown>>).transformer as Record<
        string,
        unknown
      >;
      t.lora = {
        family: 'family-x',
        targets: { 'x_only.proj': { initializer: 'blocks.0.ffn.2.weight', layout: 'in-out' } },
      };
    });
    const onlyX = join(mkdtempSync(join(tmpdir(), 'webgp-lora-')), 'only-x.safetensors');
    writeFileSync(
      onlyX,
      encodeSafetensors([
        {
          name: 'diffusion_model.x_only.proj.lora_A.weight',
          dtype: 'F32',
          shape: [2, 32],
          data: eighths(2, 32, 1),
        },
        {
          name: 'diffusion_model.x_only.proj.lora_B.weight',
          dtype: 'F32',
          shape: [4, 2],
          data: eighths(4, 2, 2),
        },
      ]),
    );
    await openLoras(page);
    await importLora(page, STYLE); // the packs that take LoRAs are read now, before pack X exists
    await expect(page.locator('.lora-item[data-name="test-style.safetensors"]')).toContainText(
      'for webgp-test packs',
    );

    await installFromUrl(page, `${server.url}lora-pack-x/`);
    const installed = page
      .getByRole('region', { name: 'Installed packs' })
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: 'LoRA pack X', exact: true }) });
    await expect(installed.getByTestId('install-state')).toHaveAttribute('data-status', 'installed');

    await page.getByRole('link', { name: 'LoRAs', exact: true }).click();
    await importLora(page, onlyX);
    const item = page.locator('.lora-item[data-name="only-x.safetensors"]');
    await expect(item).toContainText('for family-x packs');
    await expect(item).toContainText('2 keys matched, 0 unmatched');
  } finally {
    await server.close();
  }
});

test('a .lset preset imports, survives reload, applies as WanGP does and exports with identical keys and values', async ({
  page,
}) => {
  const preset = {
    loras: ['test-style.safetensors'],
    loras_mult: '0.5',
    prompt: 'in ink wash style',
    full_prompt: false,
    description: 'kept as is',
  };
  await openLoras(page);
  await importLora(page, STYLE);
  await expect(page.locator('.lora-item')).toHaveCount(1);
  await page.getByLabel('Import preset').setInputFiles(tempFile('Ink wash.lset', JSON.stringify(preset)));
  const presets = page.getByRole('region', { name: 'Presets' });
  await expect(presets.locator('.preset-item[data-name="Ink wash"]')).toBeVisible();

  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await expect(presets.locator('.preset-item[data-name="Ink wash"]')).toContainText('multipliers "0.5"');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    presets.getByRole('button', { name: 'Export Ink wash' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('Ink wash.lset');
  const path = join(mkdtempSync(join(tmpdir(), 'webgp-lset-')), 'out.lset');
  await download.saveAs(path);
  expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(preset);

  await page.getByRole('link', { name: 'Generate', exact: true }).click();
  await page.getByLabel('Model', { exact: true }).selectOption('test-t2v-random');
  await page.getByLabel('Prompt', { exact: true }).fill('a cat\n# a note\non a roof');
  await page.getByRole('link', { name: 'LoRAs', exact: true }).click();
  await presets.getByRole('button', { name: 'Apply Ink wash' }).click();
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('in ink wash style\na cat\non a roof');
  await expect(page.getByLabel('test-style.safetensors')).toBeChecked();
  await expect(page.getByLabel('LoRA multipliers')).toHaveValue('0.5');
});

test('malformed safetensors and .lset files are refused with an alert and nothing is stored', async ({
  page,
}) => {
  await openLoras(page);
  for (const [file, message] of [
    ['bad-truncated.safetensors', /bad-truncated\.safetensors is not a usable safetensors file: .*truncated/],
    [
      'bad-lying-header.safetensors',
      /bad-lying-header\.safetensors .* needs 32 bytes but its data_offsets span 48/,
    ],
    ['bad-dtype.safetensors', /has dtype I32; WebGP reads F32, F16, BF16 LoRAs only/],
  ] as const) {
    await importLora(page, join(LORAS, file));
    await expect(page.getByRole('alert')).toHaveText(message);
  }
  await expect(page.locator('.lora-item')).toHaveCount(0);
  expect(await stored(page, 'loras', 'loras')).toEqual({ records: 0, files: 0 });

  const presets = page.getByRole('region', { name: 'Presets' });
  await page.getByLabel('Import preset').setInputFiles(tempFile('broken.lset', '{"loras": "a.safetensors"'));
  await expect(presets.getByRole('alert')).toHaveText(
    'broken.lset is not a valid LoRA preset: it is not JSON.',
  );
  await page
    .getByLabel('Import preset')
    .setInputFiles(tempFile('wrong.lset', JSON.stringify({ loras: ['a.safetensors'], loras_mult: '1 x' })));
  await expect(presets.getByRole('alert')).toHaveText(
    'wrong.lset is not a valid LoRA preset: "loras_mult": "x" at position 3 is not a number.',
  );
  await expect(presets.locator('.preset-item')).toHaveCount(0);
  expect((await stored(page, 'presets')).records).toBe(0);

  // A .lset dropped on the page is imported like a picked one.
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File([JSON.stringify({ loras: ['x.safetensors'], loras_mult: '1' })], 'Dropped.lset'));
    document
      .querySelector('.loras-view')
      ?.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await expect(presets.locator('.preset-item[data-name="Dropped"]')).toBeVisible();

  // A .lset link from this page (blob: URL) opens into the Presets region.
  await page.getByRole('link', { name: 'Generate', exact: true }).click();
  const url = await page.evaluate(() =>
    URL.createObjectURL(
      new Blob([JSON.stringify({ loras: [], loras_mult: '' })], { type: 'application/json' }),
    ),
  );
  await page.evaluate((u) => (location.hash = `#/loras?preset=${encodeURIComponent(u)}`), url);
  await expect(presets.locator('.preset-item')).toHaveCount(2);
  expect((await stored(page, 'presets')).records).toBe(2);
});
