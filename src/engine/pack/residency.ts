/**
 * When a pack's component sessions exist. 'resident': every session is created at load and kept
 * (the engine caches the pack between runs). 'sequential' (the pack does not fit the GPU memory
 * budget whole, see memory-plan.ts): a session is created when its component first runs, and
 * entering a phase releases every session that phase does not use, so the text encoder is gone
 * before the first denoise step and the VAE decoder is created only after the transformer is
 * released. A block-streamed component keeps its own resident window inside its runner.
 */
import type { ComponentRunner } from '../pipeline/component-runner';
import { componentBytes } from '../pipeline/component-runner';
import { memoise } from '../memo';
import type { ProgressCallback } from '../progress';
import type { ComponentSpec } from './components';
import type { PackManifest } from './manifest';
import { type Phase, PHASE_COMPONENTS, type Residency } from './memory-plan';

type ComponentName = keyof PackManifest['components'];
type Runners = Partial<Record<ComponentName, ComponentRunner>>;

export interface PhasedComponents {
  readonly mode: Residency;
  readonly runners: Runners;
  /** Starts a run: sessions created during it report 'load' progress here (sequential mode). */
  beginRun(onProgress?: ProgressCallback): void;
  /** Releases the sessions `phase` does not use (sequential); nothing when resident. */
  enter(phase: Phase): Promise<void>;
  release(): Promise<void>;
}

/** Every runner already open; phases change nothing. */
export function residentComponents(runners: Runners): PhasedComponents {
  return {
    mode: 'resident',
    runners,
    beginRun() {},
    async enter() {},
    async release() {
      await Promise.all(Object.values(runners).map((r) => r.release()));
    },
  };
}

/** A runner whose session is created on its first run and can be released and re-created. */
function lazyRunner(spec: ComponentSpec, open: () => Promise<ComponentRunner>): ComponentRunner {
  const opening = memoise(open);
  return {
    spec,
    async run(inputs) {
      return (await opening.get()).run(inputs);
    },
    async release() {
      const was = opening.forget();
      if (was)
        await was.then(
          (r) => r.release(),
          () => undefined,
        );
    },
  };
}

/**
 * Sequential residency over `present` components; `open` creates a component's runner. Load
 * progress counts the bytes of the components created during the run against the whole pack.
 */
export function sequentialComponents(
  present: [ComponentName, ComponentSpec][],
  open: (name: ComponentName, spec: ComponentSpec) => Promise<ComponentRunner>,
): PhasedComponents {
  const total = present.reduce((n, [, s]) => n + componentBytes(s), 0);
  let loaded = 0;
  let report: ProgressCallback | undefined;
  const runners: Runners = {};
  for (const [name, spec] of present) {
    runners[name] = lazyRunner(spec, async () => {
      const runner = await open(name, spec);
      loaded = Math.min(total, loaded + componentBytes(spec));
      report?.({ stage: 'load', file: spec.file || spec.stages?.[0]?.file || name, loaded, total });
      return runner;
    });
  }
  const all = Object.entries(runners) as [ComponentName, ComponentRunner][];
  return {
    mode: 'sequential',
    runners,
    beginRun(onProgress) {
      loaded = 0;
      report = onProgress;
    },
    async enter(phase) {
      const keep = PHASE_COMPONENTS[phase];
      // One at a time: a release frees its GPU buffers before the next phase creates anything.
      for (const [name, r] of all) if (!keep.includes(name)) await r.release();
    },
    async release() {
      await Promise.all(all.map(([, r]) => r.release()));
    },
  };
}
