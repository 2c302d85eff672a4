// A tiny element builder and DOM helpers for the webview pages (no framework). Elements are built with
// createElement and textContent only (no innerHTML, so prompt text can never become markup); no inline styles
// (the CSP has no 'unsafe-inline'): styling lives in media/*.css.
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

/** A Blob part for bytes that came through postMessage (their own ArrayBuffer), copying only if needed. */
export function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes as Uint8Array<ArrayBuffer>)
    : new Uint8Array(bytes);
}

export function pngUrl(png: Uint8Array): string {
  return URL.createObjectURL(new Blob([ownBytes(png)], { type: 'image/png' }));
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
