/** Drives the WebGP page the way a user does: fill the form, generate, download from the Gallery. */
import { expect, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FormValues {
  prompt: string;
  negativePrompt?: string;
  seed?: number;
  steps?: number;
  frames?: number;
  resolution?: string;
  guidance?: number;
  solver?: 'euler' | 'unipc' | 'dpmpp-2m';
}

/** Opens the app and waits for its readiness marker (no sleeps). */
export async function openApp(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
}

export async function fillForm(page: Page, v: FormValues): Promise<void> {
  await page.getByLabel('Prompt', { exact: true }).fill(v.prompt);
  if (v.negativePrompt !== undefined)
    await page.getByLabel('Negative prompt', { exact: true }).fill(v.negativePrompt);
  if (v.seed !== undefined) await page.getByLabel('Seed', { exact: true }).fill(String(v.seed));
  if (v.steps !== undefined) await page.getByLabel('Steps', { exact: true }).fill(String(v.steps));
  if (v.frames !== undefined) await page.getByLabel('Frames', { exact: true }).fill(String(v.frames));
  if (v.resolution !== undefined)
    await page.getByLabel('Resolution', { exact: true }).selectOption(v.resolution);
  if (v.guidance !== undefined || v.solver !== undefined) {
    const guidance = page.getByLabel('Guidance', { exact: true });
    if (!(await guidance.isVisible())) await page.getByText('Sampler', { exact: true }).click();
    if (v.guidance !== undefined) await guidance.fill(String(v.guidance));
    if (v.solver !== undefined) await page.getByLabel('Solver', { exact: true }).selectOption(v.solver);
  }
}

export const gallery = (page: Page) => page.getByRole('region', { name: 'Gallery' });

/** Clicks Generate and waits until the Gallery holds one more output. */
export async function generate(page: Page): Promise<void> {
  const links = gallery(page).getByRole('link', { name: 'Download' });
  const before = await links.count();
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByText(/^Done in/)).toBeVisible({ timeout: 110_000 });
  await expect(links).toHaveCount(before + 1);
}

/** Downloads the newest Gallery output; returns its suggested name and saved path. */
export async function downloadNewest(page: Page): Promise<{ name: string; path: string }> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    gallery(page).getByRole('link', { name: 'Download' }).first().click(),
  ]);
  const path = join(mkdtempSync(join(tmpdir(), 'webgp-e2e-')), download.suggestedFilename());
  await download.saveAs(path);
  return { name: download.suggestedFilename(), path };
}

export async function chooseSetting(
  page: Page,
  label: 'Backend' | 'Video encoder' | 'ONNX Runtime build',
  value: string,
): Promise<void> {
  // The Settings panel toggles: open it only when it is closed (a second call would close it).
  if (!(await page.getByLabel(label).isVisible())) await page.getByText('Settings', { exact: true }).click();
  await page.getByLabel(label).selectOption(value);
}

/** The Models page's "Install a pack" region. */
export const installRegion = (page: Page) => page.getByRole('region', { name: 'Install a pack' });

/** Goes to the Models page and installs from `url` with "Install from URL"; callers wait for the outcome they expect. */
export async function installFromUrl(page: Page, url: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
  await installRegion(page).getByLabel('Pack URL').fill(url);
  await installRegion(page).getByRole('button', { name: 'Install', exact: true }).click();
}

/** installFromUrl, then waits until the page says pack `name` is installed. */
export async function installPack(page: Page, url: string, name: string): Promise<void> {
  await installFromUrl(page, url);
  await expect(installRegion(page).getByRole('status')).toContainText(`${name} is installed`);
}
