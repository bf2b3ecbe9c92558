/**
 * The GPU memory budget that decides residency (memory-plan.ts chooseResidency). WebGPU does not
 * report how much memory a GPU has, so the default is a lower bound from what the browser does
 * report, and Settings can replace it ("GPU memory budget"):
 * - half of `navigator.deviceMemory` (an integrated GPU shares system memory, and Windows lets it
 *   use half; browsers round deviceMemory down and cap it at 8 GiB, so this is at most 4 GiB),
 * - but never less than the adapter's `maxBufferSize` (a GPU that allows one buffer that large has
 *   at least that much memory),
 * - 4 GiB when the browser reports no device memory;
 * - on the WebAssembly backend never more than the 4 GiB wasm32 heap the sessions live in.
 */
const GIB = 2 ** 30;

/** The wasm32 heap every wasm-backend session shares. */
export const WASM_HEAP_BYTES = 4 * GIB;

export interface BudgetFacts {
  /** navigator.deviceMemory in GiB (Chromium only). */
  deviceMemoryGiB?: number;
  /** The adapter's maxBufferSize (0 without WebGPU). */
  maxBufferSize: number;
}

/** The default budget in bytes for these facts (see the rule above). */
export function defaultGpuBudget(f: BudgetFacts): number {
  const fromMemory =
    f.deviceMemoryGiB !== undefined && f.deviceMemoryGiB > 0 ? (f.deviceMemoryGiB * GIB) / 2 : 4 * GIB;
  return Math.max(fromMemory, f.maxBufferSize);
}

/** The budget a run uses: the user's setting (GiB) when set, else the default; capped by the wasm heap on wasm. */
export function gpuBudget(
  userGiB: number | null | undefined,
  f: BudgetFacts,
  backend: 'webgpu' | 'wasm',
): number {
  const bytes =
    userGiB !== null && userGiB !== undefined && userGiB > 0 ? userGiB * GIB : defaultGpuBudget(f);
  return backend === 'wasm' ? Math.min(bytes, WASM_HEAP_BYTES) : bytes;
}

/** Parses the Settings field: empty → null (automatic), else a GiB count over 0 and at most 1024; a string is the error to show. */
export function parseBudgetField(value: string): number | null | string {
  const text = value.trim();
  if (!text) return null;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 1024)
    return 'Enter the GPU memory in GiB (more than 0, at most 1024), or leave it empty for the automatic value.';
  return n;
}
