/**
 * Owns one ffmpeg.wasm instance: loads it lazily from our own origin (URLs handed in by the
 * media worker), runs one command at a time, and replaces the instance after a failed command
 * (a crashed ffmpeg.wasm instance is unusable afterwards). Files can also be kept in its
 * in-memory file system across commands (a source video decoded chunk by chunk).
 */
import { FFmpeg } from '@ffmpeg/ffmpeg';
import { EngineError } from '../../engine/errors';
import { type Memo, memoise } from '../../engine/memo';
import { serialQueue } from '../../engine/serial';

export interface FfmpegUrls {
  coreURL: string;
  wasmURL: string;
}

export interface FfmpegJob {
  inputs: Record<string, Uint8Array>;
  args: string[];
  output: string;
}

/** Exit code and the log lines one command printed. */
export interface FfmpegExec {
  code: number;
  lines: string[];
}

export class FfmpegSession {
  /** The loaded instance; a failed load is forgotten, so the next command loads again. */
  private readonly instance: Memo<FFmpeg> = memoise(async () => {
    const ff = new FFmpeg();
    ff.on('log', ({ message }) => {
      this.log.push(message);
      this.sink?.push(message);
      if (this.log.length > 200) this.log.shift();
    });
    await ff.load({ coreURL: this.urls.coreURL, wasmURL: this.urls.wasmURL });
    return ff;
  });
  /** One ffmpeg instance runs one command at a time. */
  private readonly serial = serialQueue();
  private sink: string[] | undefined;
  readonly log: string[] = [];
  /** Counts replaced instances: files kept before a replacement are gone (see VideoSource). */
  generation = 0;

  constructor(private readonly urls: FfmpegUrls) {}

  private load(): Promise<FFmpeg> {
    return this.instance.get();
  }

  /** Runs `args` without failing on a non-zero exit: returns the code and the lines it logged. */
  exec(args: string[]): Promise<FfmpegExec> {
    return this.serial(async () => {
      const ff = await this.load();
      const lines: string[] = [];
      this.sink = lines;
      try {
        return { code: await ff.exec(args), lines };
      } finally {
        this.sink = undefined;
      }
    });
  }

  /** Keeps `data` in ffmpeg's file system under `name` until drop(name); the buffer is transferred. */
  keep(name: string, data: Uint8Array): Promise<void> {
    return this.serial(async () => {
      await (await this.load()).writeFile(name, data);
    });
  }

  /** Removes a kept file (no error when it is gone, e.g. after an instance was replaced). */
  drop(name: string): Promise<void> {
    return this.serial(async () => {
      const ff = this.instance.started ? await this.instance.get().catch(() => undefined) : undefined;
      await ff?.deleteFile(name).catch(() => undefined);
    });
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
        for (const name of [...Object.keys(job.inputs), job.output])
          await ff.deleteFile(name).catch(() => undefined);
        return out;
      } catch (err) {
        ff.terminate();
        this.instance.forget();
        this.generation++;
        throw new EngineError('encode-failed', `Video encoding failed: ${(err as Error).message}`);
      }
    };
    return this.serial(task);
  }

  dispose(): void {
    void this.instance.forget()?.then(
      (ff) => ff.terminate(),
      () => undefined,
    );
    this.generation++;
  }
}
