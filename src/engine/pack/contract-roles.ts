/**
 * What the engine feeds and reads for each role of each component, as data: the element type
 * (from pack.json: the component dtype, tokenizer idsType, mask format, timestepType …) and the
 * rank (from layouts and roles). The graph contract (graph-contract.ts) compares graphs with it.
 * A rank left out is one the engine does not fix (Z-Image's transformer squeezes the batch axis
 * of its prediction; pass-through feature maps of MatAnyone keep whatever the graphs give).
 */
import type { AnyManifest } from './any-manifest';
import type { ComponentSpec } from './components';
import type { PackManifest, TextEncoderSpec, TokenizerSpec } from './manifest';
import type { MattingManifest, SegmentManifest } from './media-manifest';

/** What the engine feeds (input) or reads (output) for one role, and which pack.json field says so. */
export interface RoleExpect {
  type: string;
  rank?: number;
  /** The pack.json field the type comes from, e.g. "timestepType" or "dtype". */
  why: string;
}

export interface ComponentExpect {
  inputs: Record<string, RoleExpect>;
  outputs: Record<string, RoleExpect>;
}

type Shape = [type: string, rank: number | undefined, why: string];

/**
 * The type the engine feeds for a role it builds as `built`: runners convert float32 inputs to
 * an fp16 component's dtype at the boundary (component-runner.ts toDtype, media-pack.ts runRoles).
 */
function fed(c: ComponentSpec, [built, rank, why]: Shape): RoleExpect {
  if (built === 'float32' && c.dtype === 'float16')
    return {
      type: 'float16',
      ...(rank !== undefined ? { rank } : {}),
      why: why === 'dtype' ? 'dtype' : `${why}, converted to dtype float16`,
    };
  return { type: built, ...(rank !== undefined ? { rank } : {}), why };
}

/** Float roles: fed in float32 (converted to the dtype), read back in the dtype. */
const float = (rank?: number): Shape => ['float32', rank, 'dtype'];

function expectOf(
  c: ComponentSpec,
  inputs: Record<string, Shape>,
  outputs: Record<string, number | undefined>,
): ComponentExpect {
  return {
    inputs: Object.fromEntries(Object.entries(inputs).map(([role, s]) => [role, fed(c, s)])),
    outputs: Object.fromEntries(
      Object.entries(outputs).map(([role, rank]) => [
        role,
        { type: c.dtype, ...(rank !== undefined ? { rank } : {}), why: 'dtype' },
      ]),
    ),
  };
}

const layoutRank = (layout: string) => (layout === 'NCHW' ? 4 : 5);

/** A text encoder fed by `tokenizer` (`tokenizer` or `tokenizer2`); `pooled` is SDXL's `text_embeds` [1, D]. */
function textEncoder(
  te: TextEncoderSpec,
  t: TokenizerSpec,
  which: 'tokenizer' | 'tokenizer2',
): ComponentExpect {
  return expectOf(
    te,
    {
      inputIds: [t.idsType, 2, `${which}.idsType`],
      attentionMask: te.mask === 'int64' ? ['int64', 2, 'mask "int64"'] : ['float32', 4, `mask "${te.mask}"`],
      inputsEmbeds: float(3),
    },
    { hiddenStates: 3, pooled: 2 },
  );
}

function generation(m: PackManifest): Record<string, ComponentExpect> {
  const {
    textEncoder: te,
    textEncoder2: te2,
    transformer: tr,
    vaeDecoder: vd,
    vaeEncoder: ve,
    schedulerStep: ss,
    vaePreProcess: pp,
  } = m.components;
  const denoise = layoutRank(tr.latentLayout);
  const out: Record<string, ComponentExpect> = {
    textEncoder: textEncoder(te, m.tokenizer, 'tokenizer'),
    transformer: expectOf(
      tr,
      {
        latents: float(denoise),
        timestep: [
          tr.timestepType,
          tr.timestepShape === 'per-token' ? 2 : 1,
          `timestepType ${tr.timestepType}, timestepShape ${tr.timestepShape}`,
        ],
        context: float(3),
        textEmbeds: float(2),
        timeIds: float(2),
      },
      { prediction: undefined },
    ),
    vaeDecoder: expectOf(
      vd,
      { latents: float(layoutRank(vd.inputLayout)) },
      { frames: layoutRank(vd.outputLayout) },
    ),
  };
  if (te2 && m.tokenizer2) out.textEncoder2 = textEncoder(te2, m.tokenizer2, 'tokenizer2');
  if (ve) out.vaeEncoder = expectOf(ve, { image: float(layoutRank(ve.imageLayout)) }, { latents: undefined });
  if (ss)
    out.schedulerStep = expectOf(
      ss,
      { noisePred: float(), latents: float(denoise), stepInfo: ['float32', 1, 'step_info [i, steps]'] },
      { latents: denoise },
    );
  if (pp)
    out.vaePreProcess = expectOf(pp, { latents: float(denoise) }, { latents: layoutRank(vd.inputLayout) });
  return out;
}

function segment(m: SegmentManifest): Record<string, ComponentExpect> {
  const { encoder, decoder } = m.components;
  return {
    encoder: expectOf(encoder, { image: float(4) }, { embeddings: 4 }),
    decoder: expectOf(
      decoder,
      {
        embeddings: float(4),
        pointCoords: float(3),
        pointLabels: float(2),
        maskInput: float(4),
        hasMaskInput: float(1),
        origImSize: [
          'float32',
          m.segment.origImSize === 'shape' ? 2 : 1,
          `origImSize "${m.segment.origImSize}"`,
        ],
      },
      { masks: 4, iouPredictions: 2, lowResMasks: 4 },
    ),
  };
}

/** MatAnyone2: the tensors the engine builds (frames, masks, sensory, the memory bank with its T axis) have fixed ranks. */
function matting(m: MattingManifest): Record<string, ComponentExpect> {
  const { imageKey, maskMemory, firstFrameRefine, propagate } = m.components;
  const features = { f16: float(), f8: float(), f4: float(), f2: float(), f1: float(), pixFeat: float() };
  return {
    imageKey: expectOf(
      imageKey,
      { image: float(4) },
      {
        f16: undefined,
        f8: undefined,
        f4: undefined,
        f2: undefined,
        f1: undefined,
        pixFeat: undefined,
        key: undefined,
        shrinkage: undefined,
        selection: undefined,
      },
    ),
    maskMemory: expectOf(
      maskMemory,
      { image: float(4), mask: float(4), sensory: float(5), pixFeat: float() },
      { mskValue: 5, newSensory: 5, objMemory: undefined },
    ),
    firstFrameRefine: expectOf(
      firstFrameRefine,
      { ...features, lastMskValue: float(5), objMemory: float(), sensory: float(5), lastMask: float(4) },
      { prob: 4, newSensory: 5, logits: 4 },
    ),
    propagate: expectOf(
      propagate,
      {
        ...features,
        key: float(),
        selection: float(),
        memoryKey: float(5),
        memoryShrinkage: float(5),
        mskValue: float(6),
        objMemory: float(5),
        sensory: float(5),
        lastMask: float(4),
        lastPixFeat: float(),
        lastPredMask: float(4),
        lastMskValue: float(5),
      },
      { prob: 4, newSensory: 5, logits: 4, uncertProb: 4 },
    ),
  };
}

/** Per component: what the engine feeds and reads for each role. */
export function roleExpectations(m: AnyManifest): Record<string, ComponentExpect> {
  if (m.pipeline === 'segment-points') return segment(m as SegmentManifest);
  if (m.pipeline === 'matting-memory') return matting(m as MattingManifest);
  return generation(m as PackManifest);
}
