/**
 * E2E against the production build (vite preview) in Debian's Chromium with WebGPU on
 * SwiftShader. No browser download: executablePath from CHROMIUM_PATH or /usr/bin/chromium,
 * falling back to Playwright's own browser where neither exists.
 */
import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumExecutable } from './e2e/support/browser';

/** WEBGP_E2E_PORT lets two checkouts run their e2e suites side by side. */
const port = Number(process.env.WEBGP_E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  expect: { timeout: 60_000 },
  // Spec files spread over two workers (tests inside a file stay in order); WEBGP_E2E_WORKERS=1 runs
  // them one at a time. Measured on an idle 2-core machine in README's test section.
  fullyParallel: false,
  workers: Number(process.env.WEBGP_E2E_WORKERS ?? 2),
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    acceptDownloads: true,
    launchOptions: { executablePath: chromiumExecutable(), args: chromiumArgs({ webgpu: true }) },
  },
  projects: [
    { name: 'default' },
    // CI runs the pipeline suite again on the native WebGPU build of ONNX Runtime (src/engine/ort-build.ts).
    { name: 'native-webgpu', testMatch: 'pipelines.spec.ts', metadata: { ortBuild: 'webgpu' } },
  ],
  webServer: {
    command: `npm run build && npx vite preview --port ${port}`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
  },
});
