/**
 * What the enhancer asks of its LLM. WanGP's enhancer (from LTX-Video's prompt_enhance_utils)
 * asks for one cinematic paragraph that starts with the action, stays faithful to the user's
 * idea, and adds movement, appearance, setting, camera and light; with a start image it gives
 * the image's caption and asks the text to agree with it. The wording here is WebGP's own.
 */
import type { EnhanceRequest } from './provider';

export const VIDEO_SYSTEM_PROMPT = [
  'You turn a short idea into a prompt for a text-to-video model.',
  'Write one paragraph in English, present tense, under 150 words, and nothing else: no title, no list, no quotes, no comments.',
  'Keep every subject, action and detail the user gave; never contradict them and never add people or objects that change the idea.',
  'Start with the main action. Then describe, in the order they happen, the movements and gestures, the look of the subjects, the setting, the camera (shot size, angle, movement) and the light and colours.',
  'Describe only what can be seen. If a start image is described, the video begins from that image: keep its subjects, layout and colours.',
].join(' ');

/** The user message the LLM receives for a request (the image caption first in Image modes). */
export function userMessage(req: Pick<EnhanceRequest, 'prompt' | 'mode' | 'imageCaption'>): string {
  const caption = req.mode === 'image' || req.mode === 'text-image' ? req.imageCaption : undefined;
  const idea = req.mode === 'image' ? '' : req.prompt.trim();
  if (!caption) return idea;
  return idea
    ? `Start image: ${caption}\nIdea: ${idea}`
    : `Start image: ${caption}\nIdea: animate this image.`;
}
