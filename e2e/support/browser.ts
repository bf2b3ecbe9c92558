/** The Chromium we launch (no browser download) and its flags: WebGPU through SwiftShader, no background network. */
import { existsSync } from 'node:fs';

/** CHROMIUM_PATH, else Debian's /usr/bin/chromium, else undefined (Playwright's own browser). */
export function chromiumExecutable(): string | undefined {
  return process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
}

const QUIET = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumArgs(opts: { webgpu: boolean }): string[] {
  return opts.webgpu
    ? [...QUIET, '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader']
    : [...QUIET, '--disable-webgpu'];
}
