/**
 * `npx webgp smoke` end to end: the CLI serves dist/, launches Chromium (SwiftShader WebGPU),
 * installs a pack from the local pack server by URL, runs "Test this pack" and one default
 * request, and writes report.json and the MP4; exit 0 on a good pack, 1 on test-nan, 2 on usage.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { type PackServer, servedCopy, startPackServer } from './support/pack-server';

const BIN = join(import.meta.dirname, '..', 'bin', 'webgp.js');
const TEST_PACKS = join(import.meta.dirname, '..', 'test-packs');

let server: PackServer;
let out: string;

test.beforeEach(async () => {
  server = await startPackServer();
  out = mkdtempSync(join(tmpdir(), 'webgp-smoke-'));
});
test.afterEach(async () => {
  await server.close();
  rmSync(out, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Runs the CLI without blocking this process (the pack server answers from it). */
function webgp(...args: string[]): Promise<{ code: number; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 200_000 }, (error, _out, err) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, err }),
    );
  });
}

interface Report {
  pass: boolean;
  pack: { kind: string; id: string };
  browser: { version: string; device: string };
  install: { ms: number; error?: string };
  test: {
    pass: boolean;
    reason?: string;
    stages: { stage: string; ms: number; figures?: { nonFinite: number } }[];
  };
  generate?: { ok: boolean; ms: number; file: string; bytes: number };
  memory: { peakBytes: number; addedBytes: number };
}
const readReport = () => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;

test('smoke on a served test pack: exit 0, report with stage times and figures, and the MP4', async () => {
  test.setTimeout(240_000);
  servedCopy(server.root, 'test-t2v-random', 'smoke-random', 'Smoke random pack');
  const r = await webgp(
    'smoke',
    '--pack',
    `${server.url}smoke-random/`,
    '--out',
    out,
    '--port',
    String(await freePort()),
    '--swiftshader',
  );
  expect(r.err).toContain('PASS');
  expect(r.code).toBe(0);
  const report = readReport();
  expect(report).toMatchObject({
    pass: true,
    pack: { kind: 'url', id: 'smoke-random' },
    test: { pass: true },
    generate: { ok: true },
  });
  expect(report.browser.device).toContain('This device: WebGPU');
  expect(report.test.stages.map((s) => s.stage)).toEqual([
    'load',
    'text-encoder',
    'transformer',
    'vae-decoder',
  ]);
  for (const s of report.test.stages.slice(1)) expect(s.figures?.nonFinite).toBe(0);
  expect(report.memory.peakBytes).toBeGreaterThan(report.memory.addedBytes);
  const file = report.generate?.file as string;
  expect(file.startsWith(out) && file.endsWith('.mp4')).toBe(true);
  expect(statSync(file).size).toBe(report.generate?.bytes);
  expect(readFileSync(file).subarray(4, 8).toString('latin1')).toBe('ftyp');
  expect(server.log.some((l) => l.path === '/smoke-random/transformer.onnx' && l.status === 200)).toBe(true);
});

test('smoke on test-nan: exit 1, the report names the transformer stage and "not finite"', async () => {
  test.setTimeout(240_000);
  servedCopy(server.root, 'test-nan', 'smoke-nan', 'Smoke NaN pack', undefined, TEST_PACKS);
  const r = await webgp(
    'smoke',
    '--pack',
    `${server.url}smoke-nan/`,
    '--out',
    out,
    '--port',
    String(await freePort()),
    '--swiftshader',
  );
  expect(r.code).toBe(1);
  expect(r.err).toContain('FAIL: transformer (step 1): not finite');
  expect(readReport()).toMatchObject({
    pass: false,
    test: { pass: false, reason: expect.stringMatching(/^transformer \(step 1\): not finite/) },
  });
});

test('smoke usage errors exit 2', async () => {
  expect(await webgp('smoke')).toMatchObject({ code: 2, err: expect.stringContaining('--pack is required') });
  expect(await webgp('smoke', '--pack', 'no-such-pack')).toMatchObject({
    code: 2,
    err: expect.stringContaining('Unknown pack "no-such-pack"'),
  });
});
