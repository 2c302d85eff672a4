// Ids shared by package.json contributions and code. Every id carries the `localDiffusion.` prefix.

export const EXTENSION_ID = 'local-diffusion.local-diffusion';
export const LOG_CHANNEL_NAME = 'Local Diffusion';

export const Commands = {
  generateImage: 'localDiffusion.generateImage',
  inpaintImage: 'localDiffusion.inpaintImage',
  generateImageHere: 'localDiffusion.generateImageHere',
  selectModel: 'localDiffusion.selectModel',
  cancelGeneration: 'localDiffusion.cancelGeneration',
  showLog: 'localDiffusion.showLog',
  downloadModel: 'localDiffusion.downloadModel',
  addModelFolder: 'localDiffusion.addModelFolder',
  setHuggingFaceToken: 'localDiffusion.setHuggingFaceToken',
  buildAllAssets: 'localDiffusion.buildAllAssets',
  buildStaleAssets: 'localDiffusion.buildStaleAssets',
  buildAsset: 'localDiffusion.buildAsset',
  openAsset: 'localDiffusion.openAsset',
  revealAssetEntry: 'localDiffusion.revealAssetEntry',
  refreshAssets: 'localDiffusion.refreshAssets',
  saveAsAsset: 'localDiffusion.saveAsAsset',
  upscaleImage: 'localDiffusion.upscaleImage',
  removeBackground: 'localDiffusion.removeBackground',
  openParametersFromImage: 'localDiffusion.openParametersFromImage',
  historyReuseParameters: 'localDiffusion.history.reuseParameters',
  historyCopyAsAssetEntry: 'localDiffusion.history.copyAsAssetEntry',
  historyRevealFile: 'localDiffusion.history.revealFile',
  historyOpenImage: 'localDiffusion.history.openImage',
  historyRefresh: 'localDiffusion.history.refresh',
  historyClear: 'localDiffusion.history.clear',
  historyRemove: 'localDiffusion.history.remove',
} as const;

/** Tree views contributed in package.json (contributes.views). */
export const Views = {
  history: 'localDiffusion.history',
} as const;

export const ViewTypes = {
  generatePanel: 'localDiffusion.generatePanel',
  inpaintEditor: 'localDiffusion.inpaintEditor',
} as const;

/** Keys under the `localDiffusion` configuration section. */
export const Settings = {
  section: 'localDiffusion',
  model: 'model',
  modelsFolder: 'modelsFolder',
  executionProvider: 'executionProvider',
  defaultSteps: 'defaultSteps',
  defaultGuidanceScale: 'defaultGuidanceScale',
  defaultScheduler: 'defaultScheduler',
  defaultWidth: 'defaultWidth',
  defaultHeight: 'defaultHeight',
  outputFolder: 'outputFolder',
  previewEverySteps: 'previewEverySteps',
  nodePath: 'nodePath',
  keepModelLoadedMinutes: 'keepModelLoadedMinutes',
  hiresUpscaler: 'hiresUpscaler',
  vae: 'vae',
  emphasis: 'emphasis',
  clipSkip: 'clipSkip',
  autoSave: 'autoSave',
  loraFolders: 'loraFolders',
} as const;
