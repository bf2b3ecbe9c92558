/**
 * Per-file sources across origins: a copy of test-fastwan whose pack.json takes its tokenizer from
 * a second pack server (another origin, its own port) with pinned bytes and sha256 — as the real
 * FastWan pack takes its tokenizer from Wan-AI's repository. It installs and generates; a dropped
 * connection on the second origin pauses, and Resume (after a reload) completes with a Range
 * request there; a corrupt or missing copy there fails naming the file and leaves nothing; a folder
 * import takes the file from the picked folder (and names it when it is missing there). A copy of
 * test-sdxlturbo takes both tokenizers from the second origin, as the real SDXL-Turbo pack does.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { formatSize } from '../src/engine/format-size';
import {
  downloadNewest,
  fillForm,
  generate,
  installFromUrl,
  installPack,
  installRegion,
  openApp,
} from './support/app';
import { opfsPackFiles, opfsPackHashes, packRecord } from './support/installed';
import { probe } from './support/media';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';

const TEST_PACKS = join(import.meta.dirname, '..', 'test-packs');
const ID = 'served-fastwan-sources';
const NAME = 'FastWan contract, tokenizer from another origin';
const TOKENIZER = 'tokenizer/tokenizer.json';
/** Where the second origin serves the tokenizer (another path than in the pack, as on Hugging Face). */
const REMOTE = 'Wan-AI/tokenizer/tokenizer.json';

let packs: PackServer;
let other: PackServer;
let packDir: string;

test.beforeEach(async () => {
  packs = await startPackServer();
  other = await startPackServer();
  packDir = servedCopy(
    packs.root,
    'test-fastwan',
    ID,
    NAME,
    (m) => Object.assign(m.tokenizer as object, { url: `${other.url}${REMOTE}` }),
    TEST_PACKS,
  );
  mkdirSync(join(other.root, 'Wan-AI', 'tokenizer'), { recursive: true });
  copyFileSync(join(packDir, TOKENIZER), join(other.root, REMOTE));
  // The pack's own folder has no tokenizer: it can only come from the second origin.
  rmSync(join(packDir, TOKENIZER));
});
test.afterEach(async () => {
  await packs.close();
  await other.close();
});

/** sha256 of every file the installed pack must hold: the pack folder's plus the tokenizer from the other origin. */
function expectedHashes(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(packDir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(packDir);
  out[TOKENIZER] = createHash('sha256')
    .update(readFileSync(join(other.root, REMOTE)))
    .digest('hex');
  return out;
}

const installedItem = (page: Page) =>
  page
    .getByRole('region', { name: 'Installed packs' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: NAME, exact: true }) });
const state = (page: Page) => installedItem(page).getByTestId('install-state');
const gets = (server: PackServer, path: string) =>
  server.log.filter((r) => r.method === 'GET' && r.path === path).map((r) => [r.range, r.status]);

async function install(page: Page): Promise<void> {
  await openApp(page);
  await installFromUrl(page, `${packs.url}${ID}/`);
}

async function expectNothingInstalled(page: Page): Promise<void> {
  await expect(installedItem(page)).toHaveCount(0);
  expect(await opfsPackFiles(page, ID)).toBeNull();
  expect(await packRecord(page, ID)).toBeUndefined();
}

test('installs a pack whose tokenizer comes from a second origin, and generates with it', async ({
  page,
}) => {
  await install(page);
  await expect(state(page)).toHaveAttribute('data-status', 'installed');
  expect(gets(other, `/${REMOTE}`)).toEqual([[undefined, 200]]);
  expect(packs.log.some((r) => r.path.endsWith(TOKENIZER))).toBe(false);
  expect(await opfsPackHashes(page, ID)).toEqual(expectedHashes());
  expect((await packRecord(page, ID))?.files.find((f) => f.path === TOKENIZER)).toMatchObject({
    url: `${other.url}${REMOTE}`,
    bytes: statSync(join(other.root, REMOTE)).size,
  });

  // Both servers are gone: the pack, tokenizer included, is read from OPFS.
  await packs.close();
  await other.close();
  packs = await startPackServer();
  other = await startPackServer();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Generate' }).click();
  await page.getByLabel('Model', { exact: true }).selectOption({ label: NAME });
  await fillForm(page, { prompt: 'a red ball on a blue table', seed: 3 });
  await generate(page);
  const file = await downloadNewest(page);
  expect(probe(file.path).comment).toMatchObject({ model_type: ID, prompt: 'a red ball on a blue table' });
});

test('a connection cut by the second origin pauses; after a reload Resume completes it with a Range request there', async ({
  page,
}) => {
  other.cutAfter(REMOTE, 600);
  await install(page);
  await expect(state(page)).toHaveAttribute('data-status', 'paused');
  await expect(installedItem(page).getByTestId('download-status')).toContainText(
    /Download interrupted at \d+% — press Resume/,
  );

  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await expect(state(page)).toHaveAttribute('data-status', 'paused');
  const stored = (await opfsPackFiles(page, ID))?.[TOKENIZER];
  expect(stored).toBeGreaterThan(0);
  expect(stored).toBeLessThan(statSync(join(other.root, REMOTE)).size);

  await installedItem(page).getByRole('button', { name: 'Resume' }).click();
  await expect(state(page)).toHaveAttribute('data-status', 'installed');
  expect(gets(other, `/${REMOTE}`)).toEqual([
    [undefined, 200],
    [`bytes=${stored}-`, 206],
  ]);
  expect(packs.log.some((r) => r.path.endsWith(TOKENIZER))).toBe(false);
  expect(await opfsPackHashes(page, ID)).toEqual(expectedHashes());
});

test('a corrupted copy on the second origin fails the install naming the file, and nothing of the pack is left', async ({
  page,
}) => {
  other.corrupt(REMOTE);
  await install(page);
  await expect(installRegion(page).getByRole('alert')).toContainText(
    `Model file ${TOKENIZER} failed its integrity check`,
  );
  await expectNothingInstalled(page);
  expect(gets(other, `/${REMOTE}`)).toEqual([[undefined, 200]]);
});

test('a file missing on the second origin is named with its URL there, and nothing of the pack is left', async ({
  page,
}) => {
  other.missing(REMOTE);
  await install(page);
  await expect(installRegion(page).getByRole('alert')).toContainText(
    `Model file ${TOKENIZER} is missing on the server: ${other.url}${REMOTE} answered HTTP 404`,
  );
  await expectNothingInstalled(page);
});

test('folder import: a file with its own url must be in the picked folder like any other', async ({
  page,
}) => {
  // Without showDirectoryPicker the button falls back to the webkitdirectory input.
  await page.addInitScript(() => Object.defineProperty(window, 'showDirectoryPicker', { value: undefined }));
  await openApp(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
  const input = installRegion(page).getByTestId('import-input');
  await input.setInputFiles(packDir);
  await expect(installRegion(page).getByRole('alert')).toContainText(
    `folder "${ID}" lacks ${TOKENIZER}, which pack.json lists`,
  );
  await expectNothingInstalled(page);

  copyFileSync(join(other.root, REMOTE), join(packDir, TOKENIZER));
  await input.setInputFiles(packDir);
  await expect(state(page)).toHaveAttribute('data-status', 'installed');
  expect(await opfsPackHashes(page, ID)).toEqual(expectedHashes());
  expect(other.log).toEqual([]);
});

test('the quota check counts the file from the second origin, before anything is fetched there', async ({
  page,
}) => {
  await page.addInitScript(() => {
    Object.defineProperty(StorageManager.prototype, 'estimate', {
      value: async () => ({ usage: 1000, quota: 5000 }),
    });
  });
  // pack.json and the pack folder's files, plus the tokenizer's pinned size.
  const needed = readdirSizes(packDir) + statSync(join(other.root, REMOTE)).size;
  await install(page);
  await expect(installRegion(page).getByRole('alert')).toContainText(
    `Installing ${NAME} needs ${formatSize(needed)} but only 4.0 KB is free`,
  );
  await expectNothingInstalled(page);
  expect(other.log).toEqual([]);
});

/** Total bytes of every file under `dir`. */
function readdirSizes(dir: string): number {
  return readdirSync(dir).reduce((n, name) => {
    const p = join(dir, name);
    return n + (statSync(p).isDirectory() ? readdirSizes(p) : statSync(p).size);
  }, 0);
}

test('SDXL contract: both tokenizer.json files come from a second origin (as the real pack takes them from the webnn demo), and it generates', async ({
  page,
}) => {
  const id = 'served-sdxl-sources';
  const name = 'SDXL contract, tokenizers from another origin';
  const tokenizers = ['tokenizer/tokenizer.json', 'tokenizer_2/tokenizer.json'];
  const remote = (path: string) => `webnn/demos/sdxl-turbo/models/${path}`;
  const dir = servedCopy(
    packs.root,
    'test-sdxlturbo',
    id,
    name,
    (m) => {
      for (const [key, path] of [
        ['tokenizer', tokenizers[0]],
        ['tokenizer2', tokenizers[1]],
      ] as const)
        Object.assign(m[key] as object, { url: `${other.url}${remote(path as string)}` });
    },
    TEST_PACKS,
  );
  for (const path of tokenizers) {
    mkdirSync(join(other.root, remote(path), '..'), { recursive: true });
    copyFileSync(join(dir, path), join(other.root, remote(path)));
    rmSync(join(dir, path));
  }
  await openApp(page);
  await installPack(page, `${packs.url}${id}/`, name);
  expect(tokenizers.map((path) => gets(other, `/${remote(path)}`))).toEqual([
    [[undefined, 200]],
    [[undefined, 200]],
  ]);
  const hashes = await opfsPackHashes(page, id);
  for (const path of tokenizers)
    expect(hashes?.[path]).toBe(
      createHash('sha256')
        .update(readFileSync(join(other.root, remote(path))))
        .digest('hex'),
    );

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Generate' }).click();
  await page.getByLabel('Model', { exact: true }).selectOption({ label: name });
  await fillForm(page, { prompt: 'a red ball on a blue table', seed: 5 });
  await generate(page);
  const file = await downloadNewest(page);
  expect(file.name).toMatch(/\.png$/);
  expect(statSync(file.path).size).toBeGreaterThan(100);
});
