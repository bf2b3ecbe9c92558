/**
 * The benchmark page (bench.html): runs the engine worker's denoise benchmark at a few sizes
 * (&pack=ID&steps=N&rounds=R: another pack's, at 256²×33) (or, with ?pipelines=…, the per-pipeline rows, &base=URL&solver=S for packs served elsewhere
 * and another solver, &rounds=N timed rounds (default 3), &build=default|webgpu for an ONNX Runtime build; with ?matting=N, N matting frames through the
 * engine; with ?matting-run=N, a whole N-frame matting task as the queue runs it; with
 * ?residency=ID, pack ID all-resident vs sequential; with ?enhancer, the local prompt enhancer's
 * tokens/s on test-llm; with ?decode,
 * the source-video decode rows, WebCodecs and ffmpeg.wasm) and prints
 * JSON; `tools/bench.ts` drives it headlessly for `npm run bench`.
 */
import { transfer } from 'comlink';
import { canvasPngDataUrl, context2d } from '../browser/canvas-png';
import { benchDecode } from '../engine/bench/decode-bench';
import { benchMatting } from '../engine/bench/matting-bench';
import type { BackendPreference } from '../engine/capabilities';
import { isOrtBuildPreference, type OrtBuild } from '../engine/ort-build';
import { parsePackHeader, parseResolution } from '../engine/pack/header';
import { defaultRequest, type TaskRequest } from '../engine/request';
import { benchEnhancer } from './bench-enhancer';
import { benchMattingRun } from './bench-matting-run';
import { engineBridge } from './bridges/engine-bridge';
import { mediaBridge } from './bridges/media-bridge';

const SIZES: Pick<TaskRequest, 'resolution' | 'frames'>[] = [
  { resolution: '128x128', frames: 9 },
  { resolution: '256x256', frames: 33 },
];

/** The contract test packs `tools/bench.ts` copies next to the build (bench-packs/<id>/). */
const PIPELINE_PACKS = ['test-zimage', 'test-sdturbo', 'test-sdxlturbo', 'test-fastwan', 'test-fastwan-i2v'];

/** A start image for the i2v pack, drawn at the task's resolution (a bright square on dark). */
async function startImage(resolution: string): Promise<string> {
  const { width: w, height: h } = parseResolution(resolution) ?? { width: 0, height: 0 };
  const canvas = new OffscreenCanvas(w, h);
  const ctx = context2d(canvas);
  ctx.fillStyle = '#123';
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#fd4';
  ctx.fillRect(w / 4, h / 4, w / 2, h / 2);
  return canvasPngDataUrl(canvas);
}

/** Per-pipeline rows; `base`: where the packs are served (default bench-packs/ next to the build); `solver` overrides the packs' default. */
async function pipelines(
  backend: BackendPreference,
  only: string[],
  base: string,
  solver?: TaskRequest['solver'],
  build?: OrtBuild,
  rounds?: number,
): Promise<unknown[]> {
  const results = [];
  for (const id of only.length ? only : PIPELINE_PACKS) {
    const url = new URL(`${id}/`, new URL(base, location.href)).href;
    const header = parsePackHeader(await (await fetch(`${url}pack.json`)).json());
    const request = {
      ...defaultRequest(header, 'a red ball on a blue table'),
      steps: Math.min(4, header.limits.maxSteps),
      ...(solver ? { solver } : {}),
    };
    if (header.pipeline === 'i2v-flow-dit') request.startImage = await startImage(request.resolution);
    results.push({
      ...(await engineBridge.api.benchPipeline(url, request, backend, build, rounds)),
      ...(build ? { build } : {}),
    });
  }
  return results;
}

/** The residency rows: one contract test pack's default request, all sessions resident, then sequential. */
async function residencyRows(backend: BackendPreference, id: string): Promise<unknown[]> {
  const url = new URL(`bench-packs/${id}/`, location.href).href;
  const header = parsePackHeader(await (await fetch(`${url}pack.json`)).json());
  return engineBridge.api.benchResidency(url, defaultRequest(header, 'a red ball on a blue table'), backend);
}

/** The LoRA schedule rows: test-t2v-random with the test LoRA (copied next to the build by tools/bench.ts). */
async function loraRows(backend: BackendPreference): Promise<unknown[]> {
  const url = new URL('models/test-t2v-random/', location.href).href;
  const lora = new Uint8Array(
    await (await fetch(new URL('bench-packs/loras/test-style.safetensors', location.href))).arrayBuffer(),
  );
  const results = [];
  for (const size of SIZES) {
    const request: TaskRequest = {
      packId: 'test-t2v-random',
      prompt: 'a red kite',
      negativePrompt: '',
      seed: 1,
      steps: 8,
      solver: 'euler',
      shift: 3,
      guidance: 1,
      ...size,
    };
    results.push(await engineBridge.api.benchLora(url, request, lora, backend));
  }
  return results;
}

async function main(): Promise<void> {
  const out = document.getElementById('result') as HTMLElement;
  const params = new URLSearchParams(location.search);
  const backend = (params.get('backend') ?? 'auto') as BackendPreference;
  try {
    if (params.has('lora')) {
      out.textContent = JSON.stringify(await loraRows(backend), null, 2);
      document.body.dataset.done = 'ok';
      return;
    }
    if (params.has('matting-run')) {
      out.textContent = JSON.stringify(
        [await benchMattingRun(Number(params.get('matting-run')), backend)],
        null,
        2,
      );
      document.body.dataset.done = 'ok';
      return;
    }
    if (params.has('matting')) {
      // Frames are transferred to the worker, as the Matting page streams them.
      const row = await benchMatting(engineBridge.api, 'demo-matanyone', Number(params.get('matting')), {
        backend,
        send: (f) => transfer(f, [f.data.buffer]),
      });
      out.textContent = JSON.stringify([row], null, 2);
      document.body.dataset.done = 'ok';
      return;
    }
    if (params.has('decode')) {
      // The clip tools/bench.ts made with the system ffmpeg (bench-clips/decode-bench.mp4).
      const file = await (await fetch(new URL('bench-clips/decode-bench.mp4', location.href))).blob();
      const rows = [
        await benchDecode(mediaBridge.api, file, 'webcodecs'),
        await benchDecode(mediaBridge.api, file, 'ffmpeg'),
      ];
      out.textContent = JSON.stringify(rows, null, 2);
      document.body.dataset.done = 'ok';
      return;
    }
    if (params.has('mux')) {
      out.textContent = JSON.stringify(await mediaBridge.api.benchMux(320, 320, 81), null, 2);
      document.body.dataset.done = 'ok';
      return;
    }
    if (params.has('enhancer')) {
      out.textContent = JSON.stringify([await benchEnhancer(backend)], null, 2);
      document.body.dataset.done = 'ok';
      return;
    }
    if (params.has('residency')) {
      out.textContent = JSON.stringify(
        await residencyRows(backend, params.get('residency') ?? 'test-zimage'),
        null,
        2,
      );
      document.body.dataset.done = 'ok';
      return;
    }
    if (params.has('pipelines')) {
      const solver = (params.get('solver') ?? undefined) as TaskRequest['solver'] | undefined;
      const build = params.get('build') ?? undefined;
      if (build !== undefined && !isOrtBuildPreference(build)) throw new Error(`unknown build "${build}"`);
      out.textContent = JSON.stringify(
        await pipelines(
          backend,
          (params.get('pipelines') ?? '').split(',').filter(Boolean),
          params.get('base') ?? 'bench-packs/',
          solver,
          build === 'auto' ? undefined : build,
          params.has('rounds') ? Number(params.get('rounds')) : undefined,
        ),
        null,
        2,
      );
      document.body.dataset.done = 'ok';
      return;
    }
    // ?pack=ID&steps=N&rounds=R: the denoise rows of another installed pack, at 256²×33 only.
    const packId = params.get('pack') ?? 'demo-t2v';
    const sizes = params.has('pack') ? SIZES.filter((s) => s.frames === 33) : SIZES;
    const rounds = params.has('rounds') ? Number(params.get('rounds')) : undefined;
    const results = [];
    for (const size of sizes) {
      const request: TaskRequest = {
        packId,
        prompt: 'a big red ball rolling left at night',
        negativePrompt: '',
        seed: 1,
        steps: Number(params.get('steps') ?? 8),
        solver: 'euler',
        shift: 3,
        guidance: 1,
        ...size,
      };
      results.push(await engineBridge.api.bench(request, backend, rounds));
      out.textContent = JSON.stringify(results, null, 2);
    }
    document.body.dataset.done = 'ok';
  } catch (err) {
    out.textContent = `Benchmark failed: ${(err as Error).message}`;
    document.body.dataset.done = 'error';
  }
}

void main();
