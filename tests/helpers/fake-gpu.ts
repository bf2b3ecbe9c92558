/**
 * A stand-in GPU over onnxruntime-node: a session created with `preferredOutputLocation:
 * 'gpu-buffer'` hands back its outputs as "GPU tensors" (location 'gpu-buffer', values readable
 * only through getData, which counts a download), and GPU tensors fed to a later session go in
 * without a copy. With the engine's transfer meter on top (its sessions ask for the webgpu
 * provider), Node tests see every readback and upload the browser would make, for any pack.
 * A disposed GPU tensor fed again throws, so use-after-free shows too.
 */
import * as ortNode from 'onnxruntime-node';
import type { OrtModule, OrtSession, OrtTensor } from '../../src/engine/runtime';
import { ortNodeModule } from './ort-node';

/** A "device" tensor holding an onnxruntime-node CPU tensor. */
class FakeGpuTensor {
  readonly location = 'gpu-buffer';
  disposed = false;
  constructor(
    readonly inner: ortNode.Tensor,
    private readonly reads: { count: number },
  ) {}
  get type() {
    return this.inner.type;
  }
  get dims() {
    return this.inner.dims;
  }
  get size() {
    return this.inner.size;
  }
  get data(): never {
    throw new Error('The data of a GPU tensor is read with getData().');
  }
  async getData() {
    this.reads.count++;
    return this.inner.data;
  }
  dispose() {
    this.disposed = true;
  }
}

function unwrap(t: OrtTensor): OrtTensor {
  if (!(t instanceof FakeGpuTensor)) return t;
  if (t.disposed) throw new Error('A disposed GPU tensor was fed to a session.');
  return t.inner as unknown as OrtTensor;
}

export interface FakeGpu {
  ort: OrtModule;
  /** getData calls on GPU tensors so far (the meter counts them as readbacks too). */
  reads: { count: number };
  /** Sessions created so far, by the engine's label of the model (its first bytes' length). */
  created: number;
}

export function fakeGpu(): FakeGpu {
  const reads = { count: 0 };
  const gpu: FakeGpu = {
    reads,
    created: 0,
    ort: {
      Tensor: ortNodeModule.Tensor,
      InferenceSession: {
        async create(model, options) {
          gpu.created++;
          const session = await ortNodeModule.InferenceSession.create(model, options);
          const onDevice = options?.preferredOutputLocation === 'gpu-buffer';
          const run = session.run.bind(session) as (
            f: Record<string, OrtTensor>,
          ) => Promise<Record<string, OrtTensor>>;
          const wrapped = {
            get inputNames() {
              return session.inputNames;
            },
            get outputNames() {
              return session.outputNames;
            },
            get inputMetadata() {
              return session.inputMetadata;
            },
            get outputMetadata() {
              return session.outputMetadata;
            },
            release: () => session.release(),
            async run(feeds: Record<string, OrtTensor>) {
              const out = await run(
                Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, unwrap(t)])),
              );
              if (!onDevice) return out;
              return Object.fromEntries(
                Object.entries(out).map(([k, t]) => [
                  k,
                  new FakeGpuTensor(t as unknown as ortNode.Tensor, reads) as unknown as OrtTensor,
                ]),
              );
            },
          };
          return wrapped as unknown as OrtSession;
        },
      },
    },
  };
  return gpu;
}
