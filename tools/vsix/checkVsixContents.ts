// What every platform VSIX must (and must not) hold; the packaging script refuses a VSIX with a problem.
import { EXTENSION_ROOT, type VsixContents } from './vsixContents';
import { isNativeFile, ortBindingDir, sharpPlatformPackages, VSIX_TARGETS, type VsixTarget } from './vsixTargets';

/** The size budget of one VSIX (issue: every VSIX ≤ 40 MB). */
export const MAX_VSIX_BYTES = 40 * 1000 * 1000;

/** Bundles the extension loads at run time (package.json main, the engine child process, the CLI, the pages). */
export const REQUIRED_BUNDLES = ['dist/extension.js', 'dist/engine.js', 'dist/cli.js', 'dist/webview/generate.js', 'dist/webview/inpaint.js', 'dist/schemas/local-diffusion.schema.json'] as const;

/** The store page's files at the extension's root, as vsce names them. */
const STORE_PAGE_FILES: ReadonlyArray<[string, RegExp]> = [
  ['README', /^readme\.md$/i],
  ['CHANGELOG', /^changelog\.md$/i],
  ['LICENSE', /^license(\.txt|\.md)?$/i],
];

/** Folders of the repository that never ship. */
const FORBIDDEN_TOP_LEVEL = ['src/', 'test/', 'tools/', 'webview/', 'out/', '.cache/', 'dist/tools/', '.ci/', '.vscode/', '.github/'];

export interface VsixExpectations {
  target: VsixTarget;
  /** Built-in model folder names that must be there, each with its model_index.json. */
  models: readonly string[];
  /** Files directly under models/ that must be there (read at run time, e.g. catalog.json). */
  modelDataFiles?: readonly string[];
  sizeBytes: number;
}

/** Every problem found, as sentences; empty when the VSIX is fit to ship. */
export function checkVsixContents(contents: VsixContents, expect: VsixExpectations): string[] {
  const problems: string[] = [];
  const files = contents.extensionFiles();
  const has = (file: string): boolean => files.includes(file);
  const { target } = expect;

  if (expect.sizeBytes > MAX_VSIX_BYTES) problems.push(`${(expect.sizeBytes / 1e6).toFixed(1)} MB is over the ${MAX_VSIX_BYTES / 1e6} MB budget`);
  for (const file of ['package.json', ...REQUIRED_BUNDLES]) {
    if (!has(file)) problems.push(`${file} is missing`);
  }
  // vsce stores them as readme.md, changelog.md and LICENSE.txt.
  for (const [label, pattern] of STORE_PAGE_FILES) {
    if (!files.some((f) => pattern.test(f))) problems.push(`${label} is missing`);
  }
  for (const model of expect.models) {
    if (!has(`models/${model}/model_index.json`)) problems.push(`the built-in model ${model} is missing`);
  }
  for (const file of expect.modelDataFiles ?? []) {
    if (!has(`models/${file}`)) problems.push(`models/${file} is missing`);
  }

  const ortBinding = `node_modules/onnxruntime-node/${ortBindingDir(target)}/onnxruntime_binding.node`;
  if (!has(ortBinding)) problems.push(`${ortBinding} is missing`);
  for (const other of VSIX_TARGETS.filter((t) => t.os !== target.os || t.cpu !== target.cpu)) {
    const foreign = `node_modules/onnxruntime-node/${ortBindingDir(other)}/`;
    if (files.some((f) => f.startsWith(foreign))) problems.push(`${other.target}'s ONNX Runtime binaries are inside (${foreign})`);
  }
  const sharpManifest = `${EXTENSION_ROOT}node_modules/sharp/package.json`;
  if (!contents.has(sharpManifest)) {
    problems.push('node_modules/sharp is missing');
  } else {
    const sharp = JSON.parse(contents.read(sharpManifest).toString('utf8')) as { optionalDependencies?: Record<string, string> };
    const wanted = sharpPlatformPackages(target, sharp.optionalDependencies ?? {}).map((p) => `node_modules/${p.name}/`);
    for (const prefix of wanted) {
      if (!files.some((f) => f.startsWith(prefix) && isNativeFile(f))) problems.push(`${prefix} has no native file`);
    }
    const foreign = files.find((f) => f.startsWith('node_modules/@img/sharp-') && !wanted.some((prefix) => f.startsWith(prefix)));
    if (foreign) problems.push(`another platform's sharp package is inside: ${foreign}`);
  }

  for (const prefix of FORBIDDEN_TOP_LEVEL) {
    const hit = files.find((f) => f.startsWith(prefix));
    if (hit) problems.push(`${hit} should not ship (${prefix})`);
  }
  const maps = files.filter((f) => f.endsWith('.map'));
  if (maps.length > 0) problems.push(`source maps ship: ${maps.slice(0, 3).join(', ')}`);
  return problems;
}
