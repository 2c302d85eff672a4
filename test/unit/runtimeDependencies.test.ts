// Which npm packages a platform VSIX carries (tools/vsix/runtimeDependencies.ts) and the target table
// (tools/vsix/vsixTargets.ts), on a fake node_modules tree.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collectRuntimePackages, fitsTarget, type PackageManifest } from '../../tools/vsix/runtimeDependencies';
import { findTarget, isNativeFile, ortBindingDir, ortFileShips, sharpPlatformPackages, VSIX_TARGETS } from '../../tools/vsix/vsixTargets';

const linuxX64 = findTarget('linux-x64');
const win32X64 = findTarget('win32-x64');
const darwinArm64 = findTarget('darwin-arm64');

describe('VSIX targets', () => {
  it('are VS Code platform ids made of Node platform and arch', () => {
    assert.deepEqual(
      VSIX_TARGETS.map((t) => t.target),
      ['linux-x64', 'linux-arm64', 'win32-x64', 'win32-arm64', 'darwin-x64', 'darwin-arm64'],
    );
    for (const t of VSIX_TARGETS) {
      assert.equal(t.target, `${t.os}-${t.cpu}`);
      assert.ok(t.executionProviders.includes('cpu'), `${t.target} offers the CPU`);
    }
    assert.equal(ortBindingDir(linuxX64), 'bin/napi-v6/linux/x64');
    assert.throws(() => findTarget('linux-ia32'), /unknown target "linux-ia32"/);
  });

  it("pick sharp's platform packages as sharp pins them (libvips apart on Linux and macOS, inside on Windows)", () => {
    const pins = {
      '@img/sharp-linux-x64': '0.35.5',
      '@img/sharp-libvips-linux-x64': '1.3.4',
      '@img/sharp-win32-x64': '0.35.5',
      '@img/sharp-darwin-arm64': '0.35.5',
      '@img/sharp-libvips-darwin-arm64': '1.3.4',
    };
    assert.deepEqual(sharpPlatformPackages(linuxX64, pins), [
      { name: '@img/sharp-linux-x64', version: '0.35.5' },
      { name: '@img/sharp-libvips-linux-x64', version: '1.3.4' },
    ]);
    assert.deepEqual(sharpPlatformPackages(win32X64, pins), [{ name: '@img/sharp-win32-x64', version: '0.35.5' }]);
    assert.throws(() => sharpPlatformPackages(findTarget('linux-arm64'), pins), /no @img\/sharp-linux-arm64 package/);
  });

  it('recognise native files by extension, versioned .so included', () => {
    for (const f of ['a/onnxruntime_binding.node', 'libonnxruntime.so.1', 'libvips-cpp.so.8.18.7', 'x.so', 'DirectML.dll', 'libonnxruntime.1.dylib']) {
      assert.ok(isNativeFile(f), f);
    }
    for (const f of ['index.js', 'README.so.md', 'lib/node.txt', 'dll.json']) assert.ok(!isNativeFile(f), f);
  });
});

describe("onnxruntime-node's files per target (ortFileShips)", () => {
  // Every file the onnxruntime-node 1.30 package has under bin/, by platform.
  const bin: Record<string, string[]> = {
    'linux/x64': ['libonnxruntime.so.1', 'onnxruntime_binding.node'],
    'win32/x64': ['DirectML.dll', 'dxcompiler.dll', 'dxil.dll', 'onnxruntime.dll', 'onnxruntime_binding.node'],
    'darwin/arm64': ['libonnxruntime.1.30.0.dylib', 'libonnxruntime.1.dylib', 'onnxruntime_binding.node'],
  };
  const shipped = (target: string): string[] => {
    const t = findTarget(target);
    return Object.entries(bin)
      .flatMap(([folder, files]) => files.map((f) => `bin/napi-v6/${folder}/${f}`))
      .filter((rel) => ortFileShips(t, rel))
      .map((rel) => rel.slice('bin/napi-v6/'.length));
  };

  it("keeps the package's JavaScript and the way down to the target's binding folder", () => {
    const t = findTarget('linux-x64');
    for (const rel of ['package.json', 'dist/index.js', 'bin', 'bin/napi-v6', 'bin/napi-v6/linux', 'bin/napi-v6/linux/x64']) assert.ok(ortFileShips(t, rel), rel);
    for (const rel of ['bin/napi-v6/win32', 'bin/napi-v6/linux/arm64', 'bin/napi-v6/win32/x64/onnxruntime.dll']) assert.ok(!ortFileShips(t, rel), rel);
  });

  it('ships only its own binaries, less the files nothing loads on that platform', () => {
    assert.deepEqual(shipped('linux-x64'), ['linux/x64/libonnxruntime.so.1', 'linux/x64/onnxruntime_binding.node']);
    assert.deepEqual(shipped('win32-x64'), ['win32/x64/DirectML.dll', 'win32/x64/onnxruntime.dll', 'win32/x64/onnxruntime_binding.node']);
    assert.deepEqual(shipped('darwin-arm64'), ['darwin/arm64/libonnxruntime.1.dylib', 'darwin/arm64/onnxruntime_binding.node']);
  });
});

describe('fitsTarget (npm os/cpu/libc rules)', () => {
  it('accepts packages without fields and those listing the target', () => {
    assert.ok(fitsTarget({}, linuxX64));
    assert.ok(fitsTarget({ os: ['linux'], cpu: ['x64'], libc: ['glibc'] }, linuxX64));
    assert.ok(fitsTarget({ os: ['darwin', 'linux'] }, linuxX64));
  });
  it('refuses other platforms, exclusions and the other libc', () => {
    assert.ok(!fitsTarget({ os: ['win32'] }, linuxX64));
    assert.ok(!fitsTarget({ cpu: ['arm64'] }, linuxX64));
    assert.ok(!fitsTarget({ os: ['!linux'] }, linuxX64));
    assert.ok(fitsTarget({ os: ['!linux'] }, win32X64));
    assert.ok(!fitsTarget({ os: ['linux'], libc: ['musl'] }, linuxX64));
    // libc means nothing off Linux: a darwin target has none to compare.
    assert.ok(fitsTarget({ os: ['darwin'], libc: ['glibc'] }, darwinArm64));
  });
});

describe('collectRuntimePackages', () => {
  let root: string;
  let project: string;
  let natives: string;

  function addPackage(nodeModules: string, manifest: PackageManifest): void {
    const dir = path.join(nodeModules, ...manifest.name.split('/'));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest));
    fs.writeFileSync(path.join(dir, 'index.js'), '');
  }

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-deps-test-'));
    project = path.join(root, 'project', 'node_modules');
    natives = path.join(root, 'natives', 'node_modules');
    addPackage(project, {
      name: 'a',
      version: '1.0.0',
      dependencies: { b: '^1.0.0' },
      optionalDependencies: { '@x/native-linux-x64': '1.0.0', '@x/native-win32-x64': '1.0.0', '@x/native-darwin-arm64': '1.0.0' },
    });
    addPackage(project, { name: 'b', version: '1.2.0' });
    addPackage(project, { name: 'unreachable', version: '1.0.0' });
    addPackage(project, { name: '@x/native-linux-x64', version: '1.0.0', os: ['linux'], cpu: ['x64'], libc: ['glibc'] });
    addPackage(natives, { name: '@x/native-win32-x64', version: '1.0.0', os: ['win32'], cpu: ['x64'] });
    // Not the pinned version: npm would not use it.
    addPackage(natives, { name: '@x/native-darwin-arm64', version: '1.0.1', os: ['darwin'], cpu: ['arm64'] });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const extension: PackageManifest = { name: 'ext', version: '0.1.0', dependencies: { a: '1.0.0' } };
  const names = (target = linuxX64): string[] => collectRuntimePackages(extension, [project, natives], target).map((p) => p.name);

  it("takes the dependency closure with the target's optional native package only", () => {
    assert.deepEqual(names(linuxX64), ['@x/native-linux-x64', 'a', 'b']);
    const packages = collectRuntimePackages(extension, [project, natives], linuxX64);
    assert.equal(packages.find((p) => p.name === 'b')?.sourceDir, path.join(project, 'b'));
    assert.equal(packages.find((p) => p.name === 'b')?.version, '1.2.0');
  });

  it("finds another platform's package in the second folder", () => {
    const packages = collectRuntimePackages(extension, [project, natives], win32X64);
    assert.deepEqual(packages.map((p) => p.name), ['@x/native-win32-x64', 'a', 'b']);
    assert.equal(packages[0]!.sourceDir, path.join(natives, '@x', 'native-win32-x64'));
  });

  it('leaves out an optional package whose version is not the pinned one', () => {
    assert.deepEqual(names(darwinArm64), ['a', 'b']);
  });

  it('throws when a required dependency is missing', () => {
    assert.throws(
      () => collectRuntimePackages({ ...extension, dependencies: { a: '1.0.0', missing: '^2.0.0' } }, [project], linuxX64),
      /ext needs missing@\^2\.0\.0/,
    );
  });

  it('treats a name listed in both dependencies and optionalDependencies as optional', () => {
    const both: PackageManifest = { ...extension, dependencies: { a: '1.0.0', gone: '1.0.0' }, optionalDependencies: { gone: '1.0.0' } };
    assert.deepEqual(collectRuntimePackages(both, [project], linuxX64).map((p) => p.name), ['@x/native-linux-x64', 'a', 'b']);
  });

  it('refuses a package with a nested node_modules', () => {
    addPackage(path.join(project, 'b', 'node_modules'), { name: 'c', version: '1.0.0' });
    try {
      assert.throws(() => names(linuxX64), /nested node_modules/);
    } finally {
      fs.rmSync(path.join(project, 'b', 'node_modules'), { recursive: true, force: true });
    }
  });
});
