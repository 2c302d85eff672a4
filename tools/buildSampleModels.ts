// Writes the analytic "shapes" test model (with a TAESD preview decoder) to models/analytic-shapes/, run by `npm run build`:
// a model whose every output is known in closed form, for trying the extension and the CLI against exact answers. It
// does not ship (the built-in model is the trained models/tiny-shapes).
// Skips writing when every file is already byte-identical, so builds stay fast. Prints one line.
//   node dist/tools/buildSampleModels.js [outputDir]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildAnalyticModelFiles } from './analytic/analyticModel';
import { SAMPLE_MODEL_FOLDER, SAMPLE_MODEL_OPTIONS } from './analytic/analyticModelOptions';

/** Relative paths ('/'-separated) of every file under `dir`. */
function listFiles(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return listFiles(path.join(dir, entry.name), relative);
    return [relative];
  });
}

function isUpToDate(dir: string, files: ReadonlyMap<string, Uint8Array>): boolean {
  const existing = listFiles(dir);
  if (existing.length !== files.size) return false;
  return existing.every((relative) => {
    const wanted = files.get(relative);
    if (!wanted) return false;
    const file = path.join(dir, ...relative.split('/'));
    return fs.statSync(file).size === wanted.length && Buffer.from(wanted).equals(fs.readFileSync(file));
  });
}

function main(): void {
  // Bundled to dist/tools/, so the repository root is two levels up.
  const outDir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'models', SAMPLE_MODEL_FOLDER));
  const shown = path.relative(process.cwd(), outDir) || outDir;
  const files = buildAnalyticModelFiles(SAMPLE_MODEL_OPTIONS);
  const totalKiB = Math.round([...files.values()].reduce((sum, b) => sum + b.length, 0) / 1024);
  if (isUpToDate(outDir, files)) {
    console.log(`sample model ${shown}: up to date (${files.size} files, ${totalKiB} KiB)`);
    return;
  }
  // Write next to the target, then swap, so an interrupted build never leaves a half-written model.
  const staging = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  for (const [relative, bytes] of files) {
    const file = path.join(staging, ...relative.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  fs.renameSync(staging, outDir);
  console.log(`sample model ${shown}: written (${files.size} files, ${totalKiB} KiB)`);
}

main();
