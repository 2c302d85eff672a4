// A tiny element builder for the webview pages (no framework). Attributes only: inline styles are not
// used in markup (the CSP has no 'unsafe-inline'); styling lives in media/*.css.

type AttributeValue = string | number | boolean | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, AttributeValue> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) element.append(child);
  return element;
}

/** A labelled control: <label><span>text</span>control</label>. */
export function labelled(text: string, control: HTMLElement, extraClass = ''): HTMLLabelElement {
  return h('label', { class: `field ${extraClass}`.trim() }, h('span', { class: 'field-label' }, text), control);
}

/** True when keyboard input goes to a text field (tool shortcuts must not fire then). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'range'].includes(target.type);
  return false;
}

/** Reads a number input; undefined when empty or not a number. */
export function numberValue(input: HTMLInputElement): number | undefined {
  if (input.value.trim() === '') return undefined;
  const n = Number(input.value);
  return Number.isFinite(n) ? n : undefined;
}
