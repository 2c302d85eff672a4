// The token counter beside a page's prompt and negative prompt, as AUTOMATIC1111 shows it (`82/150`: tokens used /
// what the prompt's 75-token chunks hold; stable-diffusion-webui `javascript/token-counters.js` and `modules/ui.py`
// update_token_counter). Typing never waits for it: the boxes' input is debounced, the host counts with the model's
// tokenizer (src/common/protocol/tokenCountMessages.ts) and only the answer to the latest request is shown.
import { formatPromptTokenCount, type PromptTokenCount } from '../../src/common/prompt/promptTokenCount';
import { TOKEN_COUNT_DEBOUNCE_MS, type CountTokensMessage, type TokenCountsMessage } from '../../src/common/protocol/tokenCountMessages';
import { h } from './dom';

export class TokenCounter {
  /** Shown in the prompt's label. */
  readonly promptCount = h('span', { class: 'token-count', id: 'prompt-token-count', 'aria-live': 'polite' });
  /** Shown in the negative prompt's label. */
  readonly negativeCount = h('span', { class: 'token-count', id: 'negative-token-count', 'aria-live': 'polite' });
  private timer: ReturnType<typeof setTimeout> | undefined;
  private requestId = 0;
  private lastSent: string | undefined;

  constructor(
    private readonly prompt: HTMLTextAreaElement,
    private readonly negative: HTMLTextAreaElement,
    private readonly post: (message: CountTokensMessage) => void,
  ) {
    for (const box of [prompt, negative]) box.addEventListener('input', () => this.schedule());
  }

  /** Counts again soon (after typing). */
  schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send(false);
    }, TOKEN_COUNT_DEBOUNCE_MS);
  }

  /** Counts now, even unchanged text (the boxes were filled by the page, or the model changed). */
  refresh(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.send(true);
  }

  /** A host answer; answers to older requests are dropped. */
  receive(message: TokenCountsMessage): void {
    if (message.requestId !== this.requestId) return;
    show(this.promptCount, message.prompt);
    show(this.negativeCount, message.negativePrompt);
  }

  private send(force: boolean): void {
    const key = `${this.prompt.value}\u0000${this.negative.value}`;
    if (!force && key === this.lastSent) return;
    this.lastSent = key;
    this.requestId += 1;
    this.post({ type: 'countTokens', requestId: this.requestId, prompt: this.prompt.value, negativePrompt: this.negative.value });
  }
}

function show(element: HTMLElement, count: PromptTokenCount | null): void {
  element.textContent = count ? formatPromptTokenCount(count) : '';
  element.title = count
    ? `${count.used} tokens; ${count.chunks === 1 ? 'one chunk' : `${count.chunks} chunks`} of ${count.limit / count.chunks} tokens (longer prompts take more chunks)`
    : '';
}
