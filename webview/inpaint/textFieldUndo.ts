// Ctrl+Z / Ctrl+Y (and Cmd+Z, Cmd+Shift+Z) in a text field are the field's own undo and redo. VS Code's webview
// script listens for keydown on the window and turns these keys into the editor's Undo (the mask strokes);
// stopping them at the document, before they reach the window, leaves the browser's text undo to run.
// One listener for the whole page, so fields added later (LoRA picker, token counter…) get it too.

// Structural types (no DOM names) so the logic is unit-tested in Node.
interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

export function isUndoRedoKey(e: KeyLike): boolean {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return false;
  const key = e.key.toLowerCase();
  return key === 'z' || key === 'y';
}

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'number', 'url', 'email', '']);

export function isTextField(target: unknown): boolean {
  const element = target as { tagName?: unknown; type?: unknown } | null;
  if (!element || typeof element.tagName !== 'string') return false;
  if (element.tagName === 'TEXTAREA') return true;
  return element.tagName === 'INPUT' && typeof element.type === 'string' && TEXT_INPUT_TYPES.has(element.type);
}

interface KeydownTarget {
  addEventListener(type: 'keydown', listener: (e: KeyLike & { target: unknown; stopPropagation(): void }) => void): void;
}

export function keepTextFieldUndo(doc: KeydownTarget): void {
  doc.addEventListener('keydown', (e) => {
    if (isUndoRedoKey(e) && isTextField(e.target)) e.stopPropagation();
  });
}
