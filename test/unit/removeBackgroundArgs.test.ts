// `generate --remove-background M [--background-preset NAME]` on the command line.
import * as assert from 'node:assert/strict';
import { parseCliArgs, UsageError, type GenerateCommand } from '../../src/cli/cliArgs';

const BASE = ['generate', '--model', 'm', '--prompt', 'p', '--out', 'o.png'];

describe('generate --remove-background', () => {
  it('takes a model and an optional preset', () => {
    const cmd = parseCliArgs([...BASE, '--remove-background', 'models/rmbg', '--background-preset', 'rmbg']) as GenerateCommand;
    assert.deepEqual([cmd.removeBackground, cmd.backgroundPreset], ['models/rmbg', 'rmbg']);
    assert.equal((parseCliArgs(BASE) as GenerateCommand).removeBackground, undefined);
  });

  it('refuses an empty model and a preset without a model', () => {
    assert.throws(() => parseCliArgs([...BASE, '--remove-background', '']), (e: unknown) => e instanceof UsageError && /--remove-background needs/.test(e.message));
    assert.throws(() => parseCliArgs([...BASE, '--background-preset', 'rmbg']), (e: unknown) => e instanceof UsageError && /--background-preset needs --remove-background/.test(e.message));
  });
});
