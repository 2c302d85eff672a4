// The local-diffusion_generateImage tool without vscode: its input schema (package.json = the valibot
// declaration), input checks, where outputPath may point, and the entry it plans in the nearest spec.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAssetSpec } from '../../src/common/assets/parseAssetSpec';
import { GENERATE_IMAGE_TOOL_NAME } from '../../src/common/protocol/generateImageToolInput';
import { parseImageAssetInput, planImageAsset, resolveOutputPath, type ImageAssetContext } from '../../src/node/assets/createImageAsset';
import { generateImageToolJsonSchema } from '../../tools/assets/generateImageToolJsonSchema';

const repo = path.resolve(__dirname, '../../..');

describe('local-diffusion_generateImage tool', () => {
  it('package.json contributes it with the input schema generated from its valibot declaration', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
      contributes: { languageModelTools: Array<{ name: string; canBeReferencedInPrompt?: boolean; modelDescription: string; inputSchema: unknown }> };
    };
    const tools = manifest.contributes.languageModelTools;
    assert.equal(tools.length, 1);
    assert.equal(tools[0].name, GENERATE_IMAGE_TOOL_NAME);
    assert.equal(tools[0].canBeReferencedInPrompt, true);
    assert.ok(tools[0].modelDescription.length > 100);
    const expected = generateImageToolJsonSchema();
    assert.deepEqual(tools[0].inputSchema, expected, `set contributes.languageModelTools[0].inputSchema to ${JSON.stringify(expected)}`);
    assert.deepEqual((expected as { required: string[] }).required, ['prompt', 'outputPath']);
  });

  it('checks the input, naming the field', () => {
    assert.deepEqual(parseImageAssetInput({ prompt: 'a fox', outputPath: 'a.png', seed: '18446744073709551615' }), { prompt: 'a fox', outputPath: 'a.png', seed: '18446744073709551615' });
    assert.throws(() => parseImageAssetInput({ outputPath: 'a.png' }), /Invalid input "prompt"/);
    assert.throws(() => parseImageAssetInput({ prompt: 'x', outputPath: 'a.png', width: 100 }), /"width": width must be a multiple of 8/);
    assert.throws(() => parseImageAssetInput({ prompt: 'x', outputPath: 'a.png', seed: -1 }), /"seed".*-1 \(random\) is not accepted/);
    assert.throws(() => parseImageAssetInput({ prompt: 'x', outputPath: '' }), /"outputPath"/);
  });

  describe('with a workspace', () => {
    let root: string;
    let other: string;
    let context: ImageAssetContext;
    beforeEach(() => {
      const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-tool-'));
      root = path.join(base, 'app');
      other = path.join(base, 'docs');
      fs.mkdirSync(root);
      fs.mkdirSync(other);
      context = {
        workspaceFolders: [root, other],
        selectedModel: { dir: path.join(root, 'models', 'm'), name: 'm', setting: path.join(root, 'models', 'm') },
        modelsDir: path.join(base, 'no-models'),
        fallback: { steps: 6, guidance: 2.5, scheduler: 'euler' },
        randomSeed: () => 1234n,
      };
    });
    afterEach(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

    it('resolves outputPath in the workspace and refuses a path outside it with what to do', () => {
      assert.deepEqual(resolveOutputPath('media/a.png', context.workspaceFolders), { root, file: path.join(root, 'media', 'a.png') });
      assert.deepEqual(resolveOutputPath('docs/img/a.png', context.workspaceFolders), { root: other, file: path.join(other, 'img', 'a.png') });
      assert.deepEqual(resolveOutputPath(path.join(other, 'b.webp'), context.workspaceFolders), { root: other, file: path.join(other, 'b.webp') });
      assert.throws(() => resolveOutputPath('../escape.png', context.workspaceFolders), /outside the workspace.*relative to the workspace folder, e\.g\. "media\/hero\.png"/);
      assert.throws(() => resolveOutputPath(path.join(os.tmpdir(), 'x.png'), context.workspaceFolders), /outside the workspace/);
      assert.throws(() => resolveOutputPath('a.png', []), /No workspace folder is open.*open the project folder/);
    });

    it('plans a new spec with the selected model, the default settings and a fixed seed', async () => {
      const plan = await planImageAsset({ prompt: 'a red circle', outputPath: 'media/a.webp', width: 64, height: 32 }, context);
      assert.equal(plan.specFile, path.join(root, 'local-diffusion.json'));
      assert.equal(plan.specCreated, true);
      assert.deepEqual(plan.entry, { output: 'media/a.webp', prompt: 'a red circle', model: './models/m', seed: 1234, steps: 6, guidance: 2.5, scheduler: 'euler', width: 64, height: 32 });
      assert.equal(plan.resolved.format, 'webp');
      assert.equal(plan.resolved.seed, 1234n);
      assert.ok(parseAssetSpec(plan.specText).spec);
      assert.equal(fs.existsSync(plan.specFile), false, 'planning writes nothing');
    });

    it("uses the nearest spec's defaults instead of the editor's", async () => {
      fs.mkdirSync(path.join(root, 'web'));
      const specFile = path.join(root, 'web', 'local-diffusion.json');
      fs.writeFileSync(specFile, JSON.stringify({ defaults: { model: 'sd-turbo', steps: 4, guidance: 0 }, images: [{ output: 'old.png', prompt: 'x', seed: 1 }] }, null, 2));
      const plan = await planImageAsset({ prompt: 'a fox', outputPath: 'web/media/fox.png', seed: 9, negativePrompt: 'blur' }, context);
      assert.equal(plan.specFile, specFile);
      assert.deepEqual(plan.entry, { output: 'media/fox.png', prompt: 'a fox', negativePrompt: 'blur', seed: 9, scheduler: 'euler' });
      assert.equal(plan.resolved.model, 'sd-turbo');
      assert.equal(plan.resolved.steps, 4);
    });

    it('refuses an existing file, an output already in the spec, an invalid spec and a missing model, saying what to do', async () => {
      fs.writeFileSync(path.join(root, 'taken.png'), 'x');
      await assert.rejects(planImageAsset({ prompt: 'x', outputPath: 'taken.png' }, context), /taken\.png already exists\. Choose another outputPath/);
      fs.writeFileSync(path.join(root, 'local-diffusion.json'), JSON.stringify({ defaults: { model: 'm' }, images: [{ output: 'media/a.png', prompt: 'x', seed: 1 }] }));
      await assert.rejects(planImageAsset({ prompt: 'x', outputPath: 'media/a.png' }, context), /already images\[0\].*Choose another outputPath/);
      await assert.rejects(planImageAsset({ prompt: 'x', outputPath: 'media/a.gif' }, context), /must end in \.png/);
      fs.writeFileSync(path.join(root, 'local-diffusion.json'), JSON.stringify({ images: [] }));
      await assert.rejects(
        planImageAsset({ prompt: 'x', outputPath: 'b.png' }, { ...context, selectedModel: undefined, modelProblem: 'the model "sd-turbo" is not downloaded yet' }),
        /No image model is available \(the model "sd-turbo" is not downloaded yet\)\. Ask the user to choose or download one/,
      );
      fs.writeFileSync(path.join(root, 'local-diffusion.json'), '{"images": [{"output": "a.png", "prompt": "x", "seed": 1, "sed": 2}]}');
      await assert.rejects(planImageAsset({ prompt: 'x', outputPath: 'b.png' }, context), /is invalid \(images\[0\] \(a\.png\): unknown field "sed"\)/);
    });
  });
});
