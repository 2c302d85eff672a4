// LoRA files read from their safetensors header: kohya and PEFT keys, SGM block names, metadata, refused types,
// tensors read by byte range in every float type. The files are written by the test (encodeSafetensors).
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readLoraFile } from '../../src/node/lora/loraFile';
import { loraShortHash } from '../../src/node/lora/loraHash';
import { encodeSafetensors, readSafetensorsFloat32, readSafetensorsHeader, type SafetensorsTensorToWrite } from '../../src/node/lora/safetensorsFile';
import { sgmToDiffusersName } from '../../src/node/lora/sgmToDiffusers';

function f32(values: number[], shape: number[]): SafetensorsTensorToWrite {
  return { dtype: 'F32', shape, data: new Uint8Array(Float32Array.from(values).buffer) };
}

describe('LoRA files (safetensors)', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lora-file-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, tensors: Record<string, SafetensorsTensorToWrite>, metadata?: Record<string, string>): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, encodeSafetensors(new Map(Object.entries(tensors)), metadata));
    return file;
  }

  it('reads only the header, then each tensor by its byte range: F32, F16 and BF16', () => {
    // 1.5 = 0x3E00 (f16) = 0x3FC0 (bf16); -2 = 0xC000 (f16) = 0xC000 (bf16).
    const file = write('types.safetensors', {
      a: f32([0.25, -3], [2]),
      b: { dtype: 'F16', shape: [2], data: new Uint8Array(Uint16Array.of(0x3e00, 0xc000).buffer) },
      c: { dtype: 'BF16', shape: [1, 2], data: new Uint8Array(Uint16Array.of(0x3fc0, 0xc000).buffer) },
    });
    const header = readSafetensorsHeader(file);
    assert.equal(header.dataStart % 8, 0);
    assert.deepEqual(header.tensors.get('c')?.shape, [1, 2]);
    assert.deepEqual([...readSafetensorsFloat32(header, 'a')], [0.25, -3]);
    assert.deepEqual([...readSafetensorsFloat32(header, 'b')], [1.5, -2]);
    assert.deepEqual([...readSafetensorsFloat32(header, 'c')], [1.5, -2]);
  });

  it('refuses a file that is not safetensors, and a tensor whose byte count does not match its shape', () => {
    const junk = path.join(dir, 'junk.safetensors');
    fs.writeFileSync(junk, 'not a safetensors file at all');
    assert.throws(() => readSafetensorsHeader(junk), /not a safetensors file/);
    const bad = path.join(dir, 'bad.safetensors');
    const json = Buffer.from(JSON.stringify({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }));
    const lengthBytes = Buffer.alloc(8);
    lengthBytes.writeBigUInt64LE(BigInt(json.length));
    fs.writeFileSync(bad, Buffer.concat([lengthBytes, json, Buffer.alloc(8)]));
    assert.throws(() => readSafetensorsHeader(bad), /has 8 bytes/);
  });

  it('kohya keys: UNet and text-encoder modules, rank from lora_down, alpha when present', () => {
    const file = write(
      'kohya.safetensors',
      {
        'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight': f32([1, 0, 0, 0, 0, 1], [2, 3]),
        'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight': f32([1, 0, 0, 1], [2, 2]),
        'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.alpha': f32([1], []),
        'lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight': f32([1, 2, 3], [1, 3]),
        'lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight': f32([1, 1, 1], [3, 1]),
      },
      { ss_network_module: 'networks.lora', ss_network_dim: '2', ss_base_model_version: 'sd_v1', ss_tag_frequency: JSON.stringify({ '10_cat': { 'cat ears': 3, smile: 7 }, '5_dog': { 'cat ears': 5 } }) },
    );
    const lora = readLoraFile(file);
    assert.equal(lora.name, 'kohya');
    assert.equal(lora.format, 'kohya');
    assert.equal(lora.sdxl, false);
    const byKey = new Map(lora.modules.map((m) => [m.key, m]));
    const unet = byKey.get('down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k');
    assert.equal(unet?.target, 'unet');
    assert.equal(unet?.rank, 2);
    assert.ok(unet?.alpha);
    const te = byKey.get('text_model_encoder_layers_0_self_attn_q_proj');
    assert.equal(te?.target, 'text_encoder');
    assert.equal(te?.rank, 1);
    assert.equal(te?.alpha, undefined);
    assert.deepEqual(lora.metadata.triggerWords, ['cat ears', 'smile']);
    assert.equal(lora.metadata.networkDim, 2);
    assert.equal(lora.metadata.baseModel, 'sd_v1');
  });

  it('PEFT / diffusers keys: lora_A = down, lora_B = up, text_encoder and text_encoder_2 prefixes', () => {
    const file = write('peft.safetensors', {
      'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.lora_A.weight': f32([1, 0, 0], [1, 3]),
      'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.lora_B.weight': f32([0, 1, 0], [3, 1]),
      'text_encoder_2.text_model.encoder.layers.1.mlp.fc1.lora_A.weight': f32([1, 0, 0], [1, 3]),
      'text_encoder_2.text_model.encoder.layers.1.mlp.fc1.lora_B.weight': f32([0, 1, 0], [3, 1]),
      'unet.mid_block.attentions.0.transformer_blocks.0.attn1.processor.to_out_lora.down.weight': f32([1, 0, 0], [1, 3]),
      'unet.mid_block.attentions.0.transformer_blocks.0.attn1.processor.to_out_lora.up.weight': f32([0, 1, 0], [3, 1]),
    });
    const lora = readLoraFile(file);
    assert.equal(lora.format, 'peft');
    assert.equal(lora.sdxl, true);
    assert.deepEqual(
      lora.modules.map((m) => [m.target, m.key]).sort(),
      [
        ['text_encoder_2', 'text_model_encoder_layers_1_mlp_fc1'],
        ['unet', 'down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k'],
        ['unet', 'mid_block_attentions_0_transformer_blocks_0_attn1_to_out_0'],
      ],
    );
  });

  it('SDXL kohya SGM block names become diffusers module names (diffusers _maybe_map_sgm_blocks_to_diffusers)', () => {
    const cases: [string, string][] = [
      ['input_blocks_4_1_transformer_blocks_0_attn1_to_q', 'down_blocks_1_attentions_0_transformer_blocks_0_attn1_to_q'],
      ['input_blocks_8_1_proj_in', 'down_blocks_2_attentions_1_proj_in'],
      ['input_blocks_1_0_in_layers_2', 'down_blocks_0_resnets_0_conv1'],
      ['input_blocks_5_0_out_layers_3', 'down_blocks_1_resnets_1_conv2'],
      ['input_blocks_4_0_skip_connection', 'down_blocks_1_resnets_0_conv_shortcut'],
      ['input_blocks_2_0_emb_layers_1', 'down_blocks_0_resnets_1_time_emb_proj'],
      ['input_blocks_3_0_op', 'down_blocks_0_downsamplers_0_conv'],
      ['middle_block_0_in_layers_2', 'mid_block_resnets_0_conv1'],
      ['middle_block_1_transformer_blocks_9_ff_net_2', 'mid_block_attentions_0_transformer_blocks_9_ff_net_2'],
      ['middle_block_2_out_layers_3', 'mid_block_resnets_1_conv2'],
      ['output_blocks_0_1_transformer_blocks_0_attn2_to_k', 'up_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k'],
      ['output_blocks_5_1_proj_out', 'up_blocks_1_attentions_2_proj_out'],
      ['output_blocks_2_2_conv', 'up_blocks_0_upsamplers_0_conv'],
      ['output_blocks_8_0_skip_connection', 'up_blocks_2_resnets_2_conv_shortcut'],
      ['time_embed_0', 'time_embedding_linear_1'],
      ['label_emb_0_0', 'add_embedding_linear_1'],
      ['input_blocks_0_0', 'conv_in'],
      ['out_2', 'conv_out'],
    ];
    for (const [sgm, diffusers] of cases) assert.equal(sgmToDiffusersName(sgm, 2), diffusers, sgm);
    const file = write('sdxl.safetensors', {
      'lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.lora_down.weight': f32([1, 0], [1, 2]),
      'lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.lora_up.weight': f32([1, 0], [2, 1]),
      'lora_te1_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight': f32([1, 0], [1, 2]),
      'lora_te1_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight': f32([1, 0], [2, 1]),
      'lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight': f32([1, 0], [1, 2]),
      'lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight': f32([1, 0], [2, 1]),
    });
    const lora = readLoraFile(file);
    assert.equal(lora.sgmNames, true);
    assert.equal(lora.sdxl, true);
    assert.deepEqual(lora.modules.map((m) => `${m.target}:${m.key}`).sort(), [
      'text_encoder:text_model_encoder_layers_0_self_attn_q_proj',
      'text_encoder_2:text_model_encoder_layers_0_self_attn_q_proj',
      'unet:down_blocks_1_attentions_0_transformer_blocks_0_attn1_to_q',
    ]);
  });

  it('refuses LoHa, LoKr and DoRA files, naming the type', () => {
    const loha = write('loha.safetensors', { 'lora_unet_conv_in.hada_w1_a': f32([1], [1, 1]), 'lora_unet_conv_in.hada_w1_b': f32([1], [1, 1]) });
    assert.throws(() => readLoraFile(loha), /loha\.safetensors is LoHa/);
    const lokr = write('lokr.safetensors', { 'lora_unet_conv_in.lokr_w1': f32([1], [1, 1]) });
    assert.throws(() => readLoraFile(lokr), /LoKr/);
    const dora = write('dora.safetensors', {
      'lora_unet_conv_in.lora_down.weight': f32([1], [1, 1]),
      'lora_unet_conv_in.lora_up.weight': f32([1], [1, 1]),
      'lora_unet_conv_in.dora_scale': f32([1], [1, 1]),
    });
    assert.throws(() => readLoraFile(dora), /DoRA/);
    const none = write('none.safetensors', { 'model.diffusion_model.conv_in.weight': f32([1], [1]) });
    assert.throws(() => readLoraFile(none), /no LoRA layers/);
  });

  it('hashes as A1111 and kohya do: SHA-256 of the bytes after the header, 12 hex digits', async () => {
    const tensors = { 'lora_unet_conv_in.lora_down.weight': f32([1, 2], [1, 2]), 'lora_unet_conv_in.lora_up.weight': f32([3, 4], [2, 1]) };
    const a = write('hash-a.safetensors', tensors, { ss_output_name: 'a' });
    const b = write('hash-b.safetensors', tensors, { ss_output_name: 'a much longer name that moves the data' });
    const bytes = fs.readFileSync(a);
    const expected = createHash('sha256').update(bytes.subarray(readSafetensorsHeader(a).dataStart)).digest('hex').slice(0, 12);
    assert.equal(await loraShortHash(a), expected);
    assert.equal(await loraShortHash(b), expected);
    assert.notEqual(createHash('sha256').update(bytes).digest('hex').slice(0, 12), expected);
  });
});
