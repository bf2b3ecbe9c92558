/** Chromium flags for headless runs here: WebGPU through SwiftShader, no background network. */

const QUIET = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function chromiumArgs(opts: { webgpu: boolean }): string[] {
  return opts.webgpu ? [...QUIET, '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] : [...QUIET, '--disable-webgpu'];
}
