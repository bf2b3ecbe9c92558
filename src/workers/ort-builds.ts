/**
 * The onnxruntime-web builds the engine worker can run on, each imported on first need (a
 * separate chunk with its own wasm: the PWA precaches the default build's and runtime-caches the
 * other's on first use, see vite.config.ts), and one engine per build made lazily. Sessions of
 * one build cannot run on the other, so each build has its own engine and session cache.
 */
import type * as Ort from 'onnxruntime-web';
import { createEngine, type Engine, type EngineDeps } from '../engine/engine';
import { chooseOrtBuild, DEFAULT_ORT_BUILD, type OrtBuild } from '../engine/ort-build';
import { parseJsonText, parsePackHeader } from '../engine/pack/header';
import type { PackSource } from '../engine/pack/pack-source';
import { loadSettings } from '../storage/settings-store';
import { deviceLostReason } from './gpu-loss';

type OrtModule = typeof Ort;

const LOADERS: Record<OrtBuild, () => Promise<OrtModule>> = {
  default: () => import('onnxruntime-web'),
  webgpu: () => import('onnxruntime-web/webgpu'),
};

/** Imports build `build` once and applies the worker's wasm settings to it. */
const modules = new Map<OrtBuild, Promise<OrtModule>>();
function ortModule(build: OrtBuild): Promise<OrtModule> {
  let m = modules.get(build);
  if (!m) {
    m = LOADERS[build]().then((ort) => {
      // Threads need cross-origin isolation (SharedArrayBuffer); without it ORT would warn and use one.
      ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency) : 1;
      return ort;
    });
    m.catch(() => modules.delete(build));
    modules.set(build, m);
  }
  return m;
}

/** The build pack.json names; undefined when it names none or cannot be read (the engine then reports why). */
async function packOrtBuild(source: Promise<PackSource>): Promise<OrtBuild | undefined> {
  try {
    const text = new TextDecoder().decode(await (await source).readBytes('pack.json'));
    return parsePackHeader(parseJsonText(text, 'pack.json')).ortBuild;
  } catch {
    return undefined;
  }
}

export type EngineBase = Omit<EngineDeps, 'ort' | 'ortBuild' | 'deviceLost'>;

/** One engine per build, created on first use; `sourceFor` reads the manifest that may name a build. */
export function buildEngines(base: EngineBase & { sourceFor: (packId: string) => Promise<PackSource> }) {
  const engines = new Map<OrtBuild, Promise<Engine>>();

  function engine(build: OrtBuild): Promise<Engine> {
    let e = engines.get(build);
    if (!e) {
      e = ortModule(build).then((ort) =>
        createEngine({ ...base, ort, ortBuild: build, deviceLost: (b) => deviceLostReason(ort.env, b) }),
      );
      e.catch(() => engines.delete(build));
      engines.set(build, e);
    }
    return e;
  }

  return {
    engine,
    /** The engine for a task on `packId`: Settings' build, else the pack's, else the default. */
    async forPack(packId: string): Promise<Engine> {
      const [settings, packBuild] = await Promise.all([loadSettings(), packOrtBuild(base.sourceFor(packId))]);
      const { build } = chooseOrtBuild(settings.ortBuild, packBuild);
      // The same pack's sessions on the other build are released (they would double its GPU memory).
      for (const [other, e] of engines) if (other !== build) await (await e).forget(packId);
      return engine(build);
    },
    /** The engine of Settings' build (automatic: the default), for work not tied to one pack. */
    async current(): Promise<Engine> {
      const pref = (await loadSettings()).ortBuild;
      return engine(pref === 'auto' ? DEFAULT_ORT_BUILD : pref);
    },
    /** Runs `fn` on every engine made so far (cancel, pause, forget, dispose). */
    async each(fn: (e: Engine) => unknown): Promise<void> {
      await Promise.all([...engines.values()].map(async (e) => fn(await e)));
    },
  };
}
