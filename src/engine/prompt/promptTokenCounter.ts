// The token counter's engine side (A1111 `modules/ui.py` update_token_counter): counts prompts with a model folder's
// own CLIP tokenizer (tokenizer/vocab.json and merges.txt), without loading the model. The tokenizers of the last
// few folders asked about are kept, so counting as the user types reads no file.
import * as path from 'node:path';
import { LIMITS } from '../../common/limits';
import type { EmphasisMode } from '../../common/prompt/emphasisMode';
import { PromptWeightError } from '../../common/prompt/parsePromptAttention';
import { promptTokenCount, type PromptTokenCount } from '../../common/prompt/promptTokenCount';
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import { clipPromptTokenizer } from './clipPromptTokenizer';
import { ClipTokenizer } from '../tokenizer/clipTokenizer';

/** Folders whose tokenizers stay in memory (a panel and an editor on different models, and one more). */
const KEPT = 3;
/** Prompts counted in one request (a prompt and a negative prompt per box, with room to spare). */
const MAX_TEXTS = 8;

export class PromptTokenCounter {
  private readonly tokenizers = new Map<string, Promise<ClipTokenizer>>();

  /** One count per text, or null for a text that cannot be read (a weight like `(a:.)`, which generation refuses). */
  async count(dir: string, texts: readonly string[], emphasis: EmphasisMode | undefined, loaded?: ClipTokenizer): Promise<(PromptTokenCount | null)[]> {
    if (!Array.isArray(texts) || texts.length > MAX_TEXTS || texts.some((t) => typeof t !== 'string' || t.length > LIMITS.promptLength.max)) {
      throw new RpcFailure(ErrorCode.InvalidParams, `countTokens takes up to ${MAX_TEXTS} prompts of at most ${LIMITS.promptLength.max} characters.`);
    }
    const tokenizer = clipPromptTokenizer(loaded ?? (await this.tokenizerFor(dir)));
    return texts.map((text) => {
      try {
        return promptTokenCount(text, tokenizer, emphasis ? { emphasis } : {});
      } catch (e) {
        if (e instanceof PromptWeightError) return null;
        throw e;
      }
    });
  }

  private tokenizerFor(dir: string): Promise<ClipTokenizer> {
    const key = path.resolve(dir);
    let tokenizer = this.tokenizers.get(key);
    if (tokenizer) {
      this.tokenizers.delete(key); // most recently used last
    } else {
      tokenizer = ClipTokenizer.fromFolder(path.join(key, 'tokenizer')).catch((e: unknown) => {
        this.tokenizers.delete(key);
        throw new RpcFailure(ErrorCode.ModelMismatch, `tokenizer: ${(e as Error).message}`);
      });
    }
    this.tokenizers.set(key, tokenizer);
    while (this.tokenizers.size > KEPT) this.tokenizers.delete(this.tokenizers.keys().next().value as string);
    return tokenizer;
  }
}
