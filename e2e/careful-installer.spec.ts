/**
 * The careful installer in the browser: a pack.json path that escapes its folder with an encoded
 * `..` is refused, plain http to another machine is refused, an unpinned file redirected to
 * another origin is refused (nothing kept), a sha256-pinned file may be redirected, and a pack
 * installed from a URL with files lacking sha256 is marked unverified on the Models page.
 */
import { expect, type Page, test } from '@playwright/test';
import { installFromUrl, installRegion, openApp } from './support/app';
import { opfsPackFiles, packRecord } from './support/installed';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';

// Page routes fake the redirects; requests answered by the service worker would bypass them.
test.use({ serviceWorkers: 'block' });

const ID = 'careful-t2v';
const NAME = 'Careful copy of the demo pack';
let server: PackServer;

test.beforeEach(async () => {
  server = await startPackServer();
});
test.afterEach(async () => {
  await server.close();
});

const installedItem = (page: Page) =>
  page
    .getByRole('region', { name: 'Installed packs' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: NAME, exact: true }) });

async function install(page: Page, url: string): Promise<void> {
  await openApp(page);
  await installFromUrl(page, url);
}

type Components = Record<string, Record<string, unknown>>;
const components = (m: Record<string, unknown>) => m.components as Components;

test('a pack.json path with an encoded ".." escape is refused and nothing is kept', async ({ page }) => {
  servedCopy(
    server.root,
    'demo-t2v',
    ID,
    NAME,
    (m) => (components(m).vaeDecoder!.file = '%2e%2e/vae_decoder.onnx'),
  );
  await install(page, `${server.url}${ID}/`);
  await expect(installRegion(page)).toContainText('%2e%2e/vae_decoder.onnx');
  await expect(installedItem(page)).toHaveCount(0);
  expect(await packRecord(page, ID)).toBeUndefined();
  expect(server.log.some((r) => r.path.includes('vae_decoder'))).toBe(false);
});

test('plain http to another machine is refused before anything is fetched', async ({ page }) => {
  await install(page, 'http://packs.example.org/wan/');
  await expect(installRegion(page)).toContainText(
    'uses plain http on another machine: packs install over https only',
  );
});

test('an unpinned file redirected to another origin is refused, naming both sites; nothing is kept', async ({
  page,
}) => {
  servedCopy(server.root, 'demo-t2v', ID, NAME, (m) => delete components(m).vaeDecoder!.sha256);
  const other = server.url.replace('127.0.0.1', 'localhost');
  await page.route(`${server.url}${ID}/vae_decoder.onnx`, (route) =>
    route.fulfill({
      status: 302,
      headers: { Location: `${other}${ID}/vae_decoder.onnx`, 'Access-Control-Allow-Origin': '*' },
    }),
  );
  await install(page, `${server.url}${ID}/`);
  await expect(page.getByRole('main')).toContainText(
    `redirected the download to another site (${other.slice(0, -1)})`,
  );
  await expect(installedItem(page)).toHaveCount(0);
  expect(await opfsPackFiles(page, ID)).toBeNull();
});

test('a sha256-pinned file may be redirected; files without sha256 mark the installed pack unverified', async ({
  page,
}) => {
  servedCopy(server.root, 'demo-t2v', ID, NAME, (m) => delete components(m).vaeDecoder!.sha256);
  const other = server.url.replace('127.0.0.1', 'localhost');
  await page.route(`${server.url}${ID}/transformer.onnx`, (route) =>
    route.fulfill({
      status: 302,
      headers: { Location: `${other}${ID}/transformer.onnx`, 'Access-Control-Allow-Origin': '*' },
    }),
  );
  await install(page, `${server.url}${ID}/`);
  await expect(installedItem(page).getByTestId('install-state')).toHaveAttribute('data-status', 'installed');
  expect(await packRecord(page, ID)).toMatchObject({ status: 'installed' });
  await expect(installedItem(page).getByTestId('pack-unverified')).toHaveText(
    /^Unverified: 1 of 4 files has no sha256 in pack\.json, so its bytes were not checked\./,
  );
  await expect(installedItem(page).getByTestId('pack-unverified')).toHaveAttribute(
    'title',
    'vae_decoder.onnx',
  );
});
