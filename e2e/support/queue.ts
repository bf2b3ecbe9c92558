/** Drives the Queue region: add tasks through the form, read rows and their status text. */
import { expect, type Locator, type Page } from '@playwright/test';
import { type FormValues, fillForm, openApp } from './app';

export const queueRegion = (page: Page) => page.getByRole('region', { name: 'Queue' });
export const rows = (page: Page) => queueRegion(page).getByRole('listitem');
export const statusOf = (row: Locator) => row.getByTestId('task-status');
export const rowButton = (row: Locator, name: string) => row.getByRole('button', { name, exact: true });
export const queueButton = (page: Page, name: string) =>
  queueRegion(page).getByRole('button', { name, exact: true });

/** Opens the app with the test packs listed (their output depends on every step and the seed). */
export async function openWithTestPacks(page: Page): Promise<void> {
  await page.goto('/?test-packs');
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
}

export async function openTab(page: Page, testPacks: boolean): Promise<void> {
  if (testPacks) await openWithTestPacks(page);
  else await openApp(page);
}

/** Fills the form and clicks Generate; waits until the Queue shows one more task. */
export async function addTask(page: Page, v: FormValues & { pack?: string }): Promise<void> {
  const before = await rows(page).count();
  if (v.pack) await page.getByLabel('Model', { exact: true }).selectOption(v.pack);
  await fillForm(page, v);
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(rows(page)).toHaveCount(before + 1);
}

/** The prompts of the listed tasks, in queue order. */
export async function queuedPrompts(page: Page): Promise<string[]> {
  return rows(page).locator('.queue-prompt').allTextContents();
}

/** The step number in a status text such as "Running: step 7 of 40". */
export async function stepOf(row: Locator): Promise<number> {
  const m = /step (\d+) of/.exec((await statusOf(row).textContent()) ?? '');
  return m ? Number(m[1]) : 0;
}
