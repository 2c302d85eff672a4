// Entry point: one composition root per activation; deactivate waits for the engine to shut down.
import type * as vscode from 'vscode';
import type { EngineClient } from './engineClient/engineClient';
import type { GenerationService } from './jobs/generationService';
import type { HistoryStore } from './history/historyStore';
import { LocalDiffusion } from './localDiffusion';

/**
 * What activate() returns (vscode.extensions.getExtension(EXTENSION_ID).exports): the services that the
 * extension-host tests (test/vscode) drive and observe. Not a stable API for other extensions.
 */
export interface LocalDiffusionApi {
  readonly engine: EngineClient;
  readonly generation: GenerationService;
  /** Every kept generation (src/host/history/historyStore.ts). */
  readonly history: HistoryStore;
}

let root: LocalDiffusion | undefined;

export function activate(context: vscode.ExtensionContext): LocalDiffusionApi {
  root = new LocalDiffusion(context);
  context.subscriptions.push(root);
  return root;
}

export async function deactivate(): Promise<void> {
  const current = root;
  root = undefined;
  await current?.shutdown();
}
