// Bundles every runtime of Local Diffusion with esbuild. Type checking is `tsc --noEmit` (npm run check-types).
//   node esbuild.mjs              one build
//   node esbuild.mjs --watch      rebuild on change (prints [watch] lines for the VS Code problem matcher)
//   node esbuild.mjs --production minified, no source maps (used by npm run package)
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Native addons and the editor API are never bundled. */
const nodeExternals = ['vscode', 'onnxruntime-node', 'sharp', 'mocha', 'playwright-core', '@vscode/test-electron'];

function walk(dir, accept) {
  if (!fs.existsSync(dir)) return [];
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...walk(full, accept));
    else if (accept(full)) found.push(full);
  }
  return found.sort();
}

const existing = (files) => files.filter((f) => fs.existsSync(f));

const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => { if (watch) console.log('[watch] build started'); });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [problemMatcher],
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals };

/** Each build: entry points (those that exist) and where they go. */
const builds = [
  // Extension host, engine child process, command-line tool.
  // The host's metafile lets test/unit/roomBoundaries.test.ts check what dist/extension.js is made of.
  { ...node, entryPoints: existing(['src/host/extension.ts']), outdir: 'dist', metafile: true, metafileOut: 'dist/extension.meta.json' },
  { ...node, entryPoints: existing(['src/engine/main.ts']), outfile: 'dist/engine.js' },
  { ...node, entryPoints: existing(['src/cli/main.ts']), outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // Webviews: one browser bundle per page.
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: Object.fromEntries(
      walk('webview', (f) => /[\\/]main\.ts$/.test(f)).map((f) => [path.basename(path.dirname(f)), f]),
    ),
    outdir: 'dist/webview',
  },
  // Tools (not part of the extension): each tools/*.ts is a script.
  { ...node, entryPoints: walk('tools', (f) => /^tools[\\/][^\\/]+\.ts$/.test(f)), outdir: 'dist/tools' },
  // Tests: every *.test.ts, bundled one file each, keeping the folder layout under out/.
  { ...node, entryPoints: walk('test', (f) => f.endsWith('.test.ts')), outbase: '.', outdir: 'out' },
  // Extension-host test runner entry (mocha inside VS Code / code-server), when present.
  { ...node, entryPoints: existing(['test/vscode/index.ts', 'test/vscode/runTest.ts', 'test/e2e/run.ts']), outbase: '.', outdir: 'out' },
].filter((b) => (Array.isArray(b.entryPoints) ? b.entryPoints.length : Object.keys(b.entryPoints).length) > 0);

if (watch) {
  const contexts = await Promise.all(builds.map(({ metafileOut, ...options }) => esbuild.context(options)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(
    builds.map(async ({ metafileOut, ...options }) => {
      const result = await esbuild.build(options);
      if (metafileOut && result.metafile) fs.writeFileSync(metafileOut, JSON.stringify(result.metafile));
    }),
  );
  if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
}
