/**
 * The Models page on SwiftShader (WebGPU without shader-f16, 1 GiB buffers): every real pack
 * with its size, licence and a "fits this device?" verdict before any download, then back to
 * the Generate form, whose Model picker still lists only the bundled demo pack.
 */
import { expect, type Page, test } from '@playwright/test';
import { openApp } from './support/app';

const F16 = 'Needs the WebGPU shader-f16 feature, which this GPU lacks.';
const BUFFER = (size: string) => `Needs a single GPU buffer of ${size}, but this GPU allows at most 1.07 GB per buffer.`;

// name, size label, licence, verdict, reasons it must give (SDXL-Turbo: 124,433,929 + 483,677,630
// + 1,965,607,674 + 97,617,257 B of graphs + 2,224,108 + 2,224,281 B of tokenizers = 2,675,784,879 B).
const REAL: [string, string, string, string, string[]][] = [
  ['Z-Image-Turbo (q4f16)', '6.02 GB', 'Apache-2.0', 'Does not fit', [F16, BUFFER('2.03 GB')]],
  ['SDXL-Turbo (q4f16)', '2.68 GB', 'sai-nc-community', 'Does not fit', [F16, BUFFER('1.97 GB')]],
  ['SD-Turbo', '≈ 2.35 GB + 2 files of unpublished size', 'sai-nc-community', 'Does not fit', [F16, BUFFER('1.61 GB')]],
  ['FastWan2.2 TI2V 5B (q4f16, sharded)', '≈ 6.64 GB + 56 files of unpublished size', 'Apache-2.0', 'Does not fit', [F16]],
  ['MatAnyone 2 (1024, fp32)', 'size not published', 'S-Lab-1.0', 'May not fit', ['Its file sizes are not published, so the download size is unknown.']],
  ['Segment Anything ViT-B (fp16)', '≈ 186.7 MB', 'Apache-2.0', 'Does not fit', [F16]],
];

const models = (page: Page) => page.getByRole('region', { name: 'Models' });
const card = (page: Page, name: string) => models(page).getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });

test('lists the real packs with size, licence and a fit verdict, then returns to Generate', async ({ page }) => {
  await openApp(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Models' }).click();
  await expect(page).toHaveURL(/#\/models$/);
  await expect(models(page).getByRole('listitem')).toHaveCount(10);
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
  await expect(page.getByLabel('Model', { exact: true }).locator('option')).toHaveText(['WebGP demo pack (analytic, not a real model)']);
});
