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
  InferenceSession: {
    create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession>;
  };
  Tensor: {
    new (type: 'float32', data: Float32Array, dims: readonly number[]): Tensor;
    new (type: 'int64', data: BigInt64Array, dims: readonly number[]): Tensor;
    new (type: 'int32', data: Int32Array, dims: readonly number[]): Tensor;
    new (type: 'float16', data: Uint16Array, dims: readonly number[]): Tensor;
    new (type: 'bool', data: Uint8Array, dims: readonly number[]): Tensor;
  };
}

/** True when a tensor lives in a GPU buffer (WebGPU EP output kept on the device). */
export function onGpu(t: Tensor): boolean {
  return t.location === 'gpu-buffer';
}

/** Session options for a backend; `gpuOutputs` keeps outputs on the device (WebGPU only). */
export function sessionOptions(backend: Backend, gpuOutputs: boolean): InferenceSession.SessionOptions {
  if (backend === 'wasm') return { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  return {
    executionProviders: ['webgpu'],
    graphOptimizationLevel: 'all',
    ...(gpuOutputs ? { preferredOutputLocation: 'gpu-buffer' } : {}),
  };
}

/** Reads a float tensor's values as float32 (float16 converted), downloading from the GPU when needed. */
export async function readFloats(t: Tensor): Promise<Float32Array> {
  const data = onGpu(t) ? await t.getData() : t.data;
  if (data instanceof Float32Array) return data;
  // Chrome 147+ hands fp16 data back as Float16Array; older builds as raw Uint16Array bits.
  if (t.type === 'float16')
    return data instanceof Uint16Array ? f16BitsToF32(data) : Float32Array.from(data as ArrayLike<number>);
  throw new TypeError(`expected float data, got ${t.type}`);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE half bits, round to nearest even (overflow → ±Inf, NaN kept). */
export function f32ToF16Bits(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    f32[0] = src[i] as number;
    const x = u32[0] as number;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
    } else if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      const half = 1 << (shift - 1);
      let m = mant >>> shift;
      const rest = mant & ((1 << shift) - 1);
      if (rest > half || (rest === half && m & 1)) m += 1;
      out[i] = sign | m;
    } else {
      let h = (e << 10) | (mant >>> 13);
      const rest = mant & 0x1fff;
      if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h += 1;
      out[i] = sign | h;
    }
  }
  return out;
}

/** IEEE half bits → float32. */
export function f16BitsToF32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const h = src[i] as number;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    out[i] =
      exp === 0
        ? sign * mant * 2 ** -24
        : exp === 0x1f
          ? mant
            ? NaN
            : sign * Infinity
          : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** A float tensor of `type` from float32 values (converted to half bits for float16). */
export function floatTensor(
  ort: OrtModule,
  type: 'float32' | 'float16',
  data: Float32Array,
  dims: readonly number[],
): Tensor {
  return type === 'float16'
    ? new ort.Tensor('float16', f32ToF16Bits(data), dims)
    : new ort.Tensor('float32', data, dims);
}
