import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENGINE_VERSION } from '../../src/common/version';

describe('engine version', () => {
  it('equals package.json version', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string };
    assert.equal(ENGINE_VERSION, pkg.version);
  });
});
