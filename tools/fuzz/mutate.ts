/**
 * fast-check arbitraries for the fuzz harness: byte mutations of a valid file (flipped bytes,
 * u32 fields set to boundary values such as 0xFFFFFFFF, cuts, inserts, spliced copies), JSON
 * mutations of a valid document (a value replaced, a key dropped, an Object prototype name
 * added as a key), and text mutations. Seeds stay valid files so mutations reach deep code.
 */
import fc from 'fast-check';

/** Keys that a plain-object key map inherits: each one once crashed a parser here. */
export const PROTO_KEYS = [
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__proto__',
  'isPrototypeOf',
  'toLocaleString',
];

const BOUNDARY_U32 = [0, 1, 2, 0x7f, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

type ByteOp =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'u32'; at: number; value: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'splice'; at: number; from: number; length: number };

const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('u32' as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(...BOUNDARY_U32), fc.nat({ max: 0xffffffff })),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: fc.nat(),
    from: fc.nat(),
    length: fc.integer({ min: 1, max: 64 }),
  }),
);

function applyByteOp(b: Uint8Array, op: ByteOp): Uint8Array {
  const at = b.length ? op.at % b.length : 0;
  switch (op.kind) {
    case 'set': {
      const out = b.slice();
      if (out.length) out[at] = op.value;
      return out;
    }
    case 'u32': {
      const out = b.slice();
      if (at + 4 <= out.length) new DataView(out.buffer).setUint32(at, op.value);
      return out;
    }
    case 'cut':
      return b.slice(0, at);
    case 'insert':
      return Uint8Array.from([...b.subarray(0, at), ...op.bytes, ...b.subarray(at)]);
    case 'splice': {
      const from = b.length ? op.from % b.length : 0;
      return Uint8Array.from([
        ...b.subarray(0, at),
        ...b.subarray(from, from + op.length),
        ...b.subarray(at),
      ]);
    }
  }
}

/** A few byte mutations of one of `seeds`, or (rarely) random bytes. */
export function mutatedBytes(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const mutated = fc
    .tuple(fc.constantFrom(...seeds), fc.array(byteOp, { minLength: 1, maxLength: 4 }))
    .map(([seed, ops]) => ops.reduce(applyByteOp, seed));
  return fc.oneof(
    { arbitrary: mutated, weight: 9 },
    { arbitrary: fc.uint8Array({ maxLength: 256 }), weight: 1 },
  );
}

type JsonOp = { path: number[]; action: 'replace' | 'delete' | 'proto'; value: unknown; key: string };

const jsonOp: fc.Arbitrary<JsonOp> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 5 }),
  action: fc.constantFrom('replace' as const, 'delete' as const, 'proto' as const),
  value: fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(-1, 0, 1e308, -0.5, 2 ** 53, '', '../x', 'http:evil.example/x', [], {}, null),
  ),
  key: fc.constantFrom(...PROTO_KEYS),
});

function applyJsonOp(doc: unknown, op: JsonOp): unknown {
  const root = structuredClone(doc) as unknown;
  let parent: unknown = root;
  for (const step of op.path) {
    if (typeof parent !== 'object' || parent === null) break;
    const keys = Object.keys(parent);
    if (!keys.length) break;
    const child = (parent as Record<string, unknown>)[keys[step % keys.length]!];
    if (typeof child !== 'object' || child === null) {
      if (op.action !== 'proto') {
        const key = keys[step % keys.length]!;
        if (op.action === 'delete') delete (parent as Record<string, unknown>)[key];
        else (parent as Record<string, unknown>)[key] = op.value;
        return root;
      }
      break;
    }
    parent = child;
  }
  if (typeof parent !== 'object' || parent === null) return op.value;
  // defineProperty makes an own "__proto__" key, as JSON.parse does.
  if (op.action === 'proto')
    Object.defineProperty(parent, op.key, {
      value: op.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else if (op.action === 'replace') return op.value;
  return root;
}

/** JSON text of a mutated seed document, a text mutation of one, or random JSON. */
export function mutatedJson(seeds: readonly unknown[]): fc.Arbitrary<string> {
  const doc = fc
    .tuple(fc.constantFrom(...seeds), fc.array(jsonOp, { minLength: 1, maxLength: 3 }))
    .map(([seed, ops]) => JSON.stringify(ops.reduce(applyJsonOp, seed)) ?? 'null');
  const text = fc
    .tuple(fc.constantFrom(...seeds), fc.array(byteOp, { minLength: 1, maxLength: 3 }))
    .map(([seed, ops]) =>
      new TextDecoder().decode(ops.reduce(applyByteOp, new TextEncoder().encode(JSON.stringify(seed)))),
    );
  return fc.oneof(
    { arbitrary: doc, weight: 6 },
    { arbitrary: text, weight: 3 },
    { arbitrary: fc.json({ maxDepth: 3 }), weight: 1 },
  );
}

/** Strings over `alphabet` (with some arbitrary unicode mixed in), up to `maxLength`. */
export function textOver(alphabet: string, maxLength = 64): fc.Arbitrary<string> {
  const chars = fc.oneof(
    { arbitrary: fc.constantFrom(...alphabet), weight: 9 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 1 }), weight: 1 },
  );
  return fc.array(chars, { maxLength }).map((cs) => cs.join(''));
}
