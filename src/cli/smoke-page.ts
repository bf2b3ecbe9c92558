/**
 * `webgp smoke` in the page: drives the built app the way a user does — install the pack
 * (registry Download, or Install from URL), press "Test this pack" and read its result, then
 * generate one default request and save the output from the Gallery.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { dataUrlBytes } from '../engine/media/png-decode';
import type { PackTestReport } from '../engine/pack-test/run-pack-test';
import { gradientPngDataUrl } from '../engine/pack-test/test-request';

/** Where the pack comes from: a registry entry (Download, or bundled) or a folder URL (Install from URL). */
export type SmokeTarget =
  | { kind: 'registry'; id: string; name: string; remote: boolean }
  | { kind: 'url'; id: string; name: string; url: string };

export interface GenerateOutcome {
  ok: boolean;
  ms: number;
  file?: string;
  bytes?: number;
  error?: string;
}

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();

/** Waits for `ok` or `bad`, whichever shows first; returns bad's text when it was bad. */
async function either(ok: Locator, bad: Locator, timeout: number): Promise<string | undefined> {
  await ok.or(bad).first().waitFor({ timeout });
  return (await ok.isVisible()) ? undefined : ((await bad.first().textContent()) ?? 'failed').trim();
}

export async function openApp(page: Page, base: string): Promise<string> {
  await page.goto(base);
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
  await nav(page, 'Models');
  const facts = page.getByTestId('device-facts');
  await facts.waitFor();
  return ((await facts.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Installs a pack given by URL or a remote registry entry; returns an error message when the install failed. */
export async function installPack(page: Page, t: SmokeTarget, timeout: number): Promise<string | undefined> {
  const installed = page
    .getByRole('region', { name: 'Installed packs' })
    .locator(`[data-pack-id="${t.id}"] [data-testid="install-state"][data-status="installed"]`);
  if (t.kind === 'url') {
    const panel = page.getByRole('region', { name: 'Install a pack' });
    await panel.getByLabel('Pack URL').fill(t.url);
    await panel.getByRole('button', { name: 'Install', exact: true }).click();
    return either(installed, panel.getByRole('alert'), timeout);
  }
  const card = page.getByRole('region', { name: 'Models' }).locator(`[data-pack-id="${t.id}"]`);
  await card.getByRole('button', { name: 'Download' }).click();
  return either(installed, card.getByRole('alert'), timeout);
}

/** Presses "Test this pack" and returns its result. */
export async function runPackTest(page: Page, t: SmokeTarget, timeout: number): Promise<PackTestReport> {
  const scope =
    t.kind === 'registry' && !t.remote
      ? page.getByRole('region', { name: 'Models' })
      : page.getByRole('region', { name: 'Installed packs' });
  const item = scope.locator(`[data-pack-id="${t.id}"]`);
  await item.getByRole('button', { name: /^Test this pack/ }).click();
  const error = await either(item.getByTestId('pack-test'), item.getByRole('alert'), timeout);
  if (error) throw new Error(error);
  return JSON.parse(
    (await item.getByTestId('pack-test').getAttribute('data-report')) ?? '{}',
  ) as PackTestReport;
}

/** Generates the pack's default request with `prompt` and saves the Gallery's newest output into `outDir`. */
export async function generateDefault(
  page: Page,
  t: SmokeTarget,
  prompt: string,
  outDir: string,
  timeout: number,
): Promise<GenerateOutcome> {
  await nav(page, 'Generate');
  await page.getByLabel('Model', { exact: true }).selectOption(t.id);
  await page.getByLabel('Prompt', { exact: true }).fill(prompt);
  const startImage = page.getByLabel('Start image', { exact: true });
  if (await startImage.isVisible()) {
    const png = join(outDir, 'start-image.png');
    writeFileSync(png, dataUrlBytes(gradientPngDataUrl(256, 256)));
    await startImage.setInputFiles(png);
  }
  const started = performance.now();
  await page.getByRole('button', { name: 'Generate' }).click();
  const error = await either(
    page.getByText(/^Done in/),
    page.getByTestId('task-status').filter({ hasText: /^Failed:/ }),
    timeout,
  );
  const ms = performance.now() - started;
  if (error) return { ok: false, ms, error };
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('region', { name: 'Gallery' }).getByRole('link', { name: 'Download' }).first().click(),
  ]);
  const file = join(outDir, download.suggestedFilename());
  await download.saveAs(file);
  return { ok: true, ms, file, bytes: statSync(file).size };
}
