/**
 * Resident memory of a process tree (Linux /proc), sampled while a benchmark runs: the bench's
 * "peak memory" for a pack is the browser tree's peak RSS during load + generation minus its RSS
 * with a blank page (GPU memory on a real GPU is not included; on SwiftShader it is CPU memory).
 */
import { readdirSync, readFileSync } from 'node:fs';

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Bytes resident in `root` and all its descendants now. */
export function treeRssBytes(root: number): number {
  const pids = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const parent = new Map(pids.map((p) => [p, parentOf(p)]));
  const inTree = (p: number): boolean => {
    for (let q: number | undefined = p, hops = 0; q !== undefined && hops < 64; q = parent.get(q), hops++)
      if (q === root) return true;
    return false;
  };
  return pids.filter(inTree).reduce((n, p) => n + rssKiB(p), 0) * 1024;
}

/** Runs `fn` while sampling the tree's RSS every `everyMs`; returns its result and the peak. */
export async function withPeakRss<T>(
  root: number,
  fn: () => Promise<T>,
  everyMs = 50,
): Promise<{ result: T; peakBytes: number }> {
  let peakBytes = treeRssBytes(root);
  const timer = setInterval(() => (peakBytes = Math.max(peakBytes, treeRssBytes(root))), everyMs);
  try {
    const result = await fn();
    return { result, peakBytes: Math.max(peakBytes, treeRssBytes(root)) };
  } finally {
    clearInterval(timer);
  }
}
