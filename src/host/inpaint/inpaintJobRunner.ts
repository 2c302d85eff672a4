// One inpaint document's generation job: runs it through the GenerationService (which owns the engine,
// the progress notification and the status bar item), reports progress and previews, keeps the results
// as candidates until one is applied or they are discarded, and cancels a running job when disposed
// (the editor closed). No vscode import: unit-tested with the document's logic (InpaintDocumentState).
import type { GenerationService } from '../jobs/generationService';
import type { GenerateProgress, GenerateResult } from '../../common/protocol/engineProtocol';
import type { InpaintCandidate, InpaintExpand, InpaintJobProgress, InpaintSettings } from '../../common/protocol/inpaintEditorProtocol';
import { expandedSize, type ExpandMargins } from '../../common/outpaint/expandMargins';
import type { JobOutcome } from '../../common/protocol/schemaParts';
import { Disposable } from '../util/dispose';
import { ErrorCode, RpcFailure } from '../../common/protocol/rpc';
import type { Log } from '../util/log';
import { logError } from '../util/logError';
import { CancellationSource, Emitter } from './emitter';
import { probeImage } from './inpaintImageCodec';
import { buildInpaintParams, inpaintJobTitle } from './inpaintParams';
import { buildOutpaintParams, outpaintJobTitle } from './outpaintParams';

export interface InpaintJobInput {
  settings: InpaintSettings;
  /** The document image and its mask (a greyscale PNG of the same size) at the moment Generate was pressed. */
  initImage: Uint8Array;
  /** Absent for an outpaint (`expand`): the engine builds the mask of the new area itself. */
  maskPng?: Uint8Array;
  /** The document's size (before the expansion). */
  width: number;
  height: number;
  fileName: string;
  /** Expand canvas: an outpaint by these margins instead of an inpaint of the mask. */
  expand?: InpaintExpand;
}

export interface RunningInpaintJob {
  jobId: number;
  batchCount: number;
  steps: number;
  progress: InpaintJobProgress;
}

export interface InpaintCandidates {
  jobId: number | null;
  /** The candidates' size: the document's, or the expanded canvas's. */
  width: number;
  height: number;
  candidates: InpaintCandidate[];
  /** Expand canvas results: the image of the job grown by these margins. */
  expand?: ExpandMargins;
}

export type InpaintJobEvent =
  | { kind: 'started'; job: RunningInpaintJob }
  | { kind: 'progress'; jobId: number; progress: InpaintJobProgress }
  | { kind: 'preview'; jobId: number; image: number; width: number; height: number; rgba: Uint8Array }
  | { kind: 'ended'; jobId: number; outcome: JobOutcome; message?: string }
  | { kind: 'candidates'; candidates: InpaintCandidates };

const NO_CANDIDATES: InpaintCandidates = Object.freeze({ jobId: null, width: 0, height: 0, candidates: [] });

let nextJobId = 1;

export class InpaintJobRunner extends Disposable {
  private readonly emitter = this.register(new Emitter<InpaintJobEvent>());
  readonly onDidChange = this.emitter.event;
  private job: (RunningInpaintJob & { cancellation: CancellationSource; staleReason?: string }) | undefined;
  private current: InpaintCandidates = NO_CANDIDATES;

  constructor(
    private readonly generation: GenerationService,
    private readonly log: Pick<Log, 'error' | 'debug'>,
  ) {
    super();
    this.register({ dispose: () => this.cancel() });
  }

  get running(): RunningInpaintJob | undefined {
    if (!this.job) return undefined;
    const { jobId, batchCount, steps, progress } = this.job;
    return { jobId, batchCount, steps, progress };
  }

  get candidates(): InpaintCandidates {
    return this.current;
  }

  /** Runs one job; resolves when it has ended (the outcome is reported through onDidChange). */
  async run(input: InpaintJobInput): Promise<void> {
    if (this.job) throw new Error('A generation is already running for this image.');
    if (this.isDisposed) return;
    const jobId = nextJobId++;
    const cancellation = new CancellationSource();
    const job: RunningInpaintJob & { cancellation: CancellationSource; staleReason?: string } = { jobId, batchCount: input.settings.batchCount, steps: input.settings.steps, progress: { stage: 'starting' } as InpaintJobProgress, cancellation };
    this.job = job;
    this.emitter.fire({ kind: 'started', job: this.running! });
    let outcome: JobOutcome = 'failed';
    let message: string | undefined;
    try {
      const result = await this.generation.generate({
        title: input.expand ? outpaintJobTitle(input.settings, input.fileName) : inpaintJobTitle(input.settings, input.fileName),
        params: input.expand
          ? buildOutpaintParams(input.settings, input.initImage, input.expand)
          : buildInpaintParams(input.settings, input.initImage, requiredMask(input)),
        token: cancellation.token,
        onProgress: (progress) => this.onProgress(job, progress),
        // Every candidate is kept in the generation history, applied or not.
        history: { source: 'inpaint' },
      });
      if (cancellation.token.isCancellationRequested) {
        outcome = 'cancelled';
        if (job.staleReason) message = job.staleReason;
      } else {
        const candidates = await this.toCandidates(result, input);
        if (this.isDisposed) return;
        // The document may have changed while the results were read: they were built on the image it had.
        if (job.staleReason !== undefined) throw new StaleJobError(job.staleReason);
        const size = resultSize(input);
        this.current = { jobId, ...size, candidates, ...(input.expand ? { expand: { ...input.expand.margins } } : {}) };
        this.emitter.fire({ kind: 'candidates', candidates: this.current });
        outcome = 'done';
        if (result.warnings.length > 0) message = result.warnings.join(' ');
      }
    } catch (error) {
      if (error instanceof StaleJobError || job.staleReason !== undefined) {
        outcome = 'cancelled';
        message = job.staleReason;
      } else if (isCancellation(error) || cancellation.token.isCancellationRequested) {
        outcome = 'cancelled';
      } else {
        message = logError(this.log, error, `Inpaint of ${input.fileName} failed`).message;
      }
    } finally {
      cancellation.dispose();
      if (this.job === job) this.job = undefined;
    }
    if (!this.isDisposed) this.emitter.fire({ kind: 'ended', jobId, outcome, ...(message ? { message } : {}) });
  }

  cancel(): void {
    this.job?.cancellation.cancel();
  }

  /**
   * The document's image is no longer the one the running job started from (revert, reload, an on-disk change,
   * another image applied): the job is cancelled and whatever it returns is discarded, never offered.
   */
  cancelStale(reason: string): void {
    const job = this.job;
    if (!job || job.staleReason !== undefined) return;
    job.staleReason = reason;
    job.cancellation.cancel();
  }

  /** The candidate to apply, if it is still offered. */
  candidate(jobId: number, index: number): InpaintCandidate | undefined {
    if (this.current.jobId !== jobId) return undefined;
    return this.current.candidates.find((c) => c.index === index);
  }

  /** Drops the candidates of `jobId` (all of them when undefined). */
  discard(jobId?: number): void {
    if (this.current === NO_CANDIDATES || (jobId !== undefined && this.current.jobId !== jobId)) return;
    this.current = NO_CANDIDATES;
    this.emitter.fire({ kind: 'candidates', candidates: this.current });
  }

  private onProgress(job: RunningInpaintJob, progress: GenerateProgress): void {
    if (this.job?.jobId !== job.jobId) return;
    let summary: InpaintJobProgress;
    switch (progress.stage) {
      case 'denoising': {
        const { image, images, step, steps, elapsedMs, preview } = progress;
        summary = { stage: 'denoising', image, images, step, steps, elapsedMs };
        if (preview && preview.rgba.length === preview.width * preview.height * 4) {
          // A fresh copy (new Uint8Array, not Buffer#slice, which is a view): never post a pooled buffer.
          this.emitter.fire({ kind: 'preview', jobId: job.jobId, image, width: preview.width, height: preview.height, rgba: new Uint8Array(preview.rgba) });
        }
        break;
      }
      case 'loading':
        summary = { stage: 'loading', component: progress.component, index: progress.index, total: progress.total };
        break;
      case 'decoding':
        summary = { stage: 'decoding', image: progress.image, images: progress.images };
        break;
      default:
        summary = { stage: progress.stage };
    }
    job.progress = summary;
    this.emitter.fire({ kind: 'progress', jobId: job.jobId, progress: summary });
  }

  /** Checks every result has the document's size (or the expanded one; the engine pastes back at full size) and copies the bytes. */
  private async toCandidates(result: GenerateResult, input: InpaintJobInput): Promise<InpaintCandidate[]> {
    const out: InpaintCandidate[] = [];
    const size = resultSize(input);
    for (const [index, image] of result.images.entries()) {
      const probe = await probeImage(image.png);
      if (probe.format !== 'png' || probe.width !== size.width || probe.height !== size.height) {
        throw new Error(
          `The engine returned a ${probe.width}×${probe.height} ${probe.format.toUpperCase()} for a ${size.width}×${size.height} image; it was not applied.`,
        );
      }
      out.push({ index, png: new Uint8Array(image.png), seed: String(image.seed), parameters: image.parameters });
    }
    if (out.length === 0) throw new Error('The engine returned no image.');
    return out;
  }
}

/** The size the job's results must have: the document's, or the expanded canvas's. */
function resultSize(input: InpaintJobInput): { width: number; height: number } {
  return input.expand ? expandedSize(input.width, input.height, input.expand.margins) : { width: input.width, height: input.height };
}

function requiredMask(input: InpaintJobInput): Uint8Array {
  if (!input.maskPng) throw new Error('An inpaint job needs a mask.');
  return input.maskPng;
}

/** The engine's cancelled error, or vscode.CancellationError (its name is 'Canceled'), told apart without vscode. */
function isCancellation(error: unknown): boolean {
  return (error instanceof RpcFailure && error.code === ErrorCode.Cancelled) || (error instanceof Error && error.name === 'Canceled');
}

/** The running job's results were built on an image the document no longer has. */
class StaleJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StaleJobError';
  }
}
