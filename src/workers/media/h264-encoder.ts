/**
 * The one WebCodecs H.264 encoder setup: config, support probe, and an encoder that turns RGBA
 * frames into mediabunny packets (length-prefixed "avc" format, for the MP4 muxer) or one Annex B
 * stream (for the ffmpeg.wasm mux of the bench). Frames are timed from the frame rate alone.
 */
import { EncodedPacket } from 'mediabunny';

/** H.264 Constrained Baseline, level 3.1 (up to 1280×720). */
const AVC_CODEC = 'avc1.42E01F';

export interface FrameSize {
  width: number;
  height: number;
}

export function h264Config(
  size: FrameSize,
  fps: number,
  format: 'avc' | 'annexb' = 'avc',
): VideoEncoderConfig {
  return {
    codec: AVC_CODEC,
    width: size.width,
    height: size.height,
    framerate: fps,
    // ~2 bits per pixel: near-transparent quality at the small sizes WebGP makes.
    bitrate: Math.max(200_000, size.width * size.height * fps * 2),
    avc: { format },
  };
}

/** Whether this browser's WebCodecs can encode H.264 at this size (even sides only). */
export async function canEncodeH264(size: FrameSize, fps: number): Promise<boolean> {
  if (typeof VideoEncoder !== 'function' || typeof VideoFrame !== 'function') return false;
  if (size.width % 2 || size.height % 2) return false;
  try {
    return (await VideoEncoder.isConfigSupported(h264Config(size, fps))).supported === true;
  } catch {
    return false;
  }
}

/** Encoded frames and the decoder config the muxer needs with the first one. */
export interface EncodedVideo {
  packets: EncodedPacket[];
  meta: EncodedVideoChunkMetadata | undefined;
}

export class H264Encoder {
  private readonly encoded: EncodedVideo = { packets: [], meta: undefined };
  private readonly encoder: VideoEncoder;
  private failure: Error | undefined;
  private count = 0;

  constructor(
    private readonly size: FrameSize,
    private readonly fps: number,
    format: 'avc' | 'annexb' = 'avc',
  ) {
    this.encoder = new VideoEncoder({
      output: (chunk, meta) => {
        this.encoded.packets.push(EncodedPacket.fromEncodedChunk(chunk));
        if (meta?.decoderConfig) this.encoded.meta ??= meta;
      },
      error: (e) => (this.failure = e),
    });
    this.encoder.configure(h264Config(size, fps, format));
  }

  /** Encodes one RGBA frame (width × height × 4 bytes; not kept after the call returns). */
  encode(rgba: Uint8Array): void {
    if (this.failure) throw this.failure;
    const duration = Math.round(1e6 / this.fps);
    const i = this.count++;
    const frame = new VideoFrame(rgba, {
      format: 'RGBA',
      codedWidth: this.size.width,
      codedHeight: this.size.height,
      timestamp: i * duration,
      duration,
    });
    this.encoder.encode(frame, { keyFrame: i === 0 });
    frame.close();
  }

  /** All packets, after the last frame. */
  async finish(): Promise<EncodedVideo> {
    await this.encoder.flush();
    this.encoder.close();
    if (this.failure) throw this.failure;
    return this.encoded;
  }

  close(): void {
    if (this.encoder.state === 'configured') this.encoder.close();
  }
}
