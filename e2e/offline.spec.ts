/** PWA: after one visit the service worker has the app, runtimes and demo pack; offline reload generates. */
import { expect, test } from '@playwright/test';
import { fillForm, gallery, generate, openApp } from './support/app';

test('after one visit, an offline reload shows the app and generates with the demo pack', async ({ page, context }) => {
  await openApp(page);
  // The service worker activates once its precache (app shell, ORT, ffmpeg core, demo pack) is complete.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await expect(page.getByRole('heading', { name: 'WebGP' })).toBeVisible();
  await fillForm(page, { prompt: 'a purple moon over the desert', frames: 5, steps: 3, resolution: '128x128' });
  await generate(page);
  await expect(gallery(page).getByRole('listitem').first()).toContainText('a purple moon over the desert');
  await expect(page.getByRole('alert')).toHaveCount(0);
});
