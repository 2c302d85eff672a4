// The host's half of the token counter, the same for the Generate panel and the inpaint editor: counts a page's
// prompt and negative prompt on the engine with the selected model's tokenizer and answers with the request's id.
// Counting is a nicety: without a usable model (or with an engine that cannot count) the page shows no count.
import type { PromptTokenCount } from '../../common/prompt/promptTokenCount';
import type { CountTokensMessage, TokenCountsMessage } from '../../common/protocol/tokenCountMessages';
import type { Log } from '../util/log';

export type CountTokens = (texts: readonly string[]) => Promise<(PromptTokenCount | null)[]>;

export async function tokenCountsReply(countTokens: CountTokens, request: CountTokensMessage, log: Pick<Log, 'debug'>): Promise<TokenCountsMessage> {
  try {
    const [prompt, negativePrompt] = await countTokens([request.prompt, request.negativePrompt]);
    return { type: 'tokenCounts', requestId: request.requestId, prompt: prompt ?? null, negativePrompt: negativePrompt ?? null };
  } catch (error) {
    log.debug(`Token counter: ${error instanceof Error ? error.message : String(error)}`);
    return { type: 'tokenCounts', requestId: request.requestId, prompt: null, negativePrompt: null };
  }
}
