// ONNX Runtime's native logger writes to stderr; the CLI shows only its own messages unless --verbose.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isOrtLogLine } from '../../src/common/ortLogLevel';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist', 'cli.js');

describe('ONNX Runtime log level (CLI)', function () {
  this.timeout(120_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-ortlog-'));
    // A HOME under a regular file: ORT cannot persist its telemetry device id there and warns
    // ("[W:onnxruntime:… telemetry.cc:800] Failed to persist telemetry device ID"), even as root.
    const file = path.join(dir, 'not-a-folder');
    fs.writeFileSync(file, '');
    env = { ...process.env, HOME: path.join(file, 'home'), XDG_CACHE_HOME: path.join(file, 'cache') };
    delete env.LOCAL_DIFFUSION_ORT_LOG_LEVEL;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const generate = (extra: string[], level?: string): { status: number | null; stderr: string } => {
    const args = [cli, 'generate', '--model', path.join(root, 'models', 'tiny-shapes'), '--prompt', 'a star', '--seed', '1', '--steps', '2'];
    const r = spawnSync(process.execPath, [...args, '--out', path.join(dir, `x${extra.length}${level ?? ''}.png`), ...extra], { encoding: 'utf8', timeout: 60_000, env: level ? { ...env, LOCAL_DIFFUSION_ORT_LOG_LEVEL: level } : env });
    return { status: r.status, stderr: r.stderr };
  };

  it('writes no onnxruntime line to stderr by default, and ORT warnings with --verbose', () => {
    const quiet = generate([]);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.deepEqual(quiet.stderr.split('\n').filter((l) => /onnxruntime/i.test(l)), []);
    // At ORT's own verbose level it always writes (session set-up lines), so the quiet run above is not quiet by luck.
    // Whether the telemetry warning itself appears depends on the machine (it did here, not in CI's environment).
    const loud = generate([], 'verbose');
    assert.equal(loud.status, 0, loud.stderr);
    assert.match(loud.stderr, /onnxruntime/, 'ORT writes to stderr at the raised level');
    // The extension host logs these lines at debug by their shape (isOrtLogLine): every line ORT writes has it.
    const ortLines = loud.stderr.split('\n').filter((l) => /onnxruntime/.test(l));
    assert.ok(ortLines.length > 0);
    for (const line of ortLines) assert.ok(isOrtLogLine(line), `an ORT line the host would not recognise: ${line}`);
    const verbose = generate(['--verbose']);
    assert.equal(verbose.status, 0, verbose.stderr);
  });
});
