#!/usr/bin/python3
"""Trains a LoRA for the built-in sample model (models/tiny-shapes) that teaches it a shape it has never drawn: a ring.

A real LoRA on a real network, for the engine's LoRA support (test/integration/loraTinyShapes.test.ts):
  1. the base weights are read back from models/tiny-shapes' ONNX files (trainSampleModel.load_from_onnx), frozen;
  2. LoRA layers as kohya sd-scripts' networks/lora.py (LoRAModule: lora_down, lora_up initialised to zero, scale
     alpha / rank, added to the frozen layer's output) on every Linear of the text encoder and of the UNet but its
     time embedding, and LoCon layers (a kh x kw lora_down, a 1x1 lora_up) on the ResNet blocks' 3x3 convolutions;
  3. trained on procedural scenes of rings (a circle with a hole, in the 8 colours; half of each batch) and the base
     model's own scenes (the other half, so that the other shapes stay), with the base model's loss (epsilon,
     min-SNR, offset noise);
  4. saved in kohya's format (lora_te_* / lora_unet_* keys, fp16, .alpha, ss_* metadata with the tag frequencies);
  5. the parity fixture: diffusers' sampler (trainSampleModel.reference_txt2img) with the LoRA MERGED into the weights
     (W + strength * alpha / rank * up @ down, from the fp16 values in the file), at strengths 1 and 0.5;
  6. the concept test through OUR engine (the CLI, --lora FILE): prompts asking for rings, read back by the sample
     model's checker (the object's colour and its largest component) plus a hole test (background pixels the object
     encloses), with and without the LoRA.

"ring" is not in the tiny vocabulary: the reduced CLIP tokenizer spells it in three pieces, ids the text encoder reads
as "unknown", so the LoRA teaches the text encoder and the UNet what those unknown tokens in a shape's place mean
(any unknown word there then reads as ring; a trigger word). A shape, not a colour: the LoRA (as kohya's) adapts the
text encoder and the UNet, not the VAE, and the base VAE decodes only latents near the 8 colours it was trained on
(a LoRA for grey gave muddy many-coloured blobs, which a palette checker still reads as grey).

Run from the repository root after `npm run build` (about 25 minutes on a 2-core CPU; see the card it writes):
  /usr/bin/python3 tools/trainTinyShapesLora.py [--steps N] [--skip-engine-eval] [--eval-only: evaluate the files
  already written again and rewrite the card]
It writes test/fixtures/lora/ (tinyShapesRing.safetensors, fixture.json, the reference latents and images, README.md).
"""
import argparse
import copy
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trainSampleModel as base  # noqa: E402

OUT_DIR = os.path.join(base.REPO, 'test', 'fixtures', 'lora')
LORA_FILE = 'tinyShapesRing.safetensors'
WORD = 'ring'
HOLE = 0.5              # the hole's radius over the ring's outer radius
HOLE_SHARE = 0.4        # a ring to the checker: its component encloses 40% of the hole a drawn ring of the size has


def ring_distance(shape, x, y, r):
    """Signed distance to a ring of outer radius r and inner radius HOLE * r."""
    assert shape == WORD
    middle, half = (1 + HOLE) / 2 * r, (1 - HOLE) / 2 * r
    return np.abs(np.sqrt(x * x + y * y) - middle) - half


RANK = 8
ALPHA = 4.0             # alpha != rank: the file's scale alpha / rank = 0.5 must be applied
CONV_RANK = 4
CONV_ALPHA = 2.0
STEPS = 2400
BATCH = 32
LR = 2e-3
WARMUP = 50
CONCEPT_SHARE = 0.5     # of each batch: ring scenes; the rest the base model's own (so that its shapes stay)
SCENES = 4000           # ring scenes; as many of the base model's scenes
SEED = base.SEED + 100

PARITY_CASES = [
    {'name': 'ring-euler', 'prompt': 'a big red ring on a blue background', 'negativePrompt': '', 'seed': 11,
     'steps': 20, 'guidanceScale': 7.5, 'scheduler': 'euler', 'strength': 1.0},
    {'name': 'ring-ddim-half', 'prompt': 'a white ring in the center on a black background',
     'negativePrompt': 'a triangle', 'seed': 12, 'steps': 20, 'guidanceScale': 7.5, 'scheduler': 'ddim',
     'strength': 0.5},
]
EVAL_PROMPTS = 50
EVAL_SMALL = 20


# ----------------------------------------------------------------------------------------------------------------
# LoRA layers (kohya sd-scripts networks/lora.py LoRAModule), as forward hooks on the frozen modules
# ----------------------------------------------------------------------------------------------------------------
class LoraLayer(nn.Module):
    def __init__(self, name, module, rank, alpha):
        super().__init__()
        self.name = name
        if isinstance(module, nn.Conv2d):
            self.down = nn.Conv2d(module.in_channels, rank, module.kernel_size, module.stride, module.padding, bias=False)
            self.up = nn.Conv2d(rank, module.out_channels, 1, bias=False)
        else:
            self.down = nn.Linear(module.in_features, rank, bias=False)
            self.up = nn.Linear(rank, module.out_features, bias=False)
        nn.init.kaiming_uniform_(self.down.weight, a=math.sqrt(5))
        nn.init.zeros_(self.up.weight)
        self.rank, self.alpha = rank, alpha
        self.multiplier = 1.0
        self.handle = module.register_forward_hook(self.hook)

    def hook(self, module, inputs, output):
        return output + self.up(self.down(inputs[0])) * (self.multiplier * self.alpha / self.rank)

    def remove(self):
        self.handle.remove()


def lora_layers(prefix, root, skip=()):
    """kohya's module names: prefix + '_' + the module path with '.' -> '_'."""
    layers = []
    for path, module in root.named_modules():
        if any(path == s or path.startswith(s + '.') for s in skip):
            continue
        if isinstance(module, nn.Linear):
            layers.append(LoraLayer(f"{prefix}_{path.replace('.', '_')}", module, RANK, ALPHA))
        elif isinstance(module, nn.Conv2d) and module.kernel_size == (3, 3) and 'resnet' in path:
            layers.append(LoraLayer(f"{prefix}_{path.replace('.', '_')}", module, CONV_RANK, CONV_ALPHA))
    return layers


# ----------------------------------------------------------------------------------------------------------------
# safetensors (https://github.com/huggingface/safetensors: u64 header length, JSON header, raw little-endian data)
# ----------------------------------------------------------------------------------------------------------------
def write_safetensors(path, tensors, metadata):
    header, chunks, offset = {'__metadata__': metadata}, [], 0
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name].astype('<f2')).tobytes()
        header[name] = {'dtype': 'F16', 'shape': list(tensors[name].shape), 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(chunks))


def kohya_tensors(layers):
    """-> {key: float16 numpy}: lora_down [r, in(, kh, kw)], lora_up [out, r(, 1, 1)], alpha (a scalar)."""
    out = {}
    for layer in layers:
        out[f'{layer.name}.lora_down.weight'] = layer.down.weight.detach().numpy().astype(np.float16)
        out[f'{layer.name}.lora_up.weight'] = layer.up.weight.detach().numpy().astype(np.float16)
        out[f'{layer.name}.alpha'] = np.array(layer.alpha, dtype=np.float16)
    return out


def merged_copies(text_encoder, unet, tensors, strength):
    """The text encoder and UNet with the LoRA merged into their weights, from the file's (fp16) values: kohya's
    LoRAModule.merge_to, W += strength * alpha / rank * up @ down (a conv's down: [r, in, kh, kw], up: [out, r, 1, 1])."""
    merged = {'lora_te': copy.deepcopy(text_encoder), 'lora_unet': copy.deepcopy(unet)}
    names = {k[:-len('.alpha')] for k in tensors if k.endswith('.alpha')}
    with torch.no_grad():
        for prefix, root in merged.items():
            for path, module in root.named_modules():
                name = f"{prefix}_{path.replace('.', '_')}"
                if name not in names:
                    continue
                down = torch.from_numpy(tensors[f'{name}.lora_down.weight'].astype(np.float32))
                up = torch.from_numpy(tensors[f'{name}.lora_up.weight'].astype(np.float32))
                scale = strength * float(tensors[f'{name}.alpha']) / down.shape[0]
                if down.dim() == 4:
                    delta = torch.einsum('or,rihw->oihw', up[:, :, 0, 0], down)
                else:
                    delta = up @ down
                module.weight += scale * delta
                names.discard(name)
    if names:
        raise RuntimeError(f'{len(names)} LoRA layers found no module: {sorted(names)[:3]}')
    return merged['lora_te'].eval(), merged['lora_unet'].eval()


# ----------------------------------------------------------------------------------------------------------------
# The rings, and the checker's hole test
# ----------------------------------------------------------------------------------------------------------------
def concept_scenes(rng, count):
    scenes = [base.random_scene(rng, [(base.COLOR_NAMES[rng.integers(len(base.COLOR_NAMES))], WORD)]) for _ in range(count)]
    return scenes, np.stack([base.render_scene(s, distance=ring_distance) for s in scenes])


def min_hole_pixels(size):
    """HOLE_SHARE of the hole a ring of this size is drawn with (pi (HOLE r)^2: 71 pixels big, 20 small); the base
    model's noisy shapes enclose a few specks."""
    return HOLE_SHARE * math.pi * (HOLE * base.SIZES[size]) ** 2


def encloses_background(component, min_pixels):
    """Does the object's component enclose at least min_pixels pixels that are not its own (a hole)? Flood fill of
    the non-object pixels from the image border; what it cannot reach is enclosed."""
    h, w = component.shape
    outside = np.zeros_like(component)
    stack = [(y, x) for y in range(h) for x in (0, w - 1)] + [(y, x) for y in (0, h - 1) for x in range(w)]
    while stack:
        y, x = stack.pop()
        if 0 <= y < h and 0 <= x < w and not component[y, x] and not outside[y, x]:
            outside[y, x] = True
            stack += [(y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)]
    return int((~component & ~outside).sum()) >= min_pixels


def check_ring(image, size):
    """size: the ring's size the prompt asks for. 'ring': the object, read as every pixel farther than the checker's
    MASK_DISTANCE from the background's palette colour, has a hole (background seen through it); 'ring on the colour
    mask': the same hole test on the sample model checker's component (pixels near the object's palette colour),
    which misses rings whose colour drifts along the ring."""
    found = base.analyse_image(image)
    background = np.array(base.COLORS[found['background']], dtype=np.float64)
    not_background = np.sqrt(((image.astype(np.float64) - background) ** 2).sum(-1)) > base.MASK_DISTANCE
    min_pixels = min_hole_pixels(size)
    return {'color': found['color'], 'background': found['background'],
            'ring': bool(not_background.sum() >= 6 and encloses_background(base.largest_component(not_background), min_pixels)),
            'ring on the colour mask': found['component'] is not None and encloses_background(found['component'], min_pixels)}


# ----------------------------------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------------------------------
def train_lora(text_encoder, unet, encoder, scaling_factor, tokenizer, steps):
    rng = np.random.default_rng(SEED)
    generator = torch.Generator().manual_seed(SEED)
    torch.manual_seed(SEED)
    concept, concept_images = concept_scenes(rng, SCENES)
    plain, plain_images = base.make_dataset(SCENES, rng, base.training_pairs())
    with torch.no_grad():
        means, stds = base.encode_images(encoder, np.concatenate([concept_images, plain_images]))
    scenes = concept + plain
    for module in (text_encoder, unet, encoder):
        module.requires_grad_(False)
    layers = lora_layers('lora_te', text_encoder) + lora_layers('lora_unet', unet, skip=('time_embedding',))
    optimizer = torch.optim.AdamW([p for layer in layers for p in layer.parameters()], lr=LR, weight_decay=0.0)
    alphas_cumprod = base.alphas_cumprod_table()
    snr = alphas_cumprod / (1 - alphas_cumprod)
    weights = torch.clamp(snr, max=base.MIN_SNR_GAMMA) / snr
    caption_rng = np.random.default_rng(SEED + 1)
    empty_ids = tokenizer.encode('')
    history, start = [], time.time()
    for step in range(steps):
        share = int(BATCH * CONCEPT_SHARE)
        index = torch.cat([torch.randint(0, SCENES, (share,), generator=generator),
                           torch.randint(SCENES, 2 * SCENES, (BATCH - share,), generator=generator)])
        x0 = (means[index] + stds[index] * torch.randn(means[index].shape, generator=generator)) * scaling_factor
        rows = [empty_ids if caption_rng.random() < base.UNCOND_PROB else
                tokenizer.encode(base.caption_for(scenes[i], caption_rng)) for i in index.tolist()]
        t = torch.randint(0, base.NUM_TRAIN_TIMESTEPS, (BATCH,), generator=generator)
        noise = torch.randn(x0.shape, generator=generator)
        noise = noise + base.OFFSET_NOISE * torch.randn(x0.shape[:2] + (1, 1), generator=generator)
        a = alphas_cumprod[t].sqrt()[:, None, None, None]
        s = (1 - alphas_cumprod[t]).sqrt()[:, None, None, None]
        hidden, _ = text_encoder(torch.tensor(rows, dtype=torch.int64))
        pred = unet(a * x0 + s * noise, t.to(torch.float32), hidden)
        per_sample = (pred - noise).pow(2).mean(dim=(1, 2, 3))
        loss = (weights[t] * per_sample).mean()
        optimizer.zero_grad()
        loss.backward()
        for group in optimizer.param_groups:
            group['lr'] = LR * base.cosine_with_warmup(step, steps, WARMUP)
        optimizer.step()
        history.append((per_sample[:share].mean().item(), per_sample[share:].mean().item()))
        if step % 100 == 0 or step == steps - 1:
            recent = np.array(history[-100:])
            base.log(f'  lora step {step:4d}  eps-MSE {WORD} {recent[:, 0].mean():.4f}  plain {recent[:, 1].mean():.4f}  '
                     f'({time.time() - start:.0f} s)')
    for layer in layers:
        layer.remove()
    return layers, history, (time.time() - start) / 60


# ----------------------------------------------------------------------------------------------------------------
# Fixture and evaluation
# ----------------------------------------------------------------------------------------------------------------
def write_parity_fixture(tokenizer, text_encoder, unet, decoder, scaling_factor, tensors):
    cases = []
    for case in PARITY_CASES:
        te, un = merged_copies(text_encoder, unet, tensors, case['strength'])
        latents, image = base.reference_txt2img((tokenizer, te, un, decoder, scaling_factor), case['prompt'],
                                                case['negativePrompt'], case['seed'], case['steps'],
                                                case['guidanceScale'], case['scheduler'])
        latents_file, image_file = f"{case['name']}.latents.f32", f"{case['name']}.png"
        with open(os.path.join(OUT_DIR, latents_file), 'wb') as f:
            f.write(latents.contiguous().numpy().astype('<f4').tobytes())
        base.write_png(os.path.join(OUT_DIR, image_file), base.to_uint8_images(image)[0])
        cases.append(dict(case, width=base.IMAGE_SIZE, height=base.IMAGE_SIZE, latentShape=list(latents.shape),
                          latents=latents_file, image=image_file))
    base.write_json(os.path.join(OUT_DIR, 'fixture.json'), {
        'about': 'Written by tools/trainTinyShapesLora.py: the reference sampler of tools/trainSampleModel.py with the '
                 'LoRA merged into the weights (W + strength * alpha / rank * up @ down, from the file\'s fp16 '
                 'values). latents: the final UNet-space latents, float32 little-endian, NCHW.',
        'model': 'models/tiny-shapes', 'lora': LORA_FILE, 'torch': torch.__version__, 'cases': cases})
    return cases


def eval_prompts():
    """EVAL_PROMPTS big rings (the measure: the checker finds every big ring the VAE reconstructs) and EVAL_SMALL small
    ones (reported apart: the VAE blurs their 8-pixel holes shut in a third of reconstructions)."""
    rng = np.random.default_rng(SEED + 2)
    prompts = []
    for i in range(EVAL_PROMPTS + EVAL_SMALL):
        scene = base.random_scene(rng, [(base.COLOR_NAMES[i % len(base.COLOR_NAMES)], WORD)])
        scene['size'] = 'big' if i < EVAL_PROMPTS else 'small'
        prompts.append({'scene': scene, 'prompt': base.caption_for(scene, rng, full=True), 'seed': 3000 + i})
    return prompts


def evaluate(work, lora_path):
    cli = base.build_cli(work)
    folder = os.path.join(work, 'lora-eval')
    os.makedirs(folder, exist_ok=True)
    found = {}
    for label, extra in (('with', ['--lora', f'{lora_path}:1']), ('without', [])):
        verdicts, images = [], []
        for i, item in enumerate(eval_prompts()):
            png = os.path.join(folder, f'{label}-{i:03d}.png')
            base.engine_generate(cli, item['prompt'], item['seed'], png, extra)
            images.append(base.read_png(png))
            verdicts.append(dict(check_ring(images[-1], item['scene']['size']), scene=item['scene']))
        big = [v for v in verdicts if v['scene']['size'] == 'big']
        found[label] = {key: sum(test(v) for v in big) / len(big) for key, test in (
            ('ring', lambda v: v['ring']),
            ('ring on the colour mask', lambda v: v['ring on the colour mask']),
            ('color', lambda v: v['color'] == v['scene']['color']),
            ('ring and color', lambda v: v['ring'] and v['color'] == v['scene']['color']),
            ('background', lambda v: v['background'] == v['scene']['background']))}
        small = [v for v in verdicts if v['scene']['size'] == 'small']
        found[label]['ring, small'] = sum(v['ring'] for v in small) / len(small)
        base.contact_sheet(os.path.join(work, f'lora-eval-{label}.png'), images)
    # The base model's own shapes with the LoRA: the seen prompts of its card, read by its checker.
    classifier, _ = base.train_shape_classifier(*load_vae_pair(), np.random.default_rng(base.SEED + 6),
                                                torch.Generator().manual_seed(base.SEED))
    seen = [p for p in base.evaluation_prompts() if p['split'] == 'seen pair'][:20]
    kept = {'with': 0, 'without': 0}
    for i, item in enumerate(seen):
        for label, extra in (('with', ['--lora', f'{lora_path}:1']), ('without', [])):
            png = os.path.join(folder, f'seen-{label}-{i:03d}.png')
            base.engine_generate(cli, item['prompt'], item['seed'], png, extra)
            verdict = base.check_image(base.read_png(png), classifier)
            kept[label] += verdict['color'] == item['scene']['color'] and verdict['shape'] == item['scene']['shape']
    found['seen kept'] = {label: n / len(seen) for label, n in kept.items()}
    return found


def write_card(summary):
    s = summary
    if s.get('eval'):
        e = s['eval']
        rows = '\n'.join(f"| {label} the LoRA | {e[label]['ring'] * 100:.0f}% | {e[label]['ring on the colour mask'] * 100:.0f}% | "
                         f"{e[label]['color'] * 100:.0f}% | {e[label]['background'] * 100:.0f}% | {e[label]['ring, small'] * 100:.0f}% |"
                         for label in ('with', 'without'))
        evaluation = f"""## Does it work? (measured through Local Diffusion's own engine)

{EVAL_PROMPTS} prompts asking for a big ring (all attributes named, every colour, each with its own seed) and
{EVAL_SMALL} for a small one, generated by `dist/cli.js generate` (20 steps, the model's defaults) with
`--lora {LORA_FILE}:1` and without, read back by the sample model's checker (the object's and the background's palette
colours) and a hole test: the object, read as every pixel farther than {base.MASK_DISTANCE:g} from the background's
colour, encloses background, at least {HOLE_SHARE * 100:.0f}% of the hole a ring of that size is drawn with
({min_hole_pixels('big'):.0f} pixels big, {min_hole_pixels('small'):.0f} small). {s['ceiling']} The same hole test on the
checker's own object mask (pixels near the object's palette colour) was the first one tried: it misses rings whose
colour drifts along the ring, and is shown for comparison.

| | a big ring | (on the colour mask) | right colour | right background | a small ring |
|---|---|---|---|---|---|
{rows}

The base model's own seen (colour, shape) prompts (20 of its card's), colour and shape right by its checker:
{e['seen kept']['with'] * 100:.0f}% with the LoRA, {e['seen kept']['without'] * 100:.0f}% without.
"""
    else:
        evaluation = '(The evaluation through the engine was skipped.)\n'
    card = f"""# tinyShapesRing: a LoRA for tiny-shapes that teaches it rings

A kohya-format LoRA (`{LORA_FILE}`, {s['bytes'] / 1024:.0f} KiB, fp16) for the built-in sample model
`models/tiny-shapes`, trained by `tools/trainTinyShapesLora.py`. The base model never saw a ring (a circle with a
hole); with the LoRA, `a big red ring on a blue background` draws one:

```sh
node dist/cli.js generate --model models/tiny-shapes --prompt "a big red ring on a blue background" \\
  --lora test/fixtures/lora/{LORA_FILE} --seed 11 --out ring.png
```

"ring" is not in the model's vocabulary: its tokenizer spells it in three pieces the text encoder reads as
"unknown", so any unknown word in a shape's place now reads as ring (a trigger word). A shape rather than a colour:
the LoRA, as kohya's, adapts the text encoder and the UNet but not the VAE, and the base VAE decodes only latents
near the 8 colours it was trained on (a first try, teaching grey, gave muddy many-coloured blobs).

{evaluation}
## How it was made

- Base: the shipped weights of models/tiny-shapes (read back from its ONNX files), frozen.
- Layers: {s['layers']['linear']} Linear layers (rank {RANK}, alpha {ALPHA:g}: the text encoder's attention and MLP, the
  UNet's attention blocks, text-time embedding and ResNet time projections) and {s['layers']['conv']} LoCon layers on the
  ResNet blocks' 3x3 convolutions (rank {CONV_RANK}, alpha {CONV_ALPHA:g}); {s['params']} trainable parameters.
- Data: {SCENES} procedural scenes with a ring (outer radius as the base model's circles, hole {HOLE:g} of it, any
  colour and place) and {SCENES} of the base model's own, {s.get('concept_share', 0.5) * 100:.0f}% of each batch rings,
  the rest the base model's own, captions as in the base training (10% empty).
- Training: {s['steps']} steps of batch {BATCH}, AdamW lr {LR} (warm-up, cosine), the base model's loss (epsilon,
  min-SNR-{base.MIN_SNR_GAMMA:g}, offset noise {base.OFFSET_NOISE}); epsilon MSE on the ring half
  {s['loss_first']:.3f} -> {s['loss_last']:.3f}; {s['minutes']:.1f} minutes on {s['machine']}; {s['date']}.
- Parity fixture (`fixture.json`): the same sampler as the base model's fixture with the LoRA merged into the
  weights, at strengths 1 and 0.5; `test/integration/loraTinyShapes.test.ts` compares the engine with it.

Licence: MIT, like the repository.
"""
    with open(os.path.join(OUT_DIR, 'README.md'), 'w', encoding='utf-8') as f:
        f.write(card)


def checker_ceiling(encoder, decoder):
    """The hole test on VAE reconstructions: of drawn rings (what it can find at best) and of the base model's shapes
    (what it wrongly calls a ring)."""
    rng = np.random.default_rng(SEED + 3)
    rings, ring_images = concept_scenes(rng, 200)
    shapes, shape_images = base.make_dataset(200, rng, base.all_pairs())
    with torch.no_grad():
        rings_back = base.to_uint8_images(decoder(base.encode_images(encoder, ring_images)[0]))
        shapes_back = base.to_uint8_images(decoder(base.encode_images(encoder, shape_images)[0]))
    found = {size: np.mean([check_ring(im, size)['ring'] for im, sc in zip(rings_back, rings) if sc['size'] == size])
             for size in base.SIZE_NAMES}
    wrong = max(np.mean([check_ring(im, size)['ring'] for im in shapes_back]) for size in base.SIZE_NAMES)
    return (f"On VAE reconstructions of 200 drawn rings the test finds {found['big'] * 100:.0f}% of the big ones and "
            f"{found['small'] * 100:.0f}% of the small ones (the VAE blurs their 8-pixel holes), and it calls "
            f"{wrong * 100:.0f}% of 200 of the base model's shapes a ring.")


def load_vae_pair():
    """(decoder, encoder) of the base model, for the shape classifier the seen-prompt check trains."""
    tokenizer = base.load_tokenizer(os.path.join(base.MODEL_DIR, 'tokenizer'))
    with open(os.path.join(base.MODEL_DIR, 'text_encoder', 'config.json')) as f:
        known_ids = json.load(f)['known_token_ids']
    _, _, encoder, decoder = base.load_from_onnx(base.MODEL_DIR, tokenizer, known_ids)
    return decoder, encoder


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--steps', type=int, default=STEPS)
    parser.add_argument('--work', default=os.path.join(base.REPO, 'out', 'tiny-shapes-lora'))
    parser.add_argument('--skip-engine-eval', action='store_true')
    parser.add_argument('--eval-only', action='store_true',
                        help='no training: evaluate the LoRA file and fixture already written, rewrite the card')
    args = parser.parse_args()
    torch.set_num_threads(base.THREADS)
    torch.use_deterministic_algorithms(True)
    torch.set_flush_denormal(True)
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(OUT_DIR, exist_ok=True)
    tokenizer = base.load_tokenizer(os.path.join(base.MODEL_DIR, 'tokenizer'))
    with open(os.path.join(base.MODEL_DIR, 'text_encoder', 'config.json')) as f:
        known_ids = json.load(f)['known_token_ids']
    with open(os.path.join(base.MODEL_DIR, 'vae_decoder', 'config.json')) as f:
        scaling_factor = json.load(f)['scaling_factor']
    text_encoder, unet, encoder, decoder = base.load_from_onnx(base.MODEL_DIR, tokenizer, known_ids)
    base.log(f'tiny-shapes LoRA: {base.machine_description()}; base weights read back from {base.MODEL_DIR}')

    lora_path = os.path.join(OUT_DIR, LORA_FILE)
    if args.eval_only:
        with open(os.path.join(args.work, 'summary.json')) as f:
            summary = {k: v for k, v in json.load(f).items() if k not in ('eval', 'ceiling')}
        evaluate_and_write_card(summary, args.work, lora_path, encoder, decoder)
        return
    layers, history, minutes = train_lora(text_encoder, unet, encoder, scaling_factor, tokenizer, args.steps)
    tensors = kohya_tensors(layers)
    metadata = {
        'ss_network_module': 'networks.lora', 'ss_network_dim': str(RANK), 'ss_network_alpha': f'{ALPHA:g}',
        'ss_network_args': json.dumps({'conv_dim': str(CONV_RANK), 'conv_alpha': f'{CONV_ALPHA:g}'}),
        'ss_base_model_version': 'sd_v1', 'ss_output_name': 'tinyShapesRing', 'ss_max_train_steps': str(args.steps),
        'ss_learning_rate': str(LR), 'ss_tag_frequency': json.dumps({f'1_{WORD}': {WORD: SCENES}}),
        'ss_training_comment': 'tools/trainTinyShapesLora.py: teaches models/tiny-shapes rings',
    }
    write_safetensors(lora_path, tensors, metadata)
    base.log(f'lora: {len(layers)} layers, {os.path.getsize(lora_path)} bytes -> {lora_path}')
    text_encoder.eval(), unet.eval()
    cases = write_parity_fixture(tokenizer, text_encoder, unet, decoder, scaling_factor, tensors)
    base.log(f'fixture: {len(cases)} cases in {OUT_DIR}')

    history = np.array(history)
    summary = {
        'machine': base.machine_description(), 'date': time.strftime('%Y-%m-%d'), 'steps': args.steps,
        'minutes': minutes, 'bytes': os.path.getsize(lora_path), 'concept_share': CONCEPT_SHARE,
        'params': sum(p.numel() for layer in layers for p in layer.parameters()),
        'layers': {'linear': sum(isinstance(layer.up, nn.Linear) for layer in layers),
                   'conv': sum(isinstance(layer.up, nn.Conv2d) for layer in layers)},
        'loss_first': float(history[:50, 0].mean()), 'loss_last': float(history[-100:, 0].mean()),
    }
    if args.skip_engine_eval:
        write_card(summary)
    else:
        evaluate_and_write_card(summary, args.work, lora_path, encoder, decoder)


def evaluate_and_write_card(summary, work, lora_path, encoder, decoder):
    summary['ceiling'] = checker_ceiling(encoder, decoder)
    base.log(summary['ceiling'])
    summary['eval'] = evaluate(work, lora_path)
    for label in ('with', 'without'):
        base.log(f"{label} the LoRA: " + ', '.join(f'{k} {v:.2f}' for k, v in summary['eval'][label].items()))
    base.log(f"seen prompts kept: {summary['eval']['seen kept']}")
    write_card(summary)
    with open(os.path.join(work, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=1, default=str)


if __name__ == '__main__':
    main()
