// A1111's parse_prompt_attention (stable-diffusion-webui `modules/prompt_parser.py`): its doctest examples, then
// edge cases whose expected values are what that function returns for them (run under CPython).
import * as assert from 'node:assert/strict';
import { isBreakFragment, parsePromptAttention, PromptWeightError } from '../../src/common/prompt/parsePromptAttention';

type Pairs = Array<[string, number]>;
const pairs = (text: string): Pairs => parsePromptAttention(text).map((f) => [f.text, f.weight]);

describe('parsePromptAttention (A1111 modules/prompt_parser.py)', () => {
  describe("A1111's doctest examples", () => {
    const doctests: Array<[string, Pairs]> = [
      ['normal text', [['normal text', 1.0]]],
      ['an (important) word', [['an ', 1.0], ['important', 1.1], [' word', 1.0]]],
      ['(unbalanced', [['unbalanced', 1.1]]],
      ['\\(literal\\]', [['(literal]', 1.0]]],
      ['(unnecessary)(parens)', [['unnecessaryparens', 1.1]]],
      [
        'a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).',
        [
          ['a ', 1.0],
          ['house', 1.5730000000000004],
          [' ', 1.1],
          ['on', 1.0],
          [' a ', 1.1],
          ['hill', 0.55],
          [', sun, ', 1.1],
          ['sky', 1.4641000000000006],
          ['.', 1.1],
        ],
      ],
    ];
    for (const [prompt, expected] of doctests) {
      it(JSON.stringify(prompt), () => assert.deepEqual(pairs(prompt), expected));
    }
  });

  describe('edge cases (expected = CPython running A1111’s function)', () => {
    const cases: Array<[string, Pairs]> = [
      ['', [['', 1.0]]],
      ['[unbalanced', [['unbalanced', 0.9090909090909091]]],
      ['((a))', [['a', 1.2100000000000002]]],
      ['[[a]]', [['a', 0.8264462809917354]]],
      ['(a [b] c)', [['a ', 1.1], ['b', 1.0], [' c', 1.1]]],
      ['(a:1.3)', [['a', 1.3]]],
      ['(a: 1.3 )', [['a', 1.3]]],
      ['(a:-1)', [['a', -1.0]]],
      ['(a:1.)', [['a', 1.0]]],
      ['(a:.5)', [['a', 0.5]]],
      ['(a:+2)', [['a', 2.0]]],
      ['((a:1.2) b:0.5)', [['a', 0.6], [' b', 0.5]]],
      ['(a)(b)[c]', [['ab', 1.1], ['c', 0.9090909090909091]]],
      // a ':' outside "(…:n)" and brackets with nothing open are text
      ['a:b', [['a:b', 1.0]]],
      ['(a:b)', [['a:b', 1.1]]],
      [':1.2)', [[':1.2)', 1.0]]],
      ['a ) b ]', [['a ) b ]', 1.0]]],
      // prompt editing is not this parser's: A1111's attention pass reads it as down-weighted text
      ['[a:b:0.5]', [['a:b:0.5', 0.9090909090909091]]],
      // escapes; a lone backslash is dropped
      ['\\\\', [['\\', 1.0]]],
      ['\\a', [['a', 1.0]]],
      // BREAK: a whole word, surrounding whitespace eaten, empty parts kept
      ['a BREAK b', [['a', 1.0], ['BREAK', -1], ['b', 1.0]]],
      ['a\nBREAK\nb', [['a', 1.0], ['BREAK', -1], ['b', 1.0]]],
      ['BREAK', [['', 1.0], ['BREAK', -1], ['', 1.0]]],
      ['a BREAK BREAK b', [['a', 1.0], ['BREAK', -1], ['', 1.0], ['BREAK', -1], ['b', 1.0]]],
      ['aBREAKb', [['aBREAKb', 1.0]]],
      ['a,BREAK,b', [['a,', 1.0], ['BREAK', -1], [',b', 1.0]]],
      // Python's \b is Unicode-aware: 'é' is a word character, so this is no BREAK
      ['caféBREAK x', [['caféBREAK x', 1.0]]],
      // inside brackets the marker's weight is multiplied too, so A1111 encodes it as the word "BREAK"
      ['(a BREAK b)', [['a', 1.1], ['BREAK', -1.1], ['b', 1.1]]],
    ];
    for (const [prompt, expected] of cases) {
      it(JSON.stringify(prompt), () => assert.deepEqual(pairs(prompt), expected));
    }
  });

  it('marks only an unweighted BREAK as a chunk break', () => {
    const breaks = (text: string): boolean[] => parsePromptAttention(text).map(isBreakFragment);
    assert.deepEqual(breaks('a BREAK b'), [false, true, false]);
    assert.deepEqual(breaks('(a BREAK b)'), [false, false, false]);
  });

  it('refuses a weight Python’s float() refuses, as A1111 fails on it', () => {
    assert.throws(() => parsePromptAttention('(a:.)'), PromptWeightError);
    assert.throws(() => parsePromptAttention('(a:1.2.3)'), /1\.2\.3/);
  });
});
