/**
 * The service worker's precache of the build under test (dist/sw.js, built by the web server
 * step): no ffmpeg.wasm core (the fallback loads on first need), and at most 8 MB gzipped for a
 * first visit. No browser: the manifest and the files are read from dist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';

const DIST = join(import.meta.dirname, '..', 'dist');
const MAX_GZIPPED = 8 * 1000 * 1000;

test('the precache holds no ffmpeg.wasm core and totals at most 8 MB gzipped', () => {
  const sw = readFileSync(join(DIST, 'sw.js'), 'utf8');
  const urls = [...new Set([...sw.matchAll(/\burl:"([^"]+)"/g)].map((m) => m[1] as string))];
  expect(urls).toContain('index.html');
  expect(urls.filter((u) => /ffmpeg-core/.test(u))).toEqual([]);
  let raw = 0;
  let gzipped = 0;
  for (const url of urls) {
    const bytes = readFileSync(join(DIST, url));
    raw += bytes.length;
    gzipped += gzipSync(bytes).length;
  }
  console.log(
    `precache: ${urls.length} files, ${(raw / 1e6).toFixed(1)} MB, ${(gzipped / 1e6).toFixed(2)} MB gzipped`,
  );
  expect(gzipped).toBeLessThanOrEqual(MAX_GZIPPED);
});
