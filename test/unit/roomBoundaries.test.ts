// Rooms by runtime (docs/architecture.md), as VS Code's own common / node / browser layering. tsc's per-room configs
// cannot stop an import of 'vscode' from resolving (@types/vscode is found by module resolution), nor a relative
// import into another room, so the import rules are checked here, and the bundled extension host is checked for
// what it must never contain.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinModules } from 'node:module';

const root = path.resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(rel));
    else if (entry.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

function imports(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const specs: string[] = [];
  const re = /(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) specs.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return specs;
}

function target(file: string, spec: string): string {
  return path.normalize(path.join(path.dirname(file), spec));
}

function inside(dir: string, p: string): boolean {
  return p === dir || p.startsWith(dir + path.sep);
}

const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

interface Room {
  dir: string;
  /** Rooms its relative imports may reach (itself included). */
  reaches: string[];
  /** Which package imports are allowed. */
  packages: (spec: string) => boolean;
}

const noPackages = (): boolean => false;
const nodeSide = (spec: string): boolean => nodeBuiltins.has(spec) || spec === 'sharp';

const ROOMS: Room[] = [
  // valibot: the one package common code may use (schemas declared once for every room).
  { dir: 'src/common', reaches: ['src/common'], packages: (s) => s === 'valibot' },
  { dir: 'src/node', reaches: ['src/node', 'src/common'], packages: nodeSide },
  // Only src/engine/runtime/ort.ts may import onnxruntime-node (checked below).
  { dir: 'src/engine', reaches: ['src/engine', 'src/node', 'src/common'], packages: (s) => nodeSide(s) || s === 'onnxruntime-node' },
  { dir: 'src/cli', reaches: ['src/cli', 'src/engine', 'src/node', 'src/common'], packages: nodeSide },
  { dir: 'src/host', reaches: ['src/host', 'src/node', 'src/common'], packages: (s) => nodeSide(s) || s === 'vscode' },
  { dir: 'webview', reaches: ['webview', 'src/common'], packages: noPackages },
];

function violations(room: Room, files = sources(room.dir)): string[] {
  const found: string[] = [];
  for (const file of files) {
    for (const spec of imports(file)) {
      if (spec.startsWith('.')) {
        const to = target(file, spec);
        if (!room.reaches.some((dir) => inside(dir, to))) found.push(`${file} imports ${spec} (${to}), outside ${room.reaches.join(', ')}`);
      } else if (!room.packages(spec)) {
        found.push(`${file} imports the package ${spec}`);
      }
    }
  }
  return found;
}

describe('room boundaries', () => {
  for (const room of ROOMS) {
    it(`${room.dir} imports only ${room.reaches.join(', ')}`, () => {
      const files = sources(room.dir);
      assert.ok(files.length >= 3, `sources found in ${room.dir}`);
      assert.deepEqual(violations(room, files), []);
    });
  }

  it('every source under src/ belongs to a room', () => {
    const stray = sources('src').filter((f) => !ROOMS.some((room) => inside(room.dir, f)));
    assert.deepEqual(stray, []);
  });

  it('only src/engine/runtime/ort.ts imports onnxruntime-node', () => {
    const importers = [...sources('src'), ...sources('webview')].filter((f) => imports(f).includes('onnxruntime-node'));
    assert.deepEqual(importers, [path.join('src', 'engine', 'runtime', 'ort.ts')]);
  });

  it('the checks catch a host file that imports the engine, and a webview that imports node code', () => {
    const probeDir = path.join(root, 'out', 'boundary-probe');
    fs.mkdirSync(probeDir, { recursive: true });
    const probe = path.join('out', 'boundary-probe', 'probe.ts');
    fs.writeFileSync(path.join(root, probe), "import { Engine } from '../../src/engine/engine';\nimport * as ort from 'onnxruntime-node';\nimport { x } from '../../src/node/image/imageCodec';\n");
    try {
      const host = ROOMS.find((r) => r.dir === 'src/host') as Room;
      const webview = ROOMS.find((r) => r.dir === 'webview') as Room;
      assert.equal(violations({ ...host, dir: 'out/boundary-probe' }, [probe]).length, 2);
      assert.equal(violations({ ...webview, dir: 'out/boundary-probe' }, [probe]).length, 3);
    } finally {
      fs.rmSync(probeDir, { recursive: true });
    }
  });

  it('the import scanner sees the forms it must see', () => {
    const tmp = path.join(root, 'out', 'boundary-probe.ts');
    fs.mkdirSync(path.dirname(tmp), { recursive: true });
    fs.writeFileSync(tmp, "import * as a from 'vscode';\nimport type { B } from '../x';\nexport { c } from \"./c\";\nconst d = require('node:fs');\nimport './side';\n");
    try {
      assert.deepEqual(imports('out/boundary-probe.ts'), ['vscode', '../x', './c', 'node:fs', './side']);
    } finally {
      fs.rmSync(tmp);
    }
  });

  it('the bundled extension host (dist/extension.js) holds neither onnxruntime-node nor the engine', () => {
    // Written by esbuild.mjs for the host build: every input file and every import left external.
    const metafile = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'extension.meta.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
      outputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
    };
    const inputs = Object.keys(metafile.inputs);
    assert.ok(inputs.some((f) => f.startsWith('src/host/')), 'the metafile lists the host sources');
    assert.deepEqual(inputs.filter((f) => f.startsWith('src/engine/') || f.startsWith('src/cli/') || f.includes('onnxruntime')), []);
    const output = metafile.outputs['dist/extension.js'];
    assert.ok(output, 'dist/extension.js is in the metafile');
    assert.deepEqual(output.imports.filter((i) => i.path.includes('onnxruntime')), []);
    // The bundle text itself: no pipeline code slipped in under another name.
    const bundle = fs.readFileSync(path.join(root, 'dist', 'extension.js'), 'utf8');
    for (const marker of ['onnxruntime-node', 'InferenceSession', 'scaleModelInput']) {
      assert.ok(!bundle.includes(marker), `dist/extension.js contains ${marker}`);
    }
  });
});
