// The JSON tree with offsets (src/common/json/jsonTree.ts) and what it locates in a spec: entries for the CodeLens,
// problems for the build's file:line:column.
import * as assert from 'node:assert/strict';
import { assetProblemOffset, assetProblemPosition, locateAssetEntries, locateImagesKey } from '../../src/common/assets/locateAssetEntries';
import { parseAssetSpec } from '../../src/common/assets/parseAssetSpec';
import { lineColumnAt, parseJsonTree, type JsonNode } from '../../src/common/json/jsonTree';

/** The tree back to a value, to compare with JSON.parse. */
function valueOf(node: JsonNode, text: string): unknown {
  switch (node.kind) {
    case 'object':
      return Object.fromEntries(node.properties.map((p) => [p.key, valueOf(p.value, text)]));
    case 'array':
      return node.items.map((item) => valueOf(item, text));
    case 'string':
      return node.value;
    default:
      return JSON.parse(text.slice(node.start, node.end)) as unknown;
  }
}

describe('parseJsonTree', () => {
  const VALID = [
    '{}',
    ' [ ] ',
    '{"a": [1, -2.5e3, true, false, null, "x\\"y\\u00e9\\n"], "b": {"c": {}}}',
    '"\\ud83d\\ude00"',
    '\r\n\t{"images": [ {"output": "a.png"} ,{"output":"b.png"}]}\n',
    '0',
    '-0.0E-0',
  ];
  for (const text of VALID) {
    it(`reads ${JSON.stringify(text)} as JSON.parse does`, () => {
      const tree = parseJsonTree(text);
      assert.ok(tree);
      assert.deepEqual(valueOf(tree, text), JSON.parse(text));
      // Every node's range is exactly its text.
      const check = (node: JsonNode): void => {
        assert.deepEqual(JSON.parse(text.slice(node.start, node.end)), valueOf(node, text));
        if (node.kind === 'object') for (const p of node.properties) {
          assert.equal(JSON.parse(text.slice(p.keyRange.start, p.keyRange.end)), p.key);
          check(p.value);
        }
        if (node.kind === 'array') node.items.forEach(check);
      };
      check(tree);
    });
  }
  const INVALID = ['', '{', '{"a":1,}', '[1,]', '{a:1}', "{'a':1}", '01', '1.', '.5', '+1', '"a\nb"', '{"a":1} x', '// c\n{}', 'nul', '"\\x"', '[1 2]', '\ufeff{}'];
  for (const text of INVALID) {
    it(`refuses ${JSON.stringify(text)} as JSON.parse does`, () => {
      assert.throws(() => JSON.parse(text));
      assert.equal(parseJsonTree(text), undefined);
    });
  }

  it('counts lines and columns from 1', () => {
    assert.deepEqual(lineColumnAt('ab\ncd', 0), { line: 1, column: 1 });
    assert.deepEqual(lineColumnAt('ab\ncd', 4), { line: 2, column: 2 });
    assert.deepEqual(lineColumnAt('ab\r\ncd', 4), { line: 2, column: 1 });
  });
});

describe('locateAssetEntries and assetProblemOffset', () => {
  const text = [
    '{',
    '  "defaults": { "model": "m", "width": 100 },',
    '  "images": [',
    '    { "output": "media/a.png", "prompt": "a", "seed": 1 },',
    '    {',
    '      "output": "media/b.png",',
    '      "seed": 2, "resize": { "width": 0, "height": 8 }',
    '    }',
    '  ]',
    '}',
  ].join('\n');

  it('finds each entry of images with its output', () => {
    const entries = locateAssetEntries(text);
    assert.equal(entries.length, 2);
    assert.equal(entries[0].output, 'media/a.png');
    assert.equal(text.slice(entries[0].range.start, entries[0].range.end), '{ "output": "media/a.png", "prompt": "a", "seed": 1 }');
    assert.equal(entries[1].output, 'media/b.png');
    assert.ok(text.slice(entries[1].range.start, entries[1].range.end).startsWith('{\n      "output": "media/b.png"'));
    assert.ok(text.slice(entries[1].range.start, entries[1].range.end).endsWith('}\n    }'));
  });

  it('finds the "images" key', () => {
    assert.equal(text.slice(locateImagesKey(text), (locateImagesKey(text) ?? 0) + 8), '"images"');
    assert.equal(locateImagesKey('{}'), undefined);
  });

  it('finds nothing in a text without an images list', () => {
    assert.deepEqual(locateAssetEntries('{"images": 3}'), []);
    assert.deepEqual(locateAssetEntries('{"images": ['), []);
    assert.deepEqual(locateAssetEntries('[]'), []);
  });

  it('places each problem parseAssetSpec reports on its field, or on the entry that lacks it', () => {
    const parsed = parseAssetSpec(text);
    assert.ok(parsed.problems);
    const at = (index: number | undefined, field: string): { line: number; column: number } =>
      assetProblemPosition(text, { ...(index !== undefined ? { index } : {}), field, message: '' });
    // defaults.width: the "width" key on line 2.
    assert.deepEqual(at(undefined, 'defaults.width'), { line: 2, column: text.split('\n')[1].indexOf('"width"') + 1 });
    // images[1] has no prompt: the entry's brace.
    assert.deepEqual(at(1, 'prompt'), { line: 5, column: 5 });
    // images[1].resize.width: the inner "width" key.
    assert.deepEqual(at(1, 'resize.width'), { line: 7, column: text.split('\n')[6].lastIndexOf('"width"') + 1 });
    // Every problem found is placed inside the text, past the start (each is in an entry or the defaults).
    for (const problem of parsed.problems) assert.ok(assetProblemOffset(text, problem) > 0, JSON.stringify(problem));
  });

  it('places a JSON syntax error where the text stops being JSON', () => {
    const broken = '{\n  "images": [,]\n}';
    const parsed = parseAssetSpec(broken);
    assert.ok(parsed.problems);
    const offset = assetProblemOffset(broken, parsed.problems[0]);
    assert.equal(broken[offset], ',', parsed.problems[0].message);
  });
});
