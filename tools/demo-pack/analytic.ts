/**
 * The analytic demo model's "semantics": a word vocabulary whose embeddings are feature deltas
 * (object colour, background, position, motion, size). The transformer turns the summed
 * features into a target clip x0 (a soft disc moving over a background) and returns the exact
 * rectified-flow velocity (x_t − x0)/t, so any correct solver lands on x0.
 */

export const LATENT_CHANNELS = 4;
export const FEATURES = 16;
/** Feature slots in the text embedding. */
export const F = { fg: 0, bg: 4, cx: 8, cy: 9, vx: 10, vy: 11, radius: 12 } as const;
/** Edge sharpness of the disc mask: sigmoid(k · (r² − d²)). */
export const EDGE_SHARPNESS = 200;

/** Features of the empty prompt: a light-grey disc, centred, on a dark background. */
export const BASE_FEATURES: number[] = (() => {
  const f = new Array<number>(FEATURES).fill(0);
  f.splice(F.fg, 4, 0.7, 0.7, 0.7, 0);
  f.splice(F.bg, 4, -0.7, -0.65, -0.5, 0);
  f[F.cx] = 0.5;
  f[F.cy] = 0.5;
  f[F.radius] = 0.22;
  return f;
})();

const COLOURS: Record<string, [number, number, number]> = {
  red: [0.9, -0.8, -0.8],
  orange: [0.95, 0.2, -0.9],
  yellow: [0.9, 0.85, -0.8],
  green: [-0.7, 0.8, -0.7],
  cyan: [-0.8, 0.8, 0.85],
  blue: [-0.8, -0.5, 0.95],
  purple: [0.4, -0.7, 0.8],
  pink: [0.95, 0.1, 0.5],
  white: [0.95, 0.95, 0.95],
  gold: [0.8, 0.5, -0.6],
};
const BACKGROUNDS: Record<string, [number, number, number]> = {
  night: [-0.9, -0.85, -0.55],
  sky: [-0.2, 0.3, 0.8],
  desert: [0.6, 0.3, -0.3],
  forest: [-0.8, -0.3, -0.8],
  snow: [0.8, 0.8, 0.85],
  ocean: [-0.9, -0.4, 0.3],
  space: [-1, -1, -0.95],
  sunset: [0.7, -0.3, -0.4],
};
const MOTION: Record<string, [number, number]> = {
  left: [-0.5, 0],
  right: [0.5, 0],
  up: [0, -0.5],
  down: [0, 0.5],
};
const SIZE: Record<string, number> = { big: 0.1, large: 0.1, huge: 0.16, small: -0.08, tiny: -0.12 };
const OBJECTS = [
  'ball',
  'cat',
  'dog',
  'car',
  'bird',
  'fish',
  'sun',
  'moon',
  'star',
  'flower',
  'robot',
  'boat',
  'apple',
  'planet',
  'balloon',
];
const NEUTRAL = [
  'a',
  'an',
  'the',
  'on',
  'in',
  'over',
  'with',
  'and',
  'of',
  'at',
  'to',
  'is',
  'roll',
  'fly',
  'move',
  'float',
  'bounce',
  'slow',
  'fast',
  'over',
];
const SUFFIXES = ['##s', '##ing', '##ed', '##ly'];

/** Deterministic small pseudo-random value in [-1, 1) for a word and slot (FNV-1a hash). */
function hashUnit(word: string, slot: number): number {
  let h = 0x811c9dc5 ^ slot;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
  return ((h >>> 0) / 2 ** 32) * 2 - 1;
}

/** Vocabulary in id order: [PAD]=0, [UNK]=1, then every word the demo model understands. */
export function demoVocabulary(): string[] {
  const words = [
    '[PAD]',
    '[UNK]',
    ...Object.keys(COLOURS),
    ...Object.keys(BACKGROUNDS),
    ...Object.keys(MOTION),
    ...Object.keys(SIZE),
    ...OBJECTS,
    ...NEUTRAL,
    ...SUFFIXES,
  ];
  return [...new Set(words)];
}

/** The feature delta (text embedding row) of one vocabulary entry. */
export function wordFeatures(word: string): number[] {
  const f = new Array<number>(FEATURES).fill(0);
  const colour = COLOURS[word];
  const bg = BACKGROUNDS[word];
  const motion = MOTION[word];
  if (colour) colour.forEach((c, i) => (f[F.fg + i] = c - (BASE_FEATURES[F.fg + i] ?? 0)));
  if (bg) bg.forEach((c, i) => (f[F.bg + i] = c - (BASE_FEATURES[F.bg + i] ?? 0)));
  if (motion) [f[F.vx], f[F.vy]] = motion;
  if (word in SIZE) f[F.radius] = SIZE[word] ?? 0;
  if (OBJECTS.includes(word)) {
    // Each object sits somewhere else and tints the disc a little.
    f[F.cx] = 0.18 * hashUnit(word, 1);
    f[F.cy] = 0.18 * hashUnit(word, 2);
    f[F.fg + 3] = 0.3 * hashUnit(word, 3);
  }
  return f;
}

/** The text-embedding table [vocab, FEATURES] in vocabulary order. */
export function embeddingTable(vocab: string[]): Float32Array {
  const table = new Float32Array(vocab.length * FEATURES);
  vocab.forEach((w, i) => table.set(i < 2 ? new Array(FEATURES).fill(0) : wordFeatures(w), i * FEATURES));
  return table;
}
