/**
 * Queue reload benchmark (`npm run bench`): how long the app takes to become interactive
 * (its readiness mark) with an empty queue vs. 10,000 persisted tasks, measured in one run.
 */
import type { Browser, Page } from '@playwright/test';

export interface QueueBenchResult {
  tasks: number;
  emptyReadyMs: number;
  fullReadyMs: number;
  /** Time to read the queue from IndexedDB, inside the page (the `webgp-queue-loaded` measure). */
  fullLoadMs: number;
}

async function readyMs(
  page: Page,
  base: string,
  expectTasks: number,
): Promise<{ ready: number; load: number }> {
  await page.goto(base);
  await page.waitForSelector('body[data-ready="true"]');
  const summary = (await page.textContent('[data-testid="queue-summary"]')) ?? '';
  if (!summary.startsWith(`${expectTasks} task`))
    throw new Error(`expected ${expectTasks} tasks, page says "${summary}"`);
  return page.evaluate(() => ({
    ready: performance.getEntriesByName('webgp-ready')[0]?.startTime ?? NaN,
    load: performance.getEntriesByName('webgp-queue-loaded')[0]?.duration ?? NaN,
  }));
}

/** Writes `n` paused tasks straight into the queue's store (`tasks` of the one database) (nothing runs). */
function seed(page: Page, n: number): Promise<void> {
  return page.evaluate(
    (count) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('webgp');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('tasks', 'readwrite');
          const os = tx.objectStore('tasks');
          os.put({ paused: true }, '~meta');
          for (let i = 0; i < count; i++) {
            const request = {
              packId: 'demo-t2v',
              prompt: `bench task ${i}: a red ball rolling left at night`,
              negativePrompt: '',
              seed: i,
              steps: 8,
              frames: 17,
              resolution: '256x256',
              solver: 'euler',
              shift: 3,
              guidance: 1,
            };
            os.put(
              {
                version: 1,
                id: `bench-${i}`,
                rank: i + 1,
                createdAt: Date.now(),
                request,
                status: 'pending',
                step: 0,
                attempts: [],
              },
              `bench-${i}`,
            );
          }
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
    n,
  );
}

export async function benchQueueReload(
  browser: Browser,
  base: string,
  tasks = 10_000,
): Promise<QueueBenchResult> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    // Warm the HTTP cache and create the stores, then measure the empty queue on a reload.
    await readyMs(page, base, 0);
    const empty = await readyMs(page, base, 0);
    await seed(page, tasks);
    const full = await readyMs(page, base, tasks);
    return { tasks, emptyReadyMs: empty.ready, fullReadyMs: full.ready, fullLoadMs: full.load };
  } finally {
    await context.close();
  }
}
