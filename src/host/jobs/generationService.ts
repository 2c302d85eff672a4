import type * as vscode from 'vscode';
import type { GenerateParams, GenerateProgress, GenerateResult, ModelInfo } from '../../common/protocol/engineProtocol';
import type { PromptTokenCount } from '../../common/prompt/promptTokenCount';
import type { HistorySource } from '../../common/history/historyIndex';

/** Omit over each member of a union (TypeScript's Omit merges the members). */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a caller asks for, by task; the service fills in the model, execution provider and preview rate from settings. */
export type GenerationParams = OmitEach<GenerateParams, 'model' | 'executionProvider'> &
  Partial<Pick<GenerateParams, 'model' | 'executionProvider'>>;

export interface GenerationRequest {
  /** Shown in the progress notification and the status bar, e.g. 'Generating "a red fox"'. */
  title: string;
  params: GenerationParams;
  onProgress?: (progress: GenerateProgress) => void;
  token?: vscode.CancellationToken;
  /**
   * Keep the images in the generation history (src/host/history/): where they came from, and the ids to give them
   * in order (the Generate panel's result ids); fresh ids where absent.
   */
  history?: { source: HistorySource; ids?: readonly string[] };
  /** Whether the progress notification should be showing now (asked at the start and on every progress); default always. */
  showNotification?: () => boolean;
}

/**
 * Runs generations on the engine process for every UI (generate panel, inpaint editor, assets):
 * one cancellable `withProgress` notification and a status bar item per running job, the
 * "Cancel Generation" command, and errors as RpcFailure (code 'cancelled' when cancelled).
 */
export interface GenerationService {
  generate(request: GenerationRequest): Promise<GenerateResult>;
  /** The selected model's report (native size, inpainting UNet or not, …). Loads nothing heavy twice. */
  modelInfo(token?: vscode.CancellationToken): Promise<ModelInfo>;
  /**
   * A1111 token counts of each text with the selected model's tokenizer and the emphasis setting (null: cannot be
   * counted). Rejects when there is no usable model.
   */
  countTokens(texts: readonly string[]): Promise<(PromptTokenCount | null)[]>;
  /** Cancels every running job. */
  cancelAll(): void;
  readonly isRunning: boolean;
  readonly onDidChangeRunning: vscode.Event<boolean>;
}
