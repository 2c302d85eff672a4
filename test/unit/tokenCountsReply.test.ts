// The host's answer to a page's token count request (src/host/prompt/tokenCountsReply.ts): the counts with the
// request's id, or no counts (never an error in the page) when the engine cannot count.
import * as assert from 'node:assert/strict';
import { parseFromGeneratePanelMessage, parseToGeneratePanelMessage } from '../../src/common/protocol/generatePanelProtocol';
import { parseFromInpaintWebviewMessage, parseToInpaintWebviewMessage } from '../../src/common/protocol/inpaintEditorProtocol';
import { tokenCountsReply } from '../../src/host/prompt/tokenCountsReply';

const request = { type: 'countTokens', requestId: 7, prompt: 'a (red:1.2) circle', negativePrompt: '' } as const;
const log = { lines: [] as string[], debug(line: string) { this.lines.push(line); } };

describe('token counter messages', () => {
  it('answers with both counts and the request id; both pages accept the messages', async () => {
    const asked: string[][] = [];
    const reply = await tokenCountsReply(async (texts) => {
      asked.push([...texts]);
      return [{ used: 3, limit: 75, chunks: 1 }, { used: 0, limit: 75, chunks: 1 }];
    }, request, log);
    assert.deepEqual(asked, [['a (red:1.2) circle', '']]);
    assert.deepEqual(reply, { type: 'tokenCounts', requestId: 7, prompt: { used: 3, limit: 75, chunks: 1 }, negativePrompt: { used: 0, limit: 75, chunks: 1 } });
    for (const parse of [parseToGeneratePanelMessage, parseToInpaintWebviewMessage]) assert.ok(parse(reply).ok);
    for (const parse of [parseFromGeneratePanelMessage, parseFromInpaintWebviewMessage]) assert.ok(parse(request).ok);
  });

  it('no model or no engine: no counts, logged at debug level', async () => {
    const reply = await tokenCountsReply(() => Promise.reject(new Error('No model selected.')), request, log);
    assert.deepEqual(reply, { type: 'tokenCounts', requestId: 7, prompt: null, negativePrompt: null });
    assert.deepEqual(log.lines, ['Token counter: No model selected.']);
  });

  it('the schemas refuse a request without an id and a count that is not a whole number', () => {
    assert.equal(parseFromGeneratePanelMessage({ type: 'countTokens', prompt: 'a', negativePrompt: '' }).ok, false);
    assert.equal(parseToGeneratePanelMessage({ type: 'tokenCounts', requestId: 1, prompt: { used: 1.5, limit: 75, chunks: 1 }, negativePrompt: null }).ok, false);
  });
});
