// Mirrors a diffusers scheduler_config.json (snake_case keys as in the file). Every key is optional:
// each scheduler class fills in its own diffusers defaults (see createScheduler / the class files).

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';
export type FinalSigmasType = 'zero' | 'sigma_min';

export interface SchedulerConfig {
  _class_name?: string;
  num_train_timesteps?: number;
  beta_start?: number;
  beta_end?: number;
  beta_schedule?: BetaSchedule;
  trained_betas?: number[] | null;
  prediction_type?: PredictionType;
  timestep_spacing?: TimestepSpacing;
  steps_offset?: number;
  set_alpha_to_one?: boolean;
  clip_sample?: boolean;
  clip_sample_range?: number;
  use_karras_sigmas?: boolean;
  original_inference_steps?: number;
  timestep_scaling?: number;
  final_sigmas_type?: FinalSigmasType;
  lower_order_final?: boolean;
  euler_at_final?: boolean;
  rescale_betas_zero_snr?: boolean;
  sigma_min?: number | null;
  sigma_max?: number | null;
  lambda_min_clipped?: number;
  [key: string]: unknown;
}

/** The noise-table part of a config, after class defaults are applied. */
export interface NoiseScheduleConfig {
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: BetaSchedule;
  trained_betas: number[] | null;
  rescale_betas_zero_snr: boolean;
}
