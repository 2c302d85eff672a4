// Models the extension-host tests install into a models folder the way a download would leave them (files plus the
// install manifest), so the pickers offer them: today the analytic background segmenter (tools/analytic/upscalerModel.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INSTALL_MANIFEST_FILE, installDir } from '../../src/node/modelStore/installLayout';
import { MANIFEST_FORMAT, type InstallManifest } from '../../src/node/modelStore/installedModels';
import { modelSource } from '../../src/node/modelStore/modelSource';
import { writeSegmenterModel } from '../../tools/analytic/upscalerModel';

/** The repo id the pickers show for it ("rmbg-analytic"). */
export const ANALYTIC_BACKGROUND_REPO = 'e2e/rmbg-analytic';

/** Installs the analytic background model (its mask: the pixel's mean colour) under `modelsDir`; returns its folder. */
export async function installAnalyticBackgroundModel(modelsDir: string): Promise<string> {
  const source = modelSource(ANALYTIC_BACKGROUND_REPO);
  const dir = installDir(modelsDir, source);
  fs.mkdirSync(dir, { recursive: true });
  await writeSegmenterModel(path.join(dir, 'model.onnx'), 64);
  const manifest: InstallManifest = { format: MANIFEST_FORMAT, source, commit: '0'.repeat(40), kind: 'background', installedAt: new Date().toISOString(), totalBytes: 1, files: [] };
  fs.writeFileSync(path.join(dir, INSTALL_MANIFEST_FILE), JSON.stringify(manifest));
  return dir;
}
