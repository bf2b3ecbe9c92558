/**
 * Probes what this page or worker can do (WebGPU adapter, shader-f16, limits, threads,
 * cross-origin isolation, WebCodecs) into the engine's `Capabilities`, which
 * engine/capabilities.ts maps to an ONNX Runtime backend. Browser-only: the engine takes the
 * result through `EngineDeps.probe`, and Node tests hand in fixed capabilities instead.
 */
import type { Capabilities } from '../engine/capabilities';

interface GpuAdapterLike {
  features: { has(name: string): boolean };
  limits: { maxBufferSize: number };
  info?: { vendor?: string; architecture?: string; description?: string };
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

/** This thread's capabilities; every member is optional in some browser, so each is probed defensively. */
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
