/**
 * One place that probes what this browser/worker can do (WebGPU, shader-f16, limits, threads,
 * cross-origin isolation, WebCodecs) and maps it to an ONNX Runtime backend.
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

interface GpuAdapterLike {
  features: { has(name: string): boolean };
  limits: { maxBufferSize: number };
  info?: { vendor?: string; architecture?: string; description?: string };
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

export async function probeCapabilities(): Promise<Capabilities> {
  const g = globalThis as unknown as {
    navigator?: { gpu?: GpuLike; hardwareConcurrency?: number };
    crossOriginIsolated?: boolean;
    VideoEncoder?: unknown;
  };
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = (await g.navigator?.gpu?.requestAdapter()) ?? null;
  } catch {
    adapter = null;
  }
  const info = adapter?.info;
  return {
    webgpu: adapter !== null,
    shaderF16: adapter?.features.has('shader-f16') ?? false,
    maxBufferSize: adapter?.limits.maxBufferSize ?? 0,
    adapter: info
      ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown GPU'
      : 'none',
    threads: g.navigator?.hardwareConcurrency ?? 1,
    crossOriginIsolated: g.crossOriginIsolated === true,
    webCodecs: typeof g.VideoEncoder === 'function',
  };
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
