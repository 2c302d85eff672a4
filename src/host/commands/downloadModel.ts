// "Local Diffusion: Download Model…": a catalog model (with its licence, size and status) or any Hugging Face
// repo; on an installed model it checks the Hub for a newer commit. Called with an argument (a catalog id or
// "owner/name[@revision][:subfolder]"), it downloads that one without asking which.
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { catalogSource, type CatalogEntry } from '../../node/modelStore/catalog';
import { modelSettingValue } from '../../node/modelStore/modelReference';
import { sameSource, type ModelSource } from '../../node/modelStore/modelSource';
import { licenceLabel, unverifiedNote } from '../models/modelChoices';
import { registerFailableCommand } from '../util/failableCommand';
import { askForRepo, sourceForValue, useModel, type SelectModelDeps } from './selectModel';

type Item = vscode.QuickPickItem & ({ entry: CatalogEntry } | { other: true });

export function registerDownloadModelCommand(deps: SelectModelDeps): vscode.Disposable {
  return registerFailableCommand(Commands.downloadModel, deps.log, (arg?: unknown) => downloadModel(deps, arg));
}

async function pickSource(deps: SelectModelDeps): Promise<ModelSource | undefined> {
  const { installed } = await deps.library.listInstalled();
  const entries = deps.library.catalog?.models ?? [];
  const items: Item[] = entries.map((entry) => {
    const isInstalled = installed.some((m) => sameSource(m.source, catalogSource(entry)));
    return {
      entry,
      label: `${isInstalled ? '$(check)' : '$(cloud-download)'} ${entry.name}`,
      description: `${licenceLabel(entry)}${unverifiedNote(entry, entries)}${isInstalled ? ' · downloaded (check for an update)' : ''}`,
      detail: entry.note,
    };
  });
  items.push({ other: true, label: '$(globe) Other Hugging Face Repo…', detail: 'owner/name[@revision][:subfolder] of a diffusers ONNX export' });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Local Diffusion: Download Model',
    // Short enough for a half-width window (the confirmation says the rest: size, licence, verification).
    placeHolder: 'Checked by hash; resumes if stopped',
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  if ('entry' in picked) return catalogSource(picked.entry);
  return askForRepo(entries.map((e) => e.id));
}

async function downloadModel(deps: SelectModelDeps, arg?: unknown): Promise<void> {
  let source: ModelSource | undefined;
  if (typeof arg === 'string' && arg.trim() !== '') {
    source = sourceForValue(deps, arg);
    if (!source) throw new Error(`"${arg}" is neither a catalog id nor a Hugging Face repo id (owner/name[@revision][:subfolder]).`);
  } else {
    source = await pickSource(deps);
  }
  if (!source) return;
  const model = await deps.library.download(source);
  if (!model) return;
  const name = deps.library.entryFor(model.source)?.name ?? model.source.repoId;
  const choice = await vscode.window.showInformationMessage(`${name} is downloaded and verified.`, 'Use This Model');
  if (choice === 'Use This Model') await useModel(deps, model.dir, modelSettingValue(model.source, deps.library.catalog));
}
