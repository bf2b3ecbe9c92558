/**
 * Dtype conversion on the device: a one-node Cast graph (built with the project's graph builder)
 * run on the component's backend with its output kept in a GPU buffer. An fp16 component's
 * float32 inputs and float16 outputs cross the boundary this way on WebGPU instead of being read
 * back and converted in JavaScript; a Cast to the same type is a device copy, which puts a CPU
 * input that several streamed stages share on the GPU once instead of once per stage.
 */
import { GraphBuilder } from '../onnx/graph-builder';
import { memoIn } from '../memo';
import { createGraphSession } from '../pack/sessions';
import type { Backend, OrtModule, OrtSession, OrtTensor } from '../runtime';

export type FloatType = 'float32' | 'float16';

const CAST_TO: Record<FloatType, number> = { float32: 1, float16: 10 };

/** y = Cast(x) from `from` to `to`, any shape. */
export function castModel(from: FloatType, to: FloatType): Uint8Array {
  const g = new GraphBuilder('cast');
  g.op('Cast', [g.input('x', from, null)], { to: CAST_TO[to] }, 'y');
  g.output('y', to, null);
  return g.toModel({ doc: `WebGP cast ${from} → ${to}` });
}

/** Cast sessions of one component, created on first use and released with it. */
export class DeviceCasts {
  private sessions = new Map<string, Promise<OrtSession>>();

  constructor(
    private readonly ort: OrtModule,
    private readonly backend: Backend,
  ) {}

  /** `t` as `to`, in a GPU buffer (the caller owns the result; `t` is left as it was). */
  async cast(t: OrtTensor, to: FloatType): Promise<OrtTensor> {
    const from = t.type as FloatType;
    const key = `${from}>${to}`;
    const s = await memoIn(this.sessions, key, () =>
      createGraphSession(
        this.ort,
        {
          graph: { file: `cast ${key} (engine)`, externalData: [] },
          bytes: castModel(from, to),
          externalData: [],
        },
        this.backend,
        true,
      ),
    );
    return (await s.run({ x: t })).y as OrtTensor;
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(all.map(async (s) => (await s).release()));
  }
}
