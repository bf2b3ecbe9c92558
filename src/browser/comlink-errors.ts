/**
 * comlink serialises thrown errors as name/message/stack only. This wraps its "throw" handler
 * so EngineError's `code` and `fields` cross the worker boundary too (the receiving side's
 * Object.assign copies them back onto the rebuilt Error). Call on both sides.
 */
import { transferHandlers } from 'comlink';

let installed = false;

export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const base = transferHandlers.get('throw');
  if (!base) return;
  transferHandlers.set('throw', {
    canHandle: base.canHandle,
    serialize(wrapped: unknown) {
      const [serialized, transfer] = base.serialize(wrapped);
      const err = (wrapped as { value?: { code?: unknown; fields?: unknown } }).value;
      const s = serialized as { isError?: boolean; value?: Record<string, unknown> };
      if (s.isError && s.value && err) {
        if (typeof err.code === 'string') s.value.code = err.code;
        if (err.fields && typeof err.fields === 'object') s.value.fields = { ...err.fields };
      }
      return [serialized, transfer];
    },
    deserialize: base.deserialize,
  });
}
