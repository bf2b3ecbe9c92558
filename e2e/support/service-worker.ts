/** Service worker helpers: wait until it controls the page, and count the ffmpeg.wasm core files in its caches. */
import type { Page } from '@playwright/test';

/** Resolves once the service worker is active and controls the page (its precache is complete). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
      );
    }
  });
}

/** How many ffmpeg-core files the Workbox precache and the runtime cache hold. */
export function ffmpegCoreCached(page: Page): Promise<{ precached: number; runtime: number }> {
  return page.evaluate(async () => {
    const count = { precached: 0, runtime: 0 };
    for (const name of await caches.keys()) {
      const urls = (await (await caches.open(name)).keys()).map((r) => r.url);
      const n = urls.filter((u) => /ffmpeg-core/.test(u)).length;
      if (name.includes('precache')) count.precached += n;
      else count.runtime += n;
    }
    return count;
  });
}
