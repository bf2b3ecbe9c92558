/**
 * Upgrading a browser profile written by the previous version, which kept one IndexedDB database
 * per store (tests/helpers/legacy-databases.ts writes that layout): the app shows the old queue,
 * outputs, LoRAs, presets, run history and settings, and `indexedDB.databases()` lists the one
 * `webgp` database, before and after every page has been used.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { newTask } from '../src/engine/queue/task';
import { runRecord, smallRequest } from '../tests/helpers/requests';
import { type LegacyWrite, writeLegacyDatabases } from '../tests/helpers/legacy-databases';
import { databaseNames } from './support/webgp-db';

const T0 = Date.UTC(2026, 0, 2);

function previousProfile(): LegacyWrite[] {
  const task = newTask(smallRequest('demo-t2v', { prompt: 'queued by the old version' }), {
    id: 'old-task',
    rank: 1,
    now: T0,
  });
  const output = {
    version: 2,
    id: 'old-output',
    createdAt: T0,
    fileName: 'old-clip.mp4',
    kind: 'video',
    settings: { prompt: 'an old clip', seed: 7 },
    media: { $blob: ['not really an mp4', 'video/mp4'] },
    thumbnail: { $blob: ['png', 'image/png'] },
    width: 64,
    height: 64,
    frames: 5,
    encoder: 'webcodecs',
    taskId: 'done-task',
  };
  const lora = {
    version: 1,
    id: 'cd'.repeat(32),
    name: 'old-style.safetensors',
    bytes: 10,
    importedAt: T0,
    rank: 4,
    matched: 2,
    unmatched: [],
  };
  const preset = {
    version: 1,
    id: 'old-preset',
    name: 'Old look',
    data: { loras: ['old-style.safetensors'], loras_mult: '0.5' },
    updatedAt: T0,
  };
  return [
    {
      db: 'webgp-queue',
      store: 'tasks',
      entries: [
        ['old-task', task],
        ['~meta', { paused: true }],
      ],
    },
    { db: 'webgp-outputs', store: 'outputs', entries: [['old-output', output]] },
    { db: 'webgp-history', store: 'runs', entries: [['done-task#1', runRecord('done-task#1', T0)]] },
    { db: 'webgp-loras', store: 'records', entries: [[lora.id, lora]] },
    { db: 'webgp-lora-presets', store: 'presets', entries: [['old-preset', preset]] },
    {
      db: 'webgp-settings',
      store: 'settings',
      entries: [['app', { version: 1, nameTemplate: '{seed}_old' }]],
    },
  ];
}

test('a profile of the previous version moves into the one database and loses nothing', async ({ page }) => {
  // Any same-origin document that does not start the app: the old databases are written first.
  await page.goto('/models/registry.json');
  await page.evaluate(writeLegacyDatabases, previousProfile());
  expect(await databaseNames(page)).toHaveLength(6);

  await page.goto('/');
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await expect(
    page.getByRole('region', { name: 'Queue' }).getByText('queued by the old version'),
  ).toBeVisible();
  await expect(page.getByLabel('Select old-clip.mp4')).toBeVisible();
  await expect(page.getByLabel('File name template')).toHaveValue('{seed}_old');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export history' }).click(),
  ]);
  expect(readFileSync(await download.path(), 'utf8')).toContain('"runId":"done-task#1"');
  expect(await databaseNames(page)).toEqual(['webgp']);

  await page.getByRole('link', { name: 'LoRAs' }).click();
  await expect(page.getByText('old-style.safetensors', { exact: true })).toBeVisible();
  await expect(page.getByText('Old look', { exact: true })).toBeVisible();
  for (const name of ['Matting', 'Models', 'Generate']) {
    await page.getByRole('link', { name, exact: true }).click();
    await expect(page.getByRole('link', { name, exact: true })).toHaveAttribute('aria-current', 'page');
  }
  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await expect(page.getByLabel('Select old-clip.mp4')).toBeVisible();
  expect(await databaseNames(page)).toEqual(['webgp']);
});
