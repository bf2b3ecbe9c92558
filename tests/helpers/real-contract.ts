/**
 * The pinned contract of a real pack manifest: tensor names, dtypes, layouts and every fixed
 * value (latent sizes, text length, limits) — what tests/unit/real-packs.test.ts compares with
 * the pinned copy in real-contracts.json, so changing any of them in a real pack.json fails.
 */
import type { ComponentSpec } from '../../src/engine/pack/components';
import { type PackManifest, presentComponents } from '../../src/engine/pack/manifest';

const LAYOUT_FIELDS = [
  'latentLayout',
  'inputLayout',
  'outputLayout',
  'imageLayout',
  'timestepType',
  'timestepShape',
  'patch',
  'mask',
  'prediction',
  'ifDeclared',
  'constants',
];

function component(c: ComponentSpec): Record<string, unknown> {
  const fields = c as ComponentSpec & Record<string, unknown>;
  const kinds = c.stages?.filter(
    (s, i, all) =>
      i === 0 ||
      JSON.stringify([s.feeds, s.emits]) !== JSON.stringify([all[i - 1]?.feeds, all[i - 1]?.emits]),
  );
  return {
    inputs: c.inputs,
    outputs: c.outputs,
    dtype: c.dtype,
    ...(c.compute ? { compute: c.compute } : {}),
    ...Object.fromEntries(LAYOUT_FIELDS.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]])),
    ...(kinds
      ? { stages: kinds.map((s) => ({ feeds: s.feeds, emits: s.emits })), graphs: c.stages?.length }
      : { file: c.file }),
  };
}

/** The contract of `m` as plain JSON. */
export function realContract(m: PackManifest): unknown {
  const { maxLength, padding, idsType, chatTemplate } = m.tokenizer;
  return JSON.parse(
    JSON.stringify({
      pipeline: m.pipeline,
      tokenizer: { maxLength, padding, idsType, chatTemplate },
      latent: m.latent,
      limits: m.limits,
      components: Object.fromEntries(presentComponents(m).map(([name, c]) => [name, component(c)])),
    }),
  );
}
