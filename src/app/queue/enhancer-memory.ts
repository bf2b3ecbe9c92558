/**
 * Main-thread facts for the enhancer's release decision (engine/enhancer/enhancer-release.ts):
 * the generation pack's memory plan for this request (its pack.json, read by the engine worker)
 * and the GPU memory budget the engine will use (Settings, navigator.deviceMemory, the adapter).
 */
import { probeCapabilities } from '../../browser/probe-capabilities';
import { chooseBackend, type BackendPreference } from '../../engine/capabilities';
import { enhancerRelease, type EnhancerReleaseDecision } from '../../engine/enhancer/enhancer-release';
import { gpuBudget } from '../../engine/pack/memory-budget';
import { memoryPlan, taskTensors } from '../../engine/pack/memory-plan';
import type { TaskRequest } from '../../engine/request';
import { loadSettings } from '../../storage/settings-store';
import { engineBridge } from '../bridges/engine-bridge';

/** Whether an LLM session of `enhancerBytes` can stay loaded beside the generation of `request`. */
export async function enhancerDecision(
  request: TaskRequest,
  enhancerBytes: number,
  preference: BackendPreference,
): Promise<EnhancerReleaseDecision> {
  const manifest = await engineBridge.api.describePack(request.packId);
  const caps = await probeCapabilities();
  const gib = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  const budgetBytes = gpuBudget(
    (await loadSettings()).gpuBudgetGiB,
    { maxBufferSize: caps.maxBufferSize, ...(gib !== undefined ? { deviceMemoryGiB: gib } : {}) },
    chooseBackend(caps, preference, false).backend,
  );
  return enhancerRelease({
    enhancerBytes,
    plan: memoryPlan(manifest, taskTensors(request, manifest)),
    budgetBytes,
  });
}
