/** e2e helpers for the prompt enhancer: Settings → Prompt enhancer set to Remote against the test server. */
import type { Page } from '@playwright/test';
import type { OpenAiServer } from './openai-server';

/** Opens Settings and points the Remote provider at `server` with `model` and the key sk-e2e. */
export async function useRemote(page: Page, server: OpenAiServer, model: string): Promise<void> {
  await page.getByText('Settings', { exact: true }).click();
  await page.getByLabel('Prompt enhancer', { exact: true }).selectOption('remote');
  for (const [label, value] of [
    ['Enhancer URL', server.baseUrl],
    ['Enhancer model', model],
    ['API key', 'sk-e2e'],
  ] as const) {
    await page.getByLabel(label).fill(value);
    await page.getByLabel(label).press('Tab');
  }
}
