// sharp's native part for another platform: `npm install sharp@<the project's version> --os --cpu --libc` into a
// git-ignored cache folder of its own (.cache/vsix/natives/<target>/), never into the project's node_modules.
// npm picks exactly the @img/sharp-<platform> (and @img/sharp-libvips-<platform>) packages that sharp pins.
// Skipped when the project's node_modules (the host platform) or the cache folder already holds them.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPackageManifest } from './runtimeDependencies';
import { sharpPlatformPackages, type VsixTarget } from './vsixTargets';

export function foreignNativesDir(repoRoot: string, target: VsixTarget): string {
  return path.join(repoRoot, '.cache', 'vsix', 'natives', target.target);
}

/** True when `nodeModules` holds every one of `packages` at its version. */
export function hasPackages(nodeModules: string, packages: ReadonlyArray<{ name: string; version: string }>): boolean {
  return packages.every(({ name, version }) => {
    const dir = path.join(nodeModules, ...name.split('/'));
    return fs.existsSync(path.join(dir, 'package.json')) && readPackageManifest(dir).version === version;
  });
}

/**
 * The node_modules folder that holds sharp's native packages for `target`: the project's own when they are there,
 * else the cache folder, installed now from the npm registry (or npm's cache) when needed.
 */
export function ensureSharpNatives(repoRoot: string, target: VsixTarget, log: (line: string) => void): string {
  const projectModules = path.join(repoRoot, 'node_modules');
  const sharp = readPackageManifest(path.join(projectModules, 'sharp'));
  const wanted = sharpPlatformPackages(target, sharp.optionalDependencies ?? {});
  if (hasPackages(projectModules, wanted)) return projectModules;

  const dir = foreignNativesDir(repoRoot, target);
  const nodeModules = path.join(dir, 'node_modules');
  if (hasPackages(nodeModules, wanted)) return nodeModules;

  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // Its own package.json: npm must not walk up to the extension's package.json (or read its .npmrc).
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: `local-diffusion-vsix-natives-${target.target}`, private: true, description: 'sharp for one VSIX target (tools/packageVsix.ts)' }, null, 2)}\n`,
  );
  const args = [
    'install',
    `sharp@${sharp.version}`,
    `--os=${target.os}`,
    `--cpu=${target.cpu}`,
    ...(target.libc ? [`--libc=${target.libc}`] : []),
    '--omit=dev',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
  ];
  log(`[package] ${target.target}: npm ${args.join(' ')} (in ${path.relative(repoRoot, dir)})`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, args, { cwd: dir, encoding: 'utf8', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    throw new Error(`npm install of sharp ${sharp.version} for ${target.target} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stderr}`);
  }
  if (!hasPackages(nodeModules, wanted)) {
    throw new Error(`npm installed sharp for ${target.target}, but ${nodeModules} lacks one of ${wanted.map((p) => `${p.name}@${p.version}`).join(', ')}`);
  }
  return nodeModules;
}
