/**
 * Named engine errors. Every failure the user can hit carries a `code` from one literal union
 * and a message that says what to do; comlink carries `code`/`field` across workers
 * (see src/browser/comlink-errors.ts).
 */

export type EngineErrorCode =
  | 'invalid-request'
  /** A matting/segmentation mask of the wrong size, or empty. */
  | 'invalid-mask'
  | 'invalid-manifest'
  | 'missing-file'
  | 'corrupt-model'
  | 'backend-unavailable'
  | 'device-lost'
  /** A worker ended (crashed, out of memory, closed) while a call was pending; retryable. */
  | 'worker-lost'
  | 'encode-failed'
  | 'storage-full'
  | 'invalid-settings-file'
  | 'invalid-queue-file'
  | 'invalid-lora'
  | 'missing-lora'
  | 'invalid-video'
  /** The prompt enhancer failed (fields.reason says how); the task stays and can be retried. */
  | 'enhancer-failed';

export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** Field-level details, e.g. request field → message. */
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

/** The AbortError every cancelled long call rejects with (the UI ignores it). */
export function abortError(what = 'Generation'): DOMException {
  return new DOMException(`${what} was cancelled.`, 'AbortError');
}

export function isAbortError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

/** Reads the engine error code from an error that may have crossed a worker boundary. */
export function errorCode(e: unknown): EngineErrorCode | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? (code as EngineErrorCode) : undefined;
}
