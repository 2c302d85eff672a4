import * as assert from 'node:assert/strict';
import { parseCliArgs, UsageError } from '../../src/cli/cliArgs';

describe('CLI arguments: models', () => {
  it('parses models pull and models list', () => {
    assert.deepEqual(parseCliArgs(['models', 'pull', 'sd-turbo']), { command: 'models-pull', model: 'sd-turbo', acceptLicense: false, json: false });
    assert.deepEqual(
      parseCliArgs(['models', 'pull', 'o/n', '--revision', 'fp32', '--subfolder', 'onnx', '--models-dir', '/m', '--accept-license', '--json']),
      { command: 'models-pull', model: 'o/n', revision: 'fp32', subfolder: 'onnx', modelsDir: '/m', acceptLicense: true, json: true },
    );
    assert.deepEqual(parseCliArgs(['models', 'list']), { command: 'models-list', json: false });
    assert.deepEqual(parseCliArgs(['models', 'list', '--models-dir', '/m', '--json']), { command: 'models-list', modelsDir: '/m', json: true });
  });

  it('generate and info take --models-dir (only present when given)', () => {
    assert.deepEqual(parseCliArgs(['info', '--model', 'sd-turbo', '--models-dir', '/m']), { command: 'info', model: 'sd-turbo', json: false, modelsDir: '/m' });
    const generate = parseCliArgs(['generate', '--model', 'sd-turbo', '--models-dir', '/m', '--prompt', 'p', '--out', 'x.png']);
    assert.equal(generate.command === 'generate' && generate.modelsDir, '/m');
  });

  const bad: [string[], RegExp][] = [
    [['models'], /needs a subcommand: pull or list/],
    [['models', 'remove', 'x'], /Unknown models subcommand "remove"/],
    [['models', 'pull'], /needs one model/],
    [['models', 'pull', 'a/b', 'c/d'], /needs one model/],
    [['models', 'pull', 'a/b', '--colour', 'red'], /colour/],
    [['models', 'list', 'extra'], /positional/i],
    [['models', 'list', '--models-dir', ''], /--models-dir needs a folder/],
    [['paint'], /use generate, info or models/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.join(' ')}`, () => {
      assert.throws(() => parseCliArgs(argv), (e: unknown) => e instanceof UsageError && message.test(e.message));
    });
  }
});
