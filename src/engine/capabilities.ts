/**
 * What a browser or worker can do (WebGPU, shader-f16, limits, threads, cross-origin isolation,
 * WebCodecs) and the one table that maps it to an ONNX Runtime backend. The probe itself is
 * browser-only (src/browser/probe-capabilities.ts); the engine is handed its result.
 */
import type { Backend } from './runtime';

export interface Capabilities {
  webgpu: boolean;
  shaderF16: boolean;
  maxBufferSize: number;
  adapter: string;
  threads: number;
  crossOriginIsolated: boolean;
  webCodecs: boolean;
}

export type BackendPreference = 'auto' | Backend;

/**
 * Picks the execution backend. fp16 graphs on WebGPU need `shader-f16`: without it ORT's
 * WebGPU kernels return zeros silently (onnxruntime-web 1.30, JSEP), so we fall back to wasm.
 */
export function chooseBackend(
  caps: Capabilities,
  preference: BackendPreference,
  needsF16: boolean,
): { backend: Backend; reason: string } {
  if (preference === 'wasm') return { backend: 'wasm', reason: 'WebAssembly (CPU) was selected.' };
  if (!caps.webgpu)
    return {
      backend: 'wasm',
      reason: 'WebGPU is not available in this browser: running on the CPU (WebAssembly), which is slower.',
    };
  if (needsF16 && !caps.shaderF16)
    return {
      backend: 'wasm',
      reason:
        'This model needs the WebGPU shader-f16 feature, which this GPU lacks: running on the CPU (WebAssembly).',
    };
  return { backend: 'webgpu', reason: `WebGPU on ${caps.adapter}.` };
}
