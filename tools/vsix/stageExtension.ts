// One staging folder per VSIX target: exactly what the installed extension needs at run time, laid out as the
// extension folder will be. vsce then packs it (with .vscodeignore as the last filter).
//   package.json     the manifest without scripts and devDependencies (vsce runs no npm script, the VSIX has none)
//   README.md, CHANGELOG.md, LICENSE, .vscodeignore
//   dist/            the bundles (extension, engine, cli, webview pages), no source maps, no tools
//   media/           styles and the icon
//   models/<name>/   the built-in model the extension names (BUILT_IN_MODEL_NAME: the trained tiny-shapes; the
//                    analytic test models stay out), and files directly under models/ that a bundle names (read
//                    at run time, e.g. catalog.json)
//   node_modules/    the runtime closure for this target: onnxruntime-node with only this platform's binding,
//                    sharp with only this platform's @img packages, and their JavaScript dependencies
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILT_IN_MODEL_NAME } from '../../src/host/models/modelResolver';
import { ensureSharpNatives } from './foreignSharpPackages';
import { collectRuntimePackages, readPackageManifest, type PackageManifest, type RuntimePackage } from './runtimeDependencies';
import { ortBindingDir, ortFileShips, type VsixTarget } from './vsixTargets';

export const ORT_PACKAGE = 'onnxruntime-node';
/** Files the manifest's store page needs next to package.json. */
export const TOP_LEVEL_FILES = ['README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore'] as const;
const MODELS_FOLDER = 'models';
const MODEL_INDEX = 'model_index.json';
/** The bundles that run in the installed extension (package.json main, the engine child process, the CLI). */
const RUNTIME_BUNDLES = ['dist/extension.js', 'dist/engine.js', 'dist/cli.js'] as const;
/** Manifest fields that mean nothing inside an installed extension. */
const DROPPED_MANIFEST_FIELDS = ['scripts', 'devDependencies'] as const;

export interface StageOptions {
  repoRoot: string;
  target: VsixTarget;
  /** Emptied and filled. */
  stagingDir: string;
  log: (line: string) => void;
}

export interface StagedExtension {
  dir: string;
  packages: RuntimePackage[];
  /** Built-in model folder names, e.g. ['tiny-shapes']. */
  models: string[];
  /** Files directly under models/ that ship because a bundle reads them (e.g. catalog.json). */
  modelDataFiles: string[];
}

/** Thrown when a dependency has no binary for the target; packageVsix reports it as "not built". */
export class UnsupportedTargetError extends Error {}

/** onnxruntime-node's binding for `target` in the project's node_modules, or why there is none. */
export function ortBindingFor(repoRoot: string, target: VsixTarget): { dir: string } | { missing: string } {
  const root = path.join(repoRoot, 'node_modules', ORT_PACKAGE);
  const { version } = readPackageManifest(root);
  const dir = path.join(root, ...ortBindingDir(target).split('/'));
  if (fs.existsSync(path.join(dir, 'onnxruntime_binding.node'))) return { dir };
  return { missing: `${ORT_PACKAGE} ${version} ships no binding for ${target.os}/${target.cpu}` };
}

/**
 * The built-in models that ship: the folders under models/ named in `shipped` (default: the one the extension uses
 * when no model is chosen) that hold a model_index.json. Test models (models/analytic-shapes) stay out.
 */
export function builtInModels(repoRoot: string, shipped: readonly string[] = [BUILT_IN_MODEL_NAME]): string[] {
  const dir = path.join(repoRoot, MODELS_FOLDER);
  return shipped.filter((name) => fs.existsSync(path.join(dir, name, MODEL_INDEX))).sort();
}

/**
 * Data files directly under models/ (e.g. catalog.json) that a bundle names, so that the extension, the engine or
 * the CLI reads them at run time; the others stay out.
 */
export function runtimeModelDataFiles(repoRoot: string, bundles: readonly string[] = RUNTIME_BUNDLES): string[] {
  const dir = path.join(repoRoot, MODELS_FOLDER);
  if (!fs.existsSync(dir)) return [];
  const code = bundles
    .map((b) => path.join(repoRoot, b))
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && code.includes(e.name))
    .map((e) => e.name)
    .sort();
}

export function stageExtension(options: StageOptions): StagedExtension {
  const { repoRoot, target, stagingDir: dir } = options;
  const binding = ortBindingFor(repoRoot, target);
  if ('missing' in binding) throw new UnsupportedTargetError(binding.missing);

  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });

  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as PackageManifest & Record<string, unknown>;
  const staged: Record<string, unknown> = { ...manifest };
  for (const field of DROPPED_MANIFEST_FIELDS) delete staged[field];
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);

  for (const file of TOP_LEVEL_FILES) {
    const from = path.join(repoRoot, file);
    if (!fs.existsSync(from)) throw new Error(`${file} is missing: every VSIX needs it`);
    fs.copyFileSync(from, path.join(dir, file));
  }

  // dist/: the bundles; never the tools (dist/tools/) nor source maps left by a development build.
  const mainFile = typeof manifest.main === 'string' ? manifest.main : './dist/extension.js';
  for (const required of [mainFile, 'dist/engine.js', 'dist/cli.js', 'dist/webview']) {
    if (!fs.existsSync(path.join(repoRoot, required))) throw new Error(`${required} is missing: build first (node esbuild.mjs --production)`);
  }
  copyTree(path.join(repoRoot, 'dist'), path.join(dir, 'dist'), (rel) => !rel.startsWith('tools/') && rel !== 'tools' && !rel.endsWith('.map'));
  copyTree(path.join(repoRoot, 'media'), path.join(dir, 'media'));

  const models = builtInModels(repoRoot);
  if (models.length === 0) throw new Error(`the built-in model ${MODELS_FOLDER}/${BUILT_IN_MODEL_NAME} is missing (it is in the repository; tools/trainSampleModel.py writes it)`);
  for (const model of models) copyTree(path.join(repoRoot, MODELS_FOLDER, model), path.join(dir, MODELS_FOLDER, model));
  const modelDataFiles = runtimeModelDataFiles(repoRoot);
  for (const file of modelDataFiles) fs.copyFileSync(path.join(repoRoot, MODELS_FOLDER, file), path.join(dir, MODELS_FOLDER, file));

  const sharpModules = ensureSharpNatives(repoRoot, target, options.log);
  const sources = [...new Set([path.join(repoRoot, 'node_modules'), sharpModules])];
  const packages = collectRuntimePackages(manifest, sources, target);
  for (const pkg of packages) {
    const keep = pkg.name === ORT_PACKAGE ? (rel: string) => ortFileShips(target, rel) : () => true;
    copyTree(pkg.sourceDir, path.join(dir, 'node_modules', ...pkg.name.split('/')), (rel) => !rel.endsWith('.map') && keep(rel));
  }
  return { dir, packages, models, modelDataFiles };
}

/** Copies a folder; `keep` sees '/'-separated paths relative to `from` (folders too) and may prune them. */
function copyTree(from: string, to: string, keep: (rel: string) => boolean = () => true, prefix = ''): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.name === 'node_modules' || !keep(rel)) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target, keep, rel);
    else if (entry.isFile()) fs.copyFileSync(source, target);
    else if (entry.isSymbolicLink()) fs.copyFileSync(fs.realpathSync(source), target);
  }
}
