// Messages at the top of the editor: warnings about the file (read-only, lossy format, very large) and
// notices from the host. Each can be dismissed; info notices go away by themselves.
import { h } from '../common/dom';

const INFO_TIMEOUT_MS = 8000;

export class NoticeList {
  readonly element = h('div', { id: 'notices', class: 'notices', 'aria-live': 'polite' });

  /** `transient`: a notice about the last action (e.g. "Paint a mask first…"), dropped by the next edit. */
  show(level: 'info' | 'warning' | 'error', message: string, transient = false): void {
    // The same text twice: keep one.
    for (const child of Array.from(this.element.children)) {
      if (child instanceof HTMLElement && child.dataset.message === message) child.remove();
    }
    const close = h('button', { type: 'button', class: 'dismiss', 'aria-label': 'Dismiss', title: 'Dismiss' }, '×');
    const notice = h('div', { class: `notice ${level}`, role: level === 'error' ? 'alert' : 'status' }, h('span', { class: 'text' }, message), close);
    notice.dataset.message = message;
    if (transient) notice.dataset.transient = 'true';
    close.addEventListener('click', () => notice.remove());
    this.element.append(notice);
    if (level === 'info') setTimeout(() => notice.remove(), INFO_TIMEOUT_MS);
  }

  /** Drops the notices about the last action: they are stale once the user has done something else. */
  clearTransient(): void {
    for (const child of Array.from(this.element.children)) {
      if (child instanceof HTMLElement && child.dataset.transient === 'true') child.remove();
    }
  }

  clear(): void {
    this.element.replaceChildren();
  }
}
