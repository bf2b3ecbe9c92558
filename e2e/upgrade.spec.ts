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
  await page.evaluate(writeLegacyDatabases, JSON.stringify(previousProfile()));
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

test('files in OPFS without a record are collected at start; a file with a record stays', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  const kept = 'ef'.repeat(32);
  await page.evaluate(async (kept) => {
    const root = await navigator.storage.getDirectory();
    const put = async (dir: FileSystemDirectoryHandle, name: string) => {
      const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
      await w.write('bytes');
      await w.close();
    };
    const loras = await root.getDirectoryHandle('loras', { create: true });
    await put(loras, `${'00'.repeat(32)}.safetensors`);
    await put(loras, `${kept}.safetensors`);
    const pack = await (
      await root.getDirectoryHandle('packs', { create: true })
    ).getDirectoryHandle('orphan-pack', { create: true });
    await put(await pack.getDirectoryHandle('onnx', { create: true }), 'model.onnx');
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const r = indexedDB.open('webgp');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const record = {
      version: 1,
      id: kept,
      name: 'kept.safetensors',
      bytes: 5,
      importedAt: 0,
      rank: 1,
      matched: 1,
      unmatched: [],
    };
    await new Promise((ok) => {
      const tx = db.transaction('loras', 'readwrite');
      tx.objectStore('loras').put(record, kept);
      tx.oncomplete = ok;
    });
    db.close();
  }, kept);
  const listing = () =>
    page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      const names = async (name: string) => {
        const out: string[] = [];
        for await (const k of (await root.getDirectoryHandle(name)).keys()) out.push(k);
        return out.sort();
      };
      return { loras: await names('loras'), packs: await names('packs') };
    });
  expect(await listing()).toEqual({
    loras: [`${'00'.repeat(32)}.safetensors`, `${kept}.safetensors`],
    packs: ['orphan-pack'],
  });

  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  expect(await listing()).toEqual({ loras: [`${kept}.safetensors`], packs: [] });
  await page.getByRole('link', { name: 'LoRAs' }).click();
  await expect(page.getByText('kept.safetensors', { exact: true })).toBeVisible();
});
