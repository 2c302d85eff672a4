// Runs first (files run in name order): the extension must still be asleep when the suite starts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { canListEngineProcesses, engineProcessIds } from './engineProcesses';
import { contributedCommands, localDiffusionExtension } from './localDiffusionExtension';

describe('Activation', () => {
  it('is lazy: not active, no command registered and no engine process before a command runs', async function () {
    if (localDiffusionExtension().isActive) {
      // Only when this file runs after others (a grep or a reordered run), never in the full suite.
      this.skip();
    }
    const registered = new Set(await vscode.commands.getCommands(true));
    const commands = contributedCommands();
    assert.ok(commands.length >= 6, `package.json contributes ${commands.length} commands`);
    assert.deepEqual(commands.filter((c) => registered.has(c)), []);
    if (canListEngineProcesses()) assert.deepEqual(engineProcessIds(), []);
  });

  it('activates on its first command and then registers every command in package.json', async () => {
    await vscode.commands.executeCommand('localDiffusion.showLog');
    assert.equal(localDiffusionExtension().isActive, true);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributedCommands().filter((c) => !registered.has(c)), []);
    // Activation alone starts no engine: it starts on the first job.
    if (canListEngineProcesses()) assert.deepEqual(engineProcessIds(), []);
  });
});
