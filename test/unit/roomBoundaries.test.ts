// The three runtimes live in three rooms; tsc's per-room configs cannot stop an import of 'vscode' from
// resolving (@types/vscode is found by module resolution), so the import rules are checked here.
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

function resolvesInside(file: string, spec: string, allowed: string[]): boolean {
  const target = path.normalize(path.join(path.dirname(file), spec));
  return allowed.some((dir) => target === dir || target.startsWith(dir + path.sep));
}

const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

describe('room boundaries', () => {
  it('the engine and the CLI never import vscode and stay out of the host room', () => {
    const files = [...sources('src/engine'), ...sources('src/cli')];
    assert.ok(files.length > 10, 'engine sources found');
    for (const file of files) {
      for (const spec of imports(file)) {
        assert.notEqual(spec, 'vscode', `${file} imports vscode`);
        if (spec.startsWith('.')) {
          assert.ok(
            resolvesInside(file, spec, ['src/engine', 'src/cli', 'src/protocol']),
            `${file} imports ${spec}, outside the engine room`,
          );
        }
      }
    }
  });

  it('the protocol imports nothing outside itself', () => {
    const files = sources('src/protocol');
    assert.ok(files.length >= 2);
    for (const file of files) {
      for (const spec of imports(file)) {
        assert.ok(spec.startsWith('./'), `${file} imports ${spec}`);
        assert.ok(resolvesInside(file, spec, ['src/protocol']), `${file} imports ${spec}`);
      }
    }
  });

  it('webviews import neither vscode nor node, only webview code and the protocol', () => {
    for (const file of sources('webview')) {
      for (const spec of imports(file)) {
        assert.notEqual(spec, 'vscode', `${file} imports vscode`);
        assert.ok(!nodeBuiltins.has(spec), `${file} imports the Node module ${spec}`);
        if (spec.startsWith('.')) {
          assert.ok(resolvesInside(file, spec, ['webview', 'src/protocol']), `${file} imports ${spec}`);
        } else {
          assert.fail(`${file} imports the package ${spec}; webviews are bundled from our own code only`);
        }
      }
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
});
