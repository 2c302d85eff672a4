// Builds a scheduler from a model's scheduler_config.json, like diffusers' Scheduler.from_config(config):
// each class keeps the keys it knows and uses its own defaults for the rest.
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import { DDIMScheduler } from './ddim';
import { DDPMScheduler } from './ddpm';
import { DPMSolverMultistepScheduler } from './dpmSolverMultistep';
import { DPMSolverSDEScheduler } from './dpmSolverSde';
import { EulerAncestralDiscreteScheduler } from './eulerAncestralDiscrete';
import { EulerDiscreteScheduler } from './eulerDiscrete';
import { HeunDiscreteScheduler } from './heunDiscrete';
import { LCMScheduler } from './lcm';
import { LMSDiscreteScheduler } from './lmsDiscrete';
import { PNDMScheduler } from './pndm';
import type { Scheduler } from './scheduler';
import type { SchedulerConfig } from './schedulerConfig';
import { UniPCMultistepScheduler } from './unipcMultistep';

/** The DPM++ 2M solver settings, forced whatever the model's DPMSolverMultistepScheduler config says. */
const DPMPP_2M_SETTINGS = { algorithm_type: 'dpmsolver++', solver_order: 2, solver_type: 'midpoint' } as const;
/** DPM++ 2M SDE: the same solver with algorithm_type "sde-dpmsolver++". */
const DPMPP_2M_SDE_SETTINGS = { ...DPMPP_2M_SETTINGS, algorithm_type: 'sde-dpmsolver++' } as const;
/** UniPC as this port runs it: bh2, order 2 (UniPCMultistepScheduler's defaults). */
const UNIPC_SETTINGS = { solver_order: 2, solver_type: 'bh2', predict_x0: true } as const;

export function createScheduler(name: ConcreteSchedulerName, modelConfig: SchedulerConfig): Scheduler {
  switch (name) {
    case 'euler':
      return new EulerDiscreteScheduler({ ...modelConfig, use_karras_sigmas: false });
    case 'euler-karras':
      return new EulerDiscreteScheduler({ ...modelConfig, use_karras_sigmas: true });
    case 'euler-a':
      return new EulerAncestralDiscreteScheduler(modelConfig);
    case 'lms':
      return new LMSDiscreteScheduler({ ...modelConfig, use_karras_sigmas: false });
    case 'lms-karras':
      return new LMSDiscreteScheduler({ ...modelConfig, use_karras_sigmas: true });
    case 'heun':
      return new HeunDiscreteScheduler({ ...modelConfig, use_karras_sigmas: false });
    case 'ddim':
      return new DDIMScheduler(modelConfig);
    case 'pndm':
      return new PNDMScheduler(modelConfig);
    case 'ddpm':
      return new DDPMScheduler(modelConfig);
    case 'unipc':
      return new UniPCMultistepScheduler({ ...modelConfig, ...UNIPC_SETTINGS, use_karras_sigmas: false });
    case 'dpmpp-2m':
      return new DPMSolverMultistepScheduler({ ...modelConfig, ...DPMPP_2M_SETTINGS, use_karras_sigmas: false });
    case 'dpmpp-2m-karras':
      return new DPMSolverMultistepScheduler({ ...modelConfig, ...DPMPP_2M_SETTINGS, use_karras_sigmas: true });
    case 'dpmpp-2m-sde':
      return new DPMSolverMultistepScheduler({ ...modelConfig, ...DPMPP_2M_SDE_SETTINGS, use_karras_sigmas: false });
    case 'dpmpp-2m-sde-karras':
      return new DPMSolverMultistepScheduler({ ...modelConfig, ...DPMPP_2M_SDE_SETTINGS, use_karras_sigmas: true });
    case 'dpmpp-sde':
      return new DPMSolverSDEScheduler({ ...modelConfig, use_karras_sigmas: false });
    case 'dpmpp-sde-karras':
      return new DPMSolverSDEScheduler({ ...modelConfig, use_karras_sigmas: true });
    case 'lcm':
      return new LCMScheduler(modelConfig);
    default: {
      const unknown: never = name;
      throw new Error(`Unknown scheduler ${JSON.stringify(unknown)}`);
    }
  }
}

/** The closest supported scheduler to a scheduler_config.json's _class_name, with a note when it is not exact. */
export function resolveDefaultScheduler(modelConfig: SchedulerConfig): { name: ConcreteSchedulerName; note?: string } {
  const className = modelConfig._class_name;
  const karras = modelConfig.use_karras_sigmas === true;
  switch (className) {
    case 'EulerDiscreteScheduler':
      return { name: karras ? 'euler-karras' : 'euler' };
    case 'EulerAncestralDiscreteScheduler':
      return { name: 'euler-a' };
    case 'LMSDiscreteScheduler':
      return { name: karras ? 'lms-karras' : 'lms' };
    case 'HeunDiscreteScheduler':
      return karras ? { name: 'heun', note: 'HeunDiscreteScheduler with use_karras_sigmas runs as Heun on the plain sigmas' } : { name: 'heun' };
    case 'DDIMScheduler':
      return { name: 'ddim' };
    case 'PNDMScheduler':
      return { name: 'pndm' };
    case 'DDPMScheduler':
      return { name: 'ddpm' };
    case 'LCMScheduler':
      return { name: 'lcm' };
    case 'DPMSolverSDEScheduler':
      return { name: karras ? 'dpmpp-sde-karras' : 'dpmpp-sde' };
    case 'UniPCMultistepScheduler': {
      const order = modelConfig.solver_order;
      const type = modelConfig.solver_type;
      const exact = (order === undefined || order === 2) && (type === undefined || type === 'bh2') && !karras;
      return exact
        ? { name: 'unipc' }
        : {
            name: 'unipc',
            note: `UniPCMultistepScheduler (solver_order ${JSON.stringify(order ?? 2)}, solver_type ${JSON.stringify(type ?? 'bh2')}${karras ? ', use_karras_sigmas' : ''}) runs as UniPC bh2, order 2 on the plain sigmas, the supported variant`,
          };
    }
    case 'DPMSolverMultistepScheduler': {
      const algorithm = modelConfig.algorithm_type;
      const sde = algorithm === 'sde-dpmsolver++' || algorithm === 'sde-dpmsolver';
      const name: ConcreteSchedulerName = sde ? (karras ? 'dpmpp-2m-sde-karras' : 'dpmpp-2m-sde') : karras ? 'dpmpp-2m-karras' : 'dpmpp-2m';
      const order = modelConfig.solver_order;
      const supported = algorithm === undefined || algorithm === 'dpmsolver++' || algorithm === 'sde-dpmsolver++';
      const variant =
        !supported || (order !== undefined && order !== 2)
          ? `DPMSolverMultistepScheduler (algorithm_type ${JSON.stringify(algorithm ?? 'dpmsolver++')}, solver_order ${JSON.stringify(order ?? 2)}) runs as ${sde ? 'DPM++ 2M SDE (sde-dpmsolver++' : 'DPM++ 2M (dpmsolver++'}, order 2), the supported variant`
          : undefined;
      return variant ? { name, note: variant } : { name };
    }
    case 'DEISMultistepScheduler':
    case 'DPMSolverSinglestepScheduler':
      return {
        name: 'dpmpp-2m',
        note: `${className} is not implemented; using DPM++ 2M, a multistep solver of similar quality at the same step counts`,
      };
    case 'KDPM2DiscreteScheduler':
      return { name: 'heun', note: `${className} is not implemented; using Heun, the second-order sigma-space sampler closest to it` };
    case 'KDPM2AncestralDiscreteScheduler':
      return { name: 'euler-a', note: `${className} is not implemented; using Euler a, the ancestral sampler closest to it` };
    default:
      return {
        name: 'euler',
        note: `${className === undefined ? 'scheduler_config.json has no _class_name' : `${className} is not a known scheduler`}; using Euler`,
      };
  }
}
