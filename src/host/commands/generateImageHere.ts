// "Local Diffusion: Generate Image Here" (Explorer context menu on a folder): prompt, one or more target sizes, a
// format, a file name and a seed; generates once per distinct aspect ratio at about the model's native area
// (planAssetGenerations.ts), brings each target to its exact size (renderAsset.ts), shows the results before anything
// is written (Write / New Seed / Discard), then writes the files into the folder (never overwriting) and reveals them.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LIMITS } from '../../common/limits';
import { parseSeed } from '../../common/seed';
import {
  ASSET_FORMAT_EXTENSIONS,
  ASSET_FORMATS,
  ASSET_TARGET_PRESETS,
  parseAssetSize,
  type AssetFormat,
  type AssetSize,
} from '../assets/assetTargets';
import { assetBaseNameProblem, assetTargetFileName, planAssetGenerations } from '../assets/planAssetGenerations';
import { renderAsset } from '../assets/renderAsset';
import { promptSlug } from '../output/fileNaming';
import { Commands } from '../constants';
import type { GenerationService } from '../jobs/generationService';
import { displayPath } from '../output/outputFolder';
import { writeImageNoOverwrite } from '../output/workspaceFileWriter';
import type { LocalDiffusionSettings } from '../settings';
import { registerFailableCommand } from '../util/failableCommand';
import type { Log } from '../util/log';

export interface GenerateImageHereDeps {
  generation: GenerationService;
  log: Log;
  settings: () => LocalDiffusionSettings;
  /** Remembers the last prompt, targets and format. */
  state: vscode.Memento;
  /** Asks which background-removal model cuts the subject out (the image tools' picker); undefined: cancelled. */
  pickBackgroundModel?: () => Promise<{ path: string; preset?: string } | undefined>;
  /** The engine's upscaleImage with a super-resolution model: PNG in, PNG `scale` times larger out. */
  upscale?: (png: Uint8Array, model: string, scale: number) => Promise<Uint8Array>;
}

const STATE_KEY = 'localDiffusion.generateImageHere';
const TITLE = 'Generate Image Here';
const CUSTOM = 'custom';

interface Remembered {
  prompt: string;
  targets: string[];
  custom: string;
  format: AssetFormat;
  transparent: boolean;
}

/** One file to write: its name in the folder and its bytes. */
interface RenderedAsset {
  fileName: string;
  size: AssetSize;
  bytes: Uint8Array;
}

const STEPS = 5;
/** Targets at most this much larger than the generation are resized with Lanczos alone. */
const UPSCALE_THRESHOLD = 1.1;

const FORMAT_DETAILS: Record<AssetFormat, string> = {
  png: 'Lossless, keeps transparency and the generation parameters',
  webp: 'Small files for the web (quality 90)',
  jpeg: 'Photos; no transparency (quality 90)',
};

export function registerGenerateImageHereCommand(deps: GenerateImageHereDeps): vscode.Disposable {
  return registerFailableCommand(Commands.generateImageHere, deps.log, (resource) =>
    generateImageHere(deps, resource instanceof vscode.Uri ? resource : undefined),
  );
}

async function generateImageHere(deps: GenerateImageHereDeps, resource: vscode.Uri | undefined): Promise<void> {
  const folder = await targetFolder(resource);
  if (!folder) return;
  const remembered = recall(deps.state);
  const where = displayPath(folder) || folder.path;

  const prompt = await vscode.window.showInputBox({
    title: `${TITLE} (1/${STEPS}): ${where}`,
    prompt: 'Describe the image',
    value: remembered.prompt,
    valueSelection: [0, remembered.prompt.length],
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Enter a prompt.'),
  });
  if (!prompt?.trim()) return;

  const sizes = await pickSizes(remembered);
  if (!sizes) return;

  const format = await pickFormat(remembered.format);
  if (!format) return;
  // PNG and WebP hold transparency: offer to cut the subject out (generate's removeBackground step).
  let transparent = false;
  let removeBackground: { model: string; preset?: string } | undefined;
  if (format !== 'jpeg' && deps.pickBackgroundModel) {
    const background = await pickBackground(remembered.transparent);
    if (background === undefined) return;
    transparent = background;
    if (transparent) {
      const model = await deps.pickBackgroundModel();
      if (!model) return;
      removeBackground = { model: model.path, ...(model.preset ? { preset: model.preset } : {}) };
    }
  }
  await deps.state.update(STATE_KEY, { prompt, targets: sizes.ids, custom: sizes.custom, format, transparent } satisfies Remembered);

  const several = sizes.sizes.length > 1;
  const extension = ASSET_FORMAT_EXTENSIONS[format];
  const baseName = await vscode.window.showInputBox({
    title: `${TITLE} (4/${STEPS}): File Name`,
    prompt: several ? `Each file is NAME-WIDTHxHEIGHT.${extension}; a taken name gets -2, -3, …` : `The file is NAME.${extension}; a taken name gets -2, -3, …`,
    value: promptSlug(prompt),
    ignoreFocusOut: true,
    validateInput: assetBaseNameProblem,
  });
  if (baseName === undefined || assetBaseNameProblem(baseName)) return;

  const seedText = await vscode.window.showInputBox({
    title: `${TITLE} (5/${STEPS}): Seed`,
    prompt: 'A whole number for a reproducible image; empty or -1 for a random one',
    value: '',
    placeHolder: 'random',
    ignoreFocusOut: true,
    validateInput: (value) => {
      const parsed = parseSeed(value);
      return 'error' in parsed ? parsed.error : undefined;
    },
  });
  if (seedText === undefined) return;
  const parsedSeed = parseSeed(seedText);
  if ('error' in parsedSeed) return;
  let seed = 'seed' in parsedSeed ? parsedSeed.seed.toString() : undefined;

  const info = await deps.generation.modelInfo();
  const plan = planAssetGenerations(sizes.sizes, { width: info.nativeWidth, height: info.nativeHeight, sizeMultiple: info.sizeMultiple });
  for (;;) {
    const settings = deps.settings();
    const rendered: RenderedAsset[] = [];
    for (const [index, generation] of plan.entries()) {
      const short = prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt;
      const part = plan.length > 1 ? ` (${index + 1}/${plan.length}, ${generation.size.width}×${generation.size.height})` : '';
      const result = await deps.generation.generate({
        title: `Generating "${short}" into ${where}${part}`,
        params: {
          task: 'txt2img',
          prompt,
          width: generation.size.width,
          height: generation.size.height,
          steps: settings.defaultSteps,
          guidanceScale: settings.defaultGuidanceScale,
          scheduler: settings.defaultScheduler,
          batchCount: 1,
          // Every aspect ratio with the same seed (the first job's when it was random), as the files' metadata says.
          ...(seed !== undefined ? { seed } : {}),
          ...(removeBackground ? { removeBackground } : {}),
        },
        // Kept in the generation history, written to the folder or not.
        history: { source: 'here' },
      });
      const image = result.images[0];
      if (!image) throw new Error('The engine returned no image.');
      seed = image.seed;
      // Targets larger than the generation: from the hires-fix upscaler setting's model when there is one (the best
      // upscaler available), Lanczos otherwise (renderAsset), then cover-cropped to the exact size.
      const upscaled = new Map<number, Promise<Uint8Array>>();
      for (const size of generation.targets) {
        const scale = Math.min(LIMITS.upscaleScale.max, Math.max(size.width / generation.size.width, size.height / generation.size.height));
        let source = image.png;
        if (scale > UPSCALE_THRESHOLD && settings.hiresUpscaler && deps.upscale) {
          const key = Math.ceil(scale * 100) / 100;
          let pending = upscaled.get(key);
          if (!pending) upscaled.set(key, (pending = deps.upscale(image.png, settings.hiresUpscaler, key)));
          source = await pending;
          deps.log.info(`${TITLE}: ${size.width}×${size.height} upscaled ×${key} with ${settings.hiresUpscaler}`);
        }
        const bytes = await renderAsset(source, size, format, image.parameters);
        rendered.push({ fileName: assetTargetFileName(baseName.trim(), size, extension, several), size, bytes });
      }
    }
    const choice = await previewAssets(rendered, where, plan.map((g) => g.targets[0] as AssetSize));
    if (choice === 'discard') return;
    if (choice === 'write') {
      await writeAssets(deps, folder, rendered);
      return;
    }
    seed = undefined; // a new random seed
  }
}

type PreviewChoice = 'write' | 'again' | 'discard';

/**
 * Opens the largest target of each aspect ratio in an editor (from a temporary folder) and asks what to do; the
 * preview tabs and files are gone afterwards, whatever the answer.
 */
async function previewAssets(rendered: readonly RenderedAsset[], where: string, shown: readonly AssetSize[]): Promise<PreviewChoice> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'local-diffusion-preview-'));
  const opened: vscode.Uri[] = [];
  try {
    for (const asset of rendered) {
      const file = vscode.Uri.file(path.join(dir, asset.fileName));
      await fs.writeFile(file.fsPath, asset.bytes);
      if (shown.includes(asset.size)) {
        await vscode.commands.executeCommand('vscode.open', file, { preview: false, preserveFocus: true, viewColumn: vscode.ViewColumn.Active });
        opened.push(file);
      }
    }
    const names = rendered.map((a) => a.fileName);
    const items: (vscode.QuickPickItem & { choice: PreviewChoice })[] = [
      {
        label: `Write ${rendered.length === 1 ? 'the File' : `${rendered.length} Files`}`,
        iconPath: new vscode.ThemeIcon('check'),
        description: `to ${where}`,
        detail: names.join(', '),
        choice: 'write',
      },
      { label: 'Generate Again with a New Seed', iconPath: new vscode.ThemeIcon('refresh'), choice: 'again' },
      { label: 'Discard', iconPath: new vscode.ThemeIcon('close'), choice: 'discard' },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: `${TITLE}: Preview`, placeHolder: 'Write these files?', ignoreFocusOut: true });
    return picked?.choice ?? 'discard';
  } finally {
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs);
    const previewTabs = tabs.filter((tab) => {
      const input = tab.input as { uri?: vscode.Uri } | undefined;
      return input?.uri !== undefined && opened.some((uri) => uri.toString() === input.uri?.toString());
    });
    if (previewTabs.length > 0) await vscode.window.tabGroups.close(previewTabs, true);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function writeAssets(deps: GenerateImageHereDeps, folder: vscode.Uri, rendered: readonly RenderedAsset[]): Promise<void> {
  const written: vscode.Uri[] = [];
  for (const asset of rendered) written.push(await writeImageNoOverwrite(folder, asset.fileName, asset.bytes));
  for (const uri of written) deps.log.info(`${TITLE}: wrote ${uri.toString(true)}`);
  const first = written[0];
  if (!first) return;
  await vscode.commands.executeCommand('revealInExplorer', first);
  const names = written.map((uri) => displayPath(uri));
  const message = written.length === 1 ? `Wrote ${names[0]}` : `Wrote ${written.length} files: ${names.join(', ')}`;
  const choice = await vscode.window.showInformationMessage(message, 'Open');
  if (choice === 'Open') await vscode.commands.executeCommand('vscode.open', first);
}

/** The folder from the Explorer (a file's parent when a file was clicked), or one picked in a dialog. */
async function targetFolder(resource: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  if (resource) {
    const stat = await vscode.workspace.fs.stat(resource);
    return stat.type & vscode.FileType.Directory ? resource : vscode.Uri.joinPath(resource, '..');
  }
  const picked = await vscode.window.showOpenDialog({
    title: `${TITLE}: Choose a Folder`,
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    openLabel: 'Generate Here',
  });
  return picked?.[0];
}

type SizeItem = vscode.QuickPickItem & { id: string };

async function pickSizes(remembered: Remembered): Promise<{ sizes: AssetSize[]; ids: string[]; custom: string } | undefined> {
  const items: SizeItem[] = [
    ...ASSET_TARGET_PRESETS.map((t) => ({ id: t.id, label: t.label, picked: remembered.targets.includes(t.id) })),
    {
      id: CUSTOM,
      label: 'Custom size…',
      description: remembered.custom || undefined,
      picked: remembered.targets.includes(CUSTOM),
    },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `${TITLE} (2/${STEPS}): Target Sizes`,
    // Short enough for a half-width window; the file comment and the README say one image per aspect ratio.
    placeHolder: 'Pick one or more sizes',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  if (!picked || picked.length === 0) return undefined;
  const sizes: AssetSize[] = [];
  let custom = remembered.custom;
  for (const item of picked) {
    const preset = ASSET_TARGET_PRESETS.find((t) => t.id === item.id);
    if (preset) {
      sizes.push({ width: preset.width, height: preset.height });
      continue;
    }
    const text = await vscode.window.showInputBox({
      title: `${TITLE}: Custom Size`,
      prompt: 'Width×height in pixels, e.g. 1920x1080 (one number for a square)',
      value: custom,
      ignoreFocusOut: true,
      validateInput: (value) => {
        const parsed = parseAssetSize(value);
        return 'error' in parsed ? parsed.error : undefined;
      },
    });
    if (text === undefined) return undefined;
    const parsed = parseAssetSize(text);
    if ('error' in parsed) return undefined;
    custom = text.trim();
    sizes.push(parsed);
  }
  return { sizes, ids: picked.map((p) => p.id), custom };
}

async function pickFormat(last: AssetFormat): Promise<AssetFormat | undefined> {
  const ordered = [last, ...ASSET_FORMATS.filter((f) => f !== last)];
  const picked = await vscode.window.showQuickPick(
    ordered.map((format) => ({ label: format.toUpperCase(), description: FORMAT_DETAILS[format], format })),
    { title: `${TITLE} (3/${STEPS}): Format`, ignoreFocusOut: true },
  );
  return picked?.format;
}

/** Keep the background, or cut the subject out (true); undefined: cancelled. */
async function pickBackground(lastTransparent: boolean): Promise<boolean | undefined> {
  const items = [
    { label: 'Keep the Background', transparent: false },
    { label: 'Transparent Background', description: 'cut the subject out with a background-removal model', transparent: true },
  ];
  const picked = await vscode.window.showQuickPick(lastTransparent ? [items[1]!, items[0]!] : items, {
    title: `${TITLE}: Background`,
    ignoreFocusOut: true,
  });
  return picked?.transparent;
}

function recall(state: vscode.Memento): Remembered {
  const stored = state.get<Partial<Remembered>>(STATE_KEY) ?? {};
  return {
    prompt: typeof stored.prompt === 'string' ? stored.prompt : '',
    targets: Array.isArray(stored.targets) ? stored.targets.filter((t): t is string => typeof t === 'string') : ['icon-512'],
    custom: typeof stored.custom === 'string' ? stored.custom : '',
    format: ASSET_FORMATS.includes(stored.format as AssetFormat) ? (stored.format as AssetFormat) : 'png',
    transparent: stored.transparent === true,
  };
}
