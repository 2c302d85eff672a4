// "Local Diffusion: Generate Image Here" (Explorer context menu on a folder): prompt, one or more target sizes,
// a format; generates once at the model's native size, then resizes/crops to each exact target with sharp and
// writes the files into the folder (never overwriting), then reveals them in the Explorer.
import * as vscode from 'vscode';
import {
  ASSET_FORMATS,
  ASSET_TARGET_PRESETS,
  assetFileName,
  parseAssetSize,
  type AssetFormat,
  type AssetSize,
} from '../assets/assetTargets';
import { renderAsset } from '../assets/renderAsset';
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
}

const STATE_KEY = 'localDiffusion.generateImageHere';
const TITLE = 'Generate Image Here';
const CUSTOM = 'custom';

interface Remembered {
  prompt: string;
  targets: string[];
  custom: string;
  format: AssetFormat;
}

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
    title: `${TITLE} (1/3): ${where}`,
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
  await deps.state.update(STATE_KEY, { prompt, targets: sizes.ids, custom: sizes.custom, format } satisfies Remembered);

  const info = await deps.generation.modelInfo();
  const settings = deps.settings();
  const result = await deps.generation.generate({
    title: `Generating "${prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt}" into ${where}`,
    params: {
      task: 'txt2img',
      prompt,
      width: info.nativeWidth,
      height: info.nativeHeight,
      steps: settings.defaultSteps,
      guidanceScale: settings.defaultGuidanceScale,
      scheduler: settings.defaultScheduler,
      batchCount: 1,
    },
    history: { source: 'here' },
  });
  const image = result.images[0];
  if (!image) throw new Error('The engine returned no image.');

  const written: vscode.Uri[] = [];
  for (const size of sizes.sizes) {
    const bytes = await renderAsset(image.png, size, format, image.parameters);
    written.push(await writeImageNoOverwrite(folder, assetFileName(prompt, image.seed, size, format), bytes));
  }
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
    title: `${TITLE} (2/3): Target Sizes`,
    placeHolder: 'One or more sizes; one image is generated and cropped/resized to each',
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
    { title: `${TITLE} (3/3): Format`, ignoreFocusOut: true },
  );
  return picked?.format;
}

function recall(state: vscode.Memento): Remembered {
  const stored = state.get<Partial<Remembered>>(STATE_KEY) ?? {};
  return {
    prompt: typeof stored.prompt === 'string' ? stored.prompt : '',
    targets: Array.isArray(stored.targets) ? stored.targets.filter((t): t is string => typeof t === 'string') : ['icon-512'],
    custom: typeof stored.custom === 'string' ? stored.custom : '',
    format: ASSET_FORMATS.includes(stored.format as AssetFormat) ? (stored.format as AssetFormat) : 'png',
  };
}
