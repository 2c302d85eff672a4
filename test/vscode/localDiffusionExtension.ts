// The extension under test, seen from its extension host: its manifest, its activation state and the small API
// that activate() returns (src/host/extension.ts LocalDiffusionApi: the engine client and the generation service).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LocalDiffusionApi } from '../../src/host/extension';

export const EXTENSION_ID = 'local-diffusion.local-diffusion';

interface Manifest {
  contributes: { commands: { command: string; title: string; category?: string }[] };
}

export function localDiffusionExtension(): vscode.Extension<LocalDiffusionApi> {
  const extension = vscode.extensions.getExtension<LocalDiffusionApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
  return extension;
}

/** Every command id in package.json contributes.commands. */
export function contributedCommands(): string[] {
  return (localDiffusionExtension().packageJSON as Manifest).contributes.commands.map((c) => c.command);
}

/** The API, activating the extension when a test runs on its own (e.g. with LOCAL_DIFFUSION_VSCODE_GREP). */
export async function activatedApi(): Promise<LocalDiffusionApi> {
  const extension = localDiffusionExtension();
  const api = extension.isActive ? extension.exports : await extension.activate();
  assert.ok(api?.generation && api.engine, 'activate() returned no API');
  return api;
}

/** Closes every notification toast (earlier tests' errors would cover the webviews' buttons). */
export async function clearNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
}
