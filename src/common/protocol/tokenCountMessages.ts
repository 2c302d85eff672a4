// The token counter's messages, the same for the Generate panel and the inpaint editor (each adds them to its own
// message union): the page asks for the counts of its prompt and negative prompt as the user types (debounced,
// webview/common/tokenCounter.ts); the host answers with A1111's `used/limit` counts from the selected model's
// tokenizer (src/common/prompt/promptTokenCount.ts), or null where it cannot count (no model, an unreadable weight).
import * as v from 'valibot';
import { LIMITS } from '../limits';
import type { PromptTokenCount } from '../prompt/promptTokenCount';
import { counterSchema, integerIn, promptTextSchema, type Equal } from './schemaParts';

/** The pages' quiet time after the last keystroke before they ask (A1111 waits 500 ms; this is a local round trip). */
export const TOKEN_COUNT_DEBOUNCE_MS = 300;

/** Every prompt character is at most one token (a BREAK adds a chunk), so the counts are bounded by the prompt limit. */
const tokensSchema = integerIn({ min: 0, max: LIMITS.promptLength.max * 2 });

export const promptTokenCountSchema = v.object({ used: tokensSchema, limit: tokensSchema, chunks: tokensSchema });
const schemaMatchesType: Equal<v.InferOutput<typeof promptTokenCountSchema>, PromptTokenCount> = true;
void schemaMatchesType;

/** Page → host. `requestId` grows with each request; only the answer to the latest one is shown. */
export const countTokensMessageSchema = v.object({
  type: v.literal('countTokens'),
  requestId: counterSchema,
  prompt: promptTextSchema,
  negativePrompt: promptTextSchema,
});
export type CountTokensMessage = v.InferOutput<typeof countTokensMessageSchema>;

/** Host → page. */
export const tokenCountsMessageSchema = v.object({
  type: v.literal('tokenCounts'),
  requestId: counterSchema,
  prompt: v.nullable(promptTokenCountSchema),
  negativePrompt: v.nullable(promptTokenCountSchema),
});
export type TokenCountsMessage = v.InferOutput<typeof tokenCountsMessageSchema>;
