// The mask messages one inpaint editor view sends its page (no vscode import): the whole mask, and what a change of
// the document's mask becomes for that view (an op acknowledged with its hash, another view's op to apply, or an
// undo/redo region on top of a known revision). The page's side is webview/inpaint/maskSync.ts; maskSync.test.ts
// runs both against the real document logic (InpaintDocumentState).
import type { ToInpaintWebviewMessage } from '../../common/protocol/inpaintEditorProtocol';
import { readMaskRegion, type Mask } from '../../common/mask/maskRect';
import type { InpaintMaskChange } from './inpaintDocumentState';

export type MaskMessage = Extract<ToInpaintWebviewMessage, { type: 'mask' }>;
export type MaskOpAppliedMessage = Extract<ToInpaintWebviewMessage, { type: 'maskOpApplied' }>;

export interface MaskSource {
  readonly mask: Mask;
  readonly maskRevision: number;
}

/** The whole mask at the document's revision (a fresh copy: never a view into a pooled buffer). */
export function fullMaskMessage(document: MaskSource): MaskMessage {
  const { mask } = document;
  return {
    type: 'mask',
    revision: document.maskRevision,
    baseRevision: null,
    region: { x: 0, y: 0, width: mask.width, height: mask.height, data: new Uint8Array(mask.data) },
  };
}

/** The messages `view` sends for a change of the document's mask, in order. */
export function maskChangeMessages(change: InpaintMaskChange, document: MaskSource, view: unknown): Array<MaskMessage | MaskOpAppliedMessage> {
  if (change.kind === 'region') {
    return [
      {
        type: 'mask',
        revision: change.revision,
        baseRevision: change.baseRevision,
        region: { ...change.rect, data: readMaskRegion(document.mask, change.rect) },
      },
    ];
  }
  const fromThisView = change.origin === view;
  const applied: MaskOpAppliedMessage = { type: 'maskOpApplied', revision: change.revision, op: change.op, hash: change.hash, fromThisView };
  // The page drew this op on an older mask (an undo crossed it): give it the whole truth.
  return fromThisView && change.stale ? [applied, fullMaskMessage(document)] : [applied];
}
