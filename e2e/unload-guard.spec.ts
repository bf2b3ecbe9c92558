/**
 * Leaving during an import: while a LoRA is still being stored the tab asks before it unloads
 * (the browser's beforeunload prompt); once stored, leaving asks nothing.
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

const STYLE = join(import.meta.dirname, '..', 'test-packs', 'loras', 'test-style.safetensors');

test('closing the tab while a LoRA import is being stored asks first; after it is stored nothing asks', async ({
  page,
}) => {
  // Hold the OPFS write open until the test lets it finish (window.releaseWrite), so "mid-import" is a state, not a race.
  await page.addInitScript(() => {
    const close = FileSystemWritableFileStream.prototype.close;
    const w = window as unknown as { releaseWrite?: () => void; writeHeld?: boolean };
    FileSystemWritableFileStream.prototype.close = async function (this: FileSystemWritableFileStream) {
      w.writeHeld = true;
      await new Promise<void>((resolve) => (w.releaseWrite = resolve));
      return close.call(this);
    };
  });
  await page.goto('/?test-packs#/loras');
  await expect(page.locator('.lora-list[data-loaded="true"]')).toBeAttached();
  await page.getByLabel('Import LoRA').setInputFiles(STYLE);
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { writeHeld?: boolean }).writeHeld === true))
    .toBe(true);

  const asked = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const dialog = await asked;
  expect(dialog.type()).toBe('beforeunload');
  await dialog.dismiss();
  expect(page.isClosed()).toBe(false);

  await page.evaluate(() => (window as unknown as { releaseWrite: () => void }).releaseWrite());
  await expect(page.locator('.lora-item[data-name="test-style.safetensors"]')).toBeVisible();
  let prompted = false;
  page.on('dialog', (d) => {
    prompted = true;
    void d.accept();
  });
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => page.isClosed()).toBe(true);
  expect(prompted).toBe(false);
});
