/**
 * The source video's audio for a range, as encoded packets (no re-encode) read lazily from the
 * Blob by mediabunny, when its codec can go into an MP4 (AAC, Opus, MP3, FLAC, AC-3…); otherwise
 * undefined and the caller re-encodes with ffmpeg.wasm.
 */
import {
  ALL_FORMATS,
  type AudioCodec,
  BlobSource,
  type EncodedPacket,
  EncodedPacketSink,
  Input,
} from 'mediabunny';
import { Mp4OutputFormat } from 'mediabunny';

export interface AudioPackets {
  codec: AudioCodec;
  decoderConfig: AudioDecoderConfig;
  packets: EncodedPacket[];
}

/** Packets starting in [startSeconds, startSeconds + seconds), re-timed from 0. */
export async function copyAudio(
  file: Blob,
  startSeconds: number,
  seconds: number,
): Promise<AudioPackets | undefined> {
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    const track = await input.getPrimaryAudioTrack();
    const codec = track && (await track.getCodec());
    const decoderConfig = track && (await track.getDecoderConfig());
    if (!track || !codec || !decoderConfig) return undefined;
    if (!new Mp4OutputFormat().getSupportedCodecs().includes(codec)) return undefined;
    const sink = new EncodedPacketSink(track);
    const end = startSeconds + seconds;
    // Half a millisecond of slack: the packet at the range's start counts even when rounding puts it just before.
    const first = (await sink.getPacket(startSeconds + 5e-4)) ?? (await sink.getFirstPacket());
    const packets: EncodedPacket[] = [];
    for (let p = first; p && p.timestamp < end - 5e-4; p = await sink.getNextPacket(p))
      packets.push(p.clone({ timestamp: Math.max(0, p.timestamp - startSeconds) }));
    return packets.length ? { codec, decoderConfig, packets } : undefined;
  } finally {
    input.dispose();
  }
}
