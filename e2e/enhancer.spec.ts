/**
 * Prompt enhancer, Remote provider, against a local OpenAI-compatible server
 * (e2e/support/openai-server.ts): the enhanced prompt reaches the model, the MP4's settings keep
 * both prompts, "Load settings" restores the prompt and mode and reuses the enhanced prompt (no
 * second request); a failure keeps the task failed
 * and retryable with its own message, and Retry after fixing the setting enhances once. Local:
 * copies of the generated test-llm and test-captioner packs, installed from the local pack server
 * on the Models page (tested with "Test this pack", deleted and downloaded again), run in the
 * enhancer worker and give their known text.
 * A reload during generation resumes the task with its stored enhanced prompt (one request); a
 * reload during enhancement keeps the task, which enhances on resume.
 */
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { downloadNewest, fillForm, generate, installPack, installRegion, openApp } from './support/app';
import { useRemote } from './support/enhancer';
import { probe } from './support/media';
import { TEST_CAPTIONER_ID } from '../tools/test-packs/captioner';
import { TEST_LLM_CONTINUATION, TEST_LLM_ID } from '../tools/test-packs/llm';
import { type OpenAiServer, startOpenAiServer } from './support/openai-server';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';

let server: OpenAiServer;
let packs: PackServer;
test.beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: 'sk-e2e' });
  packs = await startPackServer();
  // Copies under ids the app does not bundle: only an install makes them available.
  servedCopy(packs.root, TEST_LLM_ID, 'served-llm', 'Served LLM');
  servedCopy(packs.root, TEST_CAPTIONER_ID, 'served-captioner', 'Served captioner');
});
test.afterAll(async () => {
  await server.close();
  await packs.close();
});

const installedItem = (page: Page, name: string) =>
  page
    .getByRole('region', { name: 'Installed packs' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name, exact: true }) });

/** "Test this pack" on installed pack `name`; returns its result once it passed. */
async function testInstalled(page: Page, name: string) {
  await installedItem(page, name)
    .getByRole('button', { name: `Test this pack: ${name}` })
    .click();
  const result = installedItem(page, name).getByTestId('pack-test');
  await expect(result).toHaveAttribute('data-result', 'pass');
  return result;
}

for (const [label, model] of [
  ['streamed', 'qwen-test'],
  ['not streamed', 'plain'],
] as const) {
  test(`Remote enhancement (${label}): both prompts in the MP4, Load settings restores them`, async ({
    page,
  }) => {
    const prompt = `a red ball rolling left ${label}`;
    const before = server.requests.length;
    await openApp(page);
    await useRemote(page, server, model);
    await fillForm(page, { prompt, seed: 7, steps: 2, frames: 5, resolution: '128x128' });
    await page.getByLabel('Enhance prompt').selectOption('text');
    await generate(page);
    const sent = server.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.authorization).toBe('Bearer sk-e2e');
    expect(sent[0]?.body.model).toBe(model);
    expect(sent[0]?.body.messages?.find((m) => m.role === 'user')?.content).toBe(prompt);
    await expect(page.getByTestId('enhanced-prompt').first()).toHaveText(`Enhanced: Enhanced: ${prompt}`);
    const file = await downloadNewest(page);
    const comment = probe(file.path).comment;
    expect(comment).toMatchObject({ prompt, enhanced_prompt: `Enhanced: ${prompt}`, prompt_enhancer: 'T' });
    expect(JSON.stringify(comment)).not.toContain('sk-e2e');

    await fillForm(page, { prompt: 'something else' });
    await page.getByLabel('Enhance prompt').selectOption('off');
    await page.getByLabel('Load settings').setInputFiles(file.path);
    await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue(prompt);
    await expect(page.getByLabel('Enhance prompt')).toHaveValue('text');
    const reused = page.getByTestId('reused-enhanced-prompt');
    await expect(reused).toContainText(`Enhanced: ${prompt}`);
    if (label !== 'streamed') return;
    // The reloaded task carries the stored enhanced prompt: no second request to the server.
    await generate(page);
    await expect(page.getByTestId('enhanced-prompt').first()).toHaveText(`Enhanced: Enhanced: ${prompt}`);
    expect(server.requests.length - before).toBe(1);
    // Changing the prompt ends the reuse.
    await fillForm(page, { prompt: `${prompt}!` });
    await expect(reused).toHaveCount(0);
  });
}

test('an enhancer failure fails the task with its own message; Retry enhances once', async ({ page }) => {
  await openApp(page);
  await useRemote(page, server, 'missing');
  await fillForm(page, { prompt: 'a blue cube', seed: 3, steps: 2, frames: 5, resolution: '128x128' });
  await page.getByLabel('Enhance prompt').selectOption('text');
  await page.getByRole('button', { name: 'Generate' }).click();
  const row = page.locator('.queue-row').first();
  await expect(row.getByTestId('task-status')).toContainText('has no model "missing" (HTTP 404)');
  await expect(row.getByRole('button', { name: 'Retry' })).toBeVisible();

  await page.getByLabel('Enhancer model').fill('busy');
  await page.getByLabel('Enhancer model').press('Tab');
  await row.getByRole('button', { name: 'Retry' }).click();
  await expect(row.getByTestId('task-status')).toContainText('rate-limiting requests (HTTP 429)');

  await page.getByLabel('Enhancer model').fill('qwen-test');
  await page.getByLabel('Enhancer model').press('Tab');
  const before = server.requests.length;
  await row.getByRole('button', { name: 'Retry' }).click();
  await expect(row.getByTestId('task-status')).toHaveText('Done', { timeout: 110_000 });
  await expect(row.getByTestId('enhanced-prompt')).toHaveText('Enhanced: Enhanced: a blue cube');
  expect(server.requests.length - before).toBe(1);
});

test('Local enhancement with LLM and captioner packs downloaded on the Models page: exact text, own worker, kept or released as the budget decides', async ({
  page,
}) => {
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  const enhancerWorkers = () => page.workers().filter((w) => w.url().includes('enhancer'));
  await openApp(page);
  await installPack(page, `${packs.url}served-llm/`, 'Served LLM');
  await installPack(page, `${packs.url}served-captioner/`, 'Served captioner');
  // Every file pinned by bytes and sha256 (checked while downloading): no "Unverified" warning.
  await expect(page.getByTestId('pack-unverified')).toHaveCount(0);
  expect(workers.filter((u) => u.includes('enhancer'))).toEqual([]);
  // Delete and download again: the same pack installs the same way.
  await installedItem(page, 'Served captioner').getByRole('button', { name: 'Delete' }).click();
  await expect(installRegion(page).getByRole('status')).toContainText('Served captioner was deleted.');
  await installPack(page, `${packs.url}served-captioner/`, 'Served captioner');
  // "Test this pack" runs them in the enhancer worker: the LLM writes its known text, the captioner a caption.
  await expect((await testInstalled(page, 'Served LLM')).getByTestId('pack-test-text')).toHaveText(
    `enhance wrote: “${TEST_LLM_CONTINUATION}”`,
  );
  await expect((await testInstalled(page, 'Served captioner')).getByTestId('pack-test-text')).toHaveText(
    /^caption wrote: “a mostly (red|green|blue) scene”$/,
  );
  expect(workers.filter((u) => u.includes('enhancer'))).toHaveLength(1);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Generate' }).click();
  // Enhancer packs are never offered as a generation model.
  await expect(page.getByLabel('Model', { exact: true }).locator('option')).toHaveText([
    'WebGP demo pack (analytic, not a real model)',
  ]);
  await page.getByText('Settings', { exact: true }).click();
  await page.getByLabel('Prompt enhancer', { exact: true }).selectOption('local');
  await expect(page.getByTestId('installed-llm-packs')).toContainText('Installed: served-llm.');
  await expect(page.getByTestId('installed-captioner-packs')).toContainText('Installed: served-captioner.');
  await page.getByLabel('Enhancer LLM pack').fill('served-llm');
  await page.getByLabel('Enhancer LLM pack').press('Tab');
  await fillForm(page, {
    prompt: 'a red cat running on the beach',
    seed: 5,
    steps: 2,
    frames: 5,
    resolution: '128x128',
  });
  await page.getByLabel('Enhance prompt').selectOption('text');
  await generate(page);
  await expect(page.getByTestId('enhanced-prompt').first()).toHaveText(`Enhanced: ${TEST_LLM_CONTINUATION}`);
  // The enhancer ran in its own worker (the one the pack tests started). The tiny LLM and demo pack fit the automatic budget
  // (at least 4 GiB), so the run's notes say it stayed loaded, and its worker is still there.
  expect(workers.filter((u) => u.includes('enhancer'))).toHaveLength(1);
  const info = page.getByTestId('backend-info');
  await expect(info).toContainText('Prompt enhancer kept loaded: both fit');
  expect(enhancerWorkers()).toHaveLength(1);
  const comment = probe((await downloadNewest(page)).path).comment;
  expect(comment).toMatchObject({
    prompt: 'a red cat running on the beach',
    enhanced_prompt: TEST_LLM_CONTINUATION,
    prompt_enhancer: 'T',
  });

  // A budget of 0.000001 GiB (≈ 1 KB) is smaller than the LLM graph: released before generation.
  const budget = page.getByLabel('GPU memory budget (GiB)');
  await budget.fill('0.000001');
  await budget.press('Tab');
  await expect(page.locator('#gpu-budget-error')).toHaveCount(0);
  await generate(page);
  await expect(info).toContainText('Prompt enhancer released before generation: both do not fit');
  expect(enhancerWorkers()).toEqual([]);
});

test('a reload during generation keeps the task and its enhanced prompt: the enhancer is not asked again', async ({
  page,
}) => {
  await page.goto('/?test-packs');
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await useRemote(page, server, 'qwen-test');
  const before = server.requests.length;
  await page.getByLabel('Model', { exact: true }).selectOption('test-t2v-random');
  await fillForm(page, {
    prompt: 'reload me: a slow comet',
    seed: 7,
    steps: 20,
    frames: 9,
    resolution: '128x128',
  });
  await page.getByLabel('Enhance prompt').selectOption('text');
  await page.getByRole('button', { name: 'Generate' }).click();
  const row = () => page.getByRole('region', { name: 'Queue' }).getByRole('listitem').first();
  await expect(row().getByTestId('task-status')).toHaveText(/^Running: step ([3-9]|1\d) of 20$/);
  await expect(row().getByTestId('enhanced-prompt')).toHaveText(
    'Enhanced: Enhanced: reload me: a slow comet',
  );
  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await expect(row().getByTestId('task-status')).toHaveText('Done', { timeout: 110_000 });
  await expect(row()).toContainText('resumed from step');
  await expect(row().getByTestId('enhanced-prompt')).toHaveText(
    'Enhanced: Enhanced: reload me: a slow comet',
  );
  expect(server.requests.length - before).toBe(1);
});

test('a reload during enhancement keeps the task; it enhances on resume and runs to the end', async ({
  page,
}) => {
  await openApp(page);
  await useRemote(page, server, 'hang');
  const before = server.requests.length;
  await fillForm(page, {
    prompt: 'reload while enhancing',
    seed: 2,
    steps: 2,
    frames: 5,
    resolution: '128x128',
  });
  await page.getByLabel('Enhance prompt').selectOption('text');
  await page.getByRole('button', { name: 'Generate' }).click();
  // The enhancer has the request and never answers: the reload comes mid-enhancement.
  await expect.poll(() => server.requests.length - before).toBe(1);
  await page.getByLabel('Enhancer model').fill('qwen-test');
  await page.getByLabel('Enhancer model').press('Tab');
  await expect(page.locator('fieldset.enhancer')).toHaveAttribute('data-loaded', 'true');
  // The new model is written to the database before the reload (the save is asynchronous).
  await expect(page.locator('fieldset.enhancer')).toHaveAttribute('data-saving', 'false');
  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  const row = page.getByRole('region', { name: 'Queue' }).getByRole('listitem').first();
  await expect(row).toContainText('reload while enhancing');
  await expect(row.getByTestId('task-status')).toHaveText('Done', { timeout: 110_000 });
  await expect(row.getByTestId('enhanced-prompt')).toHaveText('Enhanced: Enhanced: reload while enhancing');
  // One request cut by the reload, one answered after it: never a third.
  expect(server.requests.slice(before).map((r) => r.body.model)).toEqual(['hang', 'qwen-test']);
});
