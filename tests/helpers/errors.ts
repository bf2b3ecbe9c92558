/** Test helpers that return the error a call throws or rejects with (and fail when it does not). */
import type { EngineError } from '../../src/engine/errors';

/** The error `fn` throws; throws itself when `fn` returns normally. */
export function thrown(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (err) {
    return err as EngineError;
  }
  throw new Error('expected the call to throw');
}

/** The reason `p` rejects with; throws when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (err) {
    return err as EngineError;
  }
  throw new Error('expected the promise to reject');
}
