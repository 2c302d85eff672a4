// The engine's CLIP BPE tokenizer seen through the prompt chunker's interface (src/common/prompt/promptTokenizer.ts):
// ids without BOS/EOS (A1111 `modules/sd_hijack_clip.py` tokenize: add_special_tokens=False, truncation=False), the
// comma token ',</w>' (comma_token = vocab.get(',</w>', None)), and decoding of ids it produced for warnings.
import type { PromptTokenizer } from '../../common/prompt/promptTokenizer';
import type { ClipTokenizer } from '../tokenizer/clipTokenizer';

const COMMA_TOKEN = ',</w>';

export function clipPromptTokenizer(tokenizer: ClipTokenizer): PromptTokenizer {
  // ClipTokenizer maps ids one way only; remember the text of every id this adapter hands out, so decode can
  // reassemble exactly what it encoded.
  const pieces = new Map<number, string>();
  const commaId = tokenizer.tokenId(COMMA_TOKEN);
  return {
    maxLength: tokenizer.maxLength,
    bosTokenId: tokenizer.bosTokenId,
    eosTokenId: tokenizer.eosTokenId,
    padTokenId: tokenizer.padTokenId,
    // tokenId falls back to the unk id for symbols missing from the vocabulary.
    commaTokenId: commaId === tokenizer.unkTokenId ? undefined : commaId,
    encode(text: string): number[] {
      return tokenizer.tokenize(text).map((piece) => {
        const id = tokenizer.tokenId(piece);
        if (pieces.size < PIECE_CACHE_LIMIT) pieces.set(id, piece);
        return id;
      });
    },
    decode(ids: readonly number[]): string {
      return tokenizer.detokenize(ids.map((id) => pieces.get(id) ?? ''));
    },
  };
}

/** The vocabulary has 49,408 entries; the map never needs more. */
const PIECE_CACHE_LIMIT = 65_536;
