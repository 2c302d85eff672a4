// A real LoRA on a real network: tinyShapesRing (test/fixtures/lora/, trained by tools/trainTinyShapesLora.py) teaches
// the trained sample model models/tiny-shapes a shape it never drew (a ring: a circle with a hole). (a) Parity: our engine with the kohya file (fp16,
// alpha ≠ rank, Linear layers on MatMul and Gemm nodes, LoCon on 3×3 convs, text encoder and UNet) against the PyTorch
// sampler with the LoRA merged into the weights, at strengths 1 and 0.5, both ways the engine applies a LoRA (merged
// weights, side branches): latents within 1e-3. (b) It works: prompts asking for a big ring come out as rings with
// the LoRA and not without, read back as the training script's checker reads an image: the background's palette
// colour, the object as what is not background, and a hole test (background the object's largest component encloses).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import type { LoraApplyMode } from '../../src/engine/lora/loraGraphEdit';
import { planLoras } from '../../src/engine/lora/loraPlan';
import { readModelFolder } from '../../src/engine/model/modelFolder';
import { PipelineModel } from '../../src/engine/model/pipelineModel';
import { readLoraFile } from '../../src/node/lora/loraFile';
import { resultRgb } from '../fixtures/analyticImages';
import { assertMatchesReference, readParityFixture, runTxt2imgStages, type ParityCase } from '../fixtures/referenceParity';

const repo = path.resolve(__dirname, '../../..');
const modelDir = path.join(repo, 'models', 'tiny-shapes');
const fixtureDir = path.join(repo, 'test', 'fixtures', 'lora');

interface LoraCase extends ParityCase {
  strength: number;
}

/** The sample model's palette (tools/trainSampleModel.py COLORS). */
const PALETTE: Record<string, [number, number, number]> = {
  red: [220, 38, 38],
  orange: [245, 140, 20],
  yellow: [245, 215, 40],
  green: [40, 170, 70],
  blue: [40, 90, 220],
  purple: [140, 60, 190],
  white: [245, 245, 245],
  black: [20, 20, 20],
};
const NAMES = Object.keys(PALETTE);
/** The sample model's checker: a pixel is "that palette colour" this close (CONFIDENT_DISTANCE), belongs to the
 * object when farther than MASK_DISTANCE from the background's; fewer than 6 pixels: no object. */
const CONFIDENT = 40;
const MASK = 60;
const MIN_PIXELS = 6;
/** A big ring to the checker (tools/trainTinyShapesLora.py min_hole_pixels): its component encloses 40% of the hole a
 * big ring is drawn with, π (0.5 · 15)² pixels; the base model's noisy shapes enclose a few specks. */
const MIN_HOLE = 0.4 * Math.PI * (0.5 * 15) ** 2;

/** The checker's reading of a 64×64 image (tools/trainTinyShapesLora.py check_ring): the object's palette colour, and
 * whether the object — every pixel farther than MASK from the background's palette colour — encloses background. */
function readShape(rgb: Uint8Array, width: number, height: number): { colour?: string; ring: boolean } {
  const n = width * height;
  const nearest = new Int32Array(n);
  const distance = new Float64Array(n);
  const distanceTo = (i: number, [r, g, b]: [number, number, number]): number => Math.hypot(rgb[i * 3] - r, rgb[i * 3 + 1] - g, rgb[i * 3 + 2] - b);
  for (let i = 0; i < n; i++) {
    distance[i] = Infinity;
    NAMES.forEach((name, k) => {
      const d = distanceTo(i, PALETTE[name]);
      if (d < distance[i]) [nearest[i], distance[i]] = [k, d];
    });
  }
  const onBorder = (i: number): boolean => i < width || i >= n - width || i % width === 0 || i % width === width - 1;
  const border = new Array<number>(NAMES.length).fill(0);
  for (let i = 0; i < n; i++) if (onBorder(i)) border[nearest[i]]++;
  const background = border.indexOf(Math.max(...border));
  const counts = new Array<number>(NAMES.length).fill(0);
  for (let i = 0; i < n; i++) if (distance[i] < CONFIDENT && nearest[i] !== background) counts[nearest[i]]++;
  const most = Math.max(...counts);
  const colour = most >= MIN_PIXELS ? NAMES[counts.indexOf(most)] : undefined;
  const isObject = (i: number): boolean => distanceTo(i, PALETTE[NAMES[background]]) > MASK;
  // Flood fill over `accept` from `seeds`, marking `label` with `mark`; -> how many pixels it reached.
  const label = new Int32Array(n);
  const flood = (seeds: number[], accept: (i: number) => boolean, mark: number): number => {
    const stack = seeds.filter((i) => accept(i) && label[i] === 0);
    for (const i of stack) label[i] = mark;
    let size = 0;
    while (stack.length) {
      const i = stack.pop() as number;
      size++;
      const x = i % width;
      for (const j of [i - width, i + width, x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1]) {
        if (j >= 0 && j < n && label[j] === 0 && accept(j)) {
          label[j] = mark;
          stack.push(j);
        }
      }
    }
    return size;
  };
  // The object's largest 4-connected component.
  let best = 0;
  let bestSize = 0;
  for (let i = 0, mark = 1; i < n; i++) {
    if (label[i] === 0 && isObject(i)) {
      const size = flood([i], isObject, mark);
      if (size > bestSize) [best, bestSize] = [mark, size];
      mark++;
    }
  }
  let objectPixels = 0;
  for (let i = 0; i < n; i++) if (isObject(i)) objectPixels++;
  if (objectPixels < MIN_PIXELS) return { ...(colour ? { colour } : {}), ring: false };
  // What the component encloses: the other pixels a flood fill from the border cannot reach.
  for (let i = 0; i < n; i++) if (label[i] !== best) label[i] = 0;
  flood([...Array(n).keys()].filter(onBorder), (i) => label[i] !== best, -1);
  let enclosed = 0;
  for (let i = 0; i < n; i++) if (label[i] === 0) enclosed++;
  return { ...(colour ? { colour } : {}), ring: enclosed >= MIN_HOLE };
}

describe('a real LoRA on the trained sample model: tinyShapesRing teaches tiny-shapes rings', function () {
  this.timeout(600_000);
  const fixture = readParityFixture<LoraCase>(fixtureDir);
  const loraFile = path.join(fixtureDir, 'tinyShapesRing.safetensors');

  it('is a kohya file with fp16 Linear and LoCon layers, alpha ≠ rank, for the text encoder and the UNet', () => {
    const lora = readLoraFile(loraFile);
    assert.equal(lora.format, 'kohya');
    assert.deepEqual([...new Set(lora.modules.map((m) => m.target))].sort(), ['text_encoder', 'unet']);
    const tensor = (name: string) => lora.header.tensors.get(name) ?? assert.fail(`no tensor ${name}`);
    assert.ok(lora.modules.some((m) => tensor(m.down).shape.length === 4 && tensor(m.down).shape[2] === 3), 'a 3×3 LoCon layer');
    assert.ok(lora.modules.every((m) => tensor(m.down).dtype === 'F16' && tensor(m.up).dtype === 'F16'), 'fp16 factors');
    assert.ok(lora.modules.every((m) => m.alpha !== undefined), 'every layer has its alpha');
    assert.equal(lora.metadata.networkDim, 8);
    assert.equal(lora.metadata.networkAlpha, 4);
    assert.ok(lora.metadata.triggerWords.includes('ring'), `trigger words: ${lora.metadata.triggerWords.join(', ')}`);
  });

  for (const mode of ['merge', 'branch'] as LoraApplyMode[]) {
    for (const c of fixture.cases) {
      it(`${mode}: ${c.name} (strength ${c.strength}) has PyTorch's merged-weight latents within 1e-3 and its image`, async () => {
        const folder = await readModelFolder(modelDir);
        const plan = planLoras(folder, [{ file: loraFile, name: 'tinyShapesRing', teWeight: c.strength, unetWeight: c.strength }], mode);
        assert.deepEqual(plan.warnings, [], 'every layer of the file found its weight');
        const model = await PipelineModel.load(modelDir, undefined, { executionProvider: 'cpu', graphEdits: plan.edits });
        try {
          await assertMatchesReference(fixtureDir, c, await runTxt2imgStages(model, modelDir, c));
        } finally {
          await model.release();
        }
      });
    }
  }

  it('the reference is not the plain model: without the LoRA the latents are far from it', async () => {
    const model = await PipelineModel.load(modelDir, undefined, { executionProvider: 'cpu' });
    try {
      await assert.rejects(assertMatchesReference(fixtureDir, fixture.cases[0], await runTxt2imgStages(model, modelDir, fixture.cases[0])), /latents differ/);
    } finally {
      await model.release();
    }
  });

  it('asked for big rings, it draws rings (a component with a hole) in ≥ 80% of 25 images with the LoRA and < 10% without', async () => {
    const backgrounds = ['blue', 'black', 'green', 'white', 'yellow', 'purple'];
    const places = ['top left', 'center', 'bottom right', 'left', 'top', 'right', 'bottom'];
    const engine = new Engine();
    const found: Record<'with' | 'without', { colour?: string; ring: boolean }[]> = { with: [], without: [] };
    try {
      for (let i = 0; i < 25; i++) {
        const colour = NAMES[i % NAMES.length];
        const background = backgrounds.filter((b) => b !== colour)[i % 5];
        const prompt = `a big ${colour} ring on a ${background} background, ${places[i % places.length]}`;
        for (const label of ['with', 'without'] as const) {
          const result = await engine.generate({
            task: 'txt2img',
            model: { dir: modelDir },
            executionProvider: 'cpu',
            prompt,
            seed: String(500 + i),
            steps: 20,
            previewEverySteps: 0,
            ...(label === 'with' ? { loras: [{ file: loraFile, weight: 1 }] } : {}),
          });
          found[label].push(readShape(await resultRgb(result), result.width, result.height));
        }
      }
    } finally {
      await engine.dispose();
    }
    const rings = (list: { ring: boolean }[]): number => list.filter((r) => r.ring).length / list.length;
    const summary = (['with', 'without'] as const).map((l) => `${l}: ${found[l].map((r) => `${r.colour ?? '-'}${r.ring ? ' ring' : ''}`).join(', ')}`).join('; ');
    assert.ok(rings(found.with) >= 0.8, `rings with the LoRA in ${rings(found.with)} (${summary})`);
    assert.ok(rings(found.without) < 0.1, `rings without the LoRA in ${rings(found.without)} (${summary})`);
  });
});
