/**
 * Prompt-enhancer worker: the local provider's LLM pack and the image captioner pack (each
 * installed in OPFS, else the bundled models/<id>/ folder) on onnxruntime-web, started only when
 * a task asks for enhancement; the captioner's sessions go as soon as its caption is made, and
 * the bridge terminates the worker (releasing the LLM's) before the generation pack loads.
 */
import { expose } from 'comlink';
import * as ort from 'onnxruntime-web';
import { type BackendPreference, chooseBackend } from '../engine/capabilities';
import { probeCapabilities } from '../browser/probe-capabilities';
import { installErrorTransfer } from '../browser/comlink-errors';
import { localEnhancer } from '../engine/enhancer/local-enhancer';
import { chat, type LocalLlm } from '../engine/enhancer/local-llm';
import { VIDEO_SYSTEM_PROMPT, userMessage } from '../engine/enhancer/system-prompt';
import type { EnhancerPipeline } from '../engine/pack/enhancer-manifest';
import { ENHANCER_TEST_PROMPT, runEnhancerPackTest } from '../engine/pack-test/run-enhancer-pack-test';
import { type Captioner, captionImage, releaseCaptioner } from '../engine/enhancer/captioner';
import { openCaptionerPack } from '../engine/enhancer/open-captioner';
import { openLlmPack } from '../engine/enhancer/open-llm';
import type { EnhanceMode } from '../engine/enhancer/provider';
import { httpPackSource } from '../engine/pack/pack-source';
import type { OrtModule } from '../engine/runtime';
import { installedPack, opfsPackSource } from '../storage/pack-store';
import { holdAliveLock } from './alive-lock';

installErrorTransfer();
ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency) : 1;

const modelsBase = new URL(`${import.meta.env.BASE_URL}models/`, self.location.origin);
const jobs = new Map<string, AbortController>();
let enhancer:
  | { packId: string; backend: BackendPreference; provider: ReturnType<typeof localEnhancer>; bytes: number }
  | undefined;

/** The installed pack, else the bundled one. */
const sourceOf = async (packId: string) =>
  (await installedPack(packId))
    ? opfsPackSource(packId)
    : httpPackSource(new URL(`${packId}/`, modelsBase).href);

async function providerFor(packId: string, preference: BackendPreference) {
  if (enhancer?.packId === packId && enhancer.backend === preference) return enhancer.provider;
  await enhancer?.provider.reset();
  const { backend } = chooseBackend(await probeCapabilities(), preference, false);
  const source = () => sourceOf(packId);
  const provider = localEnhancer({
    ort: ort as unknown as OrtModule,
    openLlm: async () => {
      const llm = await openLlmPack(ort as unknown as OrtModule, await source(), backend);
      // The session's size: the decoder graph's bytes as pack.json gives them.
      if (enhancer?.provider === provider) enhancer.bytes = llm.spec.bytes ?? 0;
      return llm;
    },
  });
  enhancer = { packId, backend: preference, provider, bytes: 0 };
  return provider;
}

const api = {
  /** Liveness for the bridge (alive-lock.ts): the worker holds this lock until it ends. */
  holdAliveLock,
  /** Enhances `prompt` with LLM pack `packId`; `onText` gets the text so far and the token count; returns the text, its token count and the LLM session's bytes. */
  async enhance(
    jobId: string,
    packId: string,
    preference: BackendPreference,
    req: { prompt: string; mode: EnhanceMode; seed: number; imageCaption?: string },
    onText: (text: string, tokens: number) => void,
  ): Promise<{ text: string; tokens: number; sessionBytes: number }> {
    const ctrl = new AbortController();
    jobs.set(jobId, ctrl);
    try {
      let count = 0;
      const text = await (
        await providerFor(packId, preference)
      ).enhance({
        ...req,
        signal: ctrl.signal,
        onText: (t, tokens) => {
          count = tokens;
          onText(t, tokens);
        },
      });
      return { text, tokens: count, sessionBytes: enhancer?.bytes ?? 0 };
    } finally {
      jobs.delete(jobId);
    }
  },
  /** The caption of a start image (PNG data URL) by captioner pack `packId`, whose sessions are released before this returns. */
  async caption(
    jobId: string,
    packId: string,
    preference: BackendPreference,
    startImage: string,
  ): Promise<string> {
    const ctrl = new AbortController();
    jobs.set(jobId, ctrl);
    try {
      const { backend } = chooseBackend(await probeCapabilities(), preference, false);
      const captioner = await openCaptionerPack(ort as unknown as OrtModule, await sourceOf(packId), backend);
      try {
        return await captionImage(ort as unknown as OrtModule, captioner, startImage, {
          signal: ctrl.signal,
        });
      } finally {
        await releaseCaptioner(captioner);
      }
    } finally {
      jobs.delete(jobId);
    }
  },
  /** "Test this pack" for an enhancer pack: open it, then one enhancement (LLM, 32 tokens at most) or one caption of `sampleImage` (PNG data URL); its sessions are released after. */
  async testPack(
    jobId: string,
    packId: string,
    preference: BackendPreference,
    pipeline: EnhancerPipeline,
    sampleImage: string,
  ) {
    const ctrl = new AbortController();
    jobs.set(jobId, ctrl);
    const o = ort as unknown as OrtModule;
    const { backend } = chooseBackend(await probeCapabilities(), preference, false);
    let llm: LocalLlm | undefined;
    let captioner: Captioner | undefined;
    try {
      return await runEnhancerPackTest(packId, {
        backend,
        stage: pipeline === 'prompt-llm' ? 'enhance' : 'caption',
        open: async () => {
          if (pipeline === 'prompt-llm') llm = await openLlmPack(o, await sourceOf(packId), backend);
          else captioner = await openCaptionerPack(o, await sourceOf(packId), backend);
        },
        run: () =>
          llm
            ? chat(o, llm, VIDEO_SYSTEM_PROMPT, userMessage({ prompt: ENHANCER_TEST_PROMPT, mode: 'text' }), {
                seed: 0,
                temperature: 0,
                maxNewTokens: Math.min(32, llm.spec.maxNewTokens),
                signal: ctrl.signal,
              })
            : captionImage(o, captioner as Captioner, sampleImage, { signal: ctrl.signal }),
      });
    } finally {
      jobs.delete(jobId);
      await llm?.session.release();
      if (captioner) await releaseCaptioner(captioner);
    }
  },
  cancel(jobId: string): void {
    jobs.get(jobId)?.abort();
  },
  /** Releases the LLM's session (the bridge also terminates the worker). */
  async reset(): Promise<void> {
    await enhancer?.provider.reset();
    enhancer = undefined;
  },
};

export type EnhancerApi = typeof api;
expose(api);
