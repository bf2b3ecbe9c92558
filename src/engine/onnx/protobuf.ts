/**
 * Minimal protobuf writer: just enough wire format (varint, 32-bit, length-delimited)
 * to serialise ONNX ModelProto messages without a protobuf runtime dependency.
 */
import { concatBytes } from '../bytes';

const textEncoder = new TextEncoder();

/** Builds one protobuf message; nested messages are built separately and embedded as bytes. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];

  private flushScratch(): void {
    if (this.scratch.length) {
      this.chunks.push(Uint8Array.from(this.scratch));
      this.scratch = [];
    }
  }

  private rawVarint(value: bigint): void {
    // Negative int64 values are written as 10-byte two's complement, as protobuf requires.
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.scratch.push(Number(v));
  }

  private tag(field: number, wireType: 0 | 2 | 5): void {
    this.rawVarint(BigInt((field << 3) | wireType));
  }

  varint(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.rawVarint(BigInt(value));
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.scratch.push(...b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(BigInt(data.byteLength));
    this.flushScratch();
    this.chunks.push(data);
    return this;
  }

  /** Already-encoded fields (tag included), copied as they are. */
  raw(encoded: Uint8Array): this {
    this.flushScratch();
    this.chunks.push(encoded);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  finish(): Uint8Array {
    this.flushScratch();
    return concatBytes(this.chunks);
  }
}
