/**
 * Installing packs into OPFS from a local pack server (e2e/support/pack-server.ts) and from a
 * picked folder: progress, install and generate from OPFS, resume after a dropped connection
 * and a reload (HTTP Range), and all-or-nothing failures — corrupt file, missing file, too
 * little quota, QuotaExceededError mid-write, wrong tensor name — plus Delete.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { formatSize } from '../src/engine/format-size';
import { downloadNewest, fillForm, generate, installFromUrl, installRegion, openApp } from './support/app';
import { hashReadBack, hashTime, opfsPackFiles, opfsPackHashes, packRecord } from './support/installed';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';
import { probe } from './support/media';

const ID = 'served-t2v';
const NAME = 'Served demo pack (copy)';

let server: PackServer;
let packDir: string;

test.beforeEach(async () => {
  server = await startPackServer();
  packDir = servedCopy(server.root, 'demo-t2v', ID, NAME);
});
test.afterEach(async () => {
  await server.close();
});

/** Every file of a folder: relative path → bytes. */
function filesOf(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p);
    }
  };
  walk(dir);
  return out;
}

const installedRegion = (page: Page) => page.getByRole('region', { name: 'Installed packs' });
const installedItem = (page: Page, name = NAME) =>
  installedRegion(page)
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name, exact: true }) });
const state = (page: Page, name = NAME) => installedItem(page, name).getByTestId('install-state');

async function openModels(page: Page): Promise<void> {
  await openApp(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
  await expect(page.getByRole('region', { name: 'Models' })).toBeVisible();
}

/** Installs the served pack (or `url`) with "Install from URL". */
const install = (page: Page, url = `${server.url}${ID}/`) => installFromUrl(page, url);

/** Nothing of pack `id` is left: no OPFS folder, no record, not listed. */
async function expectNothingInstalled(page: Page, id = ID, name = NAME): Promise<void> {
  await expect(installedItem(page, name)).toHaveCount(0);
  expect(await opfsPackFiles(page, id)).toBeNull();
  expect(await packRecord(page, id)).toBeUndefined();
}

test('installs a pack from a URL with progress, lists it with its size, and generates with it from OPFS', async ({
  page,
}) => {
  const source = filesOf(packDir);
  const total = Object.values(source).reduce((n, b) => n + b.length, 0);
  server.throttle(4000);
  await openModels(page);
  await install(page);

  const item = installedItem(page);
  await expect(item.getByRole('progressbar', { name: `Download of ${NAME}` })).toBeVisible();
  await expect(item.getByTestId('download-status')).toContainText(
    /Downloading \S+ — [\d.]+ (B|KB) of [\d.]+ KB · [\d.]+ (B|KB)\/s/,
  );
  await expect(state(page)).toHaveAttribute('data-status', 'installed');
  await expect(item.getByTestId('size-on-disk')).toHaveText(`${formatSize(total)} on disk`);
  await expect(installRegion(page).getByRole('status')).toContainText(`${NAME} is installed`);
  await expect(installRegion(page).getByTestId('storage-persistence')).toContainText(
    /Storage is (not )?persistent/,
  );
  expect(await packRecord(page, ID)).toMatchObject({ status: 'installed', baseUrl: `${server.url}${ID}/` });
  expect(await opfsPackFiles(page, ID)).toEqual(
    Object.fromEntries(Object.entries(source).map(([p, b]) => [p, b.length])),
  );
  // sha256 ran as the bytes arrived: no file was read back from OPFS to check it.
  expect(await hashReadBack(page)).toEqual({ bytes: 0, files: 0 });
  // ... in the hash worker: the page only handed it the chunks.
  expect(page.workers().map((w) => w.url())).toContainEqual(expect.stringMatching(/hash\.worker/));
  const spent = await hashTime(page);
  expect(spent?.chunks).toBeGreaterThan(0);
  test.info().annotations.push({ type: 'main-thread hashing', description: JSON.stringify(spent) });

  // The server is gone: generating must read the pack from OPFS.
  await server.close();
  server = await startPackServer();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Generate' }).click();
  const picker = page.getByLabel('Model', { exact: true });
  await expect(picker.locator('option')).toHaveText(['WebGP demo pack (analytic, not a real model)', NAME]);
  await picker.selectOption({ label: NAME });
  await fillForm(page, {
    prompt: 'a big red ball rolling left at night',
    steps: 3,
    frames: 5,
    resolution: '128x128',
  });
  await generate(page);
  const file = await downloadNewest(page);
  expect(probe(file.path).comment).toMatchObject({
    model_type: ID,
    prompt: 'a big red ball rolling left at night',
  });
});

test('a dropped connection pauses the download; after a reload Resume continues with Range and completes', async ({
  page,
}) => {
  server.cutAfter(`${ID}/transformer.onnx`, 2000);
  await openModels(page);
  await install(page);
  await expect(state(page)).toHaveAttribute('data-status', 'paused');
  await expect(installedItem(page).getByTestId('download-status')).toContainText(
    /Download interrupted at \d+% — press Resume/,
  );
  expect(await packRecord(page, ID)).toMatchObject({ status: 'paused' });

  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await expect(state(page)).toHaveAttribute('data-status', 'paused');
  await expect(installedItem(page).getByTestId('download-status')).toContainText('Download interrupted at');
  const stored = (await opfsPackFiles(page, ID))?.['transformer.onnx'];
  expect(stored).toBeGreaterThan(0);
  expect(stored).toBeLessThan(statSync(join(packDir, 'transformer.onnx')).size);

  await installedItem(page).getByRole('button', { name: 'Resume' }).click();
  await expect(state(page)).toHaveAttribute('data-status', 'installed');
  const resumed = server.log.filter((r) => r.method === 'GET' && r.path === `/${ID}/transformer.onnx`);
  expect(resumed.map((r) => [r.range, r.status])).toEqual([
    [undefined, 200],
    [`bytes=${stored}-`, 206],
  ]);
  const expected = Object.fromEntries(
    Object.entries(filesOf(packDir)).map(([p, b]) => [p, createHash('sha256').update(b).digest('hex')]),
  );
  expect(await opfsPackHashes(page, ID)).toEqual(expected);
  // The hash resumed from the state saved with the resume point, across the reload.
  expect(await hashReadBack(page)).toEqual({ bytes: 0, files: 0 });
});

test('a corrupted file (sha256 mismatch) is named and nothing of the pack is kept', async ({ page }) => {
  server.corrupt(`${ID}/transformer.onnx`);
  await openModels(page);
  await install(page);
  const alert = installRegion(page).getByRole('alert');
  await expect(alert).toContainText('Model file transformer.onnx failed its integrity check');
  await expectNothingInstalled(page);
});

test('a missing file (404) is named with its URL and nothing of the pack is kept', async ({ page }) => {
  server.missing(`${ID}/vae_decoder.onnx`);
  await openModels(page);
  await install(page);
  await expect(installRegion(page).getByRole('alert')).toContainText(
    `Model file vae_decoder.onnx is missing on the server: ${server.url}${ID}/vae_decoder.onnx answered HTTP 404`,
  );
  await expectNothingInstalled(page);
  expect(server.log.some((r) => r.path === `/${ID}/transformer.onnx` && r.status === 200)).toBe(true);
});

test('too little free quota stops the install before anything is written, naming both sizes', async ({
  page,
}) => {
  await page.addInitScript(() => {
    Object.defineProperty(StorageManager.prototype, 'estimate', {
      value: async () => ({ usage: 1000, quota: 5000 }),
    });
  });
  const needed = Object.entries(filesOf(packDir)).reduce((n, [, b]) => n + b.length, 0);
  await openModels(page);
  await install(page);
  await expect(installRegion(page).getByRole('alert')).toContainText(
    `Installing ${NAME} needs ${formatSize(needed)} but only 4.0 KB is free`,
  );
  await expectNothingInstalled(page);
  expect(server.log.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual([`/${ID}/pack.json`]);
});

test('QuotaExceededError while writing is a storage-full error and removes what was written', async ({
  page,
}) => {
  await page.addInitScript(() => {
    const write = FileSystemWritableFileStream.prototype.write;
    let calls = 0;
    FileSystemWritableFileStream.prototype.write = function (
      this: FileSystemWritableFileStream,
      ...args: Parameters<typeof write>
    ) {
      if (++calls > 3)
        return Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
      return write.apply(this, args);
    };
  });
  await openModels(page);
  await install(page);
  await expect(installRegion(page).getByRole('alert')).toContainText(
    `Browser storage ran out while installing ${NAME}, so nothing of it was kept`,
  );
  await expectNothingInstalled(page);
});

test('Delete removes the files and the record, and the Model picker no longer offers the pack', async ({
  page,
}) => {
  await openModels(page);
  await install(page);
  await expect(state(page)).toHaveAttribute('data-status', 'installed');
  await installedItem(page).getByRole('button', { name: 'Delete' }).click();
  await expect(installRegion(page).getByRole('status')).toContainText(`${NAME} was deleted.`);
  await expectNothingInstalled(page);
  await expect(installedRegion(page)).toContainText('No packs are stored in this browser yet.');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Generate' }).click();
  await expect(page.getByLabel('Model', { exact: true }).locator('option')).toHaveText([
    'WebGP demo pack (analytic, not a real model)',
  ]);
});

test('a pack.json that maps a tensor name the graph lacks is rejected, naming the graph and the name', async ({
  page,
}) => {
  rmSync(packDir, { recursive: true });
  servedCopy(server.root, 'demo-t2v', ID, NAME, (m) => {
    const c = m.components as Record<string, { inputs: Record<string, string> }>;
    (c.transformer as { inputs: Record<string, string> }).inputs.latents = 'no_such_tensor';
  });
  await openModels(page);
  await install(page);
  const alert = installRegion(page).getByRole('alert');
  await expect(alert).toContainText(
    'transformer.onnx has no input "no_such_tensor" (role latents); its inputs are: hidden_states, timestep, encoder_hidden_states',
  );
  await expectNothingInstalled(page);
});

test('SD-Turbo: Download reads the bundled pack.json and fetches its files from the source (here the test-sdturbo mirror), tokenizer vocab + merges included', async ({
  page,
}) => {
  // The real files cannot be fetched here: the source URL answers with test-sdturbo's files, which
  // carry the same names, tensor names and dtypes (tests/unit/real-packs.test.ts checks the mirror).
  const mirror = join(import.meta.dirname, '..', 'test-packs', 'test-sdturbo');
  const source = 'https://huggingface.co/schmuell/sd-turbo-ort-web/resolve/main/';
  const asked: string[] = [];
  await page.context().route(`${source}**`, async (route) => {
    const path = route.request().url().slice(source.length);
    asked.push(`${route.request().method()} ${path}`);
    await route.fulfill({
      status: 200,
      headers: { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/octet-stream' },
      body: readFileSync(join(mirror, path)),
    });
  });
  await openModels(page);
  const card = page
    .getByRole('region', { name: 'Models' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: 'SD-Turbo', exact: true }) });
  await card.getByRole('button', { name: 'Download' }).click();
  await expect(card.getByTestId('install-state')).toHaveAttribute('data-status', 'installed');
  const files = [
    'tokenizer/vocab.json',
    'tokenizer/merges.txt',
    'text_encoder/model.onnx',
    'unet/model.onnx',
    'vae_decoder/model.onnx',
  ];
  expect(asked.filter((a) => a.startsWith('GET ')).map((a) => a.slice(4))).toEqual(files);
  const stored = await opfsPackHashes(page, 'sd-turbo');
  for (const f of files)
    expect(stored[f], f).toBe(
      createHash('sha256')
        .update(readFileSync(join(mirror, f)))
        .digest('hex'),
    );
  expect(
    JSON.parse(
      readFileSync(join(import.meta.dirname, '..', 'public', 'models', 'sd-turbo', 'pack.json'), 'utf8'),
    ).tokenizer.format,
  ).toBe('clip-bpe');
  expect((await packRecord(page, 'sd-turbo'))?.status).toBe('installed');
});

test('imports a picked pack folder (all or nothing; a missing file is named)', async ({ page }) => {
  // Without showDirectoryPicker the button falls back to the webkitdirectory input.
  await page.addInitScript(() => Object.defineProperty(window, 'showDirectoryPicker', { value: undefined }));
  const incomplete = servedCopy(server.root, 'demo-t2v', 'incomplete-t2v', 'Incomplete pack');
  rmSync(join(incomplete, 'vae_decoder.onnx'));
  await openModels(page);
  const input = installRegion(page).getByTestId('import-input');

  await input.setInputFiles(incomplete);
  await expect(installRegion(page).getByRole('alert')).toContainText(
    'folder "incomplete-t2v" lacks vae_decoder.onnx, which pack.json lists',
  );
  await expectNothingInstalled(page, 'incomplete-t2v', 'Incomplete pack');

  await input.setInputFiles(packDir);
  await expect(state(page)).toHaveAttribute('data-status', 'installed');
  await expect(installedItem(page)).toContainText(`imported from folder "${ID}"`);
  const expected = Object.fromEntries(
    Object.entries(filesOf(packDir)).map(([p, b]) => [p, createHash('sha256').update(b).digest('hex')]),
  );
  expect(await opfsPackHashes(page, ID)).toEqual(expected);
  // A folder import checks its stored copies from disk, and the read-back counter sees it.
  expect((await hashReadBack(page))?.bytes).toBeGreaterThan(0);
});

test('imports pack files dropped on the Models page', async ({ page }) => {
  await openModels(page);
  const files = Object.entries(filesOf(packDir)).map(
    ([path, bytes]) => [path, bytes.toString('base64')] as const,
  );
  const dataTransfer = await page.evaluateHandle((files) => {
    const dt = new DataTransfer();
    for (const [path, b64] of files)
      dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], path));
    return dt;
  }, files);
  await page.locator('.models-view').dispatchEvent('drop', { dataTransfer });
  await expect(state(page)).toHaveAttribute('data-status', 'installed');
  await expect(installRegion(page).getByRole('status')).toContainText(
    `${NAME} is installed from the dropped files`,
  );
  expect(await packRecord(page, ID)).toMatchObject({
    status: 'installed',
    baseUrl: 'local:the dropped files',
  });
});
