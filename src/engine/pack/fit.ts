/**
 * "Fits this device?" before any download: a registry entry's published needs (WebGPU,
 * shader-f16, largest buffer, peak memory, download size) against this browser's capabilities,
 * reported memory and free storage. Pure: the Models page and tests hand the facts in.
 */
import type { Capabilities } from '../capabilities';
import type { RegistryEntry } from './registry';
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

/** Whether `entry` can run here; bundled demo packs always fit (they fall back to the CPU). */
export function fitVerdict(entry: RegistryEntry, caps: Capabilities, device: DeviceFacts): FitVerdict {
  if (!entry.remote) {
    return { level: 'fits', reasons: [entry.demo ? 'Bundled demo pack: tiny, runs on WebGPU or on the CPU.' : 'Bundled with the app.'] };
  }
  const req = entry.requirements;
  const blocking: string[] = [];
  const doubts: string[] = [];

  if (!caps.webgpu) blocking.push('Needs WebGPU, which this browser does not provide.');
  else if (req) {
    if (req.shaderF16 && !caps.shaderF16) blocking.push('Needs the WebGPU shader-f16 feature, which this GPU lacks.');
    if (req.largestBufferBytes > caps.maxBufferSize) {
      blocking.push(`Needs a single GPU buffer of ${formatSize(req.largestBufferBytes)}, but this GPU allows at most ${formatSize(caps.maxBufferSize)} per buffer.`);
    }
  }

  const sized = entry.files.length - entry.unknownSizes;
  if (sized === 0) doubts.push('Its file sizes are not published, so the download size is unknown.');
  else {
    const total = `${entry.bytesApprox || entry.unknownSizes ? 'at least about ' : ''}${formatSize(entry.bytes)}`;
    if (device.storageFreeBytes !== undefined && entry.bytes > device.storageFreeBytes) {
      blocking.push(`The download (${total}) is larger than the free browser storage (${formatSize(Math.max(0, device.storageFreeBytes))}).`);
    }
    if (entry.unknownSizes) doubts.push(`${entry.unknownSizes} of its ${entry.files.length} files have no published size, so the download is more than ${formatSize(entry.bytes)}.`);
  }

  if (!req) doubts.push('It does not say how much memory it needs.');
  else if (device.memoryGiB !== undefined) {
    const memory = device.memoryGiB * GIB;
    if (req.peakCpuBytes > memory) doubts.push(`Needs about ${formatSize(req.peakCpuBytes)} of memory at its peak, and ${memoryNote(device.memoryGiB)}.`);
    if (req.peakGpuBytes > memory) {
      doubts.push(`Needs about ${formatSize(req.peakGpuBytes)} of GPU memory at its peak, and ${memoryNote(device.memoryGiB)}; a GPU with enough memory of its own may still run it.`);
    }
  }

  if (blocking.length) return { level: 'does-not-fit', reasons: [...blocking, ...doubts] };
  if (doubts.length) return { level: 'may-not-fit', reasons: doubts };
  const memory = req ? ` Peak use is about ${formatSize(req.peakGpuBytes)} of GPU memory and ${formatSize(req.peakCpuBytes)} of memory.` : '';
  return { level: 'fits', reasons: [`This GPU has what it needs (WebGPU${req?.shaderF16 ? ' with shader-f16' : ''}, buffers up to ${formatSize(caps.maxBufferSize)}).${memory}`] };
}
