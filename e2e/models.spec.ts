/**
 * The Models page on SwiftShader (WebGPU without shader-f16, 1 GiB buffers): every real pack
 * with its size, licence and a "fits this device?" verdict before any download, then back to
 * the Generate form, whose Model picker still lists only the bundled demo pack; and every real
 * pack's Download asks its source for its first file (answered 404 here: nothing real is downloaded).
 */
import { expect, type Page, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installFiles, parseInstallableManifestText } from '../src/engine/pack/installable-manifest';
import { openApp } from './support/app';
import { packRecord } from './support/installed';

const F16 = 'Needs the WebGPU shader-f16 feature, which this GPU lacks.';
const BUFFER = (size: string) =>
  `Needs a single GPU buffer of ${size}, but this GPU allows at most 1.07 GB per buffer.`;

// name, size label, licence, verdict, reasons it must give (SDXL-Turbo: 124,433,929 + 483,677,630
// + 1,965,607,674 + 97,617,257 B of graphs + 2,224,108 + 2,224,281 B of tokenizers = 2,675,784,879 B).
const REAL: [string, string, string, string, string[]][] = [
  ['Z-Image-Turbo (q4f16)', '6.02 GB', 'Apache-2.0', 'Does not fit', [F16, BUFFER('2.03 GB')]],
  ['SDXL-Turbo (q4f16)', '2.68 GB', 'sai-nc-community', 'Does not fit', [F16, BUFFER('1.97 GB')]],
  [
    'SD-Turbo',
    '≈ 2.35 GB + 2 files of unpublished size',
    'sai-nc-community',
    'Does not fit',
    [F16, BUFFER('1.61 GB')],
  ],
  [
    'FastWan2.2 TI2V 5B (q4f16, sharded)',
    '≈ 6.64 GB + 56 files of unpublished size',
    'Apache-2.0',
    'Does not fit',
    [F16],
  ],
  [
    'MatAnyone 2 (1024, fp32)',
    'size not published',
    'S-Lab-1.0',
    'May not fit',
    ['Its file sizes are not published, so the download size is unknown.'],
  ],
  ['Segment Anything ViT-B (fp16)', '≈ 186.7 MB', 'Apache-2.0', 'Does not fit', [F16]],
];

const models = (page: Page) => page.getByRole('region', { name: 'Models' });
const card = (page: Page, name: string) =>
  models(page)
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name, exact: true }) });

test('lists the real packs with size, licence and a fit verdict, then returns to Generate', async ({
  page,
}) => {
  await openApp(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Models' }).click();
  await expect(page).toHaveURL(/#\/models$/);
  await expect(models(page).getByRole('listitem')).toHaveCount(12);
  await expect(page.getByRole('button', { name: 'Generate' })).toBeHidden();

  for (const [name, size, licence, level, reasons] of REAL) {
    const c = card(page, name);
    await expect(c.getByTestId('pack-size')).toHaveText(size);
    await expect(c.getByTestId('pack-license')).toHaveText(licence);
    const verdict = c.getByTestId('fit-verdict');
    await expect(verdict).toContainText(`Fits this device? ${level}`);
    for (const reason of reasons) await expect(verdict).toContainText(reason);
  }

  const demo = card(page, 'WebGP demo pack (analytic, not a real model)');
  await expect(demo.getByTestId('fit-verdict')).toContainText('Fits this device? Fits');
  await expect(demo.getByTestId('pack-size')).toHaveText('bundled with the app');
  await expect(card(page, 'Test pack (random weights)').getByText('test', { exact: true })).toBeVisible();

  // The details toggle lists the files with their sizes.
  const sdxl = card(page, 'SDXL-Turbo (q4f16)');
  await sdxl.getByText('Details', { exact: true }).click();
  await expect(sdxl.getByRole('row', { name: /unet_model_q4f16\.onnx/ })).toContainText('1.97 GB');
  await expect(sdxl.getByRole('row', { name: /tokenizer_2\/tokenizer\.json/ })).toContainText('2.2 MB');

  // Back to Generate: the form (and its state) is still there, and the picker offers only bundled, non-test packs.
  await nav.getByRole('link', { name: 'Generate' }).click();
  await expect(models(page)).toBeHidden();
  await expect(page.getByRole('button', { name: 'Generate' })).toBeVisible();
  await expect(page.getByLabel('Model', { exact: true }).locator('option')).toHaveText([
    'WebGP demo pack (analytic, not a real model)',
  ]);
});

/** The six real packs issue 13 makes runnable: id, card name, where their files are published. */
const DOWNLOADABLE = [
  ['z-image-turbo', 'Z-Image-Turbo (q4f16)', 'https://huggingface.co/webnn/Z-Image-Turbo/resolve/main/'],
  ['sdxl-turbo', 'SDXL-Turbo (q4f16)', 'https://huggingface.co/webnn/sdxl-turbo/resolve/main/'],
  ['sd-turbo', 'SD-Turbo', 'https://huggingface.co/schmuell/sd-turbo-ort-web/resolve/main/'],
  [
    'fastwan2.2-ti2v-5b',
    'FastWan2.2 TI2V 5B (q4f16, sharded)',
    'https://huggingface.co/cretz/FastWan2.2-TI2V-5B-ONNX-sharded/resolve/main/',
  ],
  [
    'matanyone2',
    'MatAnyone 2 (1024, fp32)',
    'https://huggingface.co/zerochocobo/matanyone2_onnx/resolve/main/',
  ],
  [
    'sam-vit-b',
    'Segment Anything ViT-B (fp16)',
    'https://huggingface.co/webnn/segment-anything-model-webnn/resolve/main/',
  ],
  // The prompt enhancer's packs download like any pack (docs/enhancer.md).
  [
    'qwen2.5-0.5b-instruct',
    'Qwen2.5-0.5B-Instruct (q4f16), prompt enhancer',
    'https://huggingface.co/onnx-community/Qwen2.5-0.5B-Instruct/resolve/main/',
  ],
  [
    'florence-2-base-ft',
    'Florence-2-base-ft (fp32), image captioner',
    'https://huggingface.co/onnx-community/Florence-2-base-ft/resolve/main/',
  ],
] as const;

/**
 * The first request a Download makes: a HEAD for the first file pack.json gives no size for (its
 * size is asked before anything is written), else the GET of the first file; from its own `url`
 * when it has one (a tokenizer from another repository), else from the registry's source folder.
 */
function firstRequest(id: string, base: string): string {
  const files = installFiles(
    parseInstallableManifestText(
      readFileSync(join(import.meta.dirname, '..', 'public', 'models', id, 'pack.json'), 'utf8'),
    ),
  );
  const f = files.find((x) => x.bytes === undefined) ?? files[0];
  return f?.url ?? `${base}${f?.path}`;
}

test('every real pack has an enabled Download that asks its source for its files (answered 404 here)', async ({
  page,
}) => {
  const asked: string[] = [];
  for (const host of ['https://huggingface.co/**', 'https://raw.githubusercontent.com/**']) {
    await page.context().route(host, async (route) => {
      asked.push(route.request().url());
      await route.fulfill({ status: 404, headers: { 'Access-Control-Allow-Origin': '*' }, body: 'not here' });
    });
  }
  await openApp(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
  for (const [id, name, base] of DOWNLOADABLE) {
    const url = firstRequest(id, base);
    const download = card(page, name).getByRole('button', { name: 'Download' });
    await expect(download).toBeEnabled();
    await download.click();
    await expect(page.getByRole('alert').filter({ hasText: url })).toContainText('HTTP 404');
    await expect(page.getByRole('alert').filter({ hasText: 'cannot download' })).toHaveCount(0);
    expect(asked, name).toContain(url);
    expect(await packRecord(page, id)).toBeUndefined();
  }
});
