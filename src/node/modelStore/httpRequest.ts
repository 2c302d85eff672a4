// A small HTTP(S) GET client on Node's http/https, for the Hub API and file downloads: redirects (the Hub's
// resolve/ URLs redirect to a CDN), credentials kept to their origin, proxies (CONNECT tunnel for https://,
// absolute-form requests for http://), an idle timeout that turns a stalled transfer into a retryable error,
// and cancellation through an AbortSignal. No dependency beyond Node.
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { ModelStoreError } from './modelStoreError';
import { DIRECT, proxyAuthorizationHeader, proxyForUrl, type ProxyConfig } from './proxyConfig';
import { cancelledError } from './retrySchedule';

export interface HttpRequestOptions {
  headers?: Readonly<Record<string, string>>;
  /** Headers sent only while the request stays on `origin`: a Hub token never reaches the CDN it redirects to. */
  credentials?: { origin: string; headers: Readonly<Record<string, string>> };
  signal?: AbortSignal;
  proxy?: ProxyConfig;
  /** No byte for this long (connecting, waiting for the headers, or within the body) fails the request (retryable). */
  idleTimeoutMs?: number;
  maxRedirects?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  url: string;
  /** The body stream; read it to the end or call body.resume() to discard it. */
  body: http.IncomingMessage;
}

export type HttpRequestFn = (url: string, options?: HttpRequestOptions) => Promise<HttpResponse>;

/** A minute without a byte: long enough for a slow link, short enough that a stalled download resumes. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Node's certificate-verification error codes: not retryable, and the user must act (CA, proxy settings). */
const TLS_CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '');
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/**
 * The host cannot be resolved or refuses the connection: offline, a wrong HF_ENDPOINT or proxy. Retrying with
 * backoff would only keep the user waiting (about a minute) for the same answer, so these fail at once; a
 * dropped or stalled connection (ECONNRESET, ETIMEDOUT, the idle timeout) is still retried.
 */
const UNREACHABLE_HOST_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED']);

/** Turns a socket/request error into a ModelStoreError with a message for the user. */
export function toNetworkError(error: unknown, target: URL, proxy?: URL): ModelStoreError {
  if (error instanceof ModelStoreError) return error;
  const e = error as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  const via = proxy ? ` (through the proxy ${proxy.host})` : '';
  const host = target.host;
  if (TLS_CERTIFICATE_CODES.has(code)) {
    return new ModelStoreError(
      'network',
      `The TLS certificate of ${host}${via} was not accepted (${code}: ${e.message}). Behind a TLS-inspecting proxy, add its CA (NODE_EXTRA_CA_CERTS) or turn off "http.proxyStrictSSL".`,
      { cause: error },
    );
  }
  const what: Record<string, string> = {
    ECONNREFUSED: `Cannot connect to ${host}${via}: connection refused.`,
    ENOTFOUND: `Cannot resolve ${host}${via}: no network, or a proxy is needed ("http.proxy" in VS Code, HTTPS_PROXY for the CLI).`,
    EAI_AGAIN: `Cannot resolve ${host}${via} (DNS did not answer): no network?`,
    ECONNRESET: `The connection to ${host}${via} was dropped.`,
    EPIPE: `The connection to ${host}${via} was dropped.`,
    ETIMEDOUT: `${host}${via} stopped sending data.`,
    ENETUNREACH: `The network is unreachable (${host}${via}).`,
    EHOSTUNREACH: `${host}${via} is unreachable.`,
  };
  return new ModelStoreError('network', what[code] ?? `Network error with ${host}${via}: ${e?.message ?? String(error)}.`, {
    retryable: !UNREACHABLE_HOST_CODES.has(code),
    cause: error,
  });
}

function idleTimeoutError(target: URL, ms: number): ModelStoreError {
  return new ModelStoreError('network', `No data from ${target.host} for ${Math.round(ms / 1000)} s: the transfer stalled.`, {
    retryable: true,
  });
}

/** Opens a CONNECT tunnel through an http:// proxy to the target's host and port. */
function openTunnel(proxy: URL, target: URL, config: ProxyConfig, idleMs: number, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const authority = `${target.hostname}:${portOf(target)}`;
    const authorization = proxyAuthorizationHeader(proxy, config);
    const request = http.request({
      host: bareHost(proxy.hostname),
      port: portOf(proxy),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...(authorization ? { 'proxy-authorization': authorization } : {}) },
    });
    const onAbort = (): void => {
      request.destroy(cancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.setTimeout(idleMs, () => request.destroy(idleTimeoutError(proxy, idleMs)));
    request.once('connect', (response, socket, head) => {
      signal?.removeEventListener('abort', onAbort);
      socket.setTimeout(0);
      if (response.statusCode !== 200) {
        socket.destroy();
        const status = response.statusCode ?? 0;
        const hint = status === 407 ? ' The proxy wants credentials: put them in the proxy URL (http://user:password@host:port) or set "http.proxyAuthorization".' : '';
        reject(
          new ModelStoreError(status === 407 ? 'unauthorized' : 'network', `The proxy ${proxy.host} refused to connect to ${authority}: HTTP ${status} ${response.statusMessage ?? ''}.${hint}`, {
            retryable: status >= 500,
          }),
        );
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? cancelledError() : toNetworkError(error, target, proxy));
    });
    request.end();
  });
}

async function requestOnce(target: URL, headers: Record<string, string>, options: HttpRequestOptions): Promise<http.IncomingMessage> {
  if (options.signal?.aborted) throw cancelledError();
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new ModelStoreError('invalid', `Cannot download from ${target.toString()}: only http and https are supported.`);
  }
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const config = options.proxy ?? DIRECT;
  let proxy: URL | undefined;
  try {
    proxy = proxyForUrl(target, config);
  } catch (error) {
    throw new ModelStoreError('invalid', (error as Error).message);
  }
  const secure = target.protocol === 'https:';
  const servername = isIP(bareHost(target.hostname)) ? undefined : bareHost(target.hostname);
  const tlsOptions: tls.ConnectionOptions = { rejectUnauthorized: config.strictSSL, ...(servername ? { servername } : {}) };
  const requestHeaders: Record<string, string> = { ...headers, host: target.host };
  let send: () => http.ClientRequest;
  /** The CONNECT tunnel, closed with the request (also when an agent patched in by the host did not use it). */
  let tunnel: Socket | undefined;
  if (proxy && secure) {
    const socket = await openTunnel(proxy, target, config, idleMs, options.signal);
    tunnel = socket;
    send = () =>
      https.request({
        method: 'GET',
        path: `${target.pathname}${target.search}`,
        headers: requestHeaders,
        createConnection: () => tls.connect({ ...tlsOptions, socket }),
      });
  } else if (proxy) {
    const authorization = proxyAuthorizationHeader(proxy, config);
    send = () =>
      http.request({
        host: bareHost(proxy.hostname),
        port: portOf(proxy),
        method: 'GET',
        path: target.toString(),
        headers: { ...requestHeaders, ...(authorization ? { 'proxy-authorization': authorization } : {}) },
      });
  } else {
    const base = { host: bareHost(target.hostname), port: portOf(target), method: 'GET', path: `${target.pathname}${target.search}`, headers: requestHeaders };
    send = () => (secure ? https.request({ ...base, ...tlsOptions, agent: false }) : http.request({ ...base, agent: false }));
  }
  return new Promise((resolve, reject) => {
    const request = send();
    const onAbort = (): void => {
      request.destroy(cancelledError());
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    request.setTimeout(idleMs, () => request.destroy(idleTimeoutError(target, idleMs)));
    request.once('response', (response) => {
      response.once('close', () => {
        options.signal?.removeEventListener('abort', onAbort);
        tunnel?.destroy();
      });
      resolve(response);
    });
    request.once('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      tunnel?.destroy();
      reject(options.signal?.aborted ? cancelledError() : toNetworkError(error, target, proxy));
    });
    request.end();
  });
}

/** GET `url`, following redirects. Resolves with the first non-redirect answer, whatever its status. */
export async function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  let current = new URL(url);
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  for (let hop = 0; ; hop++) {
    const credentials = options.credentials && current.origin === options.credentials.origin ? options.credentials.headers : {};
    const response = await requestOnce(current, { ...options.headers, ...credentials }, options);
    const location = response.headers.location;
    if (REDIRECT_STATUSES.has(response.statusCode ?? 0) && location) {
      response.resume();
      if (hop >= maxRedirects) throw new ModelStoreError('network', `Too many redirects from ${url}.`);
      current = new URL(location, current);
      continue;
    }
    return { status: response.statusCode ?? 0, headers: response.headers, url: current.toString(), body: response };
  }
}

/** Reads a (small) body as text, up to `maxBytes`. */
export async function readText(response: HttpResponse, maxBytes = 16 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > maxBytes) {
        response.body.destroy();
        throw new ModelStoreError('server', `The answer from ${new URL(response.url).host} is larger than ${maxBytes} bytes.`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw toNetworkError(error, new URL(response.url));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The first value of a header. */
export function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
