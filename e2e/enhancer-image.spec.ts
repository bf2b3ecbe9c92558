/**
 * Prompt enhancer, Image mode: the generated test-captioner pack (models/test-captioner/) captions
 * an i2v task's start image in the enhancer worker ("a mostly red scene" for a red image), the
 * Remote provider (e2e/support/openai-server.ts) gets the caption as the user message, and the
 * MP4's settings carry the exact enhanced text next to the user's prompt. The stored enhancement is
 * keyed on its inputs: after "Load settings", the same start image reuses it (no request), a
 * different one is captioned and enhanced again.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { png } from '../tests/helpers/png';
import { TEST_CAPTIONER_ID, testCaption } from '../tools/test-packs/captioner';
import { downloadNewest, fillForm, generate, installPack, openApp } from './support/app';
import { useRemote } from './support/enhancer';
import { probe } from './support/media';
import { type OpenAiServer, startOpenAiServer } from './support/openai-server';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';

const TEST_PACKS = join(import.meta.dirname, '..', 'test-packs');
let openai: OpenAiServer;
let packs: PackServer;
test.beforeAll(async () => {
  openai = await startOpenAiServer({ apiKey: 'sk-e2e' });
  packs = await startPackServer();
});
test.afterAll(async () => {
  await openai.close();
  await packs.close();
});

/** A 64×64 PNG, mostly `colour` with a grey square. */
function startImage(colour: 'red' | 'blue'): string {
  const rgb = colour === 'red' ? [210, 40, 30] : [30, 40, 210];
  const px = new Uint8Array(64 * 64 * 3);
  for (let p = 0; p < 64 * 64; p++) px.set(p % 64 > 24 && p % 64 < 40 ? [128, 128, 128] : rgb, p * 3);
  const path = join(mkdtempSync(join(tmpdir(), 'webgp-start-')), `${colour}.png`);
  writeFileSync(path, png(64, 64, 2, 3, px, 0));
  return path;
}

test('Image mode captions the start image; the MP4 keeps the exact enhanced text', async ({ page }) => {
  // Install, caption, enhance and generate: more than one generation's worth on a loaded CI machine.
  test.setTimeout(240_000);
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  servedCopy(packs.root, 'test-fastwan-i2v', 'served-i2v', 'Served i2v', undefined, TEST_PACKS);
  await openApp(page);
  await installPack(page, `${packs.url}served-i2v/`, 'Served i2v');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Generate' }).click();
  await useRemote(page, openai, 'qwen-test');
  await page.getByLabel('Captioner pack').fill(TEST_CAPTIONER_ID);
  await page.getByLabel('Captioner pack').press('Tab');
  await page.getByLabel('Model', { exact: true }).selectOption({ label: 'Served i2v' });
  await fillForm(page, { prompt: 'the ball bounces', seed: 4, steps: 1, frames: 5, resolution: '64x64' });
  await page.getByLabel('Start image', { exact: true }).setInputFiles(startImage('red'));
  await page.getByLabel('Enhance prompt').selectOption('image');
  const before = openai.requests.length;
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByText(/^Done in/)).toBeVisible({ timeout: 200_000 });

  const user = `Start image: ${testCaption('red')}\nIdea: animate this image.`;
  const sent = openai.requests.slice(before);
  expect(sent.map((r) => r.body.messages?.find((m) => m.role === 'user')?.content)).toEqual([user]);
  // The captioner ran in the enhancer worker, which is gone once the generation ran.
  expect(workers.filter((u) => u.includes('enhancer'))).toHaveLength(1);
  expect(page.workers().filter((w) => w.url().includes('enhancer'))).toEqual([]);
  const file = await downloadNewest(page);
  const comment = probe(file.path).comment;
  expect(comment).toMatchObject({
    prompt: 'the ball bounces',
    enhanced_prompt: `Enhanced: ${user}`,
    prompt_enhancer: 'I',
  });
  expect(comment.enhanced_prompt_key).toMatch(/^[0-9a-f]{64}$/);

  // Load settings with the same start image: the stored enhancement is reused, nothing is asked.
  await page.getByLabel('Load settings').setInputFiles(file.path);
  await expect(page.getByTestId('reused-enhanced-prompt')).toContainText(`Enhanced: ${user}`);
  await generate(page);
  expect(openai.requests.length - before).toBe(1);
  // Another start image (same prompt and mode): its caption is made and enhanced again.
  await page.getByLabel('Start image', { exact: true }).setInputFiles(startImage('blue'));
  await generate(page);
  const blue = `Start image: ${testCaption('blue')}\nIdea: animate this image.`;
  expect(
    openai.requests.slice(before).map((r) => r.body.messages?.find((m) => m.role === 'user')?.content),
  ).toEqual([user, blue]);
  // The newest task is the queue's last row.
  await expect(page.getByTestId('enhanced-prompt').last()).toHaveText(`Enhanced: Enhanced: ${blue}`);
});
