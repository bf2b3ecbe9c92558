/**
 * The two rules onnxruntime-web 1.30's native WebGPU build (`onnxruntime-web/webgpu`, the
 * asyncify wasm) needs and the JSEP build does not, applied as one OrtModule wrapper. Breaking
 * either traps inside the wasm ("memory access out of bounds"), which is what block-streamed
 * packs did before (docs/pack-format.md, "ONNX Runtime builds"):
 * 1. A GPU-buffer output is an OrtValue of its session's allocator, so it must be disposed
 *    before that session is released. Block streaming releases shell_pre while its conditioning
 *    still feeds the blocks; here `release()` returns at once and the session is released when
 *    the last GPU output it handed out is disposed (at once when none is alive).
 * 2. One wasm call at a time: a session created while another session's `run` is suspended
 *    (asyncify, awaiting the GPU) corrupts it. Creations, runs, readbacks of GPU outputs
 *    (`getData`) and releases take turns; block streaming still reads the next stage's files
 *    while the current stage runs.
 */
import { type Serial, serialQueue } from './serial';
import type { OrtModule, OrtSession, OrtTensor } from './runtime';

type RunArgs = [Record<string, OrtTensor>, ...unknown[]];

/** Wraps `session`: runs in turn, and a release that waits for its live GPU outputs. */
function guardSession(session: OrtSession, turn: Serial): OrtSession {
  let live = 0;
  let wanted = false;
  let released: Promise<void> | undefined;
  const release = session.release.bind(session);
  const finish = (): Promise<void> => (released ??= turn(release));
  const run = session.run.bind(session) as (...args: RunArgs) => Promise<Record<string, OrtTensor>>;

  /** Counts `t` as alive until its dispose (the last dispose after a release request releases the session); its readbacks take turns. */
  function track(t: OrtTensor): void {
    live += 1;
    const getData = t.getData.bind(t);
    t.getData = (releaseData?: boolean) => turn(() => getData(releaseData));
    const dispose = t.dispose.bind(t);
    let done = false;
    t.dispose = () => {
      if (done) return;
      done = true;
      dispose();
      live -= 1;
      // Nothing awaits this release: there is no caller to tell of a failure, and the session is gone either way.
      if (live === 0 && wanted) void finish().catch(() => undefined);
    };
  }

  (session as { run: unknown }).run = async (...args: RunArgs) => {
    const out = await turn(() => run(...args));
    for (const t of Object.values(out)) if (t.location === 'gpu-buffer') track(t);
    return out;
  };
  session.release = () => {
    wanted = true;
    return live === 0 ? finish() : Promise.resolve();
  };
  return session;
}

/** `ort` with the native build's two rules applied to every session created through it. */
export function guardNativeBuild(ort: OrtModule): OrtModule {
  const turn = serialQueue(); // ORT calls of one guarded module, one after another
  return {
    Tensor: ort.Tensor,
    InferenceSession: {
      create: async (model, options) =>
        guardSession(await turn(() => ort.InferenceSession.create(model, options)), turn),
    },
  };
}
