/**
 * The Content-Security-Policy: vite preview sends it as a header (workers need that), the page
 * carries it as a meta tag, neither allows `unsafe-eval`, and a generation runs under it with no
 * violation reported by the page or its workers. Every other spec runs under the same header.
 */
import { expect, test } from '@playwright/test';
import { addTask, openWithTestPacks, rows, statusOf } from './support/queue';

test('the app sends and carries a CSP without unsafe-eval, and a generation runs under it with no violation', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      document.documentElement.setAttribute('data-csp-violation', `${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const response = await page.goto('/');
  const header = response?.headers()['content-security-policy'] ?? '';
  expect(header).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(header).toContain("worker-src 'self' blob:");
  expect(header).toMatch(/connect-src 'self' [^;]*https:\/\/huggingface\.co[^;]*http:\/\/127\.0\.0\.1:\*/);
  expect(header).toContain("frame-ancestors 'none'");
  expect(header.replaceAll("'wasm-unsafe-eval'", '')).not.toContain('unsafe-eval');
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(meta!.replaceAll("'wasm-unsafe-eval'", '')).not.toContain('unsafe-eval');
  expect(await page.locator('script:not([src])').count()).toBe(0);

  await openWithTestPacks(page);
  await addTask(page, {
    pack: 'test-t2v-random',
    prompt: 'a boat under a strict policy',
    seed: 5,
    steps: 2,
    frames: 5,
    resolution: '128x128',
    guidance: 1,
  });
  await expect(statusOf(rows(page).first())).toHaveText(/^Done/, { timeout: 120_000 });
  await page
    .getByRole('link', { name: 'Matting' })
    .or(page.getByRole('button', { name: 'Matting' }))
    .first()
    .click();
  expect(await page.locator('html').getAttribute('data-csp-violation')).toBeNull();
  expect(violations).toEqual([]);
});
