/**
 * Protobuf wire-format reader over random-access reads (a Blob, a file handle): reads tags,
 * varints and small strings through a buffered window and jumps over large length-delimited
 * payloads without reading them, so a multi-GB ONNX file is walked in a few small reads.
 */

/** Reads `length` bytes at `offset` (fewer only at the end of the file). */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/** The `ReadAt` of a Blob or File: each call reads one slice. */
export function blobReader(blob: Blob): ReadAt {
  return async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
}

/** Protobuf wire types ONNX uses (groups, 3 and 4, are not valid in ONNX files). */
export const Wire = { Varint: 0, Fixed64: 1, Bytes: 2, Fixed32: 5 } as const;
export type WireType = (typeof Wire)[keyof typeof Wire];

// After a jump the window starts small (the next thing is often a small header before another
// big payload) and doubles while reads stay contiguous, up to MAX_WINDOW.
const MIN_WINDOW = 4 * 1024;
const MAX_WINDOW = 64 * 1024;
const MAX_VARINT_BYTES = 10;
const textDecoder = new TextDecoder();

/** A cursor over `size` bytes; `fail` throws the caller's named error with a detail message. */
export class WireReader {
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  private window = MIN_WINDOW;

  constructor(
    private readonly read: ReadAt,
    readonly size: number,
    readonly fail: (detail: string) => never,
  ) {}

  /** Makes bytes [pos, pos + n) available in the window; n must not pass the end of the file. */
  private async ensure(pos: number, n: number): Promise<void> {
    const bufEnd = this.bufStart + this.buf.length;
    if (pos >= this.bufStart && pos + n <= bufEnd) return;
    // Walking on (past the window by less than a window: small skipped messages) grows it; a jump resets it.
    const walking = pos >= this.bufStart && pos - bufEnd < this.window;
    this.window = walking ? Math.min(this.window * 2, MAX_WINDOW) : MIN_WINDOW;
    const length = Math.min(Math.max(n, this.window), this.size - pos);
    const bytes = await this.read(pos, length);
    if (bytes.length < n)
      this.fail(
        `the file ends at byte ${pos + bytes.length}, before its reported size of ${this.size} bytes`,
      );
    this.buf = bytes;
    this.bufStart = pos;
  }

  /** The raw bytes of one varint at the cursor (at most 10, not past `end`), cursor moved past it. */
  private async varintBytes(end: number): Promise<Uint8Array> {
    const start = this.pos;
    const avail = Math.min(MAX_VARINT_BYTES, end - start);
    if (avail <= 0) this.fail(`a value at byte ${start} runs past the end of its message`);
    await this.ensure(start, avail);
    const at = start - this.bufStart;
    for (let i = 0; i < avail; i++) {
      if ((this.buf[at + i] as number) < 0x80) {
        this.pos = start + i + 1;
        return this.buf.subarray(at, at + i + 1);
      }
    }
    return this.fail(
      avail === MAX_VARINT_BYTES
        ? `the varint at byte ${start} is longer than 10 bytes`
        : `the varint at byte ${start} runs past the end of its message`,
    );
  }

  /** An unsigned varint as a Number (exact up to 2^53; larger values only ever fail bounds checks). */
  async varint(end: number): Promise<number> {
    const bytes = await this.varintBytes(end);
    let value = 0;
    let scale = 1;
    for (const b of bytes) {
      value += (b & 0x7f) * scale;
      scale *= 128;
    }
    return value;
  }

  /** A varint read as a signed int64 (protobuf int64 fields: negatives are 10-byte two's complement). */
  async int64(end: number): Promise<number> {
    const bytes = await this.varintBytes(end);
    let value = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) value = (value << 7n) | BigInt((bytes[i] as number) & 0x7f);
    return Number(BigInt.asIntN(64, value));
  }

  /** The next field's number and wire type. */
  async tag(end: number): Promise<{ field: number; wire: number }> {
    const at = this.pos;
    const tag = await this.varint(end);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0 || field > 0x1fffffff) this.fail(`invalid field number ${field} at byte ${at}`);
    if (wire !== Wire.Varint && wire !== Wire.Fixed64 && wire !== Wire.Bytes && wire !== Wire.Fixed32)
      this.fail(`unsupported wire type ${wire} at byte ${at}`);
    return { field, wire };
  }

  /** Reads a length prefix and returns where the length-delimited value ends (checked against `end`). */
  async bytesEnd(end: number): Promise<number> {
    const at = this.pos;
    const length = await this.varint(end);
    if (length > end - this.pos)
      this.fail(
        `the ${length}-byte value at byte ${at} runs past the end of ${end === this.size ? 'the file' : `its message (byte ${end})`}`,
      );
    return this.pos + length;
  }

  /** Moves the cursor past a value of `wire` type without reading a length-delimited payload. */
  async skip(wire: number, end: number): Promise<void> {
    if (wire === Wire.Varint) await this.varintBytes(end);
    else if (wire === Wire.Bytes) this.pos = await this.bytesEnd(end);
    else {
      const n = wire === Wire.Fixed64 ? 8 : 4;
      if (n > end - this.pos)
        this.fail(`a fixed-size value at byte ${this.pos} runs past the end of its message`);
      this.pos += n;
    }
  }

  /** A length-delimited UTF-8 string of at most `max` bytes. */
  async string(end: number, max: number): Promise<string> {
    const at = this.pos;
    const stop = await this.bytesEnd(end);
    const length = stop - this.pos;
    if (length > max) this.fail(`the ${length}-byte string at byte ${at} is longer than ${max} bytes`);
    if (length > 0) await this.ensure(this.pos, length);
    const from = this.pos - this.bufStart;
    this.pos = stop;
    return length > 0 ? textDecoder.decode(this.buf.subarray(from, from + length)) : '';
  }

  /** Calls `visit` for each field up to `end`; fields it does not consume (returns false) are skipped. */
  async fields(end: number, visit: (field: number, wire: number) => Promise<boolean>): Promise<void> {
    while (this.pos < end) {
      const { field, wire } = await this.tag(end);
      if (!(await visit(field, wire))) await this.skip(wire, end);
    }
  }

  /** Checks that `field` is length-delimited and returns where its embedded message ends. */
  async message(field: number, wire: number, end: number): Promise<number> {
    this.expect(field, wire, Wire.Bytes);
    return this.bytesEnd(end);
  }

  /** Checks that `field` is length-delimited and reads it as a string of at most `max` bytes. */
  async text(field: number, wire: number, end: number, max: number): Promise<string> {
    this.expect(field, wire, Wire.Bytes);
    return this.string(end, max);
  }

  /** Fails unless `wire` is the type the schema gives `field`. */
  expect(field: number, wire: number, want: WireType): void {
    if (wire !== want)
      this.fail(`field ${field} at byte ${this.pos} has wire type ${wire}, expected ${want}`);
  }
}
