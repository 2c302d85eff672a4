// What the prompt chunker needs from a text encoder's tokenizer (the CLIP BPE tokenizer in the engine, or a tokenizer
// running in a webview for the token counter). Mirrors the attributes stable-diffusion-webui
// `modules/sd_hijack_clip.py` FrozenCLIPEmbedderWithCustomWords reads: tokenize(add_special_tokens=False),
// id_start, id_end, id_pad and comma_token.

export interface PromptTokenizer {
  /** Token ids of one run of text, without BOS/EOS, never truncated. */
  encode(text: string): number[];
  /** Text of token ids this tokenizer produced (for truncation warnings); optional. */
  decode?(ids: readonly number[]): string;
  /** Ids per encoder input row, BOS and EOS included (77 for CLIP: model_max_length of tokenizer_config.json). */
  readonly maxLength: number;
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  /**
   * The id after the first EOS of a row. Equal to eosTokenId for SD 1.x (CLIP pads with <|endoftext|>); 0 ('!') for
   * SD 2.x and SDXL's second encoder, where A1111 process_tokens rewrites everything after the first EOS to id_pad.
   */
  readonly padTokenId: number;
  /** The id of ',</w>' (A1111 comma_token); undefined when the vocabulary has none (no comma backtracking). */
  readonly commaTokenId: number | undefined;
}
