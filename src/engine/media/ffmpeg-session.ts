/**
 * Owns one ffmpeg.wasm instance: loads it lazily from our own origin (URLs handed in by the
 * media worker), runs one command at a time, and replaces the instance after a failed command
 * (a crashed ffmpeg.wasm instance is unusable afterwards).
 */
import { FFmpeg } from '@ffmpeg/ffmpeg';
import { EngineError } from '../errors';

export interface FfmpegUrls {
  coreURL: string;
  wasmURL: string;
}

export interface FfmpegJob {
  inputs: Record<string, Uint8Array>;
  args: string[];
  output: string;
}

export class FfmpegSession {
  private instance: Promise<FFmpeg> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  readonly log: string[] = [];

  constructor(private readonly urls: FfmpegUrls) {}

  private load(): Promise<FFmpeg> {
    this.instance ??= (async () => {
      const ff = new FFmpeg();
      ff.on('log', ({ message }) => {
        this.log.push(message);
        if (this.log.length > 200) this.log.shift();
      });
      await ff.load({ coreURL: this.urls.coreURL, wasmURL: this.urls.wasmURL });
      return ff;
    })();
    return this.instance;
  }

  /** Runs one command; input buffers are transferred into ffmpeg (pass copies to keep them). */
  run(job: FfmpegJob): Promise<Uint8Array> {
    const task = async () => {
      const ff = await this.load();
      try {
        for (const [name, data] of Object.entries(job.inputs)) await ff.writeFile(name, data);
        const code = await ff.exec(job.args);
        if (code !== 0) throw new Error(`ffmpeg exited with ${code}: ${this.log.slice(-5).join(' | ')}`);
        const out = await ff.readFile(job.output);
        if (typeof out === 'string') throw new Error('ffmpeg returned text instead of bytes');
        for (const name of [...Object.keys(job.inputs), job.output]) await ff.deleteFile(name).catch(() => undefined);
        return out;
      } catch (err) {
        ff.terminate();
        this.instance = undefined;
        throw new EngineError('encode-failed', `Video encoding failed: ${(err as Error).message}`);
      }
    };
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  dispose(): void {
    void this.instance?.then((ff) => ff.terminate());
    this.instance = undefined;
  }
}
