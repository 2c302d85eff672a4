// The prompt bar's settings across editors and sessions: the last ones used (globalState), else the
// defaults from the `localDiffusion.*` settings (steps, guidance, scheduler).
import * as vscode from 'vscode';
import { DEFAULT_INPAINT_SETTINGS, sanitizeInpaintSettings, type InpaintSettings } from '../../common/protocol/inpaintEditorProtocol';
import { readSettings } from '../settings';

const STORAGE_KEY = 'localDiffusion.inpaint.lastSettings';

export class InpaintSettingsStore {
  constructor(private readonly memento: vscode.Memento) {}

  get(): InpaintSettings {
    const config = readSettings(vscode.workspace);
    const defaults = sanitizeInpaintSettings(
      { ...DEFAULT_INPAINT_SETTINGS, steps: config.defaultSteps, guidanceScale: config.defaultGuidanceScale, scheduler: config.defaultScheduler },
      DEFAULT_INPAINT_SETTINGS,
    );
    return sanitizeInpaintSettings(this.memento.get<unknown>(STORAGE_KEY) ?? defaults, defaults);
  }

  async set(settings: InpaintSettings): Promise<void> {
    await this.memento.update(STORAGE_KEY, settings);
  }
}
