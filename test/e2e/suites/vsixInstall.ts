// The packaged extension, as a user who installed it from a file meets it (issue 8): the host platform's VSIX
// (linux-x64 here) is built by tools/packageVsix.ts (production build) or taken from LOCAL_DIFFUSION_VSIX,
// installed with `code-server --install-extension FILE.vsix --extensions-dir E`, and code-server starts on that
// extensions dir with no extension under development. Then: palette → "Local Diffusion: Generate Image" → type a
// prompt → Generate → wait for the result → Save → a PNG with the A1111 `parameters` chunk in generated/.
// The whole run is offline (EXTENSIONS_GALLERY='{}', no network here) and nothing is written into the
// installed extension (no CUDA download: its binding folder holds exactly what the VSIX shipped).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { parseA1111Parameters } from '../../../src/common/metadata/a1111Parameters';
import { readPngTextChunks } from '../../../src/node/image/pngTextChunks';
import { VsixContents } from '../../../tools/vsix/vsixContents';
import { runPaletteCommand, webviewFrame } from '../browser';
import type { E2eContext, E2eSuite } from '../e2eSuite';
import { uiScenarioSuite, type UiScenario } from '../uiScenarioSuite';
import { EXTENSION_TEST_SETTINGS } from './extensionHostTests';

/** An already built VSIX to install instead of packaging one (e.g. the product of `npm run package` in CI). */
export const VSIX_ENV = 'LOCAL_DIFFUSION_VSIX';

const EXTENSION_ID = 'local-diffusion.local-diffusion';
const PROMPT = 'a red circle on the left';
const SEED = 42;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const INSTALL_TIMEOUT_MS = 2 * 60_000;
const PACKAGE_TIMEOUT_MS = 5 * 60_000;

interface InstalledVsix {
  vsix: string;
  /** The extensions dir holding only the installed VSIX. */
  extensionsDir: string;
  /** <extensionsDir>/local-diffusion.local-diffusion-<version>. */
  extensionDir: string;
  /** Files under the installed onnxruntime-node binding folder right after the install. */
  bindingFiles: string[];
}

export function vsixInstallSuite(options: { name: string; optIn?: boolean } = { name: 'vsix-install' }): E2eSuite {
  return {
    name: options.name,
    optIn: options.optIn,
    async run(context: E2eContext) {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-vsix-'));
      try {
        const vsix = process.env[VSIX_ENV] ? path.resolve(process.env[VSIX_ENV]) : packageHostVsix(context, root);
        const installed = installVsix(context, vsix, root);
        // The last --extensions-dir wins (code-server's parser): the one holding the installed VSIX.
        return await uiScenarioSuite({
          name: options.name,
          settings: EXTENSION_TEST_SETTINGS,
          codeServerArgs: ['--extensions-dir', installed.extensionsDir],
          scenarios: scenarios(installed),
        }).run(context);
      } finally {
        fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
      }
    },
  };
}

/** `${platform}-${arch}` of this machine: the VSIX code-server here can run. */
function hostTarget(): string {
  return `${process.platform}-${process.arch}`;
}

/** Runs the packaging script for the host's target (production build), then puts the development build back. */
function packageHostVsix(context: E2eContext, root: string): string {
  const started = Date.now();
  const outDir = path.join(root, 'vsix');
  const script = path.join(context.repoRoot, 'dist', 'tools', 'packageVsix.js');
  try {
    run(process.execPath, [script, '--target', hostTarget(), '--out', outDir, '--staging', path.join(root, 'staging')], context.repoRoot, PACKAGE_TIMEOUT_MS);
  } finally {
    // The production build replaced dist/ (minified, no maps): put the development build back for what runs next.
    try {
      run(process.execPath, ['esbuild.mjs'], context.repoRoot, PACKAGE_TIMEOUT_MS);
    } catch (error) {
      context.log(`  (could not rebuild dist/ for development: ${(error as Error).message.split('\n')[0]})`);
    }
  }
  const files = fs.readdirSync(outDir).filter((f) => f.endsWith('.vsix'));
  assert.equal(files.length, 1, `one VSIX in ${outDir}: ${files.join(', ')}`);
  const vsix = path.join(outDir, files[0]!);
  context.log(`  packaged ${files[0]} (${(fs.statSync(vsix).size / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return vsix;
}

/** `code-server --install-extension FILE.vsix --extensions-dir E`, with a HOME and user-data-dir of its own. */
function installVsix(context: E2eContext, vsix: string, root: string): InstalledVsix {
  const started = Date.now();
  assert.ok(VsixContents.open(vsix).manifest().name, `${vsix} is a VSIX`);
  const home = path.join(root, 'install-home');
  const extensionsDir = path.join(root, 'extensions');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const output = run(
    context.setup.codeServerBin,
    ['--user-data-dir', path.join(root, 'install-data'), '--extensions-dir', extensionsDir, '--install-extension', vsix],
    root,
    INSTALL_TIMEOUT_MS,
    { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share'), EXTENSIONS_GALLERY: '{}' },
  );
  assert.match(output, /was successfully installed/, output);
  const folders = fs.readdirSync(extensionsDir).filter((f) => f.startsWith(`${EXTENSION_ID}-`));
  assert.equal(folders.length, 1, `one installed folder in ${extensionsDir}: ${fs.readdirSync(extensionsDir).join(', ')}`);
  const extensionDir = path.join(extensionsDir, folders[0]!);
  const bindingFiles = listBindingFiles(extensionDir);
  assert.ok(bindingFiles.includes('onnxruntime_binding.node'), `installed binding: ${bindingFiles.join(', ')}`);
  context.log(`  installed ${path.basename(vsix)} into ${folders[0]} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { vsix, extensionsDir, extensionDir, bindingFiles };
}

function listBindingFiles(extensionDir: string): string[] {
  const dir = path.join(extensionDir, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', process.platform, process.arch);
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

function run(command: string, args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`\`${path.basename(command)} ${args.join(' ')}\` failed (${result.error?.message ?? `exit ${result.status}`}):\n${output.slice(-4000)}`);
  return output;
}

async function waitForFile(dir: string, accept: (name: string) => boolean, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = fs.existsSync(dir) ? fs.readdirSync(dir).filter(accept) : [];
    if (found.length > 0) return path.join(dir, found[0]!);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no file appeared in ${dir} within ${timeoutMs} ms`);
}

/** The scenarios, given the installed VSIX they check. */
function scenarios(installed: InstalledVsix): UiScenario[] {
  return [
    {
      name: 'generate-and-save',
      timeoutMs: 4 * 60_000,
      async run({ page, workspace, screenshot, log }) {
        await runPaletteCommand(page, 'Local Diffusion: Generate Image', { timeoutMs: 60_000 });
        const frame = webviewFrame(page);
        // The built-in model, read by the installed extension's engine (its native size arrives from the engine).
        await frame.locator('.model-name').filter({ hasText: '(built-in)' }).waitFor({ timeout: 60_000 });
        await frame.locator('.model-note').filter({ hasText: /native \d+×\d+/ }).waitFor({ timeout: 60_000 });
        await frame.locator('#prompt').fill(PROMPT);
        await frame.locator('#seed-mode').selectOption('fixed');
        await frame.locator('#seed').fill(String(SEED));
        await frame.locator('#generate').click();

        const card = frame.locator('figure.result').first();
        await card.waitFor({ timeout: 120_000 });
        assert.match((await card.locator('.result-meta').textContent()) ?? '', new RegExp(`seed ${SEED}\\b`));
        await card.locator('button[data-action="saveToWorkspace"]').click();
        await card.locator('.result-saved').filter({ hasText: /Saved: .*generated.*\.png/ }).waitFor({ timeout: 30_000 });

        const file = await waitForFile(path.join(workspace, 'generated'), (name) => name.endsWith('.png') && !name.startsWith('.'), 30_000);
        log(`saved ${path.relative(workspace, file)}`);
        assert.match(path.basename(file), new RegExp(`-${SEED}\\.png$`));
        const png = fs.readFileSync(file);
        assert.deepEqual(png.subarray(0, PNG_SIGNATURE.length), PNG_SIGNATURE, 'a PNG');
        const chunk = readPngTextChunks(png).find((c) => c.keyword === 'parameters');
        assert.ok(chunk, 'the PNG has an A1111 parameters chunk');
        const parameters = parseA1111Parameters(chunk.text);
        assert.equal(parameters.prompt, PROMPT);
        assert.equal(parameters.seed, SEED);
        const { width, height } = await sharp(png).metadata();
        assert.equal(parameters.width, width);
        assert.equal(parameters.height, height);

        // Offline: the run wrote nothing into the installed extension (no provider download next to the binding).
        assert.deepEqual(listBindingFiles(installed.extensionDir), installed.bindingFiles);
        // For the screenshot: the Explorer shows the new folder once its file watcher reports it (not asserted here:
        // the UI suite checks the Explorer).
        await page
          .locator('.explorer-folders-view .monaco-list-row[aria-label^="generated"]')
          .waitFor({ timeout: 10_000 })
          .catch(() => log('(generated/ not shown in the Explorer yet)'));
        await screenshot('final');
      },
    },
  ];
}
