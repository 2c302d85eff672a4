// The composition root (drawio's `Extension` class): builds every service once, registers every command,
// serializer and listener, and owns their disposal. activate() creates one; deactivate() awaits shutdown().
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerImageAssets } from './assets/registerImageAssets';
import { registerAddModelFolderCommand } from './commands/addModelFolder';
import { registerCancelGenerationCommand } from './commands/cancelGeneration';
import { registerDownloadModelCommand } from './commands/downloadModel';
import { registerGenerateImageCommand } from './commands/generateImage';
import { registerGenerateImageHereCommand } from './commands/generateImageHere';
import { registerSelectModelCommand, type SelectModelDeps } from './commands/selectModel';
import { registerSetHuggingFaceTokenCommand } from './commands/setHuggingFaceToken';
import { registerShowLogCommand } from './commands/showLog';
import { registerRemoveBackgroundCommand } from './commands/removeBackground';
import { registerUpscaleImageCommand, type ImageToolDeps } from './commands/upscaleImage';
import { EngineClient } from './engineClient/engineClient';
import { GeneratePanel, type GeneratePanelDeps } from './generate/generatePanel';
import { pickImageToolModel } from './imageTools/pickImageToolModel';
import { registerInpaintEditor } from './inpaint/registerInpaintEditor';
import { EngineGenerationService, GENERATING_CONTEXT_KEY } from './jobs/engineGenerationService';
import type { GenerationService } from './jobs/generationService';
import { ModelLibrary } from './models/modelLibrary';
import { BUILT_IN_MODEL_NAME, ModelResolver } from './models/modelResolver';
import type { PanelModel } from '../common/protocol/generatePanelProtocol';
import { readSettings, type LocalDiffusionSettings } from './settings';
import { Disposable } from './util/dispose';
import { Log } from './util/log';
import { HistoryStore } from './history/historyStore';
import { historyThumbnail } from './history/historyThumbnail';
import { recordingGenerationService } from './history/recordingGenerationService';
import { PanelSessionStore } from './generate/panelSession';
import { registerHistoryView } from './history/historyView';
import { registerOpenParametersFromImageCommand } from './commands/openParametersFromImage';

export class LocalDiffusion extends Disposable {
  readonly log: Log;
  readonly engine: EngineClient;
  readonly models: ModelResolver;
  /** Downloaded models, the catalog, the Hugging Face token (src/host/models/modelLibrary.ts). */
  readonly library: ModelLibrary;
  /** The one way every UI (Generate panel, inpaint editor, assets) runs a generation. */
  readonly generation: GenerationService;
  /** Every generation kept (src/host/history/): the panel's results, the inpaint editor's, Generate Image Here's. */
  readonly history: HistoryStore;

  constructor(context: vscode.ExtensionContext) {
    super();
    this.log = this.register(new Log());
    const settings = (): LocalDiffusionSettings => readSettings(vscode.workspace);
    this.library = new ModelLibrary({
      extensionPath: context.extensionPath,
      globalStoragePath: context.globalStorageUri.fsPath,
      secrets: context.secrets,
      state: context.globalState,
      log: this.log,
      settings,
    });
    this.models = new ModelResolver(() => ({
      extensionPath: context.extensionPath,
      modelSetting: settings().model,
      vaeSetting: settings().vae,
      isTrusted: vscode.workspace.isTrusted,
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
      modelsFolder: this.library.modelsFolder(),
      ...(this.library.catalog ? { catalog: this.library.catalog } : {}),
    }));
    this.engine = this.register(new EngineClient(context.extensionUri, this.log));
    this.history = new HistoryStore({ folder: path.join(context.globalStorageUri.fsPath, 'history'), makeThumbnail: historyThumbnail });
    this.generation = recordingGenerationService(this.register(new EngineGenerationService(this.engine, this.models, settings, this.log)), {
      history: this.history,
      model: () => ({ name: this.selectedModel(settings()).name, setting: settings().model }),
      warn: (message) => this.log.warn(message),
    });
    void vscode.commands.executeCommand('setContext', GENERATING_CONTEXT_KEY, false);

    const panelDeps: GeneratePanelDeps = {
      extensionUri: context.extensionUri,
      generation: this.generation,
      log: this.log,
      settings,
      selectedModel: () => this.selectedModel(settings()),
      history: this.history,
      session: new PanelSessionStore(context.workspaceState),
    };
    this.register(GeneratePanel.registerSerializer(panelDeps));
    this.register({ dispose: () => GeneratePanel.disposeCurrent() });

    // Every command in package.json contributes.commands is registered here (test/unit/manifest.test.ts checks the list).
    this.register(registerGenerateImageCommand(panelDeps));
    // The Generation History view and its commands; Open Parameters from Image… (src/host/history/).
    this.register(registerHistoryView({ history: this.history, panel: panelDeps }));
    this.register(registerOpenParametersFromImageCommand(panelDeps));
    this.register(
      registerGenerateImageHereCommand({
        generation: this.generation,
        log: this.log,
        settings,
        state: context.globalState,
        pickBackgroundModel: async () => {
          const picked = await pickImageToolModel({ tool: 'background', title: 'Generate Image Here: Cut-Out Model', library: this.library, state: context.globalState });
          return picked?.kind === 'model' ? { path: picked.path, ...(picked.preset ? { preset: picked.preset } : {}) } : undefined;
        },
        upscale: async (png, model, scale) =>
          (await this.engine.request('upscaleImage', { image: png, model, scale, format: 'png', executionProvider: settings().executionProvider })).image,
      }),
    );
    const modelDeps: SelectModelDeps = { engine: this.engine, models: this.models, library: this.library, log: this.log, state: context.globalState };
    this.register(registerSelectModelCommand(modelDeps));
    this.register(registerDownloadModelCommand(modelDeps));
    this.register(registerAddModelFolderCommand(modelDeps));
    this.register(registerSetHuggingFaceTokenCommand(this.library.tokens, this.log));
    this.register(registerCancelGenerationCommand(this.generation, this.log));
    this.register(registerShowLogCommand(this.log));
    const imageToolDeps: ImageToolDeps = { engine: this.engine, library: this.library, log: this.log, settings, state: context.globalState };
    this.register(registerUpscaleImageCommand(imageToolDeps));
    this.register(registerRemoveBackgroundCommand(imageToolDeps));
    // The inpaint editor (src/host/inpaint/**): its custom editor provider and the "Inpaint Image" command.
    this.register(registerInpaintEditor(context, this.generation, this.log));
    // Images as code (src/host/assets/**): the Image Assets view, CodeLens on spec files, build commands, the task type.
    this.register(
      registerImageAssets({
        extensionPath: context.extensionPath,
        generation: this.generation,
        log: this.log,
        settings,
        modelsFolder: () => this.library.modelsFolder(),
        catalog: () => this.library.catalog,
        selectedModel: () => {
          try {
            const { ref } = this.models.resolve();
            return { dir: ref.dir, name: ref.name ?? path.basename(ref.dir), setting: settings().model.trim() };
          } catch (error) {
            return { problem: error instanceof Error ? error.message : String(error) };
          }
        },
        skipToolConfirmation: context.extensionMode === vscode.ExtensionMode.Test,
      }),
    );

    const version = (context.extension.packageJSON as { version?: unknown }).version;
    this.log.info(`Local Diffusion ${typeof version === 'string' ? version : ''} activated (${context.extensionMode === vscode.ExtensionMode.Production ? 'production' : 'development'}).`);
  }

  /** Cancels running jobs and stops the engine (shutdown request, kill after 2 s). */
  async shutdown(): Promise<void> {
    this.generation.cancelAll();
    await this.engine.shutdown();
  }

  private selectedModel(settings: LocalDiffusionSettings): PanelModel {
    try {
      const { ref, builtIn } = this.models.resolve();
      return { name: ref.name ?? path.basename(ref.dir), builtIn };
    } catch (error) {
      return {
        name: settings.model ? path.basename(settings.model) : BUILT_IN_MODEL_NAME,
        builtIn: settings.model === '',
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }
}
