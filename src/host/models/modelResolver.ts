// Turns the `localDiffusion.model` setting into a model folder for the engine: "" is the built-in sample model
// shipped in the extension; an absolute folder path is used as is; a catalog id ("sd-turbo") or a Hugging Face
// model spec ("owner/name[@revision][:subfolder]") names a model downloaded into the models folder. In an
// untrusted workspace a model inside the workspace is refused (Workspace Trust: no model from the workspace is
// loaded). No vscode import: unit-tested.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Catalog } from '../../node/modelStore/catalog';
import { resolveModelReference } from '../../node/modelStore/modelReference';
import { formatModelSpec, type ModelSource } from '../../node/modelStore/modelSource';
import type { ModelRef } from '../../common/protocol/engineProtocol';
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';

/** The trained sample model (tools/trainSampleModel.py, committed in models/tiny-shapes/), shipped in <extension>/models/. */
export const BUILT_IN_MODEL_NAME = 'tiny-shapes';
export const BUILT_IN_MODELS_FOLDER = 'models';

const SETTING_FORMS =
  '"localDiffusion.model" must be empty (the built-in sample model), the absolute path of a diffusers ONNX model folder, a catalog id or a downloaded Hugging Face repo id (owner/name[@revision][:subfolder])';

export interface ModelResolverContext {
  extensionPath: string;
  /** The `localDiffusion.model` setting. */
  modelSetting: string;
  /** localDiffusion.vae: another VAE folder (absolute) for the selected model; "" = the model's own. */
  vaeSetting?: string;
  isTrusted: boolean;
  /** File-system paths of the open workspace folders. */
  workspaceFolders: readonly string[];
  /** Where downloaded models live (localDiffusion.modelsFolder, else the extension's global storage). */
  modelsFolder?: string;
  /** models/catalog.json, when it could be read. */
  catalog?: Catalog;
}

export interface ResolvedModel {
  ref: ModelRef;
  builtIn: boolean;
  /** For a downloaded model: where it comes from. */
  source?: ModelSource;
}

export function builtInModelDir(extensionPath: string): string {
  return path.join(extensionPath, BUILT_IN_MODELS_FOLDER, BUILT_IN_MODEL_NAME);
}

export class ModelResolver {
  constructor(private readonly context: () => ModelResolverContext) {}

  /** The selected model (with the localDiffusion.vae folder, when set); throws RpcFailure (modelMissing / invalidParams) with a message for the user. */
  resolve(): ResolvedModel {
    const context = this.context();
    const resolved = this.resolveModel(context);
    const vae = context.vaeSetting?.trim() ?? '';
    if (vae === '' || resolved.builtIn) return resolved;
    return { ...resolved, ref: { ...resolved.ref, vae: this.checkFolder(vae, context) } };
  }

  private resolveModel(context: ModelResolverContext): ResolvedModel {
    const setting = context.modelSetting.trim();
    if (setting === '') {
      const dir = builtInModelDir(context.extensionPath);
      if (!fs.existsSync(dir)) {
        throw new RpcFailure(
          ErrorCode.ModelMissing,
          `The built-in sample model is missing (${dir}). It ships in the repository (models/tiny-shapes) and in every package: reinstall the extension, or choose a model folder with "Local Diffusion: Select Model".`,
        );
      }
      return { ref: { dir, name: BUILT_IN_MODEL_NAME }, builtIn: true };
    }
    const reference = resolveModelReference(setting, {
      ...(context.catalog ? { catalog: context.catalog } : {}),
      ...(context.modelsFolder ? { modelsDir: context.modelsFolder } : {}),
    });
    switch (reference.kind) {
      case 'folder': {
        const dir = this.checkFolder(setting, context);
        return { ref: { dir, name: path.basename(dir) }, builtIn: false };
      }
      case 'hub': {
        const spec = formatModelSpec(reference.source);
        const name = reference.entry?.id ?? spec;
        if (!reference.installed) {
          const what = reference.entry ? `"${setting}" (${reference.entry.name}, ${spec})` : `"${setting}"`;
          throw new RpcFailure(
            ErrorCode.ModelMissing,
            `The model ${what} is not downloaded yet: run "Local Diffusion: Download Model…" or pick it in "Local Diffusion: Select Model". (A model folder must be given as an absolute path.)`,
          );
        }
        const dir = this.checkFolder(reference.dir, context);
        return { ref: { dir, name }, builtIn: false, source: reference.source };
      }
      case 'unknown':
        throw new RpcFailure(ErrorCode.InvalidParams, `"${setting}" is not a model: ${SETTING_FORMS}.`);
    }
  }

  /**
   * Validates a folder the user wants to use (the setting, or a folder picked in Select Model): absolute,
   * existing, a directory, and not inside the workspace while the workspace is untrusted. Returns it normalised.
   */
  checkFolder(folder: string, context: ModelResolverContext = this.context()): string {
    const expanded = expandHome(folder.trim());
    if (!path.isAbsolute(expanded)) {
      throw new RpcFailure(
        ErrorCode.InvalidParams,
        `"${folder}" is not a model folder: ${SETTING_FORMS}.`,
      );
    }
    const dir = path.resolve(expanded);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(dir);
    } catch {
      throw new RpcFailure(
        ErrorCode.ModelMissing,
        `The model folder ${dir} does not exist. Choose another with "Local Diffusion: Select Model".`,
      );
    }
    if (!stat.isDirectory()) {
      throw new RpcFailure(ErrorCode.InvalidParams, `${dir} is a file; a model is a folder (with model_index.json, unet/, …).`);
    }
    if (!context.isTrusted) {
      const real = realPath(dir);
      const inside = context.workspaceFolders.find((ws) => isInsideFolder(real, realPath(ws)) || isInsideFolder(dir, ws));
      if (inside) {
        throw new RpcFailure(
          ErrorCode.InvalidParams,
          `The model folder ${dir} is inside this workspace, which is not trusted. Models from untrusted workspaces are not loaded: trust the workspace ("Workspaces: Manage Workspace Trust") or move the model elsewhere.`,
        );
      }
    }
    return dir;
  }
}

/** True when `child` is `folder` or below it (case-insensitive on Windows and macOS defaults). */
export function isInsideFolder(child: string, folder: string, platform: NodeJS.Platform = process.platform): boolean {
  const fold = (p: string) => (platform === 'win32' || platform === 'darwin' ? p.toLowerCase() : p);
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const relative = pathApi.relative(fold(pathApi.resolve(folder)), fold(pathApi.resolve(child)));
  return relative === '' || (!relative.startsWith('..') && !pathApi.isAbsolute(relative));
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') || p.startsWith('~\\') ? path.join(os.homedir(), p.slice(1)) : p;
}

function realPath(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return p;
  }
}
