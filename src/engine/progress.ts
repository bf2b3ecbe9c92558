/** The one progress union reported by long engine and media calls. */
import type { PreviewFrame } from './pipeline/preview';

export type Progress =
  | { stage: 'load'; file: string; loaded: number; total: number }
  /** Prompt enhancement: the enhanced text so far and the tokens (or stream chunks) received. */
  | { stage: 'enhance'; text: string; tokens: number }
  | { stage: 'encode-text' }
  | { stage: 'denoise'; step: number; total: number; elapsedMs: number; etaMs: number }
  /** A low-res RGB projection of the current latent (every few steps; see pipeline/preview.ts). */
  | ({ stage: 'preview' } & PreviewFrame)
  | { stage: 'decode' }
  | { stage: 'mux'; frame: number; total: number }
  /** Matting: `frame` of `total` frames matted (decode → engine → encode, streamed). */
  | { stage: 'matting'; frame: number; total: number; elapsedMs: number; etaMs: number }
  | { stage: 'done'; elapsedMs: number };

export type ProgressCallback = (p: Progress) => void;

/**
 * Throttles denoise reports to one per `intervalMs` (always passing the first and last step and
 * every other stage), so a fast loop does not flood the worker channel.
 */
export function throttleProgress(
  cb: ProgressCallback,
  intervalMs: number,
  now: () => number = () => performance.now(),
): ProgressCallback {
  let last = -Infinity;
  return (p) => {
    if (p.stage === 'denoise' && p.step !== 1 && p.step !== p.total && now() - last < intervalMs) return;
    last = now();
    cb(p);
  };
}
