#!/usr/bin/python3
"""Trains the built-in sample model, models/tiny-shapes/: a tiny latent diffusion model of coloured shapes.

Everything is made here, seeded and reproducible, with no download:
  1. procedural data: one shape (circle, square, triangle, star, diamond) in one of 8 colours, small or big, at one
     of 9 places, on a background of another colour, 64x64 pixels, with a caption from a few templates;
     some (colour, shape) pairs never occur in training and are kept for the prompt-following test;
  2. the tokenizer files: a reduced CLIP vocab.json / merges.txt holding only the tokens the captions use, with
     their real CLIP ids, derived from OpenAI's bpe_simple_vocab_16e6.txt.gz;
  3. a small VAE (64x64x3 <-> 16x16x4; KL-regularised), trained on crops;
  4. a small CLIP-like text encoder over the real token ids (unknown ids share one row) and a small UNet with
     cross-attention (Stable Diffusion's UNet2DConditionModel layout, scaled down), trained together with
     epsilon prediction on SD's scaled_linear schedule, 10% empty captions for classifier-free guidance;
  5. the ONNX export in the diffusers/optimum layout (input and output names as real exports), configs, model card;
  6. a reference sampler (diffusers' DDIM and Euler, CFG, torch.randn from a CPU generator) that writes the parity
     fixture test/fixtures/parity/ for test/integration/sampleModelParity.test.ts;
  7. the prompt-following evaluation: held-out captions generated through OUR engine (the CLI), read back by a
     checker (palette colour of the largest object, background colour, place, size, and the shape class from a
     tiny classifier trained here on VAE reconstructions).

Run from the repository root (about 35-45 minutes on a quiet 2-core CPU; the machine it ran on is in the card):
  apt-get install -y python3-torch python3-onnx libopenblas0-pthread
  /usr/bin/python3 tools/trainSampleModel.py
Options: --work DIR (checkpoints and evaluation images, default out/tiny-shapes-train), --reuse (load the
checkpoints in --work instead of training: re-export, re-evaluate, rewrite the fixture), --skip-engine-eval,
--from-onnx (no checkpoints either: read the weights back from models/tiny-shapes' ONNX files, export them again and
rewrite the parity fixture; a few minutes).
"""
import argparse
import gzip
import json
import math
import os
import platform
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
MODEL_DIR = os.path.join(REPO, 'models', 'tiny-shapes')
FIXTURE_DIR = os.path.join(REPO, 'test', 'fixtures', 'parity')
CLIP_BPE = os.environ.get('LOCAL_DIFFUSION_CLIP_BPE',
                          os.path.join(REPO, '..', 'shared', 'data', 'clip', 'bpe_simple_vocab_16e6.txt.gz'))

SEED = 20240607
THREADS = 1                 # two threads are slower for these small matrices on a shared 2-core CPU

# ----------------------------------------------------------------------------------------------------------------
# Hyper-parameters (the model card quotes them)
# ----------------------------------------------------------------------------------------------------------------
IMAGE_SIZE = 64
VAE_SCALE = 4                       # 64x64 pixels <-> 16x16 latents
LATENT_SIZE = IMAGE_SIZE // VAE_SCALE
LATENT_CHANNELS = 4
MAX_LENGTH = 77                     # CLIP context length
TEXT_DIM = 64                       # text hidden size = UNet cross_attention_dim
TEXT_LAYERS = 2
TEXT_HEADS = 4
TEXT_MLP = 128
UNET_CHANNELS = (16, 32, 64)
UNET_GROUPS = 8
UNET_HEAD_DIM = 32

TRAIN_IMAGES = 12000
VAE_STEPS = 1500
VAE_BATCH = 32
VAE_CROP = 32
VAE_LR = 1e-3
VAE_KL_WEIGHT = 1e-4
UNET_STEPS = 3000
UNET_BATCH = 32
UNET_LR = 1.5e-3
UNET_WARMUP = 100
EMA_DECAY = 0.995
MIN_SNR_GAMMA = 5.0
UNCOND_PROB = 0.1
CLASSIFIER_IMAGES = 5000

# SD 1.x noise schedule (scheduler_config.json), epsilon prediction. Its last step keeps sqrt(alpha_bar) = 0.068 of
# the image: enough for a flat background's mean colour to show through the noise, so a model trained on it would take
# the colour from the seed's noise instead of the prompt. Offset noise (a random per-channel constant added to the
# training noise) hides that mean.
NUM_TRAIN_TIMESTEPS = 1000
BETA_SCHEDULE = 'scaled_linear'
BETA_START = 0.00085
BETA_END = 0.012
OFFSET_NOISE = 0.1
PREDICTION_TYPE = 'epsilon'
RESCALE_ZERO_SNR = False

# ----------------------------------------------------------------------------------------------------------------
# Vocabulary of the scenes
# ----------------------------------------------------------------------------------------------------------------
COLORS = {
    'red': (220, 38, 38),
    'orange': (245, 140, 20),
    'yellow': (245, 215, 40),
    'green': (40, 170, 70),
    'blue': (40, 90, 220),
    'purple': (140, 60, 190),
    'white': (245, 245, 245),
    'black': (20, 20, 20),
}
COLOR_NAMES = list(COLORS)
SHAPES = ['circle', 'square', 'triangle', 'star', 'diamond']
SIZES = {'small': 8.0, 'big': 15.0}          # the shape's scale r in pixels (a circle's radius)
SIZE_NAMES = list(SIZES)
GRID = (15.0, 32.0, 49.0)                    # centres of the 3x3 places
PLACES = [  # (key, short phrase, phrase with a preposition, column, row)
    ('top left', 'top left', 'in the top left', 0, 0),
    ('top', 'top', 'at the top', 1, 0),
    ('top right', 'top right', 'in the top right', 2, 0),
    ('left', 'left', 'on the left', 0, 1),
    ('center', 'center', 'in the center', 1, 1),
    ('right', 'right', 'on the right', 2, 1),
    ('bottom left', 'bottom left', 'in the bottom left', 0, 2),
    ('bottom', 'bottom', 'at the bottom', 1, 2),
    ('bottom right', 'bottom right', 'in the bottom right', 2, 2),
]
# (colour, shape) pairs that never appear in training: the prompt-following test asks for them.
HELD_OUT_PAIRS = [('purple', 'circle'), ('yellow', 'square'), ('red', 'triangle'), ('green', 'star'), ('blue', 'diamond')]
POSITION_JITTER = 2.0
SIZE_JITTER = 1.0
DROP_SIZE = 0.2
DROP_PLACE = 0.15
DROP_BACKGROUND = 0.15

VOCABULARY_WORDS = (['a', 'an', 'on', 'background', ',', 'in', 'the', 'at', 'top', 'bottom', 'left', 'right', 'center']
                    + SIZE_NAMES + COLOR_NAMES + SHAPES)


def log(message):
    print(message, flush=True)


# ----------------------------------------------------------------------------------------------------------------
# Procedural scenes: signed distance functions (pixels), antialiased by coverage = clip(0.5 - d, 0, 1)
# ----------------------------------------------------------------------------------------------------------------
def sd_circle(x, y, r):
    return np.sqrt(x * x + y * y) - r


def sd_box(x, y, b):
    qx, qy = np.abs(x) - b, np.abs(y) - b
    return np.sqrt(np.maximum(qx, 0) ** 2 + np.maximum(qy, 0) ** 2) + np.minimum(np.maximum(qx, qy), 0)


def sd_diamond(x, y, r):
    # a square rotated by 45 degrees with half-diagonal r
    u, v = (x + y) / math.sqrt(2), (x - y) / math.sqrt(2)
    return sd_box(u, v, r / math.sqrt(2))


def sd_triangle(x, y, r):
    # Inigo Quilez, sdEquilateralTriangle (r = half the side), apex up; image y grows downwards
    k = math.sqrt(3.0)
    px = np.abs(x) - r
    py = -y + r / k
    swap = px + k * py > 0
    nx = np.where(swap, (px - k * py) / 2, px)
    ny = np.where(swap, (-k * px - py) / 2, py)
    nx = nx - np.clip(nx, -2 * r, 0)
    return -np.sqrt(nx * nx + ny * ny) * np.sign(ny)


def sd_star(x, y, r, rf=0.45):
    # Inigo Quilez, sdStar5 (outer radius r, inner ratio rf), one point up
    k1x, k1y = 0.809016994375, -0.587785252292
    k2x, k2y = -k1x, k1y
    px, py = np.abs(x), -y
    d = np.maximum(k1x * px + k1y * py, 0) * 2
    px, py = px - d * k1x, py - d * k1y
    d = np.maximum(k2x * px + k2y * py, 0) * 2
    px, py = px - d * k2x, py - d * k2y
    px = np.abs(px)
    py = py - r
    bax, bay = rf * -k1y, rf * k1x - 1
    h = np.clip((px * bax + py * bay) / (bax * bax + bay * bay), 0, r)
    return np.sqrt((px - bax * h) ** 2 + (py - bay * h) ** 2) * np.sign(py * bax - px * bay)


def shape_distance(shape, x, y, r):
    if shape == 'circle':
        return sd_circle(x, y, r)
    if shape == 'square':
        return sd_box(x, y, 0.85 * r)
    if shape == 'diamond':
        return sd_diamond(x, y, 1.2 * r)
    if shape == 'triangle':
        return sd_triangle(x, y + 0.25 * r, 1.05 * r)
    if shape == 'star':
        return sd_star(x, y + 0.1 * r, 1.25 * r)
    raise ValueError(shape)


def render_scene(scene, colors=COLORS, distance=None):
    """scene: dict(shape, color, background, size, place, dx, dy, dr) -> uint8 [64, 64, 3]. distance: the signed
    distance of shapes shape_distance does not know (shape, x, y, r), for a LoRA's new shape."""
    coords = np.arange(IMAGE_SIZE, dtype=np.float64) + 0.5
    _, _, _, col, row = PLACES[scene['place']]
    cx = GRID[col] + scene['dx']
    cy = GRID[row] + scene['dy']
    r = SIZES[scene['size']] + scene['dr']
    x = coords[None, :] - cx
    y = coords[:, None] - cy
    d = distance(scene['shape'], x, y, r) if distance is not None and scene['shape'] not in SHAPES else shape_distance(scene['shape'], x, y, r)
    alpha = np.clip(0.5 - d, 0, 1)[..., None]
    fg = np.array(colors[scene['color']], dtype=np.float64)
    bg = np.array(colors[scene['background']], dtype=np.float64)
    return np.round(bg * (1 - alpha) + fg * alpha).astype(np.uint8)


def random_scene(rng, allowed_pairs):
    color, shape = allowed_pairs[rng.integers(len(allowed_pairs))]
    background = COLOR_NAMES[rng.integers(len(COLOR_NAMES))]
    while background == color:
        background = COLOR_NAMES[rng.integers(len(COLOR_NAMES))]
    return {
        'shape': shape, 'color': color, 'background': background,
        'size': SIZE_NAMES[rng.integers(len(SIZE_NAMES))], 'place': int(rng.integers(len(PLACES))),
        'dx': float(rng.uniform(-POSITION_JITTER, POSITION_JITTER)),
        'dy': float(rng.uniform(-POSITION_JITTER, POSITION_JITTER)),
        'dr': float(rng.uniform(-SIZE_JITTER, SIZE_JITTER)),
    }


def article(word):
    return 'an' if word[0] in 'aeiou' else 'a'


def caption_for(scene, rng, full=False):
    """A caption from one of three templates; size, place and background may be left out (then any is right)."""
    size = '' if (not full and rng.random() < DROP_SIZE) else scene['size'] + ' '
    noun = f"{article(size + scene['color'])} {size}{scene['color']} {scene['shape']}"
    background = None if (not full and rng.random() < DROP_BACKGROUND) else f"on {article(scene['background'])} {scene['background']} background"
    _, short, phrase, _, _ = PLACES[scene['place']]
    place = not (not full and rng.random() < DROP_PLACE)
    style = int(rng.integers(3))
    parts = [noun]
    if style == 0:
        if background:
            parts.append(background)
        text = ' '.join(parts)
        return text + (f', {short}' if place else '')
    if style == 1:
        if place:
            parts.append(phrase)
        if background:
            parts.append(background)
        return ' '.join(parts)
    if background:
        parts.append(background)
    if place:
        parts.append(phrase)
    return ' '.join(parts)


def make_dataset(count, rng, allowed_pairs):
    scenes = [random_scene(rng, allowed_pairs) for _ in range(count)]
    images = np.stack([render_scene(s) for s in scenes])
    return scenes, images


def to_tensor_images(images_uint8):
    """uint8 [N, H, W, 3] -> float32 [N, 3, H, W] in [-1, 1] (diffusers VaeImageProcessor.normalize)."""
    return torch.from_numpy(images_uint8).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def to_uint8_images(tensor):
    """float [N, 3, H, W] in about [-1, 1] -> uint8 [N, H, W, 3] (diffusers: (x/2 + 0.5).clamp(0, 1), *255, round)."""
    x = (tensor / 2 + 0.5).clamp(0, 1)
    return (x.permute(0, 2, 3, 1).numpy() * 255).round().astype(np.uint8)


# ----------------------------------------------------------------------------------------------------------------
# CLIP BPE (openai/CLIP simple_tokenizer.py) and the reduced tokenizer files
# ----------------------------------------------------------------------------------------------------------------
def bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_ENCODER = bytes_to_unicode()
BOS, EOS = '<|startoftext|>', '<|endoftext|>'
BOS_ID, EOS_ID = 49406, 49407
PRE_TOKENIZE = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|[^\s\w]+|_+",
                          re.IGNORECASE)


class ClipBpe:
    """CLIP's byte-level BPE over a merges list whose rank is the line index."""

    def __init__(self, merges, vocab):
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.vocab = vocab
        self.cache = {}

    def bpe(self, word):
        """-> (symbols, merges applied in order)."""
        if word in self.cache:
            return self.cache[word]
        symbols = tuple(BYTE_ENCODER[b] for b in word.encode('utf-8'))
        symbols = symbols[:-1] + (symbols[-1] + '</w>',)
        applied = []
        while len(symbols) > 1:
            pairs = set(zip(symbols[:-1], symbols[1:]))
            best = min(pairs, key=lambda p: self.ranks.get(p, math.inf))
            if best not in self.ranks:
                break
            applied.append(best)
            a, b = best
            merged, i = [], 0
            while i < len(symbols):
                if i < len(symbols) - 1 and symbols[i] == a and symbols[i + 1] == b:
                    merged.append(a + b)
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            symbols = tuple(merged)
        self.cache[word] = (symbols, applied)
        return symbols, applied

    def words(self, text):
        text = re.sub(r'\s+', ' ', text).strip().lower()
        return PRE_TOKENIZE.findall(text)

    def ids(self, text):
        out = []
        for word in self.words(text):
            if word in (BOS, EOS):
                out.append(self.vocab[word])
                continue
            out.extend(self.vocab.get(s, EOS_ID) for s in self.bpe(word)[0])
        return out

    def encode(self, text, max_length=MAX_LENGTH, pad_id=EOS_ID):
        """diffusers' tokenizer(..., padding='max_length', max_length=77, truncation=True).input_ids."""
        ids = self.ids(text)[:max_length - 2]
        ids = [BOS_ID] + ids + [EOS_ID]
        return ids + [pad_id] * (max_length - len(ids))


def full_clip_bpe():
    lines = gzip.open(CLIP_BPE).read().decode('utf-8').split('\n')
    merges = [tuple(line.split()) for line in lines[1:49152 - 256 - 2 + 1]]
    vocab = list(BYTE_ENCODER.values())
    vocab = vocab + [v + '</w>' for v in vocab] + [''.join(m) for m in merges] + [BOS, EOS]
    return merges, {token: i for i, token in enumerate(vocab)}


def write_tokenizer(folder):
    """Reduced CLIP tokenizer files: the 512 byte symbols, the merges our words need (real ranks, real ids), specials."""
    merges, vocab = full_clip_bpe()
    full = ClipBpe(merges, vocab)
    needed = set()
    for word in VOCABULARY_WORDS:
        for w in full.words(word):
            needed.update(full.bpe(w)[1])
    kept = sorted(needed, key=lambda m: full.ranks[m])
    reduced_vocab = {}
    for i, symbol in enumerate(BYTE_ENCODER.values()):
        reduced_vocab[symbol] = i
        reduced_vocab[symbol + '</w>'] = i + 256
    for m in kept:
        reduced_vocab[''.join(m)] = 512 + full.ranks[m]
    reduced_vocab[BOS] = BOS_ID
    reduced_vocab[EOS] = EOS_ID
    for token, i in reduced_vocab.items():
        assert vocab[token] == i, token
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'vocab.json'), 'w', encoding='utf-8') as f:
        json.dump(dict(sorted(reduced_vocab.items(), key=lambda kv: kv[1])), f, ensure_ascii=False)
    with open(os.path.join(folder, 'merges.txt'), 'w', encoding='utf-8') as f:
        f.write('#version: 0.2\n' + ''.join(f'{a} {b}\n' for a, b in kept))
    special = {'content': None, 'lstrip': False, 'normalized': True, 'rstrip': False, 'single_word': False}
    tok = lambda content: dict(special, content=content)  # noqa: E731
    with open(os.path.join(folder, 'special_tokens_map.json'), 'w') as f:
        json.dump({'bos_token': tok(BOS), 'eos_token': tok(EOS), 'pad_token': EOS, 'unk_token': tok(EOS)}, f, indent=2)
    with open(os.path.join(folder, 'tokenizer_config.json'), 'w') as f:
        json.dump({'add_prefix_space': False, 'bos_token': dict(tok(BOS), __type='AddedToken'),
                   'clean_up_tokenization_spaces': True, 'do_lower_case': True,
                   'eos_token': dict(tok(EOS), __type='AddedToken'), 'errors': 'replace',
                   'model_max_length': MAX_LENGTH, 'pad_token': EOS, 'tokenizer_class': 'CLIPTokenizer',
                   'unk_token': dict(tok(EOS), __type='AddedToken')}, f, indent=2)
    reduced = load_tokenizer(folder)
    # The reduced files must give the real CLIP ids for every caption word and for whole captions.
    rng = np.random.default_rng(1)
    samples = [caption_for(random_scene(rng, all_pairs()), rng) for _ in range(200)] + VOCABULARY_WORDS
    for text in samples:
        assert reduced.encode(text) == full.encode(text), text
    assert full.encode('a photo of a cat')[:7] == [49406, 320, 1125, 539, 320, 2368, 49407]  # facts.md §3
    return reduced, len(kept)


def load_tokenizer(folder):
    with open(os.path.join(folder, 'vocab.json'), encoding='utf-8') as f:
        vocab = json.load(f)
    with open(os.path.join(folder, 'merges.txt'), encoding='utf-8') as f:
        lines = f.read().split('\n')
    merges = [tuple(line.split()) for line in lines[1:] if line.strip()]
    return ClipBpe(merges, vocab)


def all_pairs():
    return [(c, s) for c in COLOR_NAMES for s in SHAPES]


def training_pairs():
    return [p for p in all_pairs() if p not in HELD_OUT_PAIRS]


# ----------------------------------------------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------------------------------------------
def space_to_depth(x):
    """pixel_unshuffle(2) written with reshapes so that the ONNX graph keeps dynamic sizes."""
    b, c, h, w = x.shape
    x = x.reshape(b, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4)
    return x.reshape(b, c * 4, h // 2, w // 2)


def depth_to_space(x):
    """pixel_shuffle(2)."""
    b, c, h, w = x.shape
    x = x.reshape(b, c // 4, 2, 2, h, w).permute(0, 1, 4, 2, 5, 3)
    return x.reshape(b, c // 4, h * 2, w * 2)


class VaeResBlock(nn.Module):
    """x + conv(silu(conv(silu(x)))), no normalisation (the VAE is trained on crops), zero-initialised residual."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x):
        return x + self.conv2(F.silu(self.conv1(F.silu(x))))


class VaeEncoder(nn.Module):
    """[B, 3, H, W] in [-1, 1] -> latent_parameters [B, 8, H/4, W/4] = mean || logvar (optimum >= 1.23 layout)."""

    def __init__(self):
        super().__init__()
        self.conv_in = nn.Conv2d(12, 32, 3, padding=1)
        self.block1 = VaeResBlock(32)
        self.down = nn.Conv2d(32, 64, 3, stride=2, padding=1)
        self.block2 = VaeResBlock(64)
        self.conv_out = nn.Conv2d(64, 2 * LATENT_CHANNELS, 3, padding=1)

    def forward(self, sample):
        h = self.block1(self.conv_in(space_to_depth(sample)))
        h = self.block2(self.down(h))
        return self.conv_out(F.silu(h))


class VaeDecoder(nn.Module):
    """latent_sample [B, 4, h, w] (VAE space) -> sample [B, 3, 4h, 4w] in about [-1, 1]."""

    def __init__(self):
        super().__init__()
        self.conv_in = nn.Conv2d(LATENT_CHANNELS, 64, 3, padding=1)
        self.block1 = VaeResBlock(64)
        self.block2 = VaeResBlock(64)
        self.up = nn.Conv2d(64, 32, 3, padding=1)
        self.block3 = VaeResBlock(32)
        self.conv_out = nn.Conv2d(32, 12, 3, padding=1)

    def forward(self, latent_sample):
        h = self.block2(self.block1(self.conv_in(latent_sample)))
        h = self.block3(self.up(F.interpolate(h, scale_factor=2.0, mode='nearest')))
        return depth_to_space(self.conv_out(F.silu(h)))


class Attention(nn.Module):
    """diffusers Attention (AttnProcessor): softmax(q k^T / sqrt(d)) v, heads of UNET_HEAD_DIM or TEXT dims."""

    def __init__(self, dim, context_dim, heads, bias=False):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.to_q = nn.Linear(dim, dim, bias=bias)
        self.to_k = nn.Linear(context_dim, dim, bias=bias)
        self.to_v = nn.Linear(context_dim, dim, bias=bias)
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x, context=None, mask=None):
        context = x if context is None else context
        b, n, _ = x.shape
        h, hd = self.heads, self.head_dim
        q = self.to_q(x).reshape(b, n, h, hd).transpose(1, 2)
        k = self.to_k(context).reshape(b, -1, h, hd).transpose(1, 2)
        v = self.to_v(context).reshape(b, -1, h, hd).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(hd))
        if mask is not None:
            scores = scores + mask
        out = torch.matmul(torch.softmax(scores, dim=-1), v)
        return self.to_out(out.transpose(1, 2).reshape(b, n, h * hd))


class ClipEncoderLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(TEXT_DIM)
        self.self_attn = Attention(TEXT_DIM, TEXT_DIM, TEXT_HEADS, bias=True)
        self.layer_norm2 = nn.LayerNorm(TEXT_DIM)
        self.fc1 = nn.Linear(TEXT_DIM, TEXT_MLP)
        self.fc2 = nn.Linear(TEXT_MLP, TEXT_DIM)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask=mask)
        h = self.fc1(self.layer_norm2(x))
        return x + self.fc2(h * torch.sigmoid(1.702 * h))  # CLIP's quick_gelu


class TinyClipTextModel(nn.Module):
    """CLIP text transformer (causal, pre-LN, final LayerNorm), scaled down, over the real CLIP token ids.

    Only the ids the captions use have embedding rows: ids are matched against `known_ids` inside the graph
    (Equal -> one-hot -> MatMul); any other id gets the last row, "unknown".
    """

    def __init__(self, known_ids):
        super().__init__()
        self.register_buffer('known_ids', torch.tensor(known_ids, dtype=torch.int64), persistent=True)
        self.token_embedding = nn.Parameter(torch.randn(len(known_ids) + 1, TEXT_DIM) * 0.02)
        self.position_embedding = nn.Parameter(torch.randn(MAX_LENGTH, TEXT_DIM) * 0.01)
        self.layers = nn.ModuleList([ClipEncoderLayer() for _ in range(TEXT_LAYERS)])
        self.final_layer_norm = nn.LayerNorm(TEXT_DIM)
        causal = torch.full((MAX_LENGTH, MAX_LENGTH), torch.finfo(torch.float32).min).triu(1)
        self.register_buffer('causal_mask', causal, persistent=False)

    def forward(self, input_ids):
        ids = input_ids.to(torch.int64)
        onehot = (ids.unsqueeze(-1) == self.known_ids).to(torch.float32)
        onehot = torch.cat([onehot, 1.0 - onehot.sum(-1, keepdim=True)], dim=-1)
        length = ids.shape[1]
        x = torch.matmul(onehot, self.token_embedding) + self.position_embedding[:length]
        mask = self.causal_mask[:length, :length]
        for layer in self.layers:
            x = layer(x, mask)
        x = self.final_layer_norm(x)
        # pooler_output: the state at the first end-of-text (CLIP: argmax of the ids, eos being the largest id)
        pooled = x[torch.arange(x.shape[0]), ids.argmax(dim=-1)]
        return x, pooled


def timestep_embedding(timesteps, dim):
    """diffusers get_timestep_embedding(flip_sin_to_cos=True, downscale_freq_shift=0)."""
    half = dim // 2
    exponent = -math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half
    emb = timesteps[:, None].to(torch.float32) * torch.exp(exponent)[None, :]
    return torch.cat([torch.cos(emb), torch.sin(emb)], dim=-1)


class ResnetBlock2D(nn.Module):
    def __init__(self, cin, cout, temb):
        super().__init__()
        self.norm1 = nn.GroupNorm(UNET_GROUPS, cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(UNET_GROUPS, cout, eps=1e-5)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.conv_shortcut is None else self.conv_shortcut(x)) + h


class BasicTransformerBlock(nn.Module):
    """LayerNorm -> self-attention (optional) -> LayerNorm -> cross-attention -> LayerNorm -> GEGLU feed-forward."""

    def __init__(self, dim, self_attention):
        super().__init__()
        heads = max(1, dim // UNET_HEAD_DIM)
        self.self_attention = self_attention
        if self_attention:
            self.norm1 = nn.LayerNorm(dim)
            self.attn1 = Attention(dim, dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(dim, TEXT_DIM, heads)
        self.norm3 = nn.LayerNorm(dim)
        self.ff_in = nn.Linear(dim, dim * 4)   # GEGLU: 2 x (2 * dim)
        self.ff_out = nn.Linear(dim * 2, dim)

    def forward(self, x, context):
        if self.self_attention:
            x = x + self.attn1(self.norm1(x))
        x = x + self.attn2(self.norm2(x), context)
        a, gate = self.ff_in(self.norm3(x)).chunk(2, dim=-1)
        return x + self.ff_out(a * F.gelu(gate))


def position_features(h, w):
    """[h * w, 10]: each cell's centre y, x in [-1, 1] and sin/cos of pi*k*y, pi*k*x for k = 1, 2, from the input's size.
    Added to the transformer's tokens (as a ViT adds position embeddings), so that a cross-attention query knows where
    it is and "top left" can pick its cells at any size."""
    ys = (torch.arange(h, dtype=torch.float32) + 0.5) * (2.0 / h) - 1.0
    xs = (torch.arange(w, dtype=torch.float32) + 0.5) * (2.0 / w) - 1.0
    y = ys[:, None].expand(h, w).reshape(-1, 1)
    x = xs[None, :].expand(h, w).reshape(-1, 1)
    features = [y, x]
    for k in (1.0, 2.0):
        features += [torch.sin(math.pi * k * y), torch.cos(math.pi * k * y), torch.sin(math.pi * k * x), torch.cos(math.pi * k * x)]
    return torch.cat(features, dim=1)


POSITION_FEATURES = 10


class Transformer2DModel(nn.Module):
    def __init__(self, dim, self_attention):
        super().__init__()
        self.norm = nn.GroupNorm(UNET_GROUPS, dim, eps=1e-6)
        self.proj_in = nn.Linear(dim, dim)
        self.pos_proj = nn.Linear(POSITION_FEATURES, dim)
        self.block = BasicTransformerBlock(dim, self_attention)
        self.proj_out = nn.Linear(dim, dim)
        nn.init.zeros_(self.proj_out.weight)
        nn.init.zeros_(self.proj_out.bias)

    def forward(self, x, context):
        b, c, h, w = x.shape
        y = self.norm(x).permute(0, 2, 3, 1).reshape(b, h * w, c)
        y = self.proj_in(y) + self.pos_proj(position_features(h, w))[None]
        y = self.proj_out(self.block(y, context))
        return x + y.reshape(b, h, w, c).permute(0, 3, 1, 2)


def coordinate_planes(sample):
    """[B, 2, h, w]: y and x of each latent cell's centre in [-1, 1], computed from the input's size (CoordConv,
    https://arxiv.org/abs/1807.03247), so that "top left" has something to attach to at any size."""
    b, _, h, w = sample.shape
    ys = (torch.arange(h, dtype=torch.float32) + 0.5) * (2.0 / h) - 1.0
    xs = (torch.arange(w, dtype=torch.float32) + 0.5) * (2.0 / w) - 1.0
    planes = torch.stack([ys[:, None].expand(h, w), xs[None, :].expand(h, w)])
    return planes[None].expand(b, 2, h, w)


class TextTimeEmbedding(nn.Module):
    """diffusers TextTimeEmbedding (addition_embed_type "text"): the prompt, attention-pooled, added to the time
    embedding, so every ResNet block sees the whole prompt (cross-attention alone learns too slowly on a CPU budget)."""

    def __init__(self, time_embed_dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(TEXT_DIM)
        self.positional_embedding = nn.Parameter(torch.randn(1, TEXT_DIM) / TEXT_DIM ** 0.5)
        self.pool = Attention(TEXT_DIM, TEXT_DIM, TEXT_HEADS, bias=True)
        self.proj = nn.Linear(TEXT_DIM, time_embed_dim)
        self.norm2 = nn.LayerNorm(time_embed_dim)

    def forward(self, encoder_hidden_states):
        x = self.norm1(encoder_hidden_states)
        class_token = x.mean(dim=1, keepdim=True) + self.positional_embedding  # AttentionPooling (DeepFloyd IF)
        pooled = self.pool(class_token, torch.cat([class_token, x], dim=1))[:, 0]
        return self.norm2(self.proj(pooled))


class DownBlock(nn.Module):
    """CrossAttnDownBlock2D with layers_per_block 1: a ResNet block, a transformer, then a stride-2 conv (not at the
    last level). A module of its own, called as one, so that torch.onnx names its nodes by their full module path
    (/down.0/attention/block/attn2/to_k/MatMul) as in diffusers' exports; the parameter names are those a ModuleDict
    gave (down.0.resnet.conv1.weight), so older checkpoints load."""

    def __init__(self, cin, c, temb, cross, selfattn, downsample):
        super().__init__()
        self.resnet = ResnetBlock2D(cin, c, temb)
        self.attention = Transformer2DModel(c, selfattn) if cross else None
        self.downsample = nn.Conv2d(c, c, 3, stride=2, padding=1) if downsample else None

    def forward(self, h, temb, context, skips):
        h = self.resnet(h, temb)
        if self.attention is not None:
            h = self.attention(h, context)
        skips.append(h)
        if self.downsample is not None:
            h = self.downsample(h)
            skips.append(h)
        return h


class UpBlock(nn.Module):
    """CrossAttnUpBlock2D: layers_per_block + 1 ResNet blocks over the skip connections, each followed by a
    transformer, then nearest-neighbour x2 and a conv (not at the last level)."""

    def __init__(self, cin, skip_channels, c, temb, cross, selfattn, upsample):
        super().__init__()
        self.resnets, self.attentions = nn.ModuleList(), nn.ModuleList()
        for skip in skip_channels:
            self.resnets.append(ResnetBlock2D(cin + skip, c, temb))
            cin = c
            if cross:
                self.attentions.append(Transformer2DModel(c, selfattn))
        self.upsample = nn.Conv2d(c, c, 3, padding=1) if upsample else None

    def forward(self, h, temb, context, skips):
        for j, resnet in enumerate(self.resnets):
            h = resnet(torch.cat([h, skips.pop()], dim=1), temb)
            if len(self.attentions) > 0:
                h = self.attentions[j](h, context)
        if self.upsample is not None:
            h = self.upsample(F.interpolate(h, scale_factor=2.0, mode='nearest'))
        return h


# Stable Diffusion's UNet2DConditionModel blocks, scaled down: (channels, cross-attention, self-attention).
UNET_LEVELS = [(UNET_CHANNELS[0], True, False), (UNET_CHANNELS[1], True, True), (UNET_CHANNELS[2], True, True)]


class TinyUNet(nn.Module):
    """CrossAttnDownBlock2D x3, UNetMidBlock2DCrossAttn, CrossAttnUpBlock2D x3; layers_per_block 1; cross-attention
    at every level, self-attention at 8x8 and 4x4 only (none at 16x16, to save time)."""

    def __init__(self):
        super().__init__()
        c0 = UNET_CHANNELS[0]
        temb = c0 * 4
        self.time_proj_dim = c0
        self.time_embedding = nn.Sequential(nn.Linear(c0, temb), nn.SiLU(), nn.Linear(temb, temb))
        self.add_embedding = TextTimeEmbedding(temb)
        self.conv_in = nn.Conv2d(LATENT_CHANNELS + 2, c0, 3, padding=1)  # + 2 coordinate planes (CoordConv)
        self.down = nn.ModuleList()
        skips = [c0]
        cin = c0
        for i, (c, cross, selfattn) in enumerate(UNET_LEVELS):
            last = i == len(UNET_LEVELS) - 1
            self.down.append(DownBlock(cin, c, temb, cross, selfattn, downsample=not last))
            skips += [c] if last else [c, c]
            cin = c
        self.mid_resnet1 = ResnetBlock2D(cin, cin, temb)
        self.mid_attention = Transformer2DModel(cin, True)
        self.mid_resnet2 = ResnetBlock2D(cin, cin, temb)
        self.up = nn.ModuleList()
        for i, (c, cross, selfattn) in reversed(list(enumerate(UNET_LEVELS))):
            skip_channels = [skips.pop(), skips.pop()]  # layers_per_block + 1
            self.up.append(UpBlock(cin, skip_channels, c, temb, cross, selfattn, upsample=i > 0))
            cin = c
        self.conv_norm_out = nn.GroupNorm(UNET_GROUPS, cin, eps=1e-5)
        self.conv_out = nn.Conv2d(cin, LATENT_CHANNELS, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, sample, timestep, encoder_hidden_states):
        timesteps = timestep.reshape(-1).expand(sample.shape[0])
        temb = self.time_embedding(timestep_embedding(timesteps, self.time_proj_dim))
        temb = temb + self.add_embedding(encoder_hidden_states)
        h = self.conv_in(torch.cat([sample, coordinate_planes(sample)], dim=1))
        skips = [h]
        for block in self.down:
            h = block(h, temb, encoder_hidden_states, skips)
        h = self.mid_resnet2(self.mid_attention(self.mid_resnet1(h, temb), encoder_hidden_states), temb)
        for block in self.up:
            h = block(h, temb, encoder_hidden_states, skips)
        return self.conv_out(F.silu(self.conv_norm_out(h)))


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())


# ----------------------------------------------------------------------------------------------------------------
# Noise schedule (diffusers, float32 tensors)
# ----------------------------------------------------------------------------------------------------------------
def alphas_cumprod_table():
    if BETA_SCHEDULE == 'linear':
        betas = torch.linspace(BETA_START, BETA_END, NUM_TRAIN_TIMESTEPS, dtype=torch.float32)
    else:  # scaled_linear
        betas = torch.linspace(BETA_START ** 0.5, BETA_END ** 0.5, NUM_TRAIN_TIMESTEPS, dtype=torch.float32) ** 2
    if RESCALE_ZERO_SNR:
        betas = rescale_zero_terminal_snr(betas)
    return torch.cumprod(1.0 - betas, dim=0)


def rescale_zero_terminal_snr(betas):
    """diffusers rescale_zero_terminal_snr (https://huggingface.co/papers/2305.08891, Algorithm 1)."""
    alphas_bar_sqrt = torch.cumprod(1.0 - betas, dim=0).sqrt()
    first, last = alphas_bar_sqrt[0].clone(), alphas_bar_sqrt[-1].clone()
    alphas_bar_sqrt -= last
    alphas_bar_sqrt *= first / (first - last)
    alphas_bar = alphas_bar_sqrt ** 2
    alphas = torch.cat([alphas_bar[0:1], alphas_bar[1:] / alphas_bar[:-1]])
    return 1 - alphas


SCHEDULER_CONFIG = {
    '_class_name': 'EulerDiscreteScheduler',
    '_diffusers_version': '0.30.0',
    'beta_end': BETA_END,
    'beta_schedule': BETA_SCHEDULE,
    'beta_start': BETA_START,
    'clip_sample': False,
    'interpolation_type': 'linear',
    'num_train_timesteps': NUM_TRAIN_TIMESTEPS,
    'prediction_type': PREDICTION_TYPE,
    'rescale_betas_zero_snr': RESCALE_ZERO_SNR,
    'set_alpha_to_one': False,
    'skip_prk_steps': True,
    'steps_offset': 1,
    'timestep_spacing': 'trailing',
    'trained_betas': None,
    'use_karras_sigmas': False,
}


# ----------------------------------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------------------------------
def kl_divergence(mean, logvar):
    return 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar)


def train_vae(images, generator, steps=VAE_STEPS):
    """Random aligned crops; loss = L1 + VAE_KL_WEIGHT * KL (means over elements)."""
    torch.manual_seed(SEED + 1)
    encoder, decoder = VaeEncoder(), VaeDecoder()
    optimizer = FlatAdamW([encoder, decoder], VAE_LR)
    data = to_tensor_images(images)
    n = data.shape[0]
    cells = (IMAGE_SIZE - VAE_CROP) // VAE_SCALE + 1
    history = []
    start = time.time()
    for step in range(steps):
        index = torch.randint(0, n, (VAE_BATCH,), generator=generator)
        oy = torch.randint(0, cells, (VAE_BATCH,), generator=generator) * VAE_SCALE
        ox = torch.randint(0, cells, (VAE_BATCH,), generator=generator) * VAE_SCALE
        crops = torch.stack([data[i, :, y:y + VAE_CROP, x:x + VAE_CROP] for i, y, x in zip(index.tolist(), oy.tolist(), ox.tolist())])
        mean, logvar = encoder(crops).chunk(2, dim=1)
        logvar = logvar.clamp(-30.0, 20.0)
        z = mean + torch.exp(0.5 * logvar) * torch.randn(mean.shape, generator=generator)
        recon = decoder(z)
        rec = (recon - crops).abs().mean()
        kl = kl_divergence(mean, logvar).mean()
        loss = rec + VAE_KL_WEIGHT * kl
        optimizer.zero_grad()
        loss.backward()
        optimizer.step(cosine_with_warmup(step, steps, 50))
        history.append((rec.item(), kl.item()))
        if step % 100 == 0 or step == steps - 1:
            recent = np.array(history[-100:])
            log(f'  vae step {step:5d}  L1 {recent[:, 0].mean():.4f}  KL {recent[:, 1].mean():.2f}  ({time.time() - start:.0f} s)')
    return encoder.eval(), decoder.eval(), history


@torch.no_grad()
def encode_images(encoder, images, batch=256):
    means, stds = [], []
    for i in range(0, len(images), batch):
        mean, logvar = encoder(to_tensor_images(images[i:i + batch])).chunk(2, dim=1)
        means.append(mean)
        stds.append(torch.exp(0.5 * logvar.clamp(-30.0, 20.0)))
    return torch.cat(means), torch.cat(stds)


class FlatAdamW:
    """AdamW (decoupled weight decay), gradient clipping and an EMA of the weights over ONE flat buffer.

    The parameters become views into a single tensor, so an update is a dozen large operations instead of
    thousands of small ones (the per-tensor loops of torch.optim dominate a tiny model's step on a CPU).
    """

    def __init__(self, modules, lr, betas=(0.9, 0.999), weight_decay=0.0, eps=1e-8, clip=1.0, ema_decay=None):
        params = [p for m in modules for p in m.parameters()]
        total = sum(p.numel() for p in params)
        self.data, self.grad = torch.zeros(total), torch.zeros(total)
        offset = 0
        for p in params:
            n = p.numel()
            self.data[offset:offset + n].copy_(p.data.reshape(-1))
            p.data = self.data[offset:offset + n].view_as(p)
            p.grad = self.grad[offset:offset + n].view_as(p)  # backward accumulates into these views in place
            offset += n
        self.m, self.v = torch.zeros(total), torch.zeros(total)
        self.lr, self.betas, self.weight_decay, self.eps, self.clip = lr, betas, weight_decay, eps, clip
        self.ema_decay = ema_decay
        self.ema = self.data.clone() if ema_decay is not None else None
        self.steps = 0

    def zero_grad(self):
        self.grad.zero_()

    @torch.no_grad()
    def step(self, lr_scale=1.0):
        self.steps += 1
        norm = self.grad.norm().item()
        if norm > self.clip:
            self.grad.mul_(self.clip / (norm + 1e-6))
        beta1, beta2 = self.betas
        lr = self.lr * lr_scale
        self.data.mul_(1 - lr * self.weight_decay)
        self.m.mul_(beta1).add_(self.grad, alpha=1 - beta1)
        self.v.mul_(beta2).addcmul_(self.grad, self.grad, value=1 - beta2)
        denom = (self.v.sqrt() / math.sqrt(1 - beta2 ** self.steps)).add_(self.eps)
        self.data.addcdiv_(self.m, denom, value=-lr / (1 - beta1 ** self.steps))
        if self.ema is not None:
            decay = min(self.ema_decay, (1 + self.steps) / (10 + self.steps))
            self.ema.mul_(decay).add_(self.data, alpha=1 - decay)
        return norm

    def use_ema(self):
        self.data.copy_(self.ema)


def cosine_with_warmup(step, steps, warmup):
    return min(1.0, (step + 1) / warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / steps)))


def train_unet(latent_mean, latent_std, scaling_factor, scenes, tokenizer, known_ids, generator, steps=UNET_STEPS):
    """Epsilon prediction with min-SNR-5 weighting; text encoder trained jointly; 10% empty captions."""
    torch.manual_seed(SEED + 2)
    text_encoder, unet = TinyClipTextModel(known_ids), TinyUNet()
    unet = unet.to(memory_format=torch.channels_last)  # about 20% faster convolutions on a CPU
    optimizer = FlatAdamW([text_encoder, unet], UNET_LR, betas=(0.9, 0.99), weight_decay=0.01, ema_decay=EMA_DECAY)
    alphas_cumprod = alphas_cumprod_table()
    snr = alphas_cumprod / (1 - alphas_cumprod)
    # min-SNR-gamma loss weights (https://huggingface.co/papers/2303.09556), as diffusers' training scripts
    weights = torch.clamp(snr, max=MIN_SNR_GAMMA)
    weights = weights / (snr + 1) if PREDICTION_TYPE == 'v_prediction' else weights / snr
    weights[snr == 0] = 1.0
    caption_rng = np.random.default_rng(SEED + 3)
    empty_ids = tokenizer.encode('')
    n = latent_mean.shape[0]
    history = []
    start = time.time()
    for step in range(steps):
        index = torch.randint(0, n, (UNET_BATCH,), generator=generator)
        posterior = latent_mean[index] + latent_std[index] * torch.randn(latent_mean[index].shape, generator=generator)
        x0 = posterior * scaling_factor
        rows = []
        for i in index.tolist():
            if caption_rng.random() < UNCOND_PROB:
                rows.append(empty_ids)
            else:
                rows.append(tokenizer.encode(caption_for(scenes[i], caption_rng)))
        ids = torch.tensor(rows, dtype=torch.int64)
        t = torch.randint(0, NUM_TRAIN_TIMESTEPS, (UNET_BATCH,), generator=generator)
        noise = torch.randn(x0.shape, generator=generator)
        noise = noise + OFFSET_NOISE * torch.randn(x0.shape[:2] + (1, 1), generator=generator)
        a = alphas_cumprod[t].sqrt()[:, None, None, None]
        s = (1 - alphas_cumprod[t]).sqrt()[:, None, None, None]
        hidden, _ = text_encoder(ids)
        pred = unet((a * x0 + s * noise).contiguous(memory_format=torch.channels_last), t.to(torch.float32), hidden)
        target = a * noise - s * x0 if PREDICTION_TYPE == 'v_prediction' else noise
        per_sample = (pred - target).pow(2).mean(dim=(1, 2, 3))
        loss = (weights[t] * per_sample).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step(cosine_with_warmup(step, steps, UNET_WARMUP))
        history.append((loss.item(), per_sample.mean().item()))
        if step % 100 == 0 or step == steps - 1:
            recent = np.array(history[-100:])
            log(f'  unet step {step:5d}  weighted {recent[:, 0].mean():.4f}  eps-MSE {recent[:, 1].mean():.4f}  ({time.time() - start:.0f} s)')
    optimizer.use_ema()
    unet = unet.to(memory_format=torch.contiguous_format)
    return text_encoder.eval(), unet.eval(), history


# ----------------------------------------------------------------------------------------------------------------
# Reference sampler: diffusers' StableDiffusionPipeline with DDIMScheduler / EulerDiscreteScheduler (eta 0, s_churn 0)
# ----------------------------------------------------------------------------------------------------------------
def spaced_timesteps(spacing, n, steps_offset):
    """diffusers set_timesteps' spacing rules (float64 numpy, before each scheduler's own dtype)."""
    if spacing == 'linspace':
        return np.linspace(0, NUM_TRAIN_TIMESTEPS - 1, n)[::-1].copy()
    if spacing == 'leading':
        return (np.arange(0, n) * (NUM_TRAIN_TIMESTEPS // n)).round()[::-1].copy() + steps_offset
    if spacing == 'trailing':
        return np.round(np.arange(NUM_TRAIN_TIMESTEPS, 0, -NUM_TRAIN_TIMESTEPS / n)) - 1
    raise ValueError(spacing)


class DDIMScheduler:
    """diffusers scheduling_ddim.py, eta = 0, clip_sample and set_alpha_to_one from the config."""

    def __init__(self, config):
        self.config = config
        self.alphas_cumprod = alphas_cumprod_table()
        self.final_alpha_cumprod = torch.tensor(1.0) if config['set_alpha_to_one'] else self.alphas_cumprod[0]
        self.init_noise_sigma = 1.0

    def set_timesteps(self, n):
        self.num_inference_steps = n
        self.timesteps = torch.from_numpy(spaced_timesteps(self.config['timestep_spacing'], n, self.config['steps_offset']).astype(np.int64))

    def scale_model_input(self, sample, t):
        return sample

    def step(self, model_output, t, sample):
        prev_t = int(t) - NUM_TRAIN_TIMESTEPS // self.num_inference_steps
        alpha_prod_t = self.alphas_cumprod[int(t)]
        alpha_prod_t_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.final_alpha_cumprod
        beta_prod_t = 1 - alpha_prod_t
        if self.config['prediction_type'] == 'v_prediction':
            pred_original_sample = alpha_prod_t ** 0.5 * sample - beta_prod_t ** 0.5 * model_output
            pred_epsilon = alpha_prod_t ** 0.5 * model_output + beta_prod_t ** 0.5 * sample
        else:
            pred_original_sample = (sample - beta_prod_t ** 0.5 * model_output) / alpha_prod_t ** 0.5
            pred_epsilon = model_output
        pred_sample_direction = (1 - alpha_prod_t_prev) ** 0.5 * pred_epsilon
        return alpha_prod_t_prev ** 0.5 * pred_original_sample + pred_sample_direction, pred_original_sample


class EulerDiscreteScheduler:
    """diffusers scheduling_euler_discrete.py, linear interpolation of the training sigmas, final sigma 0."""

    def __init__(self, config):
        self.config = config
        self.alphas_cumprod = alphas_cumprod_table()
        if config['rescale_betas_zero_snr']:
            self.alphas_cumprod[-1] = 2 ** -24  # diffusers: close to 0 without being 0, so sigma stays finite

    def set_timesteps(self, n):
        timesteps = spaced_timesteps(self.config['timestep_spacing'], n, self.config['steps_offset']).astype(np.float32)
        sigmas = np.array(((1 - self.alphas_cumprod) / self.alphas_cumprod) ** 0.5)
        sigmas = np.interp(timesteps, np.arange(0, len(sigmas)), sigmas)
        self.sigmas = torch.from_numpy(np.concatenate([sigmas, [0.0]]).astype(np.float32))
        self.timesteps = torch.from_numpy(timesteps.astype(np.float32))
        self.step_index = 0
        if self.config['timestep_spacing'] in ('linspace', 'trailing'):
            self.init_noise_sigma = self.sigmas.max()
        else:
            self.init_noise_sigma = (self.sigmas.max() ** 2 + 1) ** 0.5

    def scale_model_input(self, sample, t):
        sigma = self.sigmas[self.step_index]
        return sample / ((sigma ** 2 + 1) ** 0.5)

    def step(self, model_output, t, sample):
        sigma = self.sigmas[self.step_index]
        if self.config['prediction_type'] == 'v_prediction':
            pred_original_sample = model_output * (-sigma / (sigma ** 2 + 1) ** 0.5) + (sample / (sigma ** 2 + 1))
        else:
            pred_original_sample = sample - sigma * model_output
        derivative = (sample - pred_original_sample) / sigma
        dt = self.sigmas[self.step_index + 1] - sigma
        self.step_index += 1
        return sample + derivative * dt, pred_original_sample


SCHEDULERS = {'ddim': DDIMScheduler, 'euler': EulerDiscreteScheduler}


class circular_padding:
    """Seamless tiling as AUTOMATIC1111/stable-diffusion-webui does it (modules/sd_hijack.py, apply_circular): every
    Conv2d of the given modules pads circularly (torch's padding_mode 'circular', both axes) while in the block."""

    def __init__(self, *modules):
        self.convs = [m for module in modules for m in module.modules() if isinstance(m, nn.Conv2d)]

    def __enter__(self):
        for conv in self.convs:
            conv.padding_mode = 'circular'

    def __exit__(self, *exc):
        for conv in self.convs:
            conv.padding_mode = 'zeros'


@torch.no_grad()
def reference_txt2img(model, prompt, negative_prompt, seed, steps, guidance_scale, scheduler_name, tiling=None):
    """-> (final latents [1, 4, h, w] in UNet space, decoded image [-1, 1] [1, 3, H, W]). tiling: None or 'xy' (the
    UNet's and the VAE decoder's convolutions pad circularly)."""
    tokenizer, text_encoder, unet, decoder, scaling_factor = model
    if tiling is not None:
        if tiling != 'xy':
            raise ValueError(f'the reference sampler tiles along both axes only, not {tiling}')
        with circular_padding(unet, decoder):
            return reference_txt2img(model, prompt, negative_prompt, seed, steps, guidance_scale, scheduler_name)
    prompt_embeds = text_encoder(torch.tensor([tokenizer.encode(prompt)]))[0]
    do_cfg = guidance_scale > 1.0
    if do_cfg:
        negative_embeds = text_encoder(torch.tensor([tokenizer.encode(negative_prompt)]))[0]
        prompt_embeds = torch.cat([negative_embeds, prompt_embeds])
    scheduler = SCHEDULERS[scheduler_name](SCHEDULER_CONFIG)
    scheduler.set_timesteps(steps)
    generator = torch.Generator('cpu').manual_seed(seed)
    latents = torch.randn((1, LATENT_CHANNELS, LATENT_SIZE, LATENT_SIZE), generator=generator, dtype=torch.float32)
    latents = latents * scheduler.init_noise_sigma
    for t in scheduler.timesteps:
        latent_model_input = torch.cat([latents] * 2) if do_cfg else latents
        latent_model_input = scheduler.scale_model_input(latent_model_input, t)
        noise_pred = unet(latent_model_input, t.reshape(1), prompt_embeds)
        if do_cfg:
            noise_pred_uncond, noise_pred_text = noise_pred.chunk(2)
            noise_pred = noise_pred_uncond + guidance_scale * (noise_pred_text - noise_pred_uncond)
        latents, _ = scheduler.step(noise_pred, t, latents)
    return latents, decoder(latents / scaling_factor)


# ----------------------------------------------------------------------------------------------------------------
# PNG (8-bit RGB) without extra packages
# ----------------------------------------------------------------------------------------------------------------
def write_png(path, image):
    height, width, _ = image.shape
    raw = b''.join(b'\x00' + image[y].tobytes() for y in range(height))

    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)

    png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
    png += chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    with open(path, 'wb') as f:
        f.write(png)


def read_png(path):
    """8-bit RGB or RGBA, non-interlaced -> uint8 [H, W, 3]."""
    with open(path, 'rb') as f:
        data = f.read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', path
    pos, idat = 8, b''
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, depth, color_type, _, _, interlace = struct.unpack('>IIBBBBB', body)
            assert depth == 8 and color_type in (2, 6) and interlace == 0, path
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    bpp = 3 if color_type == 2 else 4
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, 1 + width * bpp)
    out = np.zeros((height, width * bpp), dtype=np.int32)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        prior = out[y - 1] if y > 0 else np.zeros_like(line)
        if kind == 0:
            cur = line
        elif kind == 2:
            cur = (line + prior) & 255
        else:
            cur = np.zeros_like(line)
            for x in range(line.size):
                left = cur[x - bpp] if x >= bpp else 0
                up = prior[x]
                if kind == 1:
                    value = left
                elif kind == 3:
                    value = (left + up) >> 1
                else:
                    upleft = prior[x - bpp] if x >= bpp else 0
                    p = left + up - upleft
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
                    value = left if pa <= pb and pa <= pc else (up if pb <= pc else upleft)
                cur[x] = (line[x] + value) & 255
        out[y] = cur
    return out.reshape(height, width, bpp)[:, :, :3].astype(np.uint8)


# ----------------------------------------------------------------------------------------------------------------
# The checker: what is in a 64x64 image?
# ----------------------------------------------------------------------------------------------------------------
CONFIDENT_DISTANCE = 40.0   # a pixel is "that palette colour" when this close (orange-yellow are 78 apart)
MASK_DISTANCE = 60.0
BIG_EXTENT = 22             # bounding-box side in pixels separating small (about 16) from big (about 30)
CLASSIFIER_SIDE = 16


def largest_component(mask):
    """4-connected component with the most pixels (iterative flood fill)."""
    h, w = mask.shape
    labels = np.zeros((h, w), dtype=np.int32)
    best, best_size, current = 0, 0, 0
    for y0, x0 in zip(*np.nonzero(mask)):
        if labels[y0, x0]:
            continue
        current += 1
        stack, size = [(y0, x0)], 0
        labels[y0, x0] = current
        while stack:
            y, x = stack.pop()
            size += 1
            for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                if 0 <= ny < h and 0 <= nx < w and mask[ny, nx] and not labels[ny, nx]:
                    labels[ny, nx] = current
                    stack.append((ny, nx))
        if size > best_size:
            best, best_size = current, size
    return labels == best if best else np.zeros_like(mask)


def mask_features(component):
    """The component's bounding square, centred, resized to CLASSIFIER_SIDE^2 (what the shape classifier reads)."""
    ys, xs = np.nonzero(component)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    side = max(y1 - y0, x1 - x0)
    square = np.zeros((side, side), dtype=np.float32)
    oy, ox = (side - (y1 - y0)) // 2, (side - (x1 - x0)) // 2
    square[oy:oy + y1 - y0, ox:ox + x1 - x0] = component[y0:y1, x0:x1]
    t = torch.from_numpy(square)[None, None]
    return F.interpolate(t, size=(CLASSIFIER_SIDE, CLASSIFIER_SIDE), mode='bilinear', align_corners=False, antialias=True)[0, 0]


def analyse_image(image, colors=COLORS):
    """-> dict(background, color, place, size, component) from pixels alone; None entries when nothing is found.
    colors: the palette read (name -> RGB)."""
    names = list(colors)
    palette = np.array([colors[c] for c in names], dtype=np.float64)
    pixels = image.reshape(-1, 3).astype(np.float64)
    distances = np.sqrt(((pixels[:, None, :] - palette[None]) ** 2).sum(-1))
    nearest, distance = distances.argmin(1), distances.min(1)
    border = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=bool)
    border[0, :] = border[-1, :] = border[:, 0] = border[:, -1] = True
    background = int(np.bincount(nearest[border.reshape(-1)], minlength=len(palette)).argmax())
    candidates = (nearest != background) & (distance < CONFIDENT_DISTANCE)
    result = {'background': names[background], 'color': None, 'place': None, 'size': None, 'component': None}
    if candidates.sum() < 6:
        return result
    color = int(np.bincount(nearest[candidates], minlength=len(palette)).argmax())
    mask = ((nearest == color) & (distance < MASK_DISTANCE)).reshape(IMAGE_SIZE, IMAGE_SIZE)
    component = largest_component(mask)
    ys, xs = np.nonzero(component)
    cx, cy = xs.mean() + 0.5, ys.mean() + 0.5
    col, row = min(2, int(cx // (IMAGE_SIZE / 3))), min(2, int(cy // (IMAGE_SIZE / 3)))
    place = next(i for i, p in enumerate(PLACES) if p[3] == col and p[4] == row)
    extent = max(xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
    result.update(color=names[color], place=place, size='big' if extent >= BIG_EXTENT else 'small', component=component)
    return result


class ShapeClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, stride=2, padding=1),
                                 nn.ReLU(), nn.Flatten(), nn.Linear(32 * (CLASSIFIER_SIDE // 2) ** 2, len(SHAPES)))

    def forward(self, x):
        return self.net(x[:, None])


def classifier_examples(images, scenes):
    features, labels = [], []
    for image, scene in zip(images, scenes):
        found = analyse_image(image)
        if found['component'] is None or found['color'] != scene['color']:
            continue
        features.append(mask_features(found['component']))
        labels.append(SHAPES.index(scene['shape']))
    return torch.stack(features), torch.tensor(labels)


def train_shape_classifier(decoder, encoder, rng, generator):
    """Trained on masks the checker extracts from VAE reconstructions (blurred edges included), all pairs."""
    torch.manual_seed(SEED + 4)
    scenes, images = make_dataset(CLASSIFIER_IMAGES + 600, rng, all_pairs())
    with torch.no_grad():
        mean, _ = encode_images(encoder, images)
        recon = np.concatenate([to_uint8_images(decoder(mean[i:i + 256])) for i in range(0, len(mean), 256)])
    x, y = classifier_examples(recon[:CLASSIFIER_IMAGES], scenes[:CLASSIFIER_IMAGES])
    xv, yv = classifier_examples(recon[CLASSIFIER_IMAGES:], scenes[CLASSIFIER_IMAGES:])
    model = ShapeClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for step in range(1000):
        index = torch.randint(0, len(x), (128,), generator=generator)
        loss = F.cross_entropy(model(x[index]), y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(xv).argmax(1) == yv).float().mean().item()
    # The checker on clean renders and on reconstructions, against the scenes' truth (its own ceiling).
    truth_scenes, truth_images = scenes[CLASSIFIER_IMAGES:], images[CLASSIFIER_IMAGES:]
    clean = score_images([(s, check_image(im, model)) for s, im in zip(truth_scenes, truth_images)])
    recon_score = score_images([(s, check_image(im, model)) for s, im in zip(truth_scenes, recon[CLASSIFIER_IMAGES:])])
    return model, {'classifier_accuracy': accuracy, 'examples': len(x), 'clean': clean, 'reconstructed': recon_score}


def check_image(image, classifier, colors=COLORS):
    found = analyse_image(image, colors)
    shape = None
    if found['component'] is not None:
        with torch.no_grad():
            shape = SHAPES[int(classifier(mask_features(found['component'])[None]).argmax(1))]
    return {'background': found['background'], 'color': found['color'], 'shape': shape,
            'place': found['place'], 'size': found['size']}


def score_images(pairs):
    """pairs: (scene asked for, checker verdict) -> fraction agreeing per attribute, and all at once."""
    keys = ['color', 'shape', 'background', 'place', 'size']
    hits = {k: 0 for k in keys}
    both = every = 0
    for scene, verdict in pairs:
        ok = {k: verdict[k] == scene[k] for k in keys}
        for k in keys:
            hits[k] += ok[k]
        both += ok['color'] and ok['shape']
        every += all(ok.values())
    n = max(1, len(pairs))
    out = {k: hits[k] / n for k in keys}
    out.update(color_and_shape=both / n, all=every / n, count=len(pairs))
    return out


# ----------------------------------------------------------------------------------------------------------------
# Export: the diffusers ONNX folder
# ----------------------------------------------------------------------------------------------------------------
OPSET = 17


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(value, f, indent=2)
        f.write('\n')


def export_onnx(module, args, path, inputs, outputs, axes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(path))


def latent_rgb_factors(latents_scaled, images):
    """Least squares: UNet-space latent cell (4 values + 1) -> the mean RGB in [-1, 1] of its 4x4 pixels."""
    x = latents_scaled.permute(0, 2, 3, 1).reshape(-1, LATENT_CHANNELS).double()
    target = F.avg_pool2d(to_tensor_images(images), VAE_SCALE).permute(0, 2, 3, 1).reshape(-1, 3).double()
    design = torch.cat([x, torch.ones(len(x), 1, dtype=torch.float64)], dim=1)
    solution = torch.linalg.lstsq(design, target).solution
    residual = target - design @ solution
    r2 = 1 - residual.pow(2).sum() / (target - target.mean(0)).pow(2).sum()
    factors = [[round(float(v), 5) for v in row] for row in solution[:LATENT_CHANNELS]]
    bias = [round(float(v), 5) for v in solution[LATENT_CHANNELS]]
    return factors, bias, float(r2)


def export_graphs(folder, tokenizer, text_encoder, unet, encoder, decoder):
    """The four model.onnx files, with the input and output names and dynamic axes of diffusers' exports."""
    example_ids = torch.tensor([tokenizer.encode(''), tokenizer.encode('a red circle')], dtype=torch.int64)
    export_onnx(text_encoder, (example_ids,), os.path.join(folder, 'text_encoder', 'model.onnx'),
                ['input_ids'], ['last_hidden_state', 'pooler_output'],
                {'input_ids': {0: 'batch', 1: 'sequence'}, 'last_hidden_state': {0: 'batch', 1: 'sequence'},
                 'pooler_output': {0: 'batch'}})
    sample = torch.randn(2, LATENT_CHANNELS, LATENT_SIZE, LATENT_SIZE)
    hidden = torch.randn(2, MAX_LENGTH, TEXT_DIM)
    export_onnx(unet, (sample, torch.tensor([999.0, 999.0]), hidden), os.path.join(folder, 'unet', 'model.onnx'),
                ['sample', 'timestep', 'encoder_hidden_states'], ['out_sample'],
                {'sample': {0: 'batch', 2: 'height', 3: 'width'}, 'timestep': {0: 'batch'},
                 'encoder_hidden_states': {0: 'batch', 1: 'sequence'}, 'out_sample': {0: 'batch', 2: 'height', 3: 'width'}})
    export_onnx(encoder, (torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE),), os.path.join(folder, 'vae_encoder', 'model.onnx'),
                ['sample'], ['latent_parameters'],
                {'sample': {0: 'batch', 2: 'height', 3: 'width'}, 'latent_parameters': {0: 'batch', 2: 'height', 3: 'width'}})
    export_onnx(decoder, (torch.zeros(1, LATENT_CHANNELS, LATENT_SIZE, LATENT_SIZE),),
                os.path.join(folder, 'vae_decoder', 'model.onnx'), ['latent_sample'], ['sample'],
                {'latent_sample': {0: 'batch', 2: 'height', 3: 'width'}, 'sample': {0: 'batch', 2: 'height', 3: 'width'}})


def copy_weights_from_graph(module, fresh, shipped, label):
    """Sets `module`'s parameters from the `shipped` ONNX graph, given `fresh`: the same module exported the same way
    with every parameter set to distinct random values. The two graphs have the same nodes in the same order (their
    names may differ), so each initializer of `shipped` sits where its parameter's sits in `fresh`, where the values
    say which parameter it is (MatMul weights are stored transposed, GroupNorm's reshaped)."""
    from onnx import numpy_helper
    fresh_values = {t.name: numpy_helper.to_array(t) for t in fresh.initializer}
    shipped_values = {t.name: numpy_helper.to_array(t) for t in shipped.initializer}
    if [n.op_type for n in fresh.node] != [n.op_type for n in shipped.node]:
        raise RuntimeError(f'{label}: the shipped graph is not the one this script exports (its nodes differ)')
    params = dict(module.named_parameters())
    by_value = {}
    for name, p in params.items():
        a = p.detach().numpy().astype(np.float32)
        by_value[a.tobytes()] = (name, False)
        if a.ndim == 2:
            by_value[np.ascontiguousarray(a.T).tobytes()] = (name, True)
    loaded = {}
    for fresh_node, shipped_node in zip(fresh.node, shipped.node):
        for fresh_input, shipped_input in zip(fresh_node.input, shipped_node.input):
            if fresh_input not in fresh_values:
                continue
            value = fresh_values[fresh_input]
            hit = by_value.get(np.ascontiguousarray(value).tobytes()) if value.dtype == np.float32 else None
            if hit is None:  # a constant of the graph (not a parameter): the same in both
                if not np.array_equal(value, shipped_values[shipped_input]):
                    raise RuntimeError(f'{label}: constant {fresh_input} differs from {shipped_input}')
                continue
            name, transposed = hit
            trained = shipped_values[shipped_input]
            loaded[name] = (trained.T if transposed else trained).reshape(params[name].shape)
    missing = sorted(set(params) - set(loaded))
    if missing:
        raise RuntimeError(f'{label}: no weight in the graph for {", ".join(missing[:5])}')
    with torch.no_grad():
        for name, value in loaded.items():
            params[name].copy_(torch.from_numpy(np.ascontiguousarray(value)))


def load_from_onnx(folder, tokenizer, known_ids):
    """The PyTorch modules of an export this script wrote (models/tiny-shapes), with its weights: a re-export, a
    LoRA or a reference sampler needs no checkpoint. -> (text_encoder, unet, encoder, decoder), in eval mode."""
    import tempfile
    import onnx
    torch.manual_seed(SEED + 7)
    modules = {'text_encoder': TinyClipTextModel(known_ids), 'unet': TinyUNet(), 'vae_encoder': VaeEncoder(),
               'vae_decoder': VaeDecoder()}
    with torch.no_grad():
        for module in modules.values():
            for p in module.parameters():
                p.normal_()
    with tempfile.TemporaryDirectory() as scratch:
        export_graphs(scratch, tokenizer, *modules.values())
        for name, module in modules.items():
            fresh = onnx.load(os.path.join(scratch, name, 'model.onnx')).graph
            shipped = onnx.load(os.path.join(folder, name, 'model.onnx')).graph
            copy_weights_from_graph(module, fresh, shipped, name)
    return tuple(m.eval() for m in modules.values())


def export_model(folder, tokenizer, known_ids, text_encoder, unet, encoder, decoder, scaling_factor, rgb):
    export_graphs(folder, tokenizer, text_encoder, unet, encoder, decoder)
    write_json(os.path.join(folder, 'model_index.json'), {
        '_class_name': 'OnnxStableDiffusionPipeline', '_diffusers_version': '0.30.0',
        'scheduler': ['diffusers', SCHEDULER_CONFIG['_class_name']], 'text_encoder': ['diffusers', 'OnnxRuntimeModel'],
        'tokenizer': ['transformers', 'CLIPTokenizer'], 'unet': ['diffusers', 'OnnxRuntimeModel'],
        'vae_decoder': ['diffusers', 'OnnxRuntimeModel'], 'vae_encoder': ['diffusers', 'OnnxRuntimeModel']})
    write_json(os.path.join(folder, 'scheduler', 'scheduler_config.json'), SCHEDULER_CONFIG)
    write_json(os.path.join(folder, 'text_encoder', 'config.json'), {
        'architectures': ['CLIPTextModel'], 'bos_token_id': BOS_ID, 'eos_token_id': EOS_ID, 'hidden_act': 'quick_gelu',
        'hidden_size': TEXT_DIM, 'intermediate_size': TEXT_MLP, 'max_position_embeddings': MAX_LENGTH,
        'model_type': 'clip_text_model', 'num_attention_heads': TEXT_HEADS, 'num_hidden_layers': TEXT_LAYERS,
        'projection_dim': TEXT_DIM, 'vocab_size': 49408, 'known_token_ids': known_ids})
    down = ['CrossAttnDownBlock2D' if cross else 'DownBlock2D' for _, cross, _ in UNET_LEVELS]
    write_json(os.path.join(folder, 'unet', 'config.json'), {
        '_class_name': 'UNet2DConditionModel', '_diffusers_version': '0.30.0', 'act_fn': 'silu',
        'addition_embed_type': 'text', 'addition_embed_type_num_heads': TEXT_HEADS, 'attention_head_dim': UNET_HEAD_DIM, 'block_out_channels': list(UNET_CHANNELS),
        'cross_attention_dim': TEXT_DIM, 'down_block_types': down,
        'flip_sin_to_cos': True, 'freq_shift': 0, 'in_channels': LATENT_CHANNELS, 'layers_per_block': 1,
        'mid_block_type': 'UNetMidBlock2DCrossAttn', 'norm_num_groups': UNET_GROUPS, 'out_channels': LATENT_CHANNELS,
        'sample_size': LATENT_SIZE, 'time_cond_proj_dim': None,
        'up_block_types': [t.replace('Down', 'Up') for t in reversed(down)], 'use_linear_projection': True})
    vae = {'_class_name': 'AutoencoderKL', '_diffusers_version': '0.30.0', 'act_fn': 'silu',
           'block_out_channels': [12, 32, 64], 'in_channels': 3, 'latent_channels': LATENT_CHANNELS, 'out_channels': 3,
           'sample_size': IMAGE_SIZE, 'scaling_factor': scaling_factor}
    write_json(os.path.join(folder, 'vae_encoder', 'config.json'), vae)
    write_json(os.path.join(folder, 'vae_decoder', 'config.json'),
               dict(vae, latent_rgb_factors=rgb[0], latent_rgb_bias=rgb[1]))


# ----------------------------------------------------------------------------------------------------------------
# Parity fixture and the evaluation through our engine
# ----------------------------------------------------------------------------------------------------------------
PARITY_CASES = [
    {'name': 'ddim', 'prompt': 'a small red circle on a blue background, top left', 'negativePrompt': '',
     'seed': 42, 'steps': 20, 'guidanceScale': 7.5, 'scheduler': 'ddim'},
    {'name': 'euler', 'prompt': 'a big yellow square in the center on a black background',
     'negativePrompt': 'a triangle', 'seed': 1234, 'steps': 20, 'guidanceScale': 5.0, 'scheduler': 'euler'},
    {'name': 'euler-tiling-xy', 'prompt': 'a big white star on a red background, top left', 'negativePrompt': '',
     'seed': 77, 'steps': 20, 'guidanceScale': 7.5, 'scheduler': 'euler', 'tiling': 'xy'},
]


def write_fixture(model):
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    cases = []
    for case in PARITY_CASES:
        latents, image = reference_txt2img(model, case['prompt'], case['negativePrompt'], case['seed'], case['steps'],
                                           case['guidanceScale'], case['scheduler'], case.get('tiling'))
        latents_file, image_file = f"{case['name']}.latents.f32", f"{case['name']}.png"
        with open(os.path.join(FIXTURE_DIR, latents_file), 'wb') as f:
            f.write(latents.contiguous().numpy().astype('<f4').tobytes())
        write_png(os.path.join(FIXTURE_DIR, image_file), to_uint8_images(image)[0])
        cases.append(dict(case, width=IMAGE_SIZE, height=IMAGE_SIZE,
                          latentShape=list(latents.shape), latents=latents_file, image=image_file))
    write_json(os.path.join(FIXTURE_DIR, 'fixture.json'), {
        'about': 'Written by tools/trainSampleModel.py (reference sampler: diffusers StableDiffusionPipeline semantics, '
                 'torch.Generator("cpu").manual_seed(seed), classifier-free guidance batched [negative, prompt]; '
                 'tiling "xy": every Conv2d of the UNet and the VAE decoder with padding_mode "circular"). '
                 'latents: the final UNet-space latents before / scaling_factor, float32 little-endian, NCHW. '
                 'image: the decoded image, (x/2 + 0.5).clamp(0, 1) * 255 rounded.',
        'model': 'models/tiny-shapes', 'torch': torch.__version__, 'cases': cases})
    return cases


def check_stored_fixture(model, tolerance=1e-4):
    """The stored parity fixture's cases through this model: the same latents, or these are not its weights."""
    with open(os.path.join(FIXTURE_DIR, 'fixture.json')) as f:
        stored = json.load(f)
    worst = 0.0
    for case in stored['cases']:
        latents, _ = reference_txt2img(model, case['prompt'], case['negativePrompt'], case['seed'], case['steps'],
                                       case['guidanceScale'], case['scheduler'], case.get('tiling'))
        with open(os.path.join(FIXTURE_DIR, case['latents']), 'rb') as f:
            expected = np.frombuffer(f.read(), dtype='<f4').reshape(case['latentShape'])
        worst = max(worst, float(np.abs(latents.numpy() - expected).max()))
    if worst > tolerance:
        raise RuntimeError(f'the stored fixture does not come out again (latents differ by {worst:.2e})')
    return worst


def reexport_shipped_model(staging, tokenizer, known_ids):
    """--from-onnx: the shipped model's own weights, read back from its ONNX files and exported again by this script
    (node names by full module path, the parity fixture's new cases). Its card stays: the weights are the same."""
    text_encoder, unet, encoder, decoder = load_from_onnx(MODEL_DIR, tokenizer, known_ids)
    with open(os.path.join(MODEL_DIR, 'vae_decoder', 'config.json')) as f:
        vae = json.load(f)
    scaling_factor = vae['scaling_factor']
    worst = check_stored_fixture((tokenizer, text_encoder, unet, decoder, scaling_factor))
    log(f'weights read back from {MODEL_DIR}: the stored parity fixture comes out within {worst:.1e}')
    rgb = (vae['latent_rgb_factors'], vae['latent_rgb_bias'], None)
    export_model(staging, tokenizer, known_ids, text_encoder, unet, encoder, decoder, scaling_factor, rgb)
    shutil.copy(os.path.join(MODEL_DIR, 'README.md'), os.path.join(staging, 'README.md'))
    shutil.rmtree(MODEL_DIR)
    os.rename(staging, MODEL_DIR)
    log(f'export: {MODEL_DIR}')
    write_fixture((load_tokenizer(os.path.join(MODEL_DIR, 'tokenizer')), text_encoder, unet, decoder, scaling_factor))
    log(f'fixture: {FIXTURE_DIR}')


def evaluation_prompts():
    """Fixed held-out captions: every held-out (colour, shape) pair, and as many seen pairs, all attributes given."""
    rng = np.random.default_rng(SEED + 5)
    prompts = []
    for split, pairs, count in (('held-out pair', HELD_OUT_PAIRS, 10), ('seen pair', training_pairs(), 50)):
        for i in range(count * (len(pairs) if split == 'held-out pair' else 1)):
            pair = pairs[i % len(pairs)] if split == 'held-out pair' else pairs[rng.integers(len(pairs))]
            scene = random_scene(rng, [pair])
            prompts.append({'split': split, 'scene': scene, 'prompt': caption_for(scene, rng, full=True),
                            'seed': 1000 + len(prompts)})
    return prompts


def build_cli(work):
    out = os.path.join(work, 'cli.js')
    subprocess.run(['npx', '--no-install', 'esbuild', 'src/cli/main.ts', '--bundle', '--platform=node', '--format=cjs',
                    '--target=node20', '--external:onnxruntime-node', '--external:sharp', '--log-level=warning',
                    f'--outfile={out}'], cwd=REPO, check=True)
    return out


def engine_generate(cli, prompt, seed, out_png, extra=()):
    """One image through our engine's CLI (20 steps, the model's defaults); -> the CLI's --json line."""
    env = dict(os.environ, NODE_PATH=os.path.join(REPO, 'node_modules'))  # the bundle may live outside the repository
    run = subprocess.run(['node', cli, 'generate', '--model', MODEL_DIR, '--prompt', prompt, '--seed', str(seed),
                          '--steps', '20', '--out', out_png, '--json', *extra], cwd=REPO, capture_output=True, text=True,
                         env=env)
    if run.returncode != 0:
        raise RuntimeError(f'the CLI failed for "{prompt}": {run.stderr.strip()}')
    return json.loads(run.stdout.strip().splitlines()[-1])


def evaluate_with_engine(work, classifier):
    cli = build_cli(work)
    folder = os.path.join(work, 'eval')
    os.makedirs(folder, exist_ok=True)
    results, timings = [], []
    for i, item in enumerate(evaluation_prompts()):
        png = os.path.join(folder, f'{i:03d}.png')
        info = engine_generate(cli, item['prompt'], item['seed'], png)
        timings.append(info['timings'])
        verdict = check_image(read_png(png), classifier)
        results.append(dict(item, verdict=verdict, file=png))
    scores = {split: score_images([(r['scene'], r['verdict']) for r in results if r['split'] == split])
              for split in ('held-out pair', 'seen pair')}
    median = lambda key: float(np.median([t[key] for t in timings]))  # noqa: E731
    speed = {k: median(k) for k in ('totalMs', 'textEncodeMs', 'denoiseMs', 'unetMs', 'decodeMs')}
    contact_sheet(os.path.join(work, 'eval-sheet.png'), [read_png(r['file']) for r in results])
    with open(os.path.join(work, 'eval.json'), 'w') as f:
        json.dump({'scores': scores, 'speed': speed, 'results': [
            {k: v for k, v in r.items() if k != 'file'} for r in results]}, f, indent=1)
    return scores, speed, results


def contact_sheet(path, images, columns=10):
    rows = [images[i:i + columns] for i in range(0, len(images), columns)]
    blank = np.zeros_like(images[0])
    write_png(path, np.concatenate([np.concatenate(r + [blank] * (columns - len(r)), 1) for r in rows], 0))


# ----------------------------------------------------------------------------------------------------------------
# Model card
# ----------------------------------------------------------------------------------------------------------------
def percent(x):
    return f'{100 * x:.0f}%'


def machine_description():
    cpu = platform.processor() or 'unknown CPU'
    try:
        with open('/proc/cpuinfo') as f:
            names = [line.split(':', 1)[1].strip() for line in f if line.startswith('model name')]
        if names:
            cpu = names[0]
    except OSError:
        pass
    return f'{cpu}, {os.cpu_count()} logical CPUs, torch {torch.__version__} on {THREADS} threads, no GPU'


def write_model_card(folder, s):
    vocab = lambda words: ', '.join(f'`{w}`' for w in words)  # noqa: E731
    held = ', '.join(f'{c} {sh}' for c, sh in HELD_OUT_PAIRS)
    score_rows = '\n'.join(
        f"| {split} ({v['count']} prompts) | {percent(v['color'])} | {percent(v['shape'])} | {percent(v['color_and_shape'])} | "
        f"{percent(v['background'])} | {percent(v['place'])} | {percent(v['size'])} | {percent(v['all'])} |"
        for split, v in s['scores'].items())
    ceiling = s['checker']
    place = min(v['place'] for v in s['scores'].values())
    place_limit = ('' if place >= 0.5 else
                   f"\n- It does not follow the place words well (place right in {percent(place)} of the prompts, chance "
                   f"{percent(1 / len(PLACES))}): where the shape goes is mostly decided by the seed's noise.")
    card = f"""# tiny-shapes: Local Diffusion's built-in sample model

A tiny latent diffusion model, trained from scratch in {s['minutes_total']:.0f} minutes on a CPU by
`tools/trainSampleModel.py`, in the diffusers ONNX layout (`OnnxStableDiffusionPipeline`). It draws one simple shape
on a plain background, 64x64 pixels, from a text prompt, and shows in a second what the product does: an image forming
out of noise, step by step. It knows nothing else.

## What it draws

One shape, in one colour, small or big, at one of nine places, on a background of another colour, e.g.

- `a small red circle on a blue background, top left`
- `a big yellow star in the center on a black background`
- `a white diamond at the bottom on a purple background`
- `an orange triangle on the right`

Vocabulary (every other word is read as "unknown"):

| | words |
|---|---|
| shapes | {vocab(SHAPES)} |
| colours (shape and background) | {vocab(COLOR_NAMES)} |
| sizes | {vocab(SIZE_NAMES)} |
| places | `top left`, `top`, `top right`, `left`, `center`, `right`, `bottom left`, `bottom`, `bottom right` (as `, top left` or `in the top left`, `at the top`, `on the left`, `in the center`) |
| glue | `a`, `an`, `on`, `background`, `in`, `the`, `at`, `,` |

Prompt templates seen in training: `a [size] <colour> <shape> on a <colour> background, <place>`,
`a [size] <colour> <shape> <in the place> on a <colour> background`, `a [size] <colour> <shape> on a <colour>
background <in the place>`; size, place and background may each be left out (then any is fine). The
(colour, shape) pairs **{held}** never occur in training: asking for them tests whether it composes words.

Native size 64x64 (16x16x4 latents); it also runs at other multiples of 4, with less sense. Default scheduler Euler
(`trailing`), 20 steps, guidance 7.5; DDIM, Euler ancestral and DPM++ work as well. Inpainting works with the
ordinary 4-channel latent blend.

## Prompt following (measured through Local Diffusion's own engine)

{s['eval_count']} fixed prompts that name every attribute, each with its own seed, generated by `dist/cli.js generate`
(20 steps, Euler, guidance 7.5, 64x64), then read back by a checker: the palette colour of the largest object and of the
border (background), the object's third of the image (place), its bounding box (small/big), and its shape from a tiny
classifier trained alongside on VAE reconstructions ({percent(ceiling['classifier_accuracy'])} accurate on held-out
reconstructions; the checker agrees with the truth on {percent(ceiling['reconstructed']['all'])} of reconstructed
training-style images on all attributes, its ceiling).

| prompts | colour | shape | colour and shape | background | place | size | all five |
|---|---|---|---|---|---|---|---|
{score_rows}

By chance alone: colour {percent(1 / len(COLOR_NAMES))}, shape {percent(1 / len(SHAPES))}, background
{percent(1 / (len(COLOR_NAMES) - 1))}, place {percent(1 / len(PLACES))}, size {percent(1 / len(SIZE_NAMES))}.

Speed on the training machine (median over those runs, one CLI process each, CPU): {s['speed']['totalMs']:.0f} ms per
image in total, of which {s['speed']['denoiseMs']:.0f} ms for the 20 denoising steps (UNet {s['speed']['unetMs']:.0f} ms,
batch 2 for guidance) and {s['speed']['decodeMs']:.0f} ms to decode.

## How it was made

- Data: {TRAIN_IMAGES} procedural scenes (signed-distance shapes, antialiased), a fresh caption drawn for every use,
  {percent(UNCOND_PROB)} empty captions (for classifier-free guidance), seed {SEED}.
- Tokenizer: CLIP's BPE with the real ids (`a` = 320, `red` = 736, `circle` = 7117, ...), reduced to the {s['merges']} merges
  these words need (in their original rank order), the 512 byte symbols and `<|startoftext|>` 49406 /
  `<|endoftext|>` 49407 (also the padding, as in SD 1.x). Derived from OpenAI's `bpe_simple_vocab_16e6.txt.gz`.
- VAE ({s['params']['vae_encoder'] + s['params']['vae_decoder']:,} parameters): 64x64x3 <-> 16x16x4, space-to-depth then
  convolutions and residual blocks (no normalisation), KL-regularised (weight {VAE_KL_WEIGHT}), L1 loss, {VAE_STEPS} steps of
  {VAE_BATCH} random {VAE_CROP}x{VAE_CROP} crops. Final L1 {s['vae_l1']:.4f} (in [-1, 1] units), KL {s['vae_kl']:.2f}.
  Encoder output `latent_parameters` (mean and log-variance). `scaling_factor` {s['scaling_factor']} = 1 / std of the
  training latents. `latent_rgb_factors`/`latent_rgb_bias` in `vae_decoder/config.json`: least squares from a latent cell
  to its 4x4 pixels' mean colour (R^2 = {s['rgb_r2']:.3f}), for the per-step previews.
- Text encoder ({s['params']['text_encoder']:,} parameters): CLIP's text transformer scaled down: {TEXT_LAYERS} causal
  pre-LN layers, width {TEXT_DIM}, {TEXT_HEADS} heads, quick-GELU, final LayerNorm, 77 positions; only the
  {len(s['known_ids'])} known ids have rows (matched inside the graph), any other id shares the "unknown" row. Input
  `input_ids` int64 [batch, 77], outputs `last_hidden_state` [batch, 77, {TEXT_DIM}] and `pooler_output`.
- UNet ({s['params']['unet']:,} parameters): `UNet2DConditionModel` scaled down: block_out_channels
  {list(UNET_CHANNELS)} at 16x16, 8x8 and 4x4, CrossAttnDownBlock2D x3, a cross-attention mid block, CrossAttnUpBlock2D x3,
  one layer per block, GroupNorm {UNET_GROUPS}, head size {UNET_HEAD_DIM}, GEGLU feed-forward; cross-attention at every level,
  self-attention at 8x8 and 4x4 only (to save time). Additions for a CPU budget: the prompt, attention-pooled, is
  added to the time embedding (diffusers' `addition_embed_type: "text"`, `TextTimeEmbedding`); `conv_in` also reads two
  coordinate planes computed from the input size (CoordConv); and each transformer adds sine/cosine features of its
  cells' positions to their tokens (as ViT's position embeddings), for the places. Inputs `sample`, `timestep`
  (float32 [batch]), `encoder_hidden_states`; output `out_sample`; nothing else.
- Diffusion: SD's noise schedule (`scaled_linear`, {BETA_START} to {BETA_END}, 1000 steps), epsilon prediction,
  min-SNR-{MIN_SNR_GAMMA:g} loss weights and offset noise {OFFSET_NOISE} (a random constant per latent channel added to the
  training noise: SD's last step keeps 7% of the image, so without it a flat background's colour would come from the
  seed's noise instead of the prompt). Text encoder and UNet trained together for {UNET_STEPS} steps of batch
  {UNET_BATCH}, AdamW lr {UNET_LR} (warm-up, cosine), EMA {EMA_DECAY} of the weights exported. Loss (epsilon MSE with
  the offset, mean of 100 steps): {s['unet_first']:.3f} at the start, {s['unet_last']:.3f} at the end.
- Time: {s['minutes_total']:.0f} minutes end to end (data and VAE {s['minutes']['vae']:.1f}, UNet {s['minutes']['unet']:.1f},
  export, fixture, checker and evaluation {s['minutes']['eval']:.1f}) on {s['machine']} (shared with other work at
  the time); {s['date']}.
- Export: PyTorch {torch.__version__} `torch.onnx.export`, opset {OPSET}, fp32, dynamic batch and size; nodes named by
  their full module path (`/down.0/attention/block/attn2/to_k/MatMul`), as diffusers' exports are, so LoRA files find
  their layers.

## Limits

- One object per image; no counting, no relations, no textures, no rotation; 64x64 pixels.
- Edges are soft (a small VAE), small stars and triangles can come out as blobs.
- Words outside the vocabulary are ignored (they map to one "unknown" embedding), so `a red dog` draws a red shape.
- Held-out (colour, shape) pairs work less reliably than seen ones (see the table).{place_limit}

## Regenerate

```sh
apt-get install -y python3-torch python3-onnx libopenblas0-pthread   # Debian 12 (bookworm) packages
/usr/bin/python3 tools/trainSampleModel.py      # from the repository root: data, training, export, fixture, evaluation
```

It needs `../shared/data/clip/bpe_simple_vocab_16e6.txt.gz` (or `LOCAL_DIFFUSION_CLIP_BPE`) and Node.js with the
repository's `node_modules` for the evaluation. A rerun on the same machine gives the same model (fixed seeds,
deterministic algorithms, {THREADS} threads); another CPU or BLAS trains a different model (rounding differs
in the last bits, and training amplifies it). `--reuse` loads the
checkpoints kept in `out/tiny-shapes-train/` to redo only the export, the fixture and the evaluation; `--from-onnx`
needs no checkpoint: it reads the weights back from this folder's ONNX files (a few seconds) and exports them again,
bit for bit the same weights, for a change to the export or the fixture. The script also
rewrites `test/fixtures/parity/` (the PyTorch reference for `test/integration/sampleModelParity.test.ts`).

Licence: MIT, like the repository; no external data was used.
"""
    with open(os.path.join(folder, 'README.md'), 'w', encoding='utf-8') as f:
        f.write(card)


# ----------------------------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work', default=os.path.join(REPO, 'out', 'tiny-shapes-train'))
    parser.add_argument('--reuse', action='store_true', help='load the checkpoints in --work instead of training')
    parser.add_argument('--skip-engine-eval', action='store_true')
    parser.add_argument('--from-onnx', action='store_true',
                        help='no training: read the weights back from models/tiny-shapes, export them again and '
                             'rewrite the parity fixture (the card stays)')
    args = parser.parse_args()
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    torch.set_flush_denormal(True)  # denormal gradients of the zero-initialised layers slow a CPU down 2x
    os.makedirs(args.work, exist_ok=True)
    began = time.time()
    minutes = {}
    # With --reuse, training times come from the run that trained the checkpoints.
    summary_file = os.path.join(args.work, 'summary.json')
    previous = {}
    if args.reuse and os.path.exists(summary_file):
        with open(summary_file) as f:
            stored = json.load(f)
        previous = dict(stored.get('minutes', {}), total=stored.get('minutes_total'))
    summary = {'machine': machine_description(), 'date': time.strftime('%Y-%m-%d')}
    log(f'tiny-shapes: {summary["machine"]}')

    staging = MODEL_DIR + '.staging'
    shutil.rmtree(staging, ignore_errors=True)
    tokenizer, summary['merges'] = write_tokenizer(os.path.join(staging, 'tokenizer'))
    known_ids = sorted({i for word in VOCABULARY_WORDS for i in tokenizer.ids(word)} | {BOS_ID, EOS_ID})
    summary['known_ids'] = known_ids
    log(f'tokenizer: {summary["merges"]} merges, {len(known_ids)} known ids')
    if args.from_onnx:
        reexport_shipped_model(staging, tokenizer, known_ids)
        return

    rng = np.random.default_rng(SEED)
    generator = torch.Generator().manual_seed(SEED)
    t = time.time()
    scenes, images = make_dataset(TRAIN_IMAGES, rng, training_pairs())
    log(f'data: {len(images)} scenes in {time.time() - t:.0f} s')

    t = time.time()
    vae_file = os.path.join(args.work, 'vae.pt')
    if args.reuse and os.path.exists(vae_file):
        state = torch.load(vae_file)
        encoder, decoder = VaeEncoder(), VaeDecoder()
        encoder.load_state_dict(state['encoder'])
        decoder.load_state_dict(state['decoder'])
        encoder.eval(), decoder.eval()
        vae_history = state['history']
    else:
        log('vae: training')
        encoder, decoder, vae_history = train_vae(images, generator)
    latent_mean, latent_std = encode_images(encoder, images)
    scaling_factor = float(f'{1.0 / latent_mean.std().item():.5g}')
    rgb = latent_rgb_factors(latent_mean * scaling_factor, images)
    minutes['vae'] = (time.time() - t) / 60
    if args.reuse and os.path.exists(vae_file):
        minutes['vae'] = state.get('minutes', previous.get('vae', minutes['vae']))
    else:
        torch.save({'encoder': encoder.state_dict(), 'decoder': decoder.state_dict(), 'history': vae_history,
                    'minutes': minutes['vae']}, vae_file)
    tail = np.array(vae_history[-100:])
    summary.update(vae_l1=float(tail[:, 0].mean()), vae_kl=float(tail[:, 1].mean()), scaling_factor=scaling_factor,
                   rgb_r2=rgb[2])
    log(f'vae: L1 {summary["vae_l1"]:.4f}, scaling_factor {scaling_factor}, latent->rgb R^2 {rgb[2]:.3f} '
        f'({minutes["vae"]:.1f} min)')

    t = time.time()
    unet_file = os.path.join(args.work, 'unet.pt')
    if args.reuse and os.path.exists(unet_file):
        state = torch.load(unet_file)
        text_encoder, unet = TinyClipTextModel(known_ids), TinyUNet()
        text_encoder.load_state_dict(state['text_encoder'])
        unet.load_state_dict(state['unet'])
        text_encoder.eval(), unet.eval()
        unet_history = state['history']
        trained_minutes = state.get('minutes', previous.get('unet'))
    else:
        log('unet: training')
        text_encoder, unet, unet_history = train_unet(latent_mean, latent_std, scaling_factor, scenes, tokenizer,
                                                      known_ids, generator)
        trained_minutes = (time.time() - t) / 60
        torch.save({'text_encoder': text_encoder.state_dict(), 'unet': unet.state_dict(), 'history': unet_history,
                    'minutes': trained_minutes}, unet_file)
    minutes['unet'] = trained_minutes if trained_minutes is not None else (time.time() - t) / 60
    history = np.array(unet_history)
    summary.update(unet_first=float(history[:100, 1].mean()), unet_last=float(history[-100:, 1].mean()))
    summary['params'] = {'vae_encoder': parameter_count(encoder), 'vae_decoder': parameter_count(decoder),
                         'text_encoder': parameter_count(text_encoder), 'unet': parameter_count(unet)}
    log(f'unet: eps-MSE {summary["unet_first"]:.3f} -> {summary["unet_last"]:.3f} ({minutes["unet"]:.1f} min)')

    t = time.time()
    export_model(staging, tokenizer, known_ids, text_encoder, unet, encoder, decoder, scaling_factor, rgb)
    if os.path.isdir(MODEL_DIR):
        shutil.rmtree(MODEL_DIR)
    os.rename(staging, MODEL_DIR)
    sizes = {name: os.path.getsize(os.path.join(MODEL_DIR, name, 'model.onnx'))
             for name in ('text_encoder', 'unet', 'vae_encoder', 'vae_decoder')}
    log(f'export: {MODEL_DIR} ({sum(sizes.values()) / 1e6:.1f} MB of ONNX)')
    model = (load_tokenizer(os.path.join(MODEL_DIR, 'tokenizer')), text_encoder, unet, decoder, scaling_factor)
    write_fixture(model)
    log(f'fixture: {FIXTURE_DIR}')

    classifier, summary['checker'] = train_shape_classifier(decoder, encoder, np.random.default_rng(SEED + 6), generator)
    log(f'checker: shape classifier {summary["checker"]["classifier_accuracy"]:.3f}, all attributes on clean renders '
        f'{summary["checker"]["clean"]["all"]:.3f}, on reconstructions {summary["checker"]["reconstructed"]["all"]:.3f}')
    if args.skip_engine_eval:
        minutes['eval'] = (time.time() - t) / 60
        log('evaluation through the engine skipped; no model card written')
        return
    scores, speed, _ = evaluate_with_engine(args.work, classifier)
    minutes['eval'] = (time.time() - t) / 60
    for split, v in scores.items():
        log(f'prompt following, {split}: ' + ', '.join(f'{k} {v[k]:.2f}' for k in v if k != 'count') + f' ({v["count"]})')
    log(f'engine speed (median): {speed}')
    minutes_total = (time.time() - began) / 60
    if args.reuse:
        # The checkpoints' training times (stored with them) plus this run's export, fixture, checker and evaluation.
        minutes_total = previous.get('total') or (minutes['vae'] + minutes['unet'] + minutes['eval'])
    minutes['total'] = minutes_total
    summary.update(scores=scores, speed=speed, eval_count=sum(v['count'] for v in scores.values()), minutes=minutes,
                   minutes_total=minutes_total)
    write_model_card(MODEL_DIR, summary)
    with open(os.path.join(args.work, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=1, default=str)
    log(f'done in {summary["minutes_total"]:.1f} min')


if __name__ == '__main__':
    main()
