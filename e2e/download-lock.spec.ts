/**
 * One download of a pack at a time across tabs: while one tab downloads a pack (throttled pack
 * server), a second tab of the same browser shows that download's progress, and its own "Install
 * from URL" of the same pack starts no second download; both tabs see the pack installed.
 */
import { expect, type Page, test } from '@playwright/test';
import { installFromUrl, installRegion, openApp } from './support/app';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';

const ID = 'lock-t2v';
const NAME = 'Lock demo pack (copy)';

let server: PackServer;
test.beforeEach(async () => {
  server = await startPackServer();
  servedCopy(server.root, 'demo-t2v', ID, NAME);
});
test.afterEach(async () => {
  await server.close();
});

const state = (page: Page) =>
  page
    .getByRole('region', { name: 'Installed packs' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: NAME, exact: true }) })
    .getByTestId('install-state');

test('a second tab shows the first tab’s download of a pack instead of starting its own', async ({
  context,
}) => {
  server.throttle(4000);
  const first = await context.newPage();
  const second = await context.newPage();
  for (const page of [first, second]) {
    await openApp(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
  }
  await installFromUrl(first, `${server.url}${ID}/`);
  await expect(state(first).getByTestId('download-status')).toContainText(/^Downloading \S+ — /);

  await expect(state(second)).toHaveAttribute('data-status', 'downloading');
  await expect(state(second).getByTestId('download-status')).toContainText(
    /^Downloading in another tab — [\d.]+ (B|KB) of [\d.]+ KB/,
  );
  await expect(state(second).getByRole('button', { name: 'Resume' })).toHaveCount(0);
  await installFromUrl(second, `${server.url}${ID}/`);
  await expect(installRegion(second).getByRole('status')).toContainText(
    `${NAME} is being downloaded in another tab; its progress shows here.`,
  );

  await expect(state(first)).toHaveAttribute('data-status', 'installed');
  await expect(state(second)).toHaveAttribute('data-status', 'installed');
  const gets = server.log.filter((r) => r.method === 'GET' && !r.path.endsWith('/pack.json'));
  const perFile = new Map<string, number>();
  for (const r of gets) perFile.set(r.path, (perFile.get(r.path) ?? 0) + 1);
  expect(perFile.size).toBeGreaterThan(0);
  expect([...perFile.values()].every((n) => n === 1)).toBe(true);
});
