// The platform-specific VSIX packages (`vsce package --target …`): which native binaries each one carries and
// which ONNX Runtime execution providers it offers. Targets are VS Code's platform ids
// (https://code.visualstudio.com/api/working-with-extensions/publishing-extension#platformspecific-extensions).

export type NodePlatform = 'linux' | 'darwin' | 'win32';
export type NodeArch = 'x64' | 'arm64';

export interface VsixTarget {
  /** VS Code's target id, e.g. 'linux-x64'. */
  readonly target: string;
  /** process.platform / process.arch on that machine (npm's --os / --cpu). */
  readonly os: NodePlatform;
  readonly cpu: NodeArch;
  /** npm's --libc for Linux: onnxruntime-node's Linux binaries link against glibc (no Alpine/musl build). */
  readonly libc?: 'glibc';
  /** What a user gets on that platform (README and the packaging table); CPU always works. */
  readonly executionProviders: readonly string[];
  /** Files of onnxruntime-node's binding folder that are left out (see the lists below). */
  readonly omittedOrtFiles?: readonly RegExp[];
}

/**
 * Windows: DXC (dxcompiler.dll, dxil.dll; 9 MB zipped) is loaded at run time, only by the WebGPU provider's Dawn,
 * which compiles its shaders with Windows' own FXC (d3dcompiler_47.dll) when DXC is absent; onnxruntime.dll does not
 * import them. Leaving them out keeps the Windows packages within the 40 MB budget with the trained model inside.
 */
const WINDOWS_OMITTED_ORT_FILES = [/^dxcompiler\.dll$/, /^dxil\.dll$/];
/**
 * macOS: onnxruntime-node ships libonnxruntime.1.dylib and an identical libonnxruntime.<version>.dylib (a symbolic
 * link flattened by npm's tarball, 45 MB); the binding loads @rpath/libonnxruntime.1.dylib only.
 */
const MACOS_OMITTED_ORT_FILES = [/^libonnxruntime\.\d+\.\d+\.\d+\.dylib$/];

export const VSIX_TARGETS: readonly VsixTarget[] = [
  { target: 'linux-x64', os: 'linux', cpu: 'x64', libc: 'glibc', executionProviders: ['cpu', 'webgpu', 'cuda (opt-in)'] },
  { target: 'linux-arm64', os: 'linux', cpu: 'arm64', libc: 'glibc', executionProviders: ['cpu', 'webgpu'] },
  { target: 'win32-x64', os: 'win32', cpu: 'x64', executionProviders: ['cpu', 'dml', 'webgpu (FXC)'], omittedOrtFiles: WINDOWS_OMITTED_ORT_FILES },
  { target: 'win32-arm64', os: 'win32', cpu: 'arm64', executionProviders: ['cpu', 'dml', 'webgpu (FXC)'], omittedOrtFiles: WINDOWS_OMITTED_ORT_FILES },
  { target: 'darwin-x64', os: 'darwin', cpu: 'x64', executionProviders: ['cpu', 'coreml'], omittedOrtFiles: MACOS_OMITTED_ORT_FILES },
  { target: 'darwin-arm64', os: 'darwin', cpu: 'arm64', executionProviders: ['cpu', 'coreml', 'webgpu'], omittedOrtFiles: MACOS_OMITTED_ORT_FILES },
];

/** onnxruntime-node's binding folder for a target, relative to its package root (its lib/binding.ts). */
export function ortBindingDir(target: VsixTarget): string {
  return `bin/napi-v6/${target.os}/${target.cpu}`;
}

/**
 * Whether a path inside the onnxruntime-node package ('/'-separated, folders too) goes into the target's VSIX:
 * everything outside bin/, the way down to the target's binding folder, and that folder's files less the omitted.
 */
export function ortFileShips(target: VsixTarget, rel: string): boolean {
  if (!rel.startsWith('bin/') && rel !== 'bin') return true;
  const folder = ortBindingDir(target);
  if (rel === folder || folder.startsWith(`${rel}/`)) return true;
  if (!rel.startsWith(`${folder}/`)) return false;
  const name = rel.slice(folder.length + 1);
  return !(target.omittedOrtFiles ?? []).some((pattern) => pattern.test(name));
}

/**
 * sharp's platform packages for a target, as pinned in sharp's optionalDependencies (sharp's lib/sharp.js loads
 * `@img/sharp-${platformArch}`; on Linux and macOS libvips comes in `@img/sharp-libvips-${platformArch}`, on Windows
 * it is inside the first). Throws when sharp has no binding for the target.
 */
export function sharpPlatformPackages(target: VsixTarget, sharpOptionalDependencies: Readonly<Record<string, string>>): Array<{ name: string; version: string }> {
  const platformArch = `${target.os}-${target.cpu}`;
  const names = [`@img/sharp-${platformArch}`, `@img/sharp-libvips-${platformArch}`];
  const found = names.filter((n) => n in sharpOptionalDependencies).map((name) => ({ name, version: sharpOptionalDependencies[name]! }));
  if (found[0]?.name !== names[0]) throw new Error(`sharp has no ${names[0]} package: ${target.target} is not a platform sharp supports`);
  return found;
}

/** Native files: what the packaging table lists and the content test looks for. */
export function isNativeFile(file: string): boolean {
  return /\.(node|dll|dylib)$/i.test(file) || /\.so(\.\d+)*$/i.test(file);
}

export function findTarget(name: string): VsixTarget {
  const found = VSIX_TARGETS.find((t) => t.target === name);
  if (!found) throw new Error(`unknown target ${JSON.stringify(name)} (known: ${VSIX_TARGETS.map((t) => t.target).join(', ')})`);
  return found;
}
