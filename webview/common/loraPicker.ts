// The LoRA picker beside a prompt box: "LoRA…" lists the files of the `localDiffusion.loraFolders` folders (asked of
// the host when it opens, src/common/protocol/loraPickerMessages.ts) with their trigger words; choosing one inserts
// `<lora:name:1>` at the cursor, as A1111's extra-networks cards do (`javascript/extraNetworks.js`
// cardClicked → `<lora:name:multiplier>`), and a trigger word inserts the word.
import type { ListLorasMessage, LoraListMessage } from '../../src/common/protocol/loraPickerMessages';
import { h } from './dom';

/** A1111's extra_networks_default_multiplier. */
const DEFAULT_MULTIPLIER = 1;

export class LoraPicker {
  private readonly toggle = h('button', { type: 'button', class: 'link', id: 'lora-picker-toggle', 'aria-expanded': 'false', title: 'Insert a LoRA from the LoRA folders' }, 'LoRA…');
  private readonly list = h('div', { class: 'lora-list', id: 'lora-list', role: 'listbox', hidden: true });
  readonly element = h('span', { class: 'lora-picker' }, this.toggle, this.list);

  constructor(
    private readonly prompt: HTMLTextAreaElement,
    private readonly post: (message: ListLorasMessage) => void,
  ) {
    this.toggle.addEventListener('click', (event) => {
      event.preventDefault();
      if (this.list.hidden) this.open();
      else this.close();
    });
  }

  open(): void {
    this.list.hidden = false;
    this.toggle.setAttribute('aria-expanded', 'true');
    this.list.replaceChildren(h('div', { class: 'lora-note' }, 'Looking for LoRA files…'));
    this.post({ type: 'listLoras' });
  }

  close(): void {
    this.list.hidden = true;
    this.toggle.setAttribute('aria-expanded', 'false');
  }

  /** The host's list. */
  receive(message: LoraListMessage): void {
    if (this.list.hidden) return;
    if (message.loras.length === 0) {
      this.list.replaceChildren(
        h(
          'div',
          { class: 'lora-note' },
          message.folders.length === 0
            ? 'No LoRA folder is set: add folders to the localDiffusion.loraFolders setting.'
            : `No .safetensors files in ${message.folders.join(', ')}.`,
        ),
      );
      return;
    }
    this.list.replaceChildren(
      ...message.loras.map((lora) => {
        const pick = h('button', { type: 'button', class: 'lora-name', role: 'option', title: `Insert <lora:${lora.name}:${DEFAULT_MULTIPLIER}>${lora.baseModel ? ` (${lora.baseModel})` : ''}` }, lora.name);
        pick.addEventListener('click', (event) => {
          event.preventDefault();
          this.insert(`<lora:${lora.name}:${DEFAULT_MULTIPLIER}>`, ' ');
          this.close();
        });
        const words = lora.triggerWords.map((word) => {
          const chip = h('button', { type: 'button', class: 'lora-trigger', title: `Insert "${word}"` }, word);
          chip.addEventListener('click', (event) => {
            event.preventDefault();
            this.insert(word, ', ');
          });
          return chip;
        });
        return h('div', { class: 'lora-entry' }, pick, ...(words.length ? [h('span', { class: 'lora-triggers' }, ...words)] : []));
      }),
    );
  }

  /**
   * Inserts `text` at the prompt's cursor after `separator` (A1111 opts.extra_networks_add_text_separator, " ", for
   * tags; ", " between words); the box then reports an input (token counter, form state).
   */
  private insert(text: string, separator: string): void {
    const box = this.prompt;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? start;
    const before = box.value.slice(0, start);
    const after = box.value.slice(end);
    const lead = before.length === 0 || /\s$/.test(before) ? '' : /,$/.test(before) ? ' ' : separator;
    const trail = after.length > 0 && !/^[\s,]/.test(after) ? ' ' : '';
    box.value = `${before}${lead}${text}${trail}${after}`;
    const cursor = before.length + lead.length + text.length;
    box.setSelectionRange(cursor, cursor);
    box.dispatchEvent(new Event('input', { bubbles: true }));
    box.focus();
  }
}
