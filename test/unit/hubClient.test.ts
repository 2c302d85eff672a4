import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { contentRangeStart } from '../../src/node/modelStore/downloadFile';
import { FileDigest } from '../../src/node/modelStore/fileDigest';
import { encodeRepoPath, HubClient, hubError, nextPageUrl } from '../../src/node/modelStore/hubClient';
import { httpRequest, type HttpRequestFn } from '../../src/node/modelStore/httpRequest';
import { DEFAULT_RETRY_POLICY } from '../../src/node/modelStore/retrySchedule';

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Looks up a revision on an unreachable endpoint with the default retry policy; counts requests and backoff waits. */
async function lookUpOffline(endpoint: string): Promise<{ error: Error; requests: number; waits: number[] }> {
  let requests = 0;
  const waits: number[] = [];
  const counting: HttpRequestFn = (url, options) => {
    requests++;
    return httpRequest(url, options);
  };
  const hub = new HubClient({
    endpoint,
    retry: DEFAULT_RETRY_POLICY,
    request: counting,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  const error = await hub.revision('o/n', 'main').then(
    () => assert.fail('an unreachable hub cannot answer'),
    (e: unknown) => e as Error,
  );
  return { error, requests, waits };
}

const context = { repoId: 'o/n', revision: 'main', hasToken: false, endpoint: 'https://huggingface.co' };

describe('Hub client (pure parts)', () => {
  it('turns Hub errors into one clear message each', () => {
    const cases: [number, string | undefined, Partial<typeof context> & { path?: string }, string, RegExp][] = [
      [404, 'RepoNotFound', {}, 'notFound', /^Repository o\/n was not found on Hugging Face\. Check the id \(owner\/name\); if it is private, set a Hugging Face access token/],
      [401, undefined, {}, 'notFound', /was not found on Hugging Face/],
      [404, 'RevisionNotFound', { revision: 'fp64' }, 'notFound', /^o\/n has no revision "fp64"/],
      [404, 'EntryNotFound', { path: 'unet/model.onnx' }, 'notFound', /^unet\/model\.onnx in o\/n@main was not found on the Hub\./],
      [401, 'GatedRepo', { path: 'unet/model.onnx' }, 'gated', /^o\/n is a gated model: accept its licence on https:\/\/huggingface\.co\/o\/n while logged in, then set a Hugging Face access token \("Local Diffusion: Set Hugging Face Token" in VS Code, or HF_TOKEN for the command line\)\.$/],
      [403, 'GatedRepo', { hasToken: true }, 'gated', /^Your Hugging Face token has no access to the gated model o\/n/],
      [401, undefined, { hasToken: true }, 'unauthorized', /^The Hugging Face token was rejected \(401\) for o\/n: set a valid Hugging Face access token/],
      [401, undefined, { path: 'x.onnx' }, 'unauthorized', /^x\.onnx in o\/n@main needs a login \(401\)/],
      [503, undefined, {}, 'server', /^The Hub answered HTTP 503 for o\/n\./],
      [418, undefined, {}, 'server', /^Unexpected answer HTTP 418/],
    ];
    for (const [status, code, extra, expectedCode, message] of cases) {
      const error = hubError(status, code, undefined, { ...context, ...extra });
      assert.equal(error.code, expectedCode, `${status} ${code}`);
      assert.match(error.message, message);
    }
    assert.equal(hubError(503, undefined, undefined, context).retryable, true);
    assert.equal(hubError(429, undefined, undefined, context, 5000).retryAfterMs, 5000);
    assert.equal(hubError(404, 'RepoNotFound', undefined, context).retryable, false);
    assert.match(hubError(500, undefined, 'Internal Error', context).message, /The Hub said: "Internal Error"\./);
  });

  it('follows Link rel="next" pages and encodes paths', () => {
    const base = 'https://huggingface.co/api/models/o/n/tree/abc?recursive=1';
    assert.equal(nextPageUrl('<https://huggingface.co/api/models/o/n/tree/abc?recursive=1&cursor=xyz>; rel="next"', base), 'https://huggingface.co/api/models/o/n/tree/abc?recursive=1&cursor=xyz');
    assert.equal(nextPageUrl('</api/x?cursor=2>; rel="prev", </api/x?cursor=3>; rel=next', base), 'https://huggingface.co/api/x?cursor=3');
    assert.equal(nextPageUrl(undefined, base), undefined);
    assert.equal(encodeRepoPath('unet/model #1.onnx'), 'unet/model%20%231.onnx');
    assert.equal(contentRangeStart('bytes 100-199/200'), 100);
    assert.equal(contentRangeStart('bytes 0-0/*'), 0);
    assert.equal(contentRangeStart('items 1-2/3'), undefined);
  });

  it('verifies LFS files by sha256 and the others by their git blob id', () => {
    const hello = new TextEncoder().encode('hello\n');
    const git = new FileDigest({ size: hello.length, gitOid: 'ce013625030ba8dba906f756967f9e9ca394464a' });
    git.update(hello);
    assert.deepEqual(git.finish(), { hex: 'ce013625030ba8dba906f756967f9e9ca394464a', matches: true });
    const lfs = new FileDigest({ size: hello.length, sha256: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' });
    lfs.update(hello.subarray(0, 2));
    lfs.update(hello.subarray(2));
    assert.equal(lfs.finish().matches, true);
    const short = new FileDigest({ size: 7, sha256: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' });
    short.update(hello);
    assert.equal(short.finish().matches, false, 'the size must match too');
  });

  it('fails at once, without backoff, when the host cannot be resolved or refuses the connection', async () => {
    const unresolvable = await lookUpOffline('http://nonexistent.invalid');
    assert.match(unresolvable.error.message, /^Cannot resolve nonexistent\.invalid/);
    assert.deepEqual({ requests: unresolvable.requests, waits: unresolvable.waits }, { requests: 1, waits: [] });

    const port = await closedPort();
    const refused = await lookUpOffline(`http://127.0.0.1:${port}`);
    assert.match(refused.error.message, /connection refused/);
    assert.deepEqual({ requests: refused.requests, waits: refused.waits }, { requests: 1, waits: [] });
  });
});
