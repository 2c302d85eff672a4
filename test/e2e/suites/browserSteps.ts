// Browser steps the extension-host tests (test/vscode/*.test.ts) hand to the driver: real typing and clicks in
// the workbench and in the extension's webviews (localDiffusionUi.ts). Each result goes back to the test as JSON.
import type { BrowserStepHandler } from '../extensionHostSuite';
import {
  answerQuickInput,
  clickResultAction,
  expandAndApply,
  generateInPanel,
  inpaintAndApply,
  paintStroke,
  readPanel,
  saveResult,
  waitForInpaintEditor,
  waitForNotification,
  type ExpandCanvas,
  type InpaintRun,
  type PanelGeneration,
  type QuickInputAnswer,
  type Stroke,
} from './localDiffusionUi';

interface ImageSize {
  width: number;
  height: number;
}

export function localDiffusionBrowserSteps(): Record<string, BrowserStepHandler> {
  return {
    /** The Generate Image panel: fill the form, Generate, then Save the result → {savedPath, stage, previews}. */
    async 'generatePanel.generateAndSave'({ page, args }) {
      const run = await generateInPanel(page, args as PanelGeneration);
      const savedPath = await saveResult(page, run.resultId);
      return { savedPath, stage: run.stage, previews: run.previews };
    },
    /** The Generate Image panel: fill the form, Generate, leave the result unsaved → {resultId, stage}. */
    async 'generatePanel.generate'({ page, args }) {
      const run = await generateInPanel(page, args as PanelGeneration);
      return { resultId: run.resultId, stage: run.stage };
    },
    /** Presses a result card's button: args {resultId, action} (a ResultAction such as saveAsAsset). */
    async 'generatePanel.resultAction'({ page, args }) {
      const { resultId, action } = args as { resultId: string; action: string };
      await clickResultAction(page, resultId, action);
      return null;
    },
    /** The Generate Image panel's form and cards, once they read args.prompt / show args.cards cards → PanelReading. */
    async 'generatePanel.read'({ page, args }) {
      return readPanel(page, args as { prompt?: string; cards?: number });
    },
    /** A notification toast shows text matching args.pattern (a RegExp source) → {text}. */
    async 'workbench.waitForNotification'({ page, args }) {
      const { pattern } = args as { pattern: string };
      return { text: await waitForNotification(page, new RegExp(pattern)) };
    },
    /** A quick input titled args.title is showing (without answering it). */
    async 'workbench.waitForQuickInput'({ page, args }) {
      const { title } = args as { title: string };
      await page.locator('.quick-input-widget .quick-input-title').filter({ hasText: title }).waitFor({ state: 'visible', timeout: 120_000 });
      return null;
    },
    /** One input box or quick pick opened by a command. */
    async 'quickInput.answer'({ page, args }) {
      await answerQuickInput(page, args as QuickInputAnswer);
      return null;
    },
    /** The inpaint editor has shown its document. */
    async 'inpaint.waitReady'({ page, args }) {
      const size = args as ImageSize;
      await waitForInpaintEditor(page, size.width, size.height);
      return null;
    },
    /** A brush or eraser stroke on #canvas with the real pointer. */
    async 'inpaint.paintStroke'({ page, args }) {
      const { stroke, image } = args as { stroke: Stroke; image: ImageSize };
      const frame = await waitForInpaintEditor(page, image.width, image.height);
      await paintStroke(page, frame, stroke, image);
      return null;
    },
    /** Prompt bar → Generate → apply the candidate → {candidate}. */
    async 'inpaint.generateAndApply'({ page, args }) {
      const { run, image } = args as { run: InpaintRun; image: ImageSize };
      const frame = await waitForInpaintEditor(page, image.width, image.height);
      return inpaintAndApply(frame, run);
    },
    /** Expand canvas tool → margins (and overlap) → Generate → apply the result → {candidate, width, height} (the grown size). */
    async 'inpaint.expandAndApply'({ page, args }) {
      const { expand, run, image } = args as { expand: ExpandCanvas; run: InpaintRun; image: ImageSize };
      const frame = await waitForInpaintEditor(page, image.width, image.height);
      return expandAndApply(frame, expand, run, image);
    },
  };
}
