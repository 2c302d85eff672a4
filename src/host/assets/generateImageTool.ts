// The `local-diffusion_generateImage` Language Model Tool (package.json contributes.languageModelTools): Copilot's
// agent mode, or any chat participant, asks for an image asset; the confirmation says what will be generated and
// where; invoke() builds it on the engine process as an entry of the nearest spec (src/node/assets/
// createImageAsset.ts) and returns the path and parameters, plus the image itself as a data part where the running
// VS Code has LanguageModelDataPart (finalized after 1.100, so it is looked up at run time).
import * as vscode from 'vscode';
import { GENERATE_IMAGE_TOOL_NAME, type GenerateImageToolInput } from '../../common/protocol/generateImageToolInput';
import { createImageAsset, ImageAssetRequestError, planImageAsset, type ImageAssetContext, type ImageAssetPlan } from '../../node/assets/createImageAsset';
import { randomSeed } from '../../common/seed';
import type { Catalog } from '../../node/modelStore/catalog';
import type { SelectedModel } from '../../node/assets/saveImageAsAsset';
import type { GenerationService } from '../jobs/generationService';
import type { LocalDiffusionSettings } from '../settings';
import type { Log } from '../util/log';
import { engineAssetGenerator } from './assetBuildRunner';
import type { AssetWorkspace } from './assetWorkspace';

const MIME_TYPES: Readonly<Record<string, string>> = { png: 'image/png', webp: 'image/webp', jpeg: 'image/jpeg' };

export interface GenerateImageToolDeps {
  generation: GenerationService;
  workspace: AssetWorkspace;
  settings: () => LocalDiffusionSettings;
  log: Log;
  modelsFolder: () => string;
  catalog: () => Catalog | undefined;
  /** The selected model, or why there is none. */
  selectedModel: () => SelectedModel | { problem: string };
  /** True in the extension-host tests: no confirmation (a modal dialog outside chat would block them). */
  skipConfirmation: boolean;
}

interface DataPartClass {
  image(data: Uint8Array, mimeType: string): unknown;
}

export class GenerateImageTool implements vscode.LanguageModelTool<GenerateImageToolInput> {
  /** Seeds chosen in prepareInvocation (shown in the confirmation), used by the invoke that follows. */
  private readonly chosenSeeds = new Map<string, bigint>();

  constructor(private readonly deps: GenerateImageToolDeps) {}

  private context(input: unknown): ImageAssetContext {
    const settings = this.deps.settings();
    const selected = this.deps.selectedModel();
    const key = JSON.stringify(input);
    const catalog = this.deps.catalog();
    return {
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
      selectedModel: 'problem' in selected ? undefined : selected,
      ...('problem' in selected ? { modelProblem: selected.problem } : {}),
      modelsDir: this.deps.modelsFolder(),
      ...(catalog ? { catalog } : {}),
      fallback: {
        steps: settings.defaultSteps,
        guidance: settings.defaultGuidanceScale,
        ...(settings.defaultScheduler !== 'default' ? { scheduler: settings.defaultScheduler } : {}),
      },
      randomSeed: () => {
        let seed = this.chosenSeeds.get(key);
        if (seed === undefined) {
          seed = randomSeed();
          this.chosenSeeds.set(key, seed);
        }
        return seed;
      },
    };
  }

  async prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<GenerateImageToolInput>): Promise<vscode.PreparedToolInvocation> {
    let plan: ImageAssetPlan;
    try {
      plan = await planImageAsset(options.input, this.context(options.input));
    } catch (error) {
      // invoke() reports it to the model; nothing will be written, so nothing to confirm.
      return { invocationMessage: `Checking the image request: ${(error as Error).message}` };
    }
    const where = vscode.workspace.asRelativePath(plan.file);
    const message = new vscode.MarkdownString();
    message.appendMarkdown(`Generate **${escape(where)}** with Local Diffusion, on this machine:\n\n`);
    message.appendMarkdown(`> ${escape(plan.entry.prompt)}\n\n`);
    const details = [
      plan.entry.negativePrompt ? `negative prompt "${plan.entry.negativePrompt}"` : undefined,
      `seed ${String(plan.entry.seed)}`,
      plan.resolved.width && plan.resolved.height ? `${plan.resolved.width}×${plan.resolved.height}` : "the model's native size",
      `${plan.resolved.steps ?? 'default'} steps`,
      `model ${plan.resolved.model}`,
    ].filter((d): d is string => d !== undefined);
    message.appendMarkdown(`${escape(details.join(', '))}.\n\n`);
    message.appendMarkdown(`The entry is added to ${escape(vscode.workspace.asRelativePath(plan.specFile))}${plan.specCreated ? ' (a new spec)' : ''}.`);
    return {
      invocationMessage: `Generating ${where}`,
      ...(this.deps.skipConfirmation ? {} : { confirmationMessages: { title: 'Generate an image asset?', message } }),
    };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<GenerateImageToolInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const key = JSON.stringify(options.input);
    try {
      if (!vscode.workspace.isTrusted) {
        throw new ImageAssetRequestError('The workspace is not trusted, so Local Diffusion does not generate into it. Ask the user to trust the workspace.');
      }
      const context = this.context(options.input);
      const plan = await planImageAsset(options.input, context);
      const created = await createImageAsset(plan, context, engineAssetGenerator(this.deps, token, 'tool'));
      this.deps.log.info(`${GENERATE_IMAGE_TOOL_NAME}: wrote ${created.file} in ${created.seconds.toFixed(1)} s and added it to ${created.specFile}.`);
      await this.deps.workspace.refresh(created.specFile);
      const relative = vscode.workspace.asRelativePath(created.file);
      const text = [
        `Wrote ${relative} (${created.file}).`,
        `Added it to ${vscode.workspace.asRelativePath(created.specFile)}${created.specCreated ? ' (new spec)' : ''} as ${JSON.stringify(created.entry)}; "local-diffusion build" rebuilds the same file from it.`,
        `Parameters:\n${created.parameters}`,
      ].join('\n');
      const content: unknown[] = [new vscode.LanguageModelTextPart(text)];
      const DataPart = (vscode as unknown as { LanguageModelDataPart?: DataPartClass }).LanguageModelDataPart;
      if (DataPart !== undefined && typeof DataPart.image === 'function') content.push(DataPart.image(created.bytes, MIME_TYPES[plan.resolved.format] ?? 'image/png'));
      return new vscode.LanguageModelToolResult(content as vscode.LanguageModelTextPart[]);
    } catch (error) {
      if (token.isCancellationRequested) throw new vscode.CancellationError();
      this.deps.log.warn(`${GENERATE_IMAGE_TOOL_NAME}: ${(error as Error).message}`);
      // Thrown errors reach the model as the tool's result: say what to do next.
      throw error instanceof ImageAssetRequestError ? error : new Error(`Generating the image failed: ${(error as Error).message}. See the "Local Diffusion" log.`);
    } finally {
      this.chosenSeeds.delete(key);
    }
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function registerGenerateImageTool(deps: GenerateImageToolDeps): vscode.Disposable {
  // lm.registerTool exists from VS Code 1.95 (engines.vscode is ^1.100.0): no check needed, but forks may lack it.
  if (typeof vscode.lm?.registerTool !== 'function') {
    deps.log.warn(`This editor has no Language Model Tools API: ${GENERATE_IMAGE_TOOL_NAME} is not available.`);
    return { dispose: () => undefined };
  }
  return vscode.lm.registerTool(GENERATE_IMAGE_TOOL_NAME, new GenerateImageTool(deps));
}
