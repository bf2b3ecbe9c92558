/**
 * Queue files in real Chromium: Export → Clear queue → Import restores the tasks in order, and
 * bad files (not a zip, bad JSON, unknown pack, missing media) give per-task messages while the
 * valid tasks still import. Also the run history export (JSON Lines).
 */
import { DEFAULT_ORT_BUILD } from '../src/engine/ort-build';
import { expect, test } from '@playwright/test';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { openApp } from './support/app';
import { addTask, queueButton, queuedPrompts, rows } from './support/queue';

const task = (prompt: string, seed: number) => ({
  prompt,
  seed,
  steps: 2,
  frames: 5,
  resolution: '128x128',
  guidance: 1,
});
const params = (prompt: string, extra: Record<string, unknown> = {}) => ({
  prompt,
  negative_prompt: '',
  seed: 1,
  num_inference_steps: 2,
  video_length: 5,
  resolution: '128x128',
  sample_solver: 'euler',
  flow_shift: 3,
  guidance_scale: 1,
  model_type: 'demo-t2v',
  ...extra,
});

async function importFile(page: import('@playwright/test').Page, name: string, buffer: Buffer) {
  await page.getByLabel('Import queue').setInputFiles({ name, mimeType: 'application/zip', buffer });
}

test('Export → Clear queue → Import restores the queue in order, and it survives a reload', async ({
  page,
}) => {
  await openApp(page);
  await queueButton(page, 'Pause').click();
  const prompts = ['one: a "quoted" red ball', 'two: ünïcödé stars <b>bold</b>', 'three: a plain square'];
  for (const [i, p] of prompts.entries()) await addTask(page, task(p, 100 + i));

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    queueButton(page, 'Export queue').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^webgp-queue-\d{4}-\d\d-\d\d\.zip$/);
  const zip = readFileSync(await download.path());
  const queueJson = JSON.parse(new TextDecoder().decode(unzipSync(new Uint8Array(zip))['queue.json'])) as {
    id: string;
    params: Record<string, unknown>;
  }[];
  expect(queueJson.map((t) => [t.params.prompt, t.params.seed, t.params.model_type])).toEqual(
    prompts.map((p, i) => [p, 100 + i, 'demo-t2v']),
  );

  await queueButton(page, 'Clear queue').click();
  await page
    .getByRole('alertdialog', { name: 'Clear the queue?' })
    .getByRole('button', { name: 'Yes, clear it' })
    .click();
  await expect(rows(page)).toHaveCount(0);

  await importFile(page, 'queue.zip', zip);
  await expect(page.getByTestId('import-notice')).toHaveText('Imported 3 tasks from queue.zip.');
  await expect(rows(page)).toHaveCount(3);
  expect(await queuedPrompts(page)).toEqual(prompts);
  // Tags in prompts are shown as text, never as markup.
  await expect(rows(page).locator('b')).toHaveCount(0);

  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  expect(await queuedPrompts(page)).toEqual(prompts);
});

test('bad queue files give specific messages and import only the valid tasks', async ({ page }) => {
  await openApp(page);
  await queueButton(page, 'Pause').click();
  const notice = page.getByTestId('import-notice');

  await importFile(page, 'notes.zip', Buffer.from('just some text'));
  await expect(notice).toHaveRole('alert');
  await expect(notice).toContainText('notes.zip is not a queue file: it is not a .zip');

  await importFile(
    page,
    'broken.zip',
    Buffer.from(zipSync({ 'queue.json': strToU8('[{"id": 1, "params": ') })),
  );
  await expect(notice).toContainText('broken.zip');
  await expect(notice).toContainText(/not valid JSON/);
  await expect(rows(page)).toHaveCount(0);

  const mixed = [
    { id: 'ok-1', params: params('valid one') },
    { id: 'bad-pack', params: params('unknown pack', { model_type: 'wan2.2-t2v-14b' }) },
    { id: 'bad-media', params: params('missing media', { image_start: 'media/start.png' }) },
    { id: 'bad-steps', params: params('too many steps', { num_inference_steps: 999 }) },
    { id: 'ok-2', params: params('valid two') },
  ];
  await importFile(page, 'mixed.zip', Buffer.from(zipSync({ 'queue.json': strToU8(JSON.stringify(mixed)) })));
  await expect(notice).toContainText('Imported 2 tasks from mixed.zip. 3 could not be imported:');
  const problems = notice.getByRole('listitem');
  await expect(problems).toHaveCount(3);
  await expect(problems.nth(0)).toContainText('Task 2 (id "bad-pack")');
  await expect(problems.nth(0)).toContainText('wan2.2-t2v-14b');
  await expect(problems.nth(0)).toContainText('demo-t2v');
  await expect(problems.nth(1)).toContainText('Task 3 (id "bad-media")');
  await expect(problems.nth(1)).toContainText('media file "media/start.png" is missing from the zip');
  await expect(problems.nth(2)).toContainText('Task 4 (id "bad-steps")');
  await expect(problems.nth(2)).toContainText('Steps must be a whole number from 1 to 50');
  expect(await queuedPrompts(page)).toEqual(['valid one', 'valid two']);
});

test('Export history downloads one JSON line per finished run with its artifacts', async ({ page }) => {
  await openApp(page);
  await addTask(page, task('history: a yellow star', 3));
  await expect(rows(page).first().getByTestId('task-status')).toHaveText('Done');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    queueButton(page, 'Export history').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^webgp-history-\d{4}-\d\d-\d\d\.jsonl$/);
  const lines = readFileSync(await download.path(), 'utf8')
    .trimEnd()
    .split('\n');
  expect(lines).toHaveLength(1);
  const run = JSON.parse(lines[0] as string) as Record<string, unknown> & {
    artifacts: Record<string, unknown>[];
  };
  expect(run).toMatchObject({
    status: 'done',
    fromStep: 0,
    request: { prompt: 'history: a yellow star', seed: 3 },
    // Settings left on Automatic and demo-t2v names no build: the run records the default build.
    ortBuild: DEFAULT_ORT_BUILD,
  });
  expect(run.settingsHash).toMatch(/^[0-9a-f]{64}$/);
  expect(Date.parse(run.endedAt as string)).toBeGreaterThanOrEqual(Date.parse(run.startedAt as string));
  expect(run.artifacts).toEqual([
    expect.objectContaining({
      role: 'video',
      container: 'mp4',
      codec: 'h264',
      frames: 5,
      durationSeconds: 5 / 16,
    }),
  ]);
  // The WebGPU run's transfer count: one entry per step; the queue asks for previews and checkpoints, so each step reads the latent back.
  const transfers = run.transfers as {
    uploads: number;
    readbacks: number;
    steps: { readbacks: number; readbackBytes: number }[];
    stages: Record<string, unknown>;
  };
  expect(transfers.steps).toHaveLength(2);
  expect(Object.keys(transfers.stages)).toEqual(expect.arrayContaining(['encode-text', 'denoise', 'decode']));
  expect(transfers.uploads).toBeGreaterThan(0);
  for (const s of transfers.steps) expect(s.readbackBytes).toBeGreaterThanOrEqual(4 * 4 * 5 * 16 * 16); // float32 latent 4×5×16×16
});
