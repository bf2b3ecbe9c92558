/**
 * "Fits this device?" before any download: a registry entry's published needs (WebGPU,
 * shader-f16, largest buffer, peak memory, download size) against this browser's capabilities,
 * reported memory and free storage. The GPU peak is the largest phase of the pack's memory plan
 * (its sessions run one phase at a time when the whole pack is over the budget) when pack.json
 * gives every size. Pure: the Models page and tests hand the facts in.
 */
import type { Capabilities } from '../capabilities';
import type { MemoryPlan } from './memory-plan';
import type { PackRequirements, RegistryEntry } from './registry';
import { formatSize } from '../format-size';

export type FitVerdict = { level: 'fits' | 'may-not-fit' | 'does-not-fit'; reasons: string[] };

/** What the page knows about the device beyond the GPU: `navigator.deviceMemory` and quota − usage. */
export interface DeviceFacts {
  memoryGiB?: number;
  storageFreeBytes?: number;
}

const GIB = 2 ** 30;

/** The total download as shown on a pack: "6.02 GB", "≈ 2.67 GB", "size not published", "bundled". */
export function packSizeLabel(entry: RegistryEntry): string {
  if (!entry.remote && entry.files.length === 0) return 'bundled with the app';
  if (entry.unknownSizes === entry.files.length) return 'size not published';
  const total = `${entry.bytesApprox || entry.unknownSizes ? '≈ ' : ''}${formatSize(entry.bytes)}`;
  return entry.unknownSizes ? `${total} + ${entry.unknownSizes} files of unpublished size` : total;
}

/** navigator.deviceMemory is rounded down and capped (8 GiB in most browsers), so it is a lower bound. */
function memoryNote(gib: number): string {
  return `this device reports ${gib} GiB of memory (browsers round this down and cap it, so it may have more)`;
}

/**
 * GPU memory at the peak: with a plan whose files all have sizes and a registry estimate of the
 * working memory, the plan's largest phase plus that estimate; otherwise the registry's figure
 * (whose own notes say what it counts).
 */
export function peakGpuBytes(req: PackRequirements, plan?: MemoryPlan): number {
  return plan && plan.unsized.length === 0 && req.workingBytes !== undefined
    ? plan.peakBytes + req.workingBytes
    : req.peakGpuBytes;
}

/** Whether the verdict's GPU peak comes from the plan (see peakGpuBytes). */
const fromPlan = (req: PackRequirements | undefined, plan: MemoryPlan | undefined): plan is MemoryPlan =>
  !!plan && !plan.unsized.length && req?.workingBytes !== undefined;

const PHASE_NAMES: Record<MemoryPlan['peakPhase'], string> = {
  'encode-text': 'text encoding',
  'encode-image': 'start-image encoding',
  denoise: 'denoising',
  decode: 'decoding',
};

/** "(while denoising; sessions run one phase at a time when the whole pack, 6.02 GB, is over the GPU memory budget)". */
function phaseNote(req: PackRequirements | undefined, plan: MemoryPlan | undefined): string {
  if (!fromPlan(req, plan) || plan.phases.length < 2) return '';
  return ` (while ${PHASE_NAMES[plan.peakPhase]}; its sessions run one phase at a time when the whole pack, ${formatSize(plan.wholeBytes)}, is over the GPU memory budget)`;
}

/** Whether `entry` can run here; bundled demo packs always fit (they fall back to the CPU). `plan`: the memory plan of its pack.json. */
export function fitVerdict(
  entry: RegistryEntry,
  caps: Capabilities,
  device: DeviceFacts,
  plan?: MemoryPlan,
): FitVerdict {
  if (!entry.remote) {
    return {
      level: 'fits',
      reasons: [
        entry.demo ? 'Bundled demo pack: tiny, runs on WebGPU or on the CPU.' : 'Bundled with the app.',
      ],
    };
  }
  const req = entry.requirements;
  const blocking: string[] = [];
  const doubts: string[] = [];

  if (!caps.webgpu) blocking.push('Needs WebGPU, which this browser does not provide.');
  else if (req) {
    if (req.shaderF16 && !caps.shaderF16)
      blocking.push('Needs the WebGPU shader-f16 feature, which this GPU lacks.');
    if (req.largestBufferBytes > caps.maxBufferSize) {
      blocking.push(
        `Needs a single GPU buffer of ${formatSize(req.largestBufferBytes)}, but this GPU allows at most ${formatSize(caps.maxBufferSize)} per buffer.`,
      );
    }
  }

  const sized = entry.files.length - entry.unknownSizes;
  if (sized === 0) doubts.push('Its file sizes are not published, so the download size is unknown.');
  else {
    const total = `${entry.bytesApprox || entry.unknownSizes ? 'at least about ' : ''}${formatSize(entry.bytes)}`;
    if (device.storageFreeBytes !== undefined && entry.bytes > device.storageFreeBytes) {
      blocking.push(
        `The download (${total}) is larger than the free browser storage (${formatSize(Math.max(0, device.storageFreeBytes))}).`,
      );
    }
    if (entry.unknownSizes)
      doubts.push(
        `${entry.unknownSizes} of its ${entry.files.length} files have no published size, so the download is more than ${formatSize(entry.bytes)}.`,
      );
  }

  if (!req) doubts.push('It does not say how much memory it needs.');
  else if (device.memoryGiB !== undefined) {
    const memory = device.memoryGiB * GIB;
    if (req.peakCpuBytes > memory)
      doubts.push(
        `Needs about ${formatSize(req.peakCpuBytes)} of memory at its peak, and ${memoryNote(device.memoryGiB)}.`,
      );
    const gpu = peakGpuBytes(req, plan);
    if (gpu > memory) {
      doubts.push(
        `Needs about ${formatSize(gpu)} of GPU memory at its peak${phaseNote(req, plan)}, and ${memoryNote(device.memoryGiB)}; a GPU with enough memory of its own may still run it.`,
      );
    }
  }

  if (blocking.length) return { level: 'does-not-fit', reasons: [...blocking, ...doubts] };
  if (doubts.length) return { level: 'may-not-fit', reasons: doubts };
  const memory = req
    ? ` Peak use is about ${formatSize(peakGpuBytes(req, plan))} of GPU memory${phaseNote(req, plan)} and ${formatSize(req.peakCpuBytes)} of memory.`
    : '';
  return {
    level: 'fits',
    reasons: [
      `This GPU has what it needs (WebGPU${req?.shaderF16 ? ' with shader-f16' : ''}, buffers up to ${formatSize(caps.maxBufferSize)}).${memory}`,
    ],
  };
}
