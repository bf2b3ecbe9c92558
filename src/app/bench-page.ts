/**
 * The benchmark page (bench.html): runs the engine worker's denoise benchmark at a few sizes
 * and prints JSON; `tools/bench.ts` drives it headlessly for `npm run bench`.
 */
import type { BackendPreference } from '../engine/capabilities';
import type { TaskRequest } from '../engine/request';
import { engineBridge } from './bridges/engine-bridge';

const SIZES: Pick<TaskRequest, 'resolution' | 'frames'>[] = [
  { resolution: '128x128', frames: 9 },
  { resolution: '256x256', frames: 33 },
];

async function main(): Promise<void> {
  const out = document.getElementById('result') as HTMLElement;
  const backend = (new URLSearchParams(location.search).get('backend') ?? 'auto') as BackendPreference;
  try {
    const results = [];
    for (const size of SIZES) {
      const request: TaskRequest = { packId: 'demo-t2v', prompt: 'a big red ball rolling left at night', negativePrompt: '', seed: 1, steps: 8, solver: 'euler', shift: 3, guidance: 1, ...size };
      results.push(await engineBridge.api.bench(request, backend));
      out.textContent = JSON.stringify(results, null, 2);
    }
    document.body.dataset.done = 'ok';
  } catch (err) {
    out.textContent = `Benchmark failed: ${(err as Error).message}`;
    document.body.dataset.done = 'error';
  }
}

void main();
