/**
 * What the runner does for a user who looks away: a Screen Wake Lock while tasks run, and a
 * notification (when permitted) once the queue has drained.
 */

let sentinel: WakeLockSentinel | undefined;
let wanted = false;

async function acquire(): Promise<void> {
  if (!wanted || sentinel || document.visibilityState !== 'visible' || !('wakeLock' in navigator)) return;
  try {
    sentinel = await navigator.wakeLock.request('screen');
    sentinel.addEventListener('release', () => (sentinel = undefined), { once: true });
  } catch {
    // Refused (battery saver, permissions policy): running without it is fine.
  }
}

// The browser drops the lock when the tab is hidden; take it again when the user comes back.
document.addEventListener('visibilitychange', () => void acquire());

/** Holds the screen awake while `running` is true. */
export function keepAwake(running: boolean): void {
  wanted = running;
  if (running) void acquire();
  else void sentinel?.release();
}

/** Asks for notification permission (needs a user gesture; call it from a click). */
export function askToNotify(): void {
  if ('Notification' in window && Notification.permission === 'default')
    void Notification.requestPermission();
}

export function notifyDrained(done: number, failed: number): void {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  const body = `${done} finished${failed ? `, ${failed} failed or aborted` : ''}.`;
  new Notification('WebGP: the queue is done', { body, tag: 'webgp-queue' });
}
