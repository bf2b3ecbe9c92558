/**
 * "Test this pack" for video packs, through the engine's own matting API on a generated clip (a
 * disc moving over a textured background, bench/moving-disc.ts): a segment-points pack encodes
 * frame 0 and decodes a click on the disc; a matting-memory pack opens a job with the disc's
 * mask and mattes two more frames. Each stage is timed (the first includes loading the pack) and
 * its mask or alpha must not be constant — a NaN or blown-up graph thresholds to all 0 or all 255.
 */
import { discFrame } from '../bench/moving-disc';
import { isAbortError } from '../errors';
import type { AlphaFrame, RgbaFrame, SegmentPoint } from '../matting/frames';
import type { MattingOpen } from '../matting/matting-engine';
import type { PackTestReport, StageReport } from './run-pack-test';
import { stageLabel } from './run-pack-test';
import { stageFigures, stageProblem } from './stage-stats';

/** The slice of the engine's matting API the test drives. */
export interface VideoPackApi {
  segmentEmbed(packId: string, frame: RgbaFrame): Promise<{ embeddingId: string }>;
  segmentPoints(packId: string, embeddingId: string, points: SegmentPoint[]): Promise<AlphaFrame>;
  mattingOpen(jobId: string, o: MattingOpen): Promise<unknown>;
  mattingFrame(jobId: string, frame: RgbaFrame): Promise<AlphaFrame>;
  mattingClose(jobId: string): Promise<void>;
}

const FRAMES = 3;

export async function runVideoPackTest(
  api: VideoPackApi,
  jobId: string,
  packId: string,
  pipeline: 'segment-points' | 'matting-memory',
  now: () => number = () => performance.now(),
): Promise<PackTestReport> {
  const report: PackTestReport = { packId, pass: false, stages: [], totalMs: 0, testedAt: Date.now() };
  const start = now();
  let current: Pick<StageReport, 'stage' | 'step'> = {
    stage: pipeline === 'segment-points' ? 'image-encoder' : 'matting-open',
  };
  let mark = start;
  /** Times the stage that just ended; checks its mask when given. Returns the problem, if any. */
  const done = (alpha?: AlphaFrame): string | undefined => {
    const ms = now() - mark;
    const figures = alpha && stageFigures(alpha.data);
    const problem = figures && stageProblem(figures);
    report.stages.push({ ...current, ms, ...(figures ? { figures } : {}), ...(problem ? { problem } : {}) });
    mark = now();
    return problem && `${stageLabel(current)}: ${problem}`;
  };
  const first = discFrame(0, FRAMES);
  try {
    if (pipeline === 'segment-points') {
      const { embeddingId } = await api.segmentEmbed(packId, first.frame);
      done();
      current = { stage: 'mask-decoder' };
      report.reason = done(
        await api.segmentPoints(packId, embeddingId, [{ ...first.centre, positive: true }]),
      );
    } else {
      await api.mattingOpen(jobId, {
        packId,
        width: first.frame.width,
        height: first.frame.height,
        firstMask: first.truth,
        firstFrame: first.frame,
        warmupFrames: 0,
        erode: 0,
        dilate: 0,
      });
      try {
        done();
        for (let i = 1; i < FRAMES && !report.reason; i++) {
          current = { stage: 'matting-frame', step: i };
          report.reason = done(await api.mattingFrame(jobId, discFrame(i, FRAMES).frame));
        }
      } finally {
        await api.mattingClose(jobId);
      }
    }
    report.pass = !report.reason;
  } catch (err) {
    if (isAbortError(err)) throw err;
    report.reason = `${stageLabel(current)}: ${(err as Error).message}`;
  }
  report.totalMs = now() - start;
  return report;
}
