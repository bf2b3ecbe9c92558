/**
 * Cross-tab plumbing for the queue: the BroadcastChannel every tab listens on, and the Web Lock
 * that makes exactly one tab the runner (held until the tab closes or crashes, then the next
 * waiting tab gets it).
 */
import { isQueueMessage, QUEUE_CHANNEL, type QueueMessage, RUNNER_LOCK } from '../../engine/queue/protocol';

export class QueueChannel {
  private readonly channel = new BroadcastChannel(QUEUE_CHANNEL);

  constructor(onMessage: (m: QueueMessage) => void) {
    this.channel.onmessage = (e: MessageEvent) => {
      if (isQueueMessage(e.data)) onMessage(e.data);
    };
  }

  post(m: QueueMessage): void {
    this.channel.postMessage(m);
  }

  close(): void {
    this.channel.close();
  }
}

/** Waits for the runner lock and calls `onAcquired` once it is ours; the lock is never released by us. */
export function holdRunnerLock(onAcquired: () => void): void {
  void navigator.locks.request(RUNNER_LOCK, () => {
    onAcquired();
    return new Promise<never>(() => {});
  });
}
