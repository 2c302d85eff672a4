import * as assert from 'node:assert/strict';
import { loraArgument, outputPaths, parseCliArgs, UsageError, type GenerateCommand } from '../../src/cli/cliArgs';
import { argumentsFromInfotext, withInfotext } from '../../src/cli/infotextArguments';

describe('CLI arguments', () => {
  it('parses a full generate command', () => {
    const cmd = parseCliArgs([
      'generate', '--model', 'm', '--prompt', 'a red circle', '--negative', 'blur', '--width', '640', '--height', '384',
      '--steps', '12', '--guidance', '6.5', '--seed', '42', '--scheduler', 'dpmpp-2m-karras', '--image', 'in.png',
      '--strength', '0.6', '--mask', 'mask.png', '--mask-blur', '4', '--only-masked', '--mask-padding', '16',
      '--batch', '3', '--ep', 'cpu', '--out', 'o.png', '--previews', 'steps.png', '--json',
    ]);
    assert.ok(cmd.command === 'generate');
    const { given, ...rest } = cmd;
    assert.deepEqual([...given].sort(), ['guidanceScale', 'height', 'image', 'mask', 'maskBlur', 'maskPadding', 'negativePrompt', 'previews', 'prompt', 'scheduler', 'seed', 'steps', 'strength', 'width']);
    assert.deepEqual(rest, {
      command: 'generate', model: 'm', prompt: 'a red circle', negativePrompt: 'blur', width: 640, height: 384, steps: 12,
      guidanceScale: 6.5, seed: 42n, scheduler: 'dpmpp-2m-karras', image: 'in.png', strength: 0.6, mask: 'mask.png',
      maskBlur: 4, onlyMasked: true, maskPadding: 16, batch: 3, executionProvider: 'cpu', out: 'o.png', previews: 'steps.png', json: true,
    });
  });

  it('--vae DIR for generate and info', () => {
    const cmd = parseCliArgs(['generate', '--model', 'm', '--vae', '/vae/fp16-fix', '--prompt', 'p', '--out', 'x.png']);
    assert.ok(cmd.command === 'generate' && cmd.vae === '/vae/fp16-fix');
    assert.deepEqual(parseCliArgs(['info', '--model', 'm', '--vae', 'v']), { command: 'info', model: 'm', json: false, vae: 'v' });
    assert.throws(() => parseCliArgs(['info', '--model', 'm', '--vae', '']), UsageError);
  });

  it('defaults: auto provider, batch 1, no json', () => {
    const cmd = parseCliArgs(['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png']);
    assert.equal(cmd.command, 'generate');
    if (cmd.command !== 'generate') return;
    assert.equal(cmd.executionProvider, 'auto');
    assert.equal(cmd.batch, 1);
    assert.equal(cmd.json, false);
    assert.equal(cmd.seed, undefined);
  });

  it('--parameters FILE makes --prompt optional; an explicit --seed -1 still counts as given', () => {
    const cmd = parseCliArgs(['generate', '--model', 'm', '--parameters', 'a.png', '--seed=-1', '--out', 'x.png']);
    assert.ok(cmd.command === 'generate');
    assert.equal(cmd.parametersFrom, 'a.png');
    assert.equal(cmd.prompt, '');
    assert.deepEqual([...cmd.given], ['seed']);
    assert.equal(cmd.seed, undefined);
  });

  const bad: [string[], RegExp][] = [
    [['generate', '--prompt', 'p', '--out', 'x.png'], /--model/],
    [['generate', '--model', 'm', '--out', 'x.png'], /--prompt/],
    [['generate', '--model', 'm', '--prompt', 'p'], /--out/],
    [['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.jpg'], /\.png/],
    [['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png', '--steps', 'ten'], /--steps must be a whole number/],
    [['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png', '--guidance', 'high'], /--guidance must be a number/],
    [['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png', '--scheduler', 'plms'], /--scheduler must be one of/],
    [['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png', '--ep', 'tpu'], /--ep must be one of/],
    [['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png', '--mask', 'k.png'], /--mask needs --image/],
    [['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png', '--batch', '0'], /--batch/],
    [['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png', '--previews', 'steps.gif'], /--previews must name a \.png/],
    [['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png', '--colour', 'red'], /colour/],
    [['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png', '--emphasis', 'strong'], /--emphasis must be one of original, no-norm, ignore, none/],
    [['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png', '--clip-skip', '0'], /--clip-skip must be from 1 to 12/],
    [['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png', '--clip-skip', '1.5'], /--clip-skip must be a whole number/],
    [['paint'], /Unknown command/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.slice(1).join(' ') || argv[0]}`, () => {
      assert.throws(() => parseCliArgs(argv), (e: unknown) => e instanceof UsageError && message.test(e.message));
    });
  }

  it('--emphasis takes A1111\'s mode names in CLI spelling; --clip-skip a layer count', () => {
    const cmd = parseCliArgs(['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png', '--emphasis', 'No-Norm', '--clip-skip', '2']);
    assert.ok(cmd.command === 'generate');
    assert.equal(cmd.emphasis, 'No norm');
    assert.equal(cmd.clipSkip, 2);
    assert.deepEqual([...cmd.given].sort(), ['clipSkip', 'emphasis', 'prompt']);
  });

  it('--parameters reads "Clip skip" and "Emphasis" back; the command line wins', () => {
    const infotext = 'a (red:1.2) circle\nSteps: 4, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 64x64, Clip skip: 2, Emphasis: No norm';
    const read = argumentsFromInfotext(infotext);
    assert.equal(read.clipSkip, 2);
    assert.equal(read.emphasis, 'No norm');
    const cmd = parseCliArgs(['generate', '--model', 'm', '--parameters', 'a.txt', '--emphasis', 'original', '--out', 'x.png']) as GenerateCommand;
    const merged = withInfotext(cmd, cmd.given, infotext);
    assert.equal(merged.emphasis, 'Original');
    assert.equal(merged.clipSkip, 2);
    assert.throws(() => argumentsFromInfotext(infotext.replace('No norm', 'Loud')), /unknown "Emphasis: Loud"; pass --emphasis/);
    assert.equal(withInfotext(cmd, cmd.given, infotext.replace('No norm', 'Loud')).emphasis, 'Original', 'a given --emphasis skips the unknown one');
    assert.throws(() => argumentsFromInfotext(infotext.replace('Clip skip: 2', 'Clip skip: 40')), /"Clip skip: 40" is not a whole number from 1 to 12/);
  });

  it('--seed takes 0 … 2^64 − 1; -1 is random', () => {
    const args = (seed: string) => parseCliArgs(['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png', `--seed=${seed}`]);
    const big = args('18446744073709551615');
    assert.ok(big.command === 'generate' && big.seed === 2n ** 64n - 1n);
    const random = args('-1');
    assert.ok(random.command === 'generate' && random.seed === undefined);
    assert.throws(() => args('18446744073709551616'), /--seed/);
    assert.throws(() => args('1.5'), /--seed/);
  });

  it('hires fix and outpaint flags', () => {
    const base = ['generate', '--model', 'm', '--prompt', 'p', '--out', 'x.png'];
    const hires = parseCliArgs([...base, '--hires-scale', '1.5', '--hires-strength', '0.4', '--hires-steps', '10', '--upscaler', 'esrgan.onnx']);
    assert.ok(hires.command === 'generate');
    assert.deepEqual([hires.hiresScale, hires.hiresStrength, hires.hiresSteps, hires.upscaler], [1.5, 0.4, 10, 'esrgan.onnx']);
    const out = parseCliArgs([...base, '--image', 'a.png', '--outpaint', '8, 0,16,4', '--outpaint-overlap', '12']);
    assert.ok(out.command === 'generate');
    assert.deepEqual(out.outpaint, { left: 8, top: 0, right: 16, bottom: 4 });
    assert.equal(out.outpaintOverlap, 12);
    for (const [args, pattern] of [
      [['--upscaler', 'u.onnx'], /--upscaler needs --hires-scale/],
      [['--hires-scale', '2', '--image', 'a.png'], /--hires-scale is for text to image/],
      [['--image', 'a.png', '--outpaint', '8,8,8'], /LEFT,TOP,RIGHT,BOTTOM/],
      [['--image', 'a.png', '--outpaint', '8,-8,8,8'], /none negative/],
      [['--image', 'a.png', '--outpaint', '8,8,8,8', '--mask', 'k.png'], /makes its own mask/],
      [['--outpaint-overlap', '4'], /--outpaint-overlap needs --outpaint/],
    ] as [string[], RegExp][]) {
      assert.throws(() => parseCliArgs([...base, ...args]), pattern);
    }
  });

  it('info and help', () => {
    assert.deepEqual(parseCliArgs(['info', '--model', 'm', '--json']), { command: 'info', model: 'm', json: true });
    assert.deepEqual(parseCliArgs([]), { command: 'help' });
  });

  it('--lora PATH[:WEIGHT] (repeatable; the weight after the last colon, default 1, Windows paths kept) and --lora-dir', () => {
    const cmd = parseCliArgs([
      'generate', '--model', 'm', '--prompt', 'p <lora:x:0.5>', '--out', 'o.png',
      '--lora', 'a.safetensors', '--lora', 'dir/b.safetensors:0.7', '--lora', 'C:\\loras\\c.safetensors', '--lora', 'C:\\loras\\d.safetensors:-1.5e-1',
      '--lora-dir', 'one', '--lora-dir', 'D:\\two',
    ]);
    assert.ok(cmd.command === 'generate');
    assert.deepEqual(cmd.loras, [
      { file: 'a.safetensors', weight: 1 },
      { file: 'dir/b.safetensors', weight: 0.7 },
      { file: 'C:\\loras\\c.safetensors', weight: 1 },
      { file: 'C:\\loras\\d.safetensors', weight: -0.15 },
    ]);
    assert.deepEqual(cmd.loraDirs, ['one', 'D:\\two']);
    assert.deepEqual(loraArgument('/x/y:z.safetensors'), { file: '/x/y:z.safetensors', weight: 1 });
    assert.throws(() => loraArgument('a.safetensors:'), UsageError);
    const none = parseCliArgs(['generate', '--model', 'm', '--prompt', 'p', '--out', 'o.png']);
    assert.ok(none.command === 'generate' && none.loras === undefined && none.loraDirs === undefined);
  });

  it('batch output names', () => {
    assert.deepEqual(outputPaths('out/a.png', 1), ['out/a.png']);
    assert.deepEqual(outputPaths('out/a.png', 3), ['out/a-1.png', 'out/a-2.png', 'out/a-3.png']);
  });
});
