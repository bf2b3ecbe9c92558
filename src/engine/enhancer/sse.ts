/**
 * Reads an OpenAI-compatible streamed reply (server-sent events): `data: {json}` lines, one
 * chunk each, ended by `data: [DONE]`; yields each chunk's `choices[0].delta.content`.
 */

export class MalformedChunk extends Error {}

function deltaOf(json: string): string {
  let chunk: unknown;
  try {
    chunk = JSON.parse(json);
  } catch {
    throw new MalformedChunk(`a stream event is not JSON: ${json.slice(0, 80)}`);
  }
  const choice = (chunk as { choices?: { delta?: { content?: unknown } }[] }).choices?.[0];
  if (!choice) throw new MalformedChunk('a stream event has no choices');
  const content = choice.delta?.content;
  return typeof content === 'string' ? content : '';
}

/** Yields the text deltas of an SSE body, stopping at [DONE]. */
export async function* sseDeltas(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value, { stream: !done });
    const lines = buffer.split(/\r?\n/);
    buffer = done ? '' : (lines.pop() ?? '');
    for (const line of lines) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') {
        await reader.cancel();
        return;
      }
      if (data) yield deltaOf(data);
    }
    if (done) return;
  }
}
