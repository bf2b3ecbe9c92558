/**
 * Asks before the tab closes or reloads while an import is still being stored (LoRA files,
 * presets): the browser's own "Leave site?" prompt, shown only while such work is in flight, so
 * a LoRA import followed at once by a reload is not silently lost.
 */

let pending = 0;

function onBeforeUnload(e: BeforeUnloadEvent): void {
  e.preventDefault();
  // Older Chromium needs returnValue set for the prompt to appear.
  e.returnValue = '';
}

/** Runs `work` with the unload prompt armed; disarms it when the last such work settles. */
export async function whileStoring<T>(work: () => Promise<T>): Promise<T> {
  if (pending++ === 0) addEventListener('beforeunload', onBeforeUnload);
  try {
    return await work();
  } finally {
    if (--pending === 0) removeEventListener('beforeunload', onBeforeUnload);
  }
}
