/**
 * The slice of the ONNX Runtime API the engine uses. The runtime module is handed in
 * (onnxruntime-web in the browser, onnxruntime-web or onnxruntime-node in Node tests), so the
 * engine never imports a specific build.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-web';

export type Backend = 'webgpu' | 'wasm';
export type OrtTensor = Tensor;
export type OrtSession = InferenceSession;

export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: {
    new (type: 'float32', data: Float32Array, dims: readonly number[]): Tensor;
    new (type: 'int64', data: BigInt64Array, dims: readonly number[]): Tensor;
  };
}

/** True when a tensor lives in a GPU buffer (WebGPU EP output kept on the device). */
export function onGpu(t: Tensor): boolean {
  return t.location === 'gpu-buffer';
}

/** Session options for a backend; `gpuOutputs` keeps outputs on the device (WebGPU only). */
export function sessionOptions(backend: Backend, gpuOutputs: boolean): InferenceSession.SessionOptions {
  if (backend === 'wasm') return { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  return { executionProviders: ['webgpu'], graphOptimizationLevel: 'all', ...(gpuOutputs ? { preferredOutputLocation: 'gpu-buffer' } : {}) };
}

/** Reads a float32 tensor's values, downloading from the GPU when needed. */
export async function readFloats(t: Tensor): Promise<Float32Array> {
  const data = onGpu(t) ? await t.getData() : t.data;
  if (!(data instanceof Float32Array)) throw new TypeError(`expected float32 data, got ${t.type}`);
  return data;
}
