import type * as vscode from 'vscode';
import { Commands } from '../constants';
import type { GenerationService } from '../jobs/generationService';
import { registerFailableCommand } from '../util/failableCommand';
import type { Log } from '../util/log';

/** "Local Diffusion: Cancel Generation": cancels every running job (panel, inpaint editor, assets). */
export function registerCancelGenerationCommand(generation: GenerationService, log: Log): vscode.Disposable {
  return registerFailableCommand(Commands.cancelGeneration, log, () => {
    if (generation.isRunning) generation.cancelAll();
  });
}
