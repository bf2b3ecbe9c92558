/**
 * Which onnxruntime-web build runs a task, as data: the default build (JSEP: WebGPU kernels
 * written in JS around the wasm core) or `onnxruntime-web/webgpu` (the native WebGPU execution
 * provider compiled into the wasm, the build the public Z-Image and FastWan browser drivers use).
 * A pack may name the build it needs (pack.json `ortBuild`); Settings may override it.
 */
export const ORT_BUILDS = ['default', 'webgpu'] as const;
export type OrtBuild = (typeof ORT_BUILDS)[number];
export type OrtBuildPreference = 'auto' | OrtBuild;

/** The build a run gets when neither Settings nor the pack names one (measured: docs/pack-format.md). */
export const DEFAULT_ORT_BUILD: OrtBuild = 'default';

/** The wasm file (before Vite's hash) each build loads: the PWA precaches only the default's. */
export const ORT_BUILD_WASM: Record<OrtBuild, string> = {
  default: 'ort-wasm-simd-threaded.jsep',
  webgpu: 'ort-wasm-simd-threaded.asyncify',
};

/**
 * Whether the engine wraps a build's module in native-build-guard.ts (GPU outputs disposed before
 * their session is released, one wasm call at a time): the native build traps without it.
 */
export const ORT_BUILD_GUARDED: Record<OrtBuild, boolean> = { default: false, webgpu: true };

/** What users read: the Settings option labels and the run's settings. */
export const ORT_BUILD_LABELS: Record<OrtBuild, string> = {
  default: 'default (JSEP)',
  webgpu: 'native WebGPU',
};

/** The build for a run: Settings' choice unless automatic, else the pack's, else the default. */
export function chooseOrtBuild(
  preference: OrtBuildPreference,
  packBuild: OrtBuild | undefined,
): { build: OrtBuild; reason: string } {
  if (preference !== 'auto') return { build: preference, reason: 'chosen in Settings' };
  if (packBuild) return { build: packBuild, reason: 'named by the pack' };
  return { build: DEFAULT_ORT_BUILD, reason: 'the default' };
}

/** True for a value Settings or pack.json may hold. */
export function isOrtBuildPreference(v: unknown): v is OrtBuildPreference {
  return v === 'auto' || (ORT_BUILDS as readonly unknown[]).includes(v);
}
