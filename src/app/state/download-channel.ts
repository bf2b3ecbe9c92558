/**
 * One download of a pack at a time across tabs: a Web Lock per pack id is held while a tab
 * downloads it, and the tab's progress goes out on a BroadcastChannel, so a second tab shows the
 * first one's progress instead of downloading the same files again.
 */
import type { DownloadProgress } from '../../storage/pack-downloader';

const CHANNEL = 'webgp-downloads';
const lockName = (id: string) => `webgp-download:${id}`;

/** What a downloading tab tells the others: progress, or that it stopped (done, paused, failed). */
export interface DownloadMessage {
  v: 1;
  id: string;
  progress?: DownloadProgress;
  ended?: boolean;
}

function isDownloadMessage(m: unknown): m is DownloadMessage {
  const o = m as Partial<DownloadMessage> | null;
  return typeof o === 'object' && o !== null && o.v === 1 && typeof o.id === 'string';
}

/** Runs `run` holding pack `id`'s download lock; `undefined` without running when another tab holds it. */
export async function withDownloadLock<T>(
  id: string,
  run: () => Promise<T>,
): Promise<{ value: T } | undefined> {
  return navigator.locks.request(lockName(id), { ifAvailable: true }, async (lock) =>
    lock ? { value: await run() } : undefined,
  );
}

/** Resolves once no tab holds pack `id`'s download lock (it finished, paused or its tab closed). */
export async function downloadLockFree(id: string): Promise<void> {
  await navigator.locks.request(lockName(id), () => undefined);
}

export class DownloadChannel {
  private readonly channel = new BroadcastChannel(CHANNEL);

  constructor(onMessage: (m: DownloadMessage) => void) {
    this.channel.onmessage = (e: MessageEvent) => {
      if (isDownloadMessage(e.data)) onMessage(e.data);
    };
  }

  post(m: DownloadMessage): void {
    this.channel.postMessage(m);
  }
}
