// The `local-diffusion` task type: `local-diffusion build` (dist/cli.js, run by VS Code's own Node runtime or
// localDiffusion.nodePath) as a VS Code task, one "build" and one "check" task per spec of the workspace, with the
// `$local-diffusion` problem matcher (package.json contributes.problemMatchers) reading the CLI's
// `error: FILE:LINE:COLUMN: …` lines of a bad spec. tasks.json may configure its own:
//   { "type": "local-diffusion", "spec": "local-diffusion.json", "check": true }
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LocalDiffusionSettings } from '../settings';
import { ASSET_SPEC_EXCLUDE_GLOB, ASSET_SPEC_GLOB } from './assetWorkspace';

export const ASSET_TASK_TYPE = 'local-diffusion';
export const ASSET_PROBLEM_MATCHER = '$local-diffusion';

/** package.json contributes.taskDefinitions[type=local-diffusion]. */
export interface AssetTaskDefinition extends vscode.TaskDefinition {
  type: typeof ASSET_TASK_TYPE;
  /** The spec, relative to the workspace folder (default: local-diffusion.json). */
  spec?: string;
  check?: boolean;
  force?: boolean;
  only?: string[];
}

export interface AssetTaskDeps {
  extensionPath: string;
  settings: () => LocalDiffusionSettings;
  modelsFolder: () => string;
}

/** The CLI's arguments for a task definition (without the runtime and dist/cli.js). */
export function assetTaskArguments(definition: AssetTaskDefinition, settings: Pick<LocalDiffusionSettings, 'executionProvider'>, modelsFolder: string): string[] {
  const args = ['build'];
  if (definition.spec) args.push(definition.spec);
  if (definition.check) args.push('--check');
  if (definition.force) args.push('--force');
  for (const output of definition.only ?? []) args.push('--only', output);
  // The extension's models folder and provider, so the task resolves catalog ids as the Image Assets view does.
  args.push('--models-dir', modelsFolder, '--ep', settings.executionProvider);
  return args;
}

export class AssetTaskProvider implements vscode.TaskProvider {
  constructor(private readonly deps: AssetTaskDeps) {}

  async provideTasks(): Promise<vscode.Task[]> {
    const tasks: vscode.Task[] = [];
    // The files as they are now (no inspection needed: the CLI reads the spec itself).
    const files = (await vscode.workspace.findFiles(ASSET_SPEC_GLOB, ASSET_SPEC_EXCLUDE_GLOB)).filter((uri) => uri.scheme === 'file');
    files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    for (const uri of files) {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (!folder) continue;
      const spec = path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/');
      for (const check of [false, true]) {
        const definition: AssetTaskDefinition = { type: ASSET_TASK_TYPE, spec, ...(check ? { check: true } : {}) };
        const task = this.task(definition, folder);
        if (!check) task.group = vscode.TaskGroup.Build;
        tasks.push(task);
      }
    }
    return tasks;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const definition = task.definition as AssetTaskDefinition;
    if (definition.type !== ASSET_TASK_TYPE) return undefined;
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    return this.task(definition, folder);
  }

  private task(definition: AssetTaskDefinition, folder: vscode.WorkspaceFolder): vscode.Task {
    const settings = this.deps.settings();
    const runtime = settings.nodePath.trim() || process.execPath;
    const cli = path.join(this.deps.extensionPath, 'dist', 'cli.js');
    const execution = new vscode.ProcessExecution(runtime, [cli, ...assetTaskArguments(definition, settings, this.deps.modelsFolder())], {
      cwd: folder.uri.fsPath,
      // VS Code's runtime is Electron: this makes it plain Node (as for the engine process).
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    const name = `${definition.check ? 'check' : 'build'} ${definition.spec ?? 'local-diffusion.json'}`;
    return new vscode.Task(definition, folder, name, ASSET_TASK_TYPE, execution, [ASSET_PROBLEM_MATCHER]);
  }
}
