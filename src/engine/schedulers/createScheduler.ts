// Builds a scheduler from a model's scheduler_config.json, like diffusers' Scheduler.from_config(config):
// each class keeps the keys it knows and uses its own defaults for the rest.
import type { ConcreteSchedulerName } from '../../common/protocol/engineProtocol';
import { DDIMScheduler } from './ddim';
import { DPMSolverMultistepScheduler } from './dpmSolverMultistep';
import { EulerAncestralDiscreteScheduler } from './eulerAncestralDiscrete';
import { EulerDiscreteScheduler } from './eulerDiscrete';
import { LCMScheduler } from './lcm';
import type { Scheduler } from './scheduler';
import type { SchedulerConfig } from './schedulerConfig';

/** The DPM++ 2M solver settings, forced whatever the model's DPMSolverMultistepScheduler config says. */
const DPMPP_2M_SETTINGS = { algorithm_type: 'dpmsolver++', solver_order: 2, solver_type: 'midpoint' } as const;

export function createScheduler(name: ConcreteSchedulerName, modelConfig: SchedulerConfig): Scheduler {
  switch (name) {
    case 'euler':
      return new EulerDiscreteScheduler(modelConfig);
    case 'euler-a':
      return new EulerAncestralDiscreteScheduler(modelConfig);
    case 'ddim':
      return new DDIMScheduler(modelConfig);
    case 'dpmpp-2m':
      return new DPMSolverMultistepScheduler({ ...modelConfig, ...DPMPP_2M_SETTINGS, use_karras_sigmas: false });
    case 'dpmpp-2m-karras':
      return new DPMSolverMultistepScheduler({ ...modelConfig, ...DPMPP_2M_SETTINGS, use_karras_sigmas: true });
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
  switch (className) {
    case 'EulerDiscreteScheduler':
      return { name: 'euler' };
    case 'EulerAncestralDiscreteScheduler':
      return { name: 'euler-a' };
    case 'DDIMScheduler':
      return { name: 'ddim' };
    case 'LCMScheduler':
      return { name: 'lcm' };
    case 'DPMSolverMultistepScheduler': {
      const name: ConcreteSchedulerName = modelConfig.use_karras_sigmas === true ? 'dpmpp-2m-karras' : 'dpmpp-2m';
      const algorithm = modelConfig.algorithm_type;
      const order = modelConfig.solver_order;
      const variant =
        (algorithm !== undefined && algorithm !== 'dpmsolver++') || (order !== undefined && order !== 2)
          ? `DPMSolverMultistepScheduler (algorithm_type ${JSON.stringify(algorithm ?? 'dpmsolver++')}, solver_order ${JSON.stringify(order ?? 2)}) runs as DPM++ 2M (dpmsolver++, order 2), the supported variant`
          : undefined;
      return variant ? { name, note: variant } : { name };
    }
    case 'PNDMScheduler':
    case 'UniPCMultistepScheduler':
    case 'DEISMultistepScheduler':
    case 'DPMSolverSinglestepScheduler':
      return {
        name: 'dpmpp-2m',
        note: `${className} is not implemented; using DPM++ 2M, a multistep solver of similar quality at the same step counts`,
      };
    case 'DDPMScheduler':
      return {
        name: 'ddim',
        note: 'DDPMScheduler is not implemented; using DDIM, which shares its noise schedule and samples deterministically in far fewer steps',
      };
    case 'LMSDiscreteScheduler':
    case 'HeunDiscreteScheduler':
    case 'KDPM2DiscreteScheduler':
    case 'KDPM2AncestralDiscreteScheduler':
      return { name: 'euler', note: `${className} is not implemented; using Euler, the sigma-space sampler closest to it` };
    default:
      return {
        name: 'euler',
        note: `${className === undefined ? 'scheduler_config.json has no _class_name' : `${className} is not a known scheduler`}; using Euler`,
      };
  }
}
