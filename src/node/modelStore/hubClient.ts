// The Hugging Face Hub endpoints the model store uses (all public, documented by huggingface_hub's HfApi):
//   GET /api/models/{repo}/revision/{revision}     → { sha, gated, cardData.license, … }: pins the commit
//   GET /api/models/{repo}/tree/{commit}?recursive=1 → [{ type, path, size, oid, lfs?: { oid, size } }],
//       paginated with a Link: <…>; rel="next" header (huggingface_hub utils/_pagination.py)
//   GET /{repo}/resolve/{commit}/{path}             → the file, usually through a 302 to a CDN; Range works
// Files are listed and fetched at the pinned commit, so a branch moving mid-download cannot mix two versions.
// The token (Authorization: Bearer) goes only to the Hub's own origin, never to the CDN it redirects to.
import { ENGINE_VERSION } from '../../common/version';
import { header, httpRequest, readText, type HttpRequestFn, type HttpRequestOptions, type HttpResponse } from './httpRequest';
import { ModelStoreError } from './modelStoreError';
import type { ProxyConfig } from './proxyConfig';
import { DEFAULT_RETRY_POLICY, parseRetryAfterMs, withRetries, type RetryPolicy } from './retrySchedule';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

export interface HubFile {
  /** Path in the repo, "/"-separated. */
  path: string;
  size: number;
  /** Git blob id (sha1). For LFS files it is the pointer's id; the content's hash is lfs.sha256. */
  oid: string;
  lfs?: { sha256: string; size: number };
}

export interface HubRevision {
  /** The commit the revision points at (40 hex digits). */
  commit: string;
  /** false, "auto" or "manual": gated repos need a token whose account accepted the licence. */
  gated: false | string;
  /** The model card's `license` (e.g. "openrail", "other"), when it has one. */
  license?: string;
  private: boolean;
}

export interface HubClientOptions {
  /** HF_ENDPOINT (mirrors, tests); default https://huggingface.co. */
  endpoint?: string;
  token?: string;
  proxy?: ProxyConfig;
  idleTimeoutMs?: number;
  retry?: RetryPolicy;
  /** A seam for tests and for the extension host (default: httpRequest). */
  request?: HttpRequestFn;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface HubErrorContext {
  repoId: string;
  revision?: string;
  path?: string;
  hasToken: boolean;
  endpoint: string;
}

const TOKEN_HINT = 'set a Hugging Face access token ("Local Diffusion: Set Hugging Face Token" in VS Code, or HF_TOKEN for the command line)';

/** A non-2xx answer of the Hub as one clear message (after huggingface_hub's hf_raise_for_status). */
export function hubError(status: number, errorCode: string | undefined, serverMessage: string | undefined, context: HubErrorContext, retryAfterMs?: number): ModelStoreError {
  const repo = context.repoId;
  const page = `${context.endpoint}/${repo}`;
  const what = context.path ? `${context.path} in ${repo}${context.revision ? `@${context.revision}` : ''}` : repo;
  const server = serverMessage ? ` The Hub said: "${serverMessage.slice(0, 300)}".` : '';
  if (errorCode === 'GatedRepo') {
    return status === 401 || !context.hasToken
      ? new ModelStoreError('gated', `${repo} is a gated model: accept its licence on ${page} while logged in, then ${TOKEN_HINT}.`)
      : new ModelStoreError('gated', `Your Hugging Face token has no access to the gated model ${repo}: accept its licence on ${page} with the account that owns the token.`);
  }
  if (errorCode === 'RevisionNotFound') {
    return new ModelStoreError('notFound', `${repo} has no revision "${context.revision ?? ''}" (no such branch, tag or commit).`);
  }
  if (errorCode === 'EntryNotFound' || (status === 404 && context.path)) {
    return new ModelStoreError('notFound', `${what} was not found on the Hub.${server}`);
  }
  // Without a token the Hub answers 401 for repos it will not show (missing or private) on its API.
  if (errorCode === 'RepoNotFound' || status === 404 || (status === 401 && errorCode === undefined && !context.hasToken && !context.path)) {
    return context.hasToken
      ? new ModelStoreError('notFound', `Repository ${repo} was not found on Hugging Face, or your token cannot read it. Check the id (owner/name).`)
      : new ModelStoreError('notFound', `Repository ${repo} was not found on Hugging Face. Check the id (owner/name); if it is private, ${TOKEN_HINT}.`);
  }
  if (status === 401) {
    return context.hasToken
      ? new ModelStoreError('unauthorized', `The Hugging Face token was rejected (401) for ${what}: ${TOKEN_HINT.replace('set a', 'set a valid')}.`)
      : new ModelStoreError('unauthorized', `${what} needs a login (401): ${TOKEN_HINT}.`);
  }
  if (status === 403) {
    return new ModelStoreError('unauthorized', `Access to ${what} was refused (403).${server}`);
  }
  if (status === 429 || status === 408 || status >= 500) {
    return new ModelStoreError('server', `The Hub answered HTTP ${status} for ${what}.${server}`, {
      retryable: true,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  return new ModelStoreError('server', `Unexpected answer HTTP ${status} for ${what}.${server}`);
}

/** The next page of a Link header (RFC 8288), as GitHub and the Hub write it. */
export function nextPageUrl(link: string | undefined, base: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (m && /\brel\s*=\s*"?next"?/.test(m[2]!)) return new URL(m[1]!, base).toString();
  }
  return undefined;
}

/** "a b/c d" → "a%20b/c%20d": each path segment encoded, the slashes kept (huggingface_hub hf_hub_url). */
export function encodeRepoPath(repoPath: string): string {
  return repoPath.split('/').map(encodeURIComponent).join('/');
}

export class HubClient {
  readonly endpoint: string;
  private readonly request: HttpRequestFn;
  private readonly retry: RetryPolicy;

  constructor(private readonly options: HubClientOptions = {}) {
    this.endpoint = (options.endpoint ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
    this.request = options.request ?? httpRequest;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
  }

  get hasToken(): boolean {
    return Boolean(this.options.token);
  }

  get proxy(): ProxyConfig | undefined {
    return this.options.proxy;
  }

  get idleTimeoutMs(): number | undefined {
    return this.options.idleTimeoutMs;
  }

  /** Request options for any URL of this Hub (the token only for the Hub's origin). */
  requestOptions(signal?: AbortSignal): HttpRequestOptions {
    return {
      headers: { 'user-agent': `local-diffusion/${ENGINE_VERSION}`, 'accept-encoding': 'identity' },
      ...(this.options.token
        ? { credentials: { origin: new URL(this.endpoint).origin, headers: { authorization: `Bearer ${this.options.token}` } } }
        : {}),
      ...(signal ? { signal } : {}),
      ...(this.options.proxy ? { proxy: this.options.proxy } : {}),
      ...(this.options.idleTimeoutMs !== undefined ? { idleTimeoutMs: this.options.idleTimeoutMs } : {}),
    };
  }

  get sendRequest(): HttpRequestFn {
    return this.request;
  }

  /** Turns a failed answer into a ModelStoreError (reads the Hub's X-Error-Code / X-Error-Message / JSON error). */
  async failure(response: HttpResponse, context: Omit<HubErrorContext, 'hasToken' | 'endpoint'>): Promise<ModelStoreError> {
    let message = header(response, 'x-error-message');
    if (!message) {
      try {
        const text = await readText(response, 64 * 1024);
        const parsed = JSON.parse(text) as { error?: unknown };
        if (typeof parsed.error === 'string') message = parsed.error;
      } catch {
        // not JSON: the status says enough
      }
    } else {
      response.body.resume();
    }
    return hubError(
      response.status,
      header(response, 'x-error-code'),
      message,
      { ...context, hasToken: this.hasToken, endpoint: this.endpoint },
      parseRetryAfterMs(header(response, 'retry-after')),
    );
  }

  private async getJson(url: string, context: Omit<HubErrorContext, 'hasToken' | 'endpoint'>, signal?: AbortSignal): Promise<{ json: unknown; response: HttpResponse }> {
    return withRetries(
      async () => {
        const response = await this.request(url, { ...this.requestOptions(signal), headers: { ...this.requestOptions(signal).headers, accept: 'application/json' } });
        if (response.status !== 200) throw await this.failure(response, context);
        const text = await readText(response);
        try {
          return { json: JSON.parse(text) as unknown, response };
        } catch {
          throw new ModelStoreError('server', `The Hub sent something that is not JSON for ${url}.`, { retryable: true });
        }
      },
      { policy: this.retry, ...(signal ? { signal } : {}), ...(this.options.sleep ? { sleep: this.options.sleep } : {}) },
    );
  }

  /** The commit a revision points at, plus gating and licence. */
  async revision(repoId: string, revision: string, signal?: AbortSignal): Promise<HubRevision> {
    const url = `${this.endpoint}/api/models/${repoId}/revision/${encodeURIComponent(revision)}`;
    const { json } = await this.getJson(url, { repoId, revision }, signal);
    const info = json as { sha?: unknown; gated?: unknown; private?: unknown; cardData?: { license?: unknown } };
    if (typeof info.sha !== 'string' || !/^[0-9a-f]{40}$/i.test(info.sha)) {
      throw new ModelStoreError('server', `The Hub did not say which commit ${repoId}@${revision} is.`);
    }
    const license = info.cardData?.license;
    return {
      commit: info.sha.toLowerCase(),
      gated: typeof info.gated === 'string' ? info.gated : false,
      private: info.private === true,
      ...(typeof license === 'string' ? { license } : {}),
    };
  }

  /** Every file of the repo at `commit` (recursive), with sizes and hashes. */
  async listFiles(repoId: string, commit: string, signal?: AbortSignal): Promise<HubFile[]> {
    const files: HubFile[] = [];
    let url: string | undefined = `${this.endpoint}/api/models/${repoId}/tree/${encodeURIComponent(commit)}?recursive=1`;
    while (url) {
      const { json, response } = await this.getJson(url, { repoId, revision: commit }, signal);
      if (!Array.isArray(json)) throw new ModelStoreError('server', `The Hub's file list of ${repoId} is not a list.`);
      for (const entry of json as Array<Record<string, unknown>>) {
        if (entry.type !== 'file' || typeof entry.path !== 'string' || typeof entry.size !== 'number') continue;
        const lfs = entry.lfs as { oid?: unknown; sha256?: unknown; size?: unknown } | undefined;
        const sha256 = typeof lfs?.oid === 'string' ? lfs.oid : typeof lfs?.sha256 === 'string' ? lfs.sha256 : undefined;
        files.push({
          path: entry.path,
          size: entry.size,
          oid: typeof entry.oid === 'string' ? entry.oid : '',
          ...(sha256 ? { lfs: { sha256: sha256.toLowerCase(), size: typeof lfs?.size === 'number' ? lfs.size : entry.size } } : {}),
        });
      }
      url = nextPageUrl(header(response, 'link'), url);
    }
    return files;
  }

  /** The download URL of a file at a commit. */
  fileUrl(repoId: string, commit: string, repoPath: string): string {
    return `${this.endpoint}/${repoId}/resolve/${encodeURIComponent(commit)}/${encodeRepoPath(repoPath)}`;
  }
}
