"""Reference timestep / sigma tables for SD's scheduler config, for test/unit/samplerSchedulers.test.ts.

The lines marked "diffusers" are copied from huggingface/diffusers src/diffusers/schedulers/scheduling_*.py
set_timesteps (main, 2026), whose table code is NumPy; the training tables (betas, alphas_cumprod) are torch
float32 there and NumPy float32 here (torch.cumprod accumulates in double on CPU: so does this script).
Run: python3 tools/reference/diffusersScheduleTables.py  (numpy only, no torch)
"""
import json

import numpy as np

T = 1000
betas = (np.linspace(0.00085**0.5, 0.012**0.5, T, dtype=np.float64).astype(np.float32)) ** 2  # scaled_linear
alphas_cumprod = np.cumprod((1.0 - betas).astype(np.float64)).astype(np.float32)
train_sigmas = np.array(((1 - alphas_cumprod) / alphas_cumprod) ** 0.5)
log_sigmas = np.log(train_sigmas)


def sigma_to_t(sigma):  # diffusers _sigma_to_t
    log_sigma = np.log(np.maximum(sigma, 1e-10))
    dists = log_sigma - log_sigmas[:, np.newaxis]
    low_idx = np.cumsum((dists >= 0), axis=0).argmax(axis=0).clip(max=log_sigmas.shape[0] - 2)
    high_idx = low_idx + 1
    low = log_sigmas[low_idx]
    high = log_sigmas[high_idx]
    w = np.clip((low - log_sigma) / (low - high), 0, 1)
    return ((1 - w) * low_idx + w * high_idx).reshape(sigma.shape)


def karras(sigma_min, sigma_max, n):  # diffusers _convert_to_karras
    rho = 7.0
    ramp = np.linspace(0, 1, n)
    return (sigma_max ** (1 / rho) + ramp * (sigma_min ** (1 / rho) - sigma_max ** (1 / rho))) ** rho


def pndm(n, steps_offset=1):  # scheduling_pndm.py, leading, skip_prk_steps
    step_ratio = T // n
    ts = (np.arange(0, n) * step_ratio).round() + steps_offset
    return np.concatenate([ts[:-1], ts[-2:-1], ts[-1:]])[::-1].astype(np.int64)


def ddpm(n, steps_offset=1):  # scheduling_ddpm.py, leading
    step_ratio = T // n
    return (np.arange(0, n) * step_ratio).round()[::-1].astype(np.int64) + steps_offset


def unipc(n, use_karras):  # scheduling_unipc_multistep.py, linspace, final_sigmas_type "zero"
    ts = np.linspace(0, T - 1, n + 1).round()[::-1][:-1].copy().astype(np.int64)
    if use_karras:
        sig = karras(train_sigmas[0], train_sigmas[-1], n)  # np.flip(sigmas): in_sigmas[-1] = σ(0), in_sigmas[0] = σ(T−1)
        ts = np.array([sigma_to_t(s) for s in sig]).round().astype(np.int64)
    else:
        sig = np.interp(ts, np.arange(0, len(train_sigmas)), train_sigmas)
    return ts, np.concatenate([sig, [0]]).astype(np.float32)


def euler_family(n, use_karras):  # scheduling_heun_discrete.py / scheduling_lms_discrete.py, linspace
    ts = np.linspace(0, T - 1, n, dtype=np.float32)[::-1].copy()
    sig = np.interp(ts, np.arange(0, len(train_sigmas)), train_sigmas)
    if use_karras:
        sig = karras(sig[-1], sig[0], n)
        ts = np.array([sigma_to_t(s) for s in sig])
    return ts.astype(np.float32), np.concatenate([sig, [0.0]]).astype(np.float32)


def heun(n, use_karras):  # repeat_interleave as HeunDiscreteScheduler.set_timesteps
    ts, sig = euler_family(n, use_karras)
    return np.concatenate([ts[:1], ts[1:].repeat(2)]), np.concatenate([sig[:1], sig[1:-1].repeat(2), sig[-1:]])


def dpm_sde(n, use_karras):  # scheduling_dpmsolver_sde.py, linspace (float64 timesteps)
    ts = np.linspace(0, T - 1, n, dtype=float)[::-1].copy()
    sig = np.interp(ts, np.arange(0, len(train_sigmas)), train_sigmas)
    if use_karras:
        sig = karras(sig[-1], sig[0], n)
        ts = np.array([sigma_to_t(s) for s in sig])
    t = -np.log(sig)
    mid = np.array([sigma_to_t(s) for s in np.exp(-(t[:-1] + np.diff(t) * 0.5))])
    full = np.concatenate([ts[:1], ts[1:].repeat(2)])
    full[1::2] = mid
    return full


def r(values, digits):
    return [round(float(v), digits) for v in values]


out = {
    "pndm20": pndm(20).tolist(),
    "ddpm20": ddpm(20).tolist(),
    "unipc20": {"timesteps": unipc(20, False)[0].tolist(), "sigmas": r(unipc(20, False)[1], 5)},
    "unipcKarras20": {"timesteps": unipc(20, True)[0].tolist(), "sigmas": r(unipc(20, True)[1], 5)},
    "heun10": {"timesteps": r(heun(10, False)[0], 3), "sigmas": r(heun(10, False)[1], 5)},
    "lmsKarras20": {"timesteps": r(euler_family(20, True)[0], 3), "sigmas": r(euler_family(20, True)[1], 5)},
    "dpmSde10": r(dpm_sde(10, False), 3),
    "dpmSdeKarras10": r(dpm_sde(10, True), 3),
}
print(json.dumps(out))
