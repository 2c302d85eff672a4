// The message schemas also give JSON Schemas (@valibot/to-json-schema), as the assets file and the Language Model
// Tool will need: every message schema converts, the limits and the seed rule survive the conversion, and a
// JSON Schema validator (Ajv) agrees with valibot on messages that can be written as JSON.
import * as assert from 'node:assert/strict';
import { toJsonSchema, type ConversionConfig } from '@valibot/to-json-schema';
import Ajv from 'ajv';
import * as v from 'valibot';
import { LIMITS } from '../../src/common/limits';
import {
  fromGeneratePanelMessageSchema,
  generateFormValuesSchema,
  toGeneratePanelMessageSchema,
} from '../../src/common/protocol/generatePanelProtocol';
import {
  DEFAULT_INPAINT_SETTINGS,
  fromInpaintWebviewMessageSchema,
  inpaintSettingsSchema,
  maskOpSchema,
  toInpaintWebviewMessageSchema,
} from '../../src/common/protocol/inpaintEditorProtocol';
import { bytesSchema } from '../../src/common/protocol/schemaParts';

/**
 * Bytes are Uint8Array on the webview wire, which JSON has no word for (a JSON file would carry them as base64 or
 * a path); cross-field checks (`v.check`, e.g. width × height × 4 preview bytes) and `finite` (every JSON number
 * is finite) have no JSON Schema form and are left to valibot.
 */
const config: ConversionConfig = {
  errorMode: 'throw',
  ignoreActions: ['check', 'finite'],
  overrideSchema: ({ valibotSchema }) =>
    valibotSchema === bytesSchema ? { description: 'Bytes: a Uint8Array over postMessage; no JSON form.' } : undefined,
};

const messageSchemas = {
  fromGeneratePanelMessageSchema,
  toGeneratePanelMessageSchema,
  fromInpaintWebviewMessageSchema,
  toInpaintWebviewMessageSchema,
};

interface JsonSchemaNode {
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  const?: unknown;
  type?: string | string[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

describe('message schemas → JSON Schema', () => {
  for (const [name, schema] of Object.entries(messageSchemas)) {
    it(`converts ${name}, one oneOf branch per message type`, () => {
      const json = toJsonSchema(schema, config) as JsonSchemaNode;
      const types = (json.oneOf ?? []).map((branch) => branch.properties?.type?.const);
      assert.equal(types.length, schema.options.length);
      assert.ok(types.every((t) => typeof t === 'string'), JSON.stringify(types));
      assert.equal(new Set(types).size, types.length, 'one branch per type');
      for (const branch of json.oneOf ?? []) assert.ok(branch.required?.includes('type'), JSON.stringify(branch).slice(0, 100));
    });
  }

  it('keeps the limits table and the seed rule', () => {
    const form = toJsonSchema(generateFormValuesSchema, config) as JsonSchemaNode;
    const p = form.properties!;
    assert.deepEqual([p.steps!.minimum, p.steps!.maximum], [LIMITS.steps.min, LIMITS.steps.max]);
    assert.deepEqual([p.guidanceScale!.minimum, p.guidanceScale!.maximum], [LIMITS.guidanceScale.min, LIMITS.guidanceScale.max]);
    assert.deepEqual([p.batchCount!.minimum, p.batchCount!.maximum], [LIMITS.batchCount.min, LIMITS.batchCount.max]);
    assert.equal(p.steps!.type, 'integer');
    assert.ok(!form.required!.includes('width'), 'width may be left to the model');
    const seed = p.seed!.anyOf!.find((s) => s.type === 'string')!;
    assert.equal(seed.pattern, '^\\d{1,20}$');
  });

  it('agrees with valibot on JSON messages (Ajv validating the converted schemas)', function () {
    // Ajv's first compile loads its code generator (a few hundred ms on a busy machine): not a timing check.
    this.timeout(30_000);
    const ajv = new Ajv({ strict: false });
    const cases: Array<[v.GenericSchema, unknown, boolean]> = [
      [inpaintSettingsSchema, { ...DEFAULT_INPAINT_SETTINGS, seed: '18446744073709551615' }, true],
      [inpaintSettingsSchema, { ...DEFAULT_INPAINT_SETTINGS, seed: 7 }, false],
      [inpaintSettingsSchema, { ...DEFAULT_INPAINT_SETTINGS, batchCount: LIMITS.batchCount.max + 1 }, false],
      [inpaintSettingsSchema, { ...DEFAULT_INPAINT_SETTINGS, inpaintArea: 'crop' }, false],
      [maskOpSchema, { kind: 'stroke', mode: 'paint', size: 12, hardness: 0.5, opacity: 1, points: [1, 2] }, true],
      [maskOpSchema, { kind: 'grow', pixels: 0 }, false],
      [maskOpSchema, { kind: 'feather', sigma: 0 }, false],
      [maskOpSchema, { kind: 'lasso' }, false],
      [fromGeneratePanelMessageSchema, { type: 'cancel' }, true],
      [fromGeneratePanelMessageSchema, { type: 'resultAction', action: 'open', resultId: 'a/b' }, false],
      [
        fromGeneratePanelMessageSchema,
        {
          type: 'generate',
          form: { prompt: 'a fox', negativePrompt: '', steps: 20, guidanceScale: 7.5, seed: null, scheduler: 'euler', batchCount: 1, useInitImage: false, strength: 0.75 },
        },
        true,
      ],
      [fromInpaintWebviewMessageSchema, { type: 'applyCandidate', jobId: 1, index: LIMITS.batchCount.max }, false],
      [toInpaintWebviewMessageSchema, { type: 'jobEnded', jobId: 1, outcome: 'done' }, true],
      [toInpaintWebviewMessageSchema, { type: 'jobEnded', jobId: 1, outcome: 'finished' }, false],
    ];
    // One compiled validator per schema (Ajv generates code for each: compiling is the slow part).
    const compiled = new Map<v.GenericSchema, ReturnType<typeof ajv.compile>>();
    for (const [schema, value, valid] of cases) {
      let validate = compiled.get(schema);
      if (!validate) compiled.set(schema, (validate = ajv.compile(toJsonSchema(schema, config))));
      const label = JSON.stringify(value).slice(0, 120);
      assert.equal(v.is(schema, value), valid, `valibot: ${label}`);
      assert.equal(validate(value), valid, `Ajv: ${label} ${JSON.stringify(validate.errors)}`);
    }
  });
});
