// The one shape every task's pipeline has (as diffusers' DiffusionPipeline.__call__): it takes its own request type
// and the loaded model, and owns its whole flow (inputs, conditioning, latents, denoise, decode, post-processing).
// The Engine only picks the pipeline by the request's task (and txt2img with `hires` goes to the hires fix pipeline).
import type { ConcreteSchedulerName, GeneratedImage, GenerateProgress } from '../../common/protocol/engineProtocol';
import type { Cancellation } from '../../common/protocol/rpc';
import type { GenerateRequest } from '../generateRequest';
import type { PipelineModel } from '../model/pipelineModel';
import type { JobTimings } from './jobContext';

/** What the Engine hands a pipeline for one job. */
export interface PipelineJob {
  model: PipelineModel;
  /** A1111's short model hash, when it could be computed. */
  modelHash: string | undefined;
  /** A1111's "Lora hashes" value (`name: hash, …`) when LoRAs are applied. */
  loraHashes?: string;
  emit(progress: GenerateProgress): void;
  cancellation?: Cancellation;
}

export interface PipelineOutput {
  images: GeneratedImage[];
  /** The size of the returned images. */
  width: number;
  height: number;
  scheduler: ConcreteSchedulerName;
  warnings: string[];
  timings: JobTimings;
}

export interface Pipeline<R extends GenerateRequest> {
  readonly task: R['task'];
  call(request: R, job: PipelineJob): Promise<PipelineOutput>;
}
