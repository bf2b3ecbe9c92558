/**
 * A 390×844 phone: no page scrolls sideways (Generate, Matting, Models, LoRAs), and the widest
 * element, if any, is named in the failure so the overflow can be found.
 */
import { expect, type Page, test } from '@playwright/test';

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

/** The page's horizontal overflow in CSS px, and the elements sticking out past the viewport (not those inside a scrolling or clipping box, which do not widen the page). */
function overflow(page: Page): Promise<{ extra: number; wide: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const insideScroller = (e: Element) => {
      for (let p = e.parentElement; p && p !== document.body; p = p.parentElement)
        if (getComputedStyle(p).overflowX !== 'visible') return true;
      return false;
    };
    const wide = [...document.querySelectorAll('body *')]
      .filter(
        (e) =>
          e.getBoundingClientRect().right > width + 1 &&
          getComputedStyle(e).position !== 'fixed' &&
          !insideScroller(e),
      )
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}[${Math.round(e.getBoundingClientRect().right)}]`,
      )
      .slice(0, 8);
    return { extra: document.documentElement.scrollWidth - width, wide };
  });
}

for (const [name, hash] of [
  ['Generate', '#/'],
  ['Matting', '#/matting'],
  ['Models', '#/models'],
  ['LoRAs', '#/loras'],
] as const) {
  test(`the ${name} page fits 390 px without sideways scroll`, async ({ page }) => {
    await page.goto(`/?test-packs${hash}`);
    await expect(page.locator('body[data-ready="true"]')).toBeAttached();
    await expect(
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }),
    ).toBeVisible();
    const o = await overflow(page);
    expect(o, `sticking out: ${o.wide.join(', ')}`).toEqual({ extra: 0, wide: [] });
  });
}

test('with a finished task in the queue and the gallery, Generate still fits and its buttons are touch-sized', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto('/?test-packs');
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  await page.getByLabel('Prompt', { exact: true }).fill('a phone-sized boat');
  await page.getByLabel('Steps', { exact: true }).fill('2');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('region', { name: 'Queue' }).getByTestId('task-status').first()).toHaveText(
    /^Done/,
    { timeout: 120_000 },
  );
  await expect(page.getByRole('region', { name: 'Gallery' }).getByRole('listitem')).toHaveCount(1);
  const o = await overflow(page);
  expect(o, `sticking out: ${o.wide.join(', ')}`).toEqual({ extra: 0, wide: [] });
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('button')]
      .filter((b) => b.offsetParent !== null && b.getBoundingClientRect().height < 44)
      .map((b) => b.textContent?.trim()),
  );
  expect(small).toEqual([]);
});
