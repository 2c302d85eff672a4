// A picker choice as a QuickPick row that carries it: a 'separator' choice becomes a separator row, any other its
// label with the description and detail it has.
import * as vscode from 'vscode';

/** What a choice needs to show as a row (ModelChoice, ImageToolChoice). */
export interface PickerChoice {
  kind: string;
  label: string;
  description?: string;
  detail?: string;
}

export type ChoiceQuickPickItem<C> = vscode.QuickPickItem & { choice: C };

export function choiceQuickPickItem<C extends PickerChoice>(choice: C): ChoiceQuickPickItem<C> {
  if (choice.kind === 'separator') return { choice, label: choice.label, kind: vscode.QuickPickItemKind.Separator };
  return {
    choice,
    label: choice.label,
    ...(choice.description !== undefined ? { description: choice.description } : {}),
    ...(choice.detail !== undefined ? { detail: choice.detail } : {}),
  };
}
