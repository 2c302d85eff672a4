// "Local Diffusion: Set Hugging Face Token…": stores an access token for gated and private repos in VS Code's
// SecretStorage (the OS keychain); an empty entry removes it.
import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { HuggingFaceTokenStore } from '../models/huggingFaceTokenStore';
import { registerFailableCommand } from '../util/failableCommand';
import type { Log } from '../util/log';

export function registerSetHuggingFaceTokenCommand(tokens: HuggingFaceTokenStore, log: Log): vscode.Disposable {
  return registerFailableCommand(Commands.setHuggingFaceToken, log, async () => {
    const stored = await tokens.hasStored();
    const value = await vscode.window.showInputBox({
      title: 'Hugging Face Access Token',
      prompt: stored
        ? 'A token is stored. Enter a new one, or clear the box and press Enter to remove it.'
        : 'For gated or private models: create a "read" token at https://huggingface.co/settings/tokens (and accept the model’s licence on its page). It is kept in the OS keychain.',
      placeHolder: 'hf_…',
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (/\s/.test(text.trim()) ? 'A token has no spaces.' : undefined),
    });
    if (value === undefined) return;
    if (value.trim() === '') {
      if (stored) {
        await tokens.delete();
        log.info('Hugging Face token removed.');
        void vscode.window.showInformationMessage('The Hugging Face token was removed.');
      }
      return;
    }
    await tokens.set(value);
    log.info('Hugging Face token stored in the secret storage.');
    void vscode.window.showInformationMessage('The Hugging Face token is stored; gated downloads will use it.');
  });
}
