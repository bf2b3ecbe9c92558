/** PWA: after one visit the service worker has the app, runtimes and demo packs; offline reload generates, and the matting demo packs load. */
import { expect, test } from '@playwright/test';
import { fillForm, gallery, generate, openApp } from './support/app';
import { waitForServiceWorker } from './support/service-worker';

test('after one visit, an offline reload shows the app and generates with the demo pack', async ({
  page,
  context,
}) => {
  await openApp(page);
  // The service worker activates once its precache (app shell, ORT, demo packs) is complete.
  await waitForServiceWorker(page);
  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await expect(page.getByRole('heading', { name: 'WebGP' })).toBeVisible();
  await fillForm(page, {
    prompt: 'a purple moon over the desert',
    frames: 5,
    steps: 3,
    resolution: '128x128',
  });
  await generate(page);
  await expect(gallery(page).getByRole('listitem').first()).toContainText('a purple moon over the desert');
  await expect(page.getByRole('alert')).toHaveCount(0);
  // The Matting page's demo packs are precached too: every file their manifests list loads offline.
  const missing = await page.evaluate(async () => {
    const bad: string[] = [];
    for (const id of ['demo-sam', 'demo-matanyone']) {
      const manifest = (await (await fetch(`models/${id}/pack.json`)).json()) as {
        components: Record<string, { file: string }>;
      };
      for (const c of Object.values(manifest.components)) {
        const res = await fetch(`models/${id}/${c.file}`);
        if (!res.ok || (await res.arrayBuffer()).byteLength === 0) bad.push(`${id}/${c.file}`);
      }
    }
    return bad;
  });
  expect(missing).toEqual([]);
});
