// Typed readers of the `localDiffusion.*` settings, each setting read with the scope package.json declares for it
// (contributes.configuration): window- and machine-scoped ones without a resource (readSettings), resource-scoped
// ones for a resource (readResourceSettings), as VS Code's configuration API expects (it logs "Accessing a resource
// scoped configuration without providing a resource" otherwise). They take vscode.workspace as a structural
// ConfigurationProvider, so they have no runtime dependency on vscode and are unit-tested; defaults and scopes
// mirror package.json (test/unit/manifest.test.ts, test/unit/settings.test.ts).
import {
  EXECUTION_PROVIDER_NAMES,
  SCHEDULER_NAMES,
  type ExecutionProviderName,
  type SchedulerName,
} from '../common/protocol/engineProtocol';
import { LIMITS } from '../common/limits';
import { DEFAULT_EMPHASIS, EMPHASIS_MODES, type EmphasisMode } from '../common/prompt/emphasisMode';
import { Settings } from './constants';

export interface LocalDiffusionSettings {
  /** "" = the built-in sample model; an absolute model folder; a catalog id; or a downloaded repo (owner/name[@rev][:sub]). */
  model: string;
  /** Where downloaded models go; "" = the extension's global storage. */
  modelsFolder: string;
  executionProvider: ExecutionProviderName;
  defaultSteps: number;
  defaultGuidanceScale: number;
  defaultScheduler: SchedulerName;
  /** 0 = the model's native width. */
  defaultWidth: number;
  /** 0 = the model's native height. */
  defaultHeight: number;
  /** 0 = no previews. */
  previewEverySteps: number;
  /** "" = VS Code's own runtime (ELECTRON_RUN_AS_NODE). */
  nodePath: string;
  /** Minutes without a job before the model is unloaded; 0 = right after each job. */
  keepModelLoadedMinutes: number;
  /** The Generate panel's hires fix upscaler: a super-resolution ONNX model path; "" = Lanczos. */
  hiresUpscaler: string;
  /** A1111's emphasis mode for every generation. */
  emphasis: EmphasisMode;
  /** A1111's clip skip; 1 = the text encoder's last layer. */
  clipSkip: number;
  /** The Generate panel's results: kept in the history only ('off'), or also saved into the output folder. */
  autoSave: AutoSaveMode;
  /** Another VAE folder (vae_decoder/, vae_encoder/) for the selected model; "" = the model's own. */
  vae: string;
  /** Folders where the prompt's `<lora:name:weight>` finds name.safetensors. */
  loraFolders: string[];
}

export const AUTO_SAVE_MODES = ['off', 'outputFolder'] as const;
export type AutoSaveMode = (typeof AUTO_SAVE_MODES)[number];

/** The resource-scoped settings: they may differ per workspace folder. */
export interface LocalDiffusionResourceSettings {
  /** Relative to the workspace folder, or absolute. */
  outputFolder: string;
}

export const DEFAULT_SETTINGS: Readonly<LocalDiffusionSettings & LocalDiffusionResourceSettings> = {
  model: '',
  modelsFolder: '',
  executionProvider: 'auto',
  defaultSteps: 20,
  defaultGuidanceScale: 7.5,
  defaultScheduler: 'default',
  defaultWidth: 0,
  defaultHeight: 0,
  outputFolder: 'generated',
  previewEverySteps: 1,
  nodePath: '',
  keepModelLoadedMinutes: 10,
  hiresUpscaler: '',
  emphasis: DEFAULT_EMPHASIS,
  clipSkip: 1,
  autoSave: 'off',
  vae: '',
  loraFolders: [],
};

/** Limits of the settings (package.json declares the same), from the one limits table. */
export const SETTING_LIMITS = {
  steps: LIMITS.steps,
  guidanceScale: LIMITS.guidanceScale,
  /** 0 = the model's native size. */
  size: { min: 0, max: LIMITS.size.max },
  previewEverySteps: LIMITS.previewEverySteps,
  keepModelLoadedMinutes: { min: 0, max: 1440 },
  clipSkip: LIMITS.clipSkip,
} as const;

/** package.json `scope` of a setting (VS Code's ConfigurationScope names). */
export type SettingScope = 'application' | 'machine' | 'machine-overridable' | 'window' | 'resource' | 'language-overridable';

/** The scope each setting is declared with in package.json, which decides how it is read. */
export const SETTING_SCOPES: Readonly<Record<keyof typeof DEFAULT_SETTINGS, SettingScope>> = {
  model: 'machine-overridable',
  modelsFolder: 'machine',
  executionProvider: 'machine-overridable',
  defaultSteps: 'window',
  defaultGuidanceScale: 'window',
  defaultScheduler: 'window',
  defaultWidth: 'window',
  defaultHeight: 'window',
  outputFolder: 'resource',
  previewEverySteps: 'window',
  nodePath: 'machine',
  keepModelLoadedMinutes: 'window',
  hiresUpscaler: 'machine',
  emphasis: 'window',
  clipSkip: 'window',
  autoSave: 'window',
  vae: 'machine',
  loraFolders: 'machine',
};

/** The part of vscode.WorkspaceConfiguration this module needs. */
export interface ConfigurationLike {
  get(section: string): unknown;
}

/**
 * The part of vscode.workspace this module needs. `scope` is a resource (a Uri or a WorkspaceFolder), or null for
 * "any resource" (no folder open); omitted for settings that are not resource-scoped.
 */
export interface ConfigurationProvider {
  getConfiguration(section: string, scope?: object | null): ConfigurationLike;
}

/** The window- and machine-scoped settings, read without a resource. */
export function readSettings(workspace: ConfigurationProvider): LocalDiffusionSettings {
  const config = workspace.getConfiguration(Settings.section);
  const d = DEFAULT_SETTINGS;
  return {
    model: text(config.get(Settings.model), d.model),
    modelsFolder: text(config.get(Settings.modelsFolder), d.modelsFolder),
    executionProvider: oneOf(config.get(Settings.executionProvider), EXECUTION_PROVIDER_NAMES, d.executionProvider),
    defaultSteps: integer(config.get(Settings.defaultSteps), d.defaultSteps, SETTING_LIMITS.steps),
    defaultGuidanceScale: number(config.get(Settings.defaultGuidanceScale), d.defaultGuidanceScale, SETTING_LIMITS.guidanceScale),
    defaultScheduler: oneOf(config.get(Settings.defaultScheduler), SCHEDULER_NAMES, d.defaultScheduler),
    defaultWidth: size(config.get(Settings.defaultWidth), d.defaultWidth),
    defaultHeight: size(config.get(Settings.defaultHeight), d.defaultHeight),
    previewEverySteps: integer(config.get(Settings.previewEverySteps), d.previewEverySteps, SETTING_LIMITS.previewEverySteps),
    nodePath: text(config.get(Settings.nodePath), d.nodePath),
    keepModelLoadedMinutes: number(
      config.get(Settings.keepModelLoadedMinutes),
      d.keepModelLoadedMinutes,
      SETTING_LIMITS.keepModelLoadedMinutes,
    ),
    hiresUpscaler: text(config.get(Settings.hiresUpscaler), d.hiresUpscaler),
    emphasis: oneOf(config.get(Settings.emphasis), EMPHASIS_MODES, d.emphasis),
    clipSkip: integer(config.get(Settings.clipSkip), d.clipSkip, SETTING_LIMITS.clipSkip),
    autoSave: oneOf(config.get(Settings.autoSave), AUTO_SAVE_MODES, d.autoSave),
    vae: text(config.get(Settings.vae), d.vae),
    loraFolders: textList(config.get(Settings.loraFolders)),
  };
}

/** The resource-scoped settings for `resource` (a Uri or WorkspaceFolder; null = any resource, no folder open). */
export function readResourceSettings(workspace: ConfigurationProvider, resource: object | null): LocalDiffusionResourceSettings {
  const config = workspace.getConfiguration(Settings.section, resource);
  const d = DEFAULT_SETTINGS;
  return { outputFolder: text(config.get(Settings.outputFolder), d.outputFolder) || d.outputFolder };
}

/** A list of non-empty strings, trimmed (anything else in it is dropped). */
function textList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v.length > 0);
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value.trim() : fallback;
}

function number(value: unknown, fallback: number, limits: { min: number; max: number }): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(limits.max, Math.max(limits.min, value));
}

function integer(value: unknown, fallback: number, limits: { min: number; max: number }): number {
  return Math.round(number(value, fallback, limits));
}

/** 0 (the model's native size) or a positive multiple of 8; anything else is rounded down to one. */
function size(value: unknown, fallback: number): number {
  const n = integer(value, fallback, SETTING_LIMITS.size);
  return n - (n % 8);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}
