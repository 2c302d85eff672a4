// The npm packages the extension needs at run time on one target: the closure of package.json's `dependencies`
// (each package's dependencies, plus the optionalDependencies whose os/cpu/libc fit the target, as npm installs
// them), looked up by name in flat node_modules folders. The staging folder gets exactly these, so `npm list`
// (which vsce runs) sees a complete tree and no other platform's binaries come along.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { VsixTarget } from './vsixTargets';

export interface PackageManifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

export interface RuntimePackage {
  name: string;
  version: string;
  /** The folder it is copied from, e.g. /repo/node_modules/@img/colour. */
  sourceDir: string;
}

export function readPackageManifest(dir: string): PackageManifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/** npm's rule for the os/cpu/libc fields: a list of allowed values, or of '!value' exclusions. */
function allows(list: readonly string[] | undefined, value: string | undefined): boolean {
  if (!list || list.length === 0 || value === undefined) return true;
  if (list.includes(`!${value}`)) return false;
  const positives = list.filter((v) => !v.startsWith('!'));
  return positives.length === 0 || positives.includes(value);
}

export function fitsTarget(manifest: Pick<PackageManifest, 'os' | 'cpu' | 'libc'>, target: VsixTarget): boolean {
  return allows(manifest.os, target.os) && allows(manifest.cpu, target.cpu) && allows(manifest.libc, target.libc);
}

/** Exact pins (sharp pins its platform packages) must match; ranges are left to `npm list`, which vsce runs. */
function versionFits(range: string, version: string): boolean {
  return /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range) ? range === version : true;
}

/**
 * Every package reachable from `root`'s dependencies for `target`, sorted by name. `nodeModules` are flat
 * node_modules folders searched in order (the project's own, then one with another platform's packages).
 * Throws when a required dependency is missing or a package hides a nested node_modules (not flat).
 */
export function collectRuntimePackages(root: PackageManifest, nodeModules: readonly string[], target: VsixTarget): RuntimePackage[] {
  const found = new Map<string, RuntimePackage>();

  const locate = (name: string, range: string): { dir: string; manifest: PackageManifest } | undefined => {
    for (const folder of nodeModules) {
      const dir = path.join(folder, ...name.split('/'));
      if (!fs.existsSync(path.join(dir, 'package.json'))) continue;
      const manifest = readPackageManifest(dir);
      if (fitsTarget(manifest, target) && versionFits(range, manifest.version)) return { dir, manifest };
    }
    return undefined;
  };

  const visit = (from: string, name: string, range: string, optional: boolean): void => {
    if (found.has(name)) return;
    const hit = locate(name, range);
    if (!hit) {
      if (optional) return;
      throw new Error(`${from} needs ${name}@${range}, which is in none of: ${nodeModules.join(', ')}`);
    }
    if (fs.existsSync(path.join(hit.dir, 'node_modules'))) {
      throw new Error(`${hit.dir} has a nested node_modules: packaging expects a flat tree (npm dedupe)`);
    }
    found.set(name, { name, version: hit.manifest.version, sourceDir: hit.dir });
    visitDependencies(name, hit.manifest);
  };

  const visitDependencies = (from: string, manifest: PackageManifest): void => {
    // A name in both lists is optional (npm's rule).
    const optional = manifest.optionalDependencies ?? {};
    for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) visit(from, dep, optional[dep] ?? range, dep in optional);
    for (const [dep, range] of Object.entries(optional)) visit(from, dep, range, true);
  };

  visitDependencies(root.name, root);
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
