/**
 * WebGPU device loss as the device reports it: ORT's GPUDevice (`ort.env.webgpu.device`, the one
 * its sessions run on) resolves its `lost` promise with a reason. Asked only after a WebGPU run
 * failed, so it never creates a device a wasm run did not need.
 */
import type * as ort from 'onnxruntime-web';
import type { Backend } from '../engine/runtime';

/** Why ORT's WebGPU device was lost, or undefined when it was not (or WebGPU was not in use). */
export async function deviceLostReason(env: typeof ort.env, backend: Backend): Promise<string | undefined> {
  if (backend !== 'webgpu') return undefined;
  const device = await env.webgpu.device;
  const info = await Promise.race([device.lost, new Promise<undefined>((resolve) => setTimeout(resolve, 0))]);
  return info ? info.message || `reason: ${info.reason}` : undefined;
}
