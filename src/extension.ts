// Entry point: one composition root per activation; deactivate waits for the engine to shut down.
import type * as vscode from 'vscode';
import { LocalDiffusion } from './localDiffusion';

let root: LocalDiffusion | undefined;

export function activate(context: vscode.ExtensionContext): void {
  root = new LocalDiffusion(context);
  context.subscriptions.push(root);
}

export async function deactivate(): Promise<void> {
  const current = root;
  root = undefined;
  await current?.shutdown();
}
