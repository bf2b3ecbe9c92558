/**
 * `webgp smoke --pack <registry id | pack folder URL>`: for anyone with a network and a GPU.
 * Serves the built app (dist/, built first when missing), launches Chrome/Chromium with WebGPU
 * (Playwright), installs the pack, runs "Test this pack" and one default request, and writes
 * the output (MP4/PNG) and report.json (stage times, sanity figures, peak memory, pass/fail)
 * into --out. Exit 0 pass, 1 fail, 2 usage.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumArgs, chromiumExecutable } from '../../e2e/support/browser';
import { treeRssBytes, withPeakRss } from '../../tools/process-memory';
import { parseJsonText } from '../engine/pack/header';
import type { PackTestReport } from '../engine/pack-test/run-pack-test';
import { parseRegistry } from '../engine/pack/registry';
import { numberOption, parseArgs, UsageError } from './args';
import {
  generateDefault,
  type GenerateOutcome,
  installPack,
  openApp,
  runPackTest,
  type SmokeTarget,
} from './smoke-page';

export const SMOKE_USAGE = `       webgp smoke --pack <registry id or pack folder URL> [--chrome PATH] [--out DIR] [--port N]
                   [--prompt TEXT] [--timeout MINUTES] [--swiftshader] [--headed]`;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_PROMPT = 'a red ball rolling across green grass, sunny day';

const log = (line: string) => process.stderr.write(`webgp smoke: ${line}\n`);

/** The pack to install: a registry id (its bundled registry entry) or a folder URL (its pack.json's id and name). */
async function resolveTarget(arg: string): Promise<SmokeTarget> {
  if (/^https?:\/\//.test(arg)) {
    const url = arg.endsWith('/') ? arg : `${arg}/`;
    const res = await fetch(new URL('pack.json', url));
    if (!res.ok)
      throw new Error(
        `${url}pack.json answered HTTP ${res.status}: give the URL of a pack folder (the one holding pack.json).`,
      );
    const m = parseJsonText(await res.text(), `${url}pack.json`) as { id?: unknown; name?: unknown };
    if (typeof m.id !== 'string') throw new Error(`${url}pack.json has no "id".`);
    return { kind: 'url', id: m.id, name: typeof m.name === 'string' ? m.name : m.id, url };
  }
  const entries = parseRegistry(
    parseJsonText(readFileSync(join(ROOT, 'public', 'models', 'registry.json'), 'utf8'), 'registry.json'),
  );
  const entry = entries.find((e) => e.id === arg);
  if (!entry)
    throw new UsageError(
      `Unknown pack "${arg}". Give a registry id (${entries.map((e) => e.id).join(', ')}) or a pack folder URL.`,
    );
  return { kind: 'registry', id: entry.id, name: entry.name, remote: !!entry.remote };
}

/** dist/ as `npm run build` leaves it; built now when missing. */
function ensureBuilt(): void {
  if (existsSync(join(ROOT, 'dist', 'index.html'))) return;
  log('dist/ is missing: running `npm run build` (once)…');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0)
    throw new Error('`npm run build` failed; run it yourself to see why, then run webgp smoke again.');
}

interface SmokeReport {
  pass: boolean;
  startedAt: string;
  pack: SmokeTarget;
  app: string;
  browser: { executable: string; version?: string; args: string[]; device?: string };
  /** Absent for a pack bundled with the app. */
  install?: { ms: number; error?: string };
  test?: PackTestReport;
  testError?: string;
  generate?: GenerateOutcome;
  /** Resident memory of this process and the browser (Linux /proc); peak minus the baseline with the app open. */
  memory?: { baselineBytes: number; peakBytes: number; addedBytes: number };
  error?: string;
  consoleErrors: string[];
}

export async function smokeCommand(argv: string[]): Promise<number> {
  const args = parseArgs(
    argv,
    ['pack', 'chrome', 'out', 'port', 'prompt', 'timeout'],
    ['swiftshader', 'headed', 'help'],
  );
  if (args.flags.has('help')) {
    process.stdout.write(`Usage:\n${SMOKE_USAGE}\n`);
    return 0;
  }
  const packArg = args.values.get('pack');
  if (!packArg) throw new UsageError('--pack is required.');
  const port = numberOption(args, 'port') ?? 4180;
  const timeoutMs = (numberOption(args, 'timeout') ?? 60) * 60_000;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--port must be a port number, got ${port}.`);
  const outDir = resolve(args.values.get('out') ?? 'smoke-out');
  const executable = args.values.get('chrome') ?? chromiumExecutable();
  const launchArgs = args.flags.has('swiftshader')
    ? chromiumArgs({ webgpu: true })
    : [
        ...chromiumArgs({ webgpu: true }).filter((a) => !a.startsWith('--use-webgpu-adapter')),
        '--enable-features=Vulkan',
        '--ignore-gpu-blocklist',
      ];
  let target: SmokeTarget;
  try {
    target = await resolveTarget(packArg);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    log(`FAIL: ${(err as Error).message}`);
    return 1;
  }
  mkdirSync(outDir, { recursive: true });
  ensureBuilt();

  const report: SmokeReport = {
    pass: false,
    startedAt: new Date().toISOString(),
    pack: target,
    app: `http://127.0.0.1:${port}/`,
    browser: { executable: executable ?? 'playwright default', args: launchArgs },
    consoleErrors: [],
  };
  // Loaded here, not at the top: `webgp dry-run` imports this module and should stay quick.
  const [{ chromium }, { preview }] = await Promise.all([import('@playwright/test'), import('vite')]);
  const server = await preview({
    root: ROOT,
    logLevel: 'error',
    preview: { host: '127.0.0.1', port, strictPort: true },
  });
  const browser = await chromium.launch({
    executablePath: executable,
    args: launchArgs,
    headless: !args.flags.has('headed'),
  });
  try {
    report.browser.version = browser.version();
    const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    page.on('console', (m) => void (m.type() === 'error' && report.consoleErrors.push(m.text())));
    report.browser.device = await openApp(page, report.app);
    log(report.browser.device);
    const measure = existsSync('/proc/self/status');
    const baselineBytes = measure ? treeRssBytes(process.pid) : 0;
    const steps = async () => {
      if (target.kind === 'url' || target.remote) {
        const t0 = performance.now();
        log(`installing ${target.id}…`);
        const installError = await installPack(page, target, timeoutMs);
        report.install = { ms: performance.now() - t0, ...(installError ? { error: installError } : {}) };
        if (installError) return;
      } else log(`${target.id} is bundled with the app: nothing to install.`);
      log('running "Test this pack"…');
      try {
        report.test = await runPackTest(page, target, timeoutMs);
      } catch (err) {
        report.testError = (err as Error).message;
      }
      log(
        `test: ${report.test?.pass ? 'pass' : `fail (${report.test?.reason ?? report.testError})`}; generating the default request…`,
      );
      report.generate = await generateDefault(
        page,
        target,
        args.values.get('prompt') ?? DEFAULT_PROMPT,
        outDir,
        timeoutMs,
      );
    };
    if (measure) {
      const { peakBytes } = await withPeakRss(process.pid, steps);
      report.memory = { baselineBytes, peakBytes, addedBytes: Math.max(0, peakBytes - baselineBytes) };
    } else await steps();
    report.pass = !!report.test?.pass && !!report.generate?.ok;
  } catch (err) {
    report.error = (err as Error).message;
  } finally {
    await browser.close();
    await server.close();
  }
  writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const why =
    report.error ??
    report.install?.error ??
    report.test?.reason ??
    report.testError ??
    report.generate?.error;
  log(`${report.pass ? 'PASS' : `FAIL: ${why ?? 'see report.json'}`} — report and output in ${outDir}`);
  return report.pass ? 0 : 1;
}
