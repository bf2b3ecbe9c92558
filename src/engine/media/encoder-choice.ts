/** Which video encoder the user chose (Settings): the media worker's encoders honour it. */
export type VideoEncoderChoice = 'auto' | 'webcodecs' | 'ffmpeg';

/** Who wrote an MP4's container: mediabunny after WebCodecs, or ffmpeg.wasm (the fallback). */
export type Mp4Muxer = 'mediabunny' | 'ffmpeg';
