/**
 * The CI slice of `npm run soak` (tools/soak/): 5 kills of the runner tab at seeded points over a
 * queue of generation and matting tasks; nothing lost, duplicated, stuck, failed or orphaned.
 */
import { expect, test } from '@playwright/test';
import { formatCounts } from '../tools/soak/soak-counts';
import { runSoak } from '../tools/soak/soak-run';

test('5 kills of the runner tab lose, duplicate and orphan nothing', async ({ context }) => {
  test.setTimeout(240_000);
  const t0 = Date.now();
  const counts = await runSoak(context, {
    kills: 5,
    seed: 5,
    generations: 3,
    mattings: 1,
    log: (l) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s ${l}`),
  });
  console.log(formatCounts(counts));
  expect(counts.kills).toBe(5);
  expect(counts.tasks).toBeGreaterThanOrEqual(4);
  expect(counts).toMatchObject({ lost: 0, duplicated: 0, stuck: 0, failed: 0, missingFiles: 0, orphans: 0 });
  expect(counts.done).toBe(counts.tasks);
});
