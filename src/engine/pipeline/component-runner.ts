/**
 * Runs one pack component by role: a single graph, or a block-streamed chain of stages that
 * pass tensors by slot name (FastWan's shell_pre → blocks → shell_post). A chain keeps at most
 * `resident` stage sessions alive and creates the next stage's session while the current one runs
 * (double buffering), so packs larger than one wasm heap or GPU buffer run block by block. Two
 * slots of the window stream; the others pin the first stage, then the last, then the blocks in
 * order (`pinnedStages`), so with `resident` ≥ 3 shell_pre is created once, not at every step. float16 components get float32 inputs converted at the
 * boundary and return float32 outputs: with GPU-resident outputs on WebGPU by a Cast graph on the
 * device (device-cast.ts), so no GPU tensor is read back to convert it; otherwise in JavaScript.
 * A chain's float inputs go to the device once per run, not once per stage that reads them.
 */
import { EngineError } from '../errors';
import { memoIn } from '../memo';
import { type ComponentSpec, componentGraphs, type StageSpec } from '../pack/components';
import { graphBytes } from '../pack/memory-plan';
import type { PackSource } from '../pack/pack-source';
import type { ComponentExpect } from '../pack/contract-roles';
import {
  checkSessionContract,
  createGraphSession,
  feedsRole,
  type GraphFiles,
  readGraphFiles,
} from '../pack/sessions';
import {
  type Backend,
  floatTensor,
  type OrtModule,
  type OrtSession,
  type OrtTensor,
  readFloats,
} from '../runtime';
import { DeviceCasts } from './device-cast';

export interface ComponentRunner {
  readonly spec: ComponentSpec;
  /** Roles → tensors in, roles → tensors out (the caller owns and disposes the outputs). */
  run(inputs: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface OpenOptions {
  /** Keep outputs in GPU buffers on WebGPU (float32 components only). */
  gpuOutputs: boolean;
  /** Rewrites a graph's files before its session is created (LoRA merging); `single`: the component is one graph. */
  patch?: (files: GraphFiles, single: boolean) => Promise<GraphFiles>;
  /** The component's name and what the engine feeds it per role, for the contract check as each graph loads (names only without it). */
  contract?: { name: string; expect: ComponentExpect };
}

const isFloat = (t: OrtTensor) => t.type === 'float32' || t.type === 'float16';

/**
 * A float input in the component's dtype (fp16 components take half tensors). With device casts
 * (GPU-resident WebGPU) the conversion runs on the device, and `upload` also copies a CPU input
 * there so that the stages sharing it do not each upload it. `owned`: the caller disposes it.
 */
async function toDtype(
  ort: OrtModule,
  t: OrtTensor,
  spec: ComponentSpec,
  casts: DeviceCasts | undefined,
  upload: boolean,
): Promise<{ tensor: OrtTensor; owned: boolean }> {
  const convert = spec.dtype === 'float16' && t.type === 'float32';
  if (casts && isFloat(t) && (convert || (upload && t.location === 'cpu')))
    return { tensor: await casts.cast(t, convert ? 'float16' : (t.type as 'float32')), owned: true };
  if (!convert) return { tensor: t, owned: false };
  return { tensor: floatTensor(ort, 'float16', await readFloats(t), t.dims), owned: false };
}

/** A float16 output as float32: on the device when it is there (never read back to convert). */
async function fromDtype(ort: OrtModule, t: OrtTensor, casts: DeviceCasts | undefined): Promise<OrtTensor> {
  if (t.type !== 'float16') return t;
  const out =
    casts && t.location === 'gpu-buffer'
      ? await casts.cast(t, 'float32')
      : floatTensor(ort, 'float32', await readFloats(t), t.dims);
  t.dispose();
  return out;
}

function disposeGpu(t: OrtTensor): void {
  if (t.location === 'gpu-buffer') t.dispose();
}

/** Releases and rethrows when the graph breaks its contract (graph-contract.ts, the check install runs). */
async function checkedSession(
  session: OrtSession,
  spec: ComponentSpec,
  file: string,
  contract: OpenOptions['contract'],
): Promise<OrtSession> {
  try {
    checkSessionContract(contract?.name ?? 'component', spec, contract?.expect, file, session);
    return session;
  } catch (err) {
    await session.release();
    throw err;
  }
}

export async function openComponent(
  ort: OrtModule,
  source: PackSource,
  spec: ComponentSpec,
  backend: Backend,
  opts: OpenOptions,
): Promise<ComponentRunner> {
  const gpuOutputs = opts.gpuOutputs && backend === 'webgpu';
  const patch = opts.patch ?? (async (f: GraphFiles) => f);
  return spec.stages
    ? openChain(ort, source, spec, spec.stages, backend, gpuOutputs, patch, opts.contract)
    : openSingle(ort, source, spec, backend, gpuOutputs, patch, opts.contract);
}

type Patch = NonNullable<OpenOptions['patch']>;

async function openSingle(
  ort: OrtModule,
  source: PackSource,
  spec: ComponentSpec,
  backend: Backend,
  gpuOutputs: boolean,
  patch: Patch,
  contract: OpenOptions['contract'],
): Promise<ComponentRunner> {
  const files = await patch(await readGraphFiles(source, spec), true);
  const session = await checkedSession(
    await createGraphSession(ort, files, backend, gpuOutputs),
    spec,
    spec.file,
    contract,
  );
  const casts = gpuOutputs ? new DeviceCasts(ort, backend) : undefined;
  return {
    spec,
    async run(inputs) {
      const feeds: Record<string, OrtTensor> = {};
      const owned: OrtTensor[] = [];
      try {
        for (const [role, t] of Object.entries(inputs)) {
          // ifDeclared roles are fed only when the graph declares them (exporters drop unused inputs).
          if (!feedsRole(spec, role, session.inputNames)) continue;
          const input = await toDtype(ort, t, spec, casts, false);
          if (input.owned) owned.push(input.tensor);
          feeds[spec.inputs[role] as string] = input.tensor;
        }
        const out = await session.run(feeds);
        const result: Record<string, OrtTensor> = {};
        for (const [role, name] of Object.entries(spec.outputs))
          result[role] = await fromDtype(ort, out[name] as OrtTensor, casts);
        for (const [name, t] of Object.entries(out))
          if (!Object.values(spec.outputs).includes(name)) disposeGpu(t);
        return result;
      } finally {
        for (const t of owned) disposeGpu(t);
      }
    },
    release: async () => {
      await casts?.release();
      await session.release();
    },
  };
}

function constantValue(
  ort: OrtModule,
  name: string,
  spec: ComponentSpec,
  slots: Map<string, OrtTensor>,
): OrtTensor | undefined {
  const c = spec.constants?.[name];
  if (!c) return undefined;
  const dims = slots.get(c.slot)?.dims;
  const dim = dims?.[c.axis];
  if (dim === undefined)
    throw new EngineError(
      'invalid-manifest',
      `Constant "${name}" reads axis ${c.axis} of slot "${c.slot}", which has no such axis. Fix constants in pack.json.`,
    );
  return new ort.Tensor('int64', BigInt64Array.of(BigInt(Math.floor(dim / c.divide))), []);
}

/**
 * The stages a chain of `n` keeps alive across runs with a window of `resident` sessions: what
 * the two streaming slots leave, the first stage first, then the last, then the rest in order.
 */
export function pinnedStages(n: number, resident: number): Set<number> {
  if (resident >= n) return new Set(Array.from({ length: n }, (_, i) => i));
  const order = [0, n - 1, ...Array.from({ length: Math.max(0, n - 2) }, (_, i) => i + 1)];
  return new Set(order.slice(0, Math.max(0, resident - 2)));
}

async function openChain(
  ort: OrtModule,
  source: PackSource,
  spec: ComponentSpec,
  stages: StageSpec[],
  backend: Backend,
  gpuOutputs: boolean,
  patch: Patch,
  contract: OpenOptions['contract'],
): Promise<ComponentRunner> {
  const resident = Math.min(spec.resident ?? stages.length, stages.length);
  const pinned = pinnedStages(stages.length, resident);
  const alive = new Map<number, OrtSession>(); // insertion order = least recently used first
  const creating = new Map<number, Promise<OrtSession>>();
  const reading = new Map<number, Promise<GraphFiles>>();

  const files = (i: number) => memoIn(reading, i, () => readGraphFiles(source, stages[i] as StageSpec));

  /** Releases least recently used sessions (never `keep` or a pinned stage) until one more fits in the resident window. */
  async function makeRoom(keep: number): Promise<void> {
    for (const [index, s] of alive) {
      if (alive.size + creating.size < resident) return;
      if (index === keep || pinned.has(index)) continue;
      alive.delete(index);
      await s.release();
    }
  }

  /** Creates stage i's session (reading its files first unless already read); it joins `alive` when ready. */
  function create(i: number): Promise<OrtSession> {
    const stage = stages[i] as StageSpec;
    const p = (async () => {
      const f = await patch(await files(i), false);
      reading.delete(i); // streamed stages are re-read on their next use, not kept in memory
      const s = await checkedSession(
        await createGraphSession(ort, f, backend, gpuOutputs),
        spec,
        stage.file,
        contract,
      );
      alive.set(i, s);
      return s;
    })().finally(() => creating.delete(i));
    creating.set(i, p);
    return p;
  }

  async function session(i: number): Promise<OrtSession> {
    const have = alive.get(i);
    if (have) {
      alive.delete(i);
      alive.set(i, have);
      return have;
    }
    const pending = creating.get(i);
    if (pending) return pending;
    await makeRoom(-1);
    return create(i);
  }

  /**
   * Double buffering: while stage `running` runs, the next stage's session is created (its files
   * read first), when the resident window has room for both; the next `session()` call awaits it.
   * After the last stage only stage 0's files are read ahead: the component may not run again
   * (a text encoder), and an idle session would hold its memory meanwhile.
   */
  async function prefetch(running: number): Promise<void> {
    const next = running + 1;
    if (next === stages.length) {
      if (!alive.has(0)) void files(0).catch(() => undefined);
      return;
    }
    if (resident < 2 || alive.has(next) || creating.has(next)) return;
    await makeRoom(running);
    if (alive.size + creating.size < resident) void create(next).catch(() => undefined);
  }

  if (resident === stages.length) for (let i = 0; i < stages.length; i++) await session(i);
  else await session(0);
  const casts = gpuOutputs ? new DeviceCasts(ort, backend) : undefined;

  return {
    spec,
    async run(inputs) {
      const slots = new Map<string, OrtTensor>();
      const produced = new Set<OrtTensor>();
      try {
        for (const [role, t] of Object.entries(inputs)) {
          const slot = spec.inputs[role];
          if (!slot) continue;
          const input = await toDtype(ort, t, spec, casts, true);
          slots.set(slot, input.tensor);
          if (input.owned) produced.add(input.tensor);
        }
        for (let i = 0; i < stages.length; i++) {
          const stage = stages[i] as StageSpec;
          const s = await session(i);
          if (resident < stages.length) await prefetch(i);
          const feeds: Record<string, OrtTensor> = {};
          for (const name of s.inputNames) {
            const slot = stage.feeds[name] ?? name;
            const t = slots.get(slot) ?? constantValue(ort, slot, spec, slots);
            if (!t)
              throw new EngineError(
                'invalid-manifest',
                `${stage.file} needs input "${name}" (slot "${slot}"), which no earlier stage or component input provides. Fix feeds in pack.json.`,
              );
            feeds[name] = t;
          }
          const out = await s.run(feeds);
          for (const [name, t] of Object.entries(out)) {
            const slot = stage.emits[name] ?? name;
            const prev = slots.get(slot);
            if (prev && produced.has(prev)) {
              produced.delete(prev);
              disposeGpu(prev);
            }
            slots.set(slot, t);
            produced.add(t);
          }
        }
        const result: Record<string, OrtTensor> = {};
        for (const [role, slot] of Object.entries(spec.outputs)) {
          const t = slots.get(slot);
          if (!t)
            throw new EngineError(
              'invalid-manifest',
              `No stage of ${spec.stages?.[0]?.file ?? 'the chain'}… produces slot "${slot}" for output ${role}. Fix outputs in pack.json.`,
            );
          produced.delete(t);
          result[role] = await fromDtype(ort, t, casts);
        }
        return result;
      } finally {
        for (const t of produced) disposeGpu(t);
      }
    },
    async release() {
      await Promise.allSettled([...creating.values()]);
      const all = [...alive.values()];
      alive.clear();
      reading.clear();
      await Promise.all([...all.map((s) => s.release()), casts?.release()]);
    },
  };
}

/** The files of every graph of a component (for load progress). */
export function componentBytes(spec: ComponentSpec): number {
  return componentGraphs(spec).reduce((n, g) => n + graphBytes(g), 0);
}
