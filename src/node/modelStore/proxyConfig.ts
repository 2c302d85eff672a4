// Which proxy a request goes through. From the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, as curl and
// huggingface_hub read them) for the CLI; from VS Code's http.proxy / http.proxyStrictSSL / http.noProxy /
// http.proxyAuthorization in the extension (src/host/models/vscodeProxy.ts builds the same shape).

export interface ProxyConfig {
  /** Proxy for http:// targets: "http://[user:pass@]host:port". */
  httpProxy?: string;
  /** Proxy for https:// targets (reached with CONNECT). */
  httpsProxy?: string;
  /** NO_PROXY entries: "host", ".domain", "*.domain", "host:port", "*" (everything). */
  noProxy: readonly string[];
  /** Verify TLS certificates (VS Code http.proxyStrictSSL; NODE_TLS_REJECT_UNAUTHORIZED=0 turns it off). */
  strictSSL: boolean;
  /** A Proxy-Authorization header value (VS Code http.proxyAuthorization); else user:pass from the proxy URL. */
  proxyAuthorization?: string;
}

export const DIRECT: ProxyConfig = { noProxy: [], strictSSL: true };

type Env = Readonly<Record<string, string | undefined>>;

function envValue(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

export function splitNoProxy(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function proxyFromEnvironment(env: Env): ProxyConfig {
  const httpProxy = envValue(env, 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY');
  const httpsProxy = envValue(env, 'https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY');
  return {
    ...(httpProxy ? { httpProxy } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    noProxy: splitNoProxy(envValue(env, 'no_proxy', 'NO_PROXY')),
    strictSSL: env.NODE_TLS_REJECT_UNAUTHORIZED !== '0',
  };
}

function defaultPort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** True when NO_PROXY says the target is reached directly. */
export function bypassesProxy(target: URL, noProxy: readonly string[]): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = defaultPort(target);
  return noProxy.some((raw) => {
    let entry = raw.toLowerCase();
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const m = /^(.+):(\d+)$/.exec(entry);
    if (m && !m[1]!.includes(':')) {
      entry = m[1]!;
      entryPort = m[2];
    }
    if (entryPort !== undefined && entryPort !== port) return false;
    const domain = entry.replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
    return host === domain || host.endsWith(`.${domain}`);
  });
}

/** The proxy for a target URL, or undefined for a direct connection. */
export function proxyForUrl(target: URL, config: ProxyConfig): URL | undefined {
  const raw = target.protocol === 'https:' ? config.httpsProxy : config.httpProxy;
  if (!raw || bypassesProxy(target, config.noProxy)) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`The proxy "${raw}" is not a URL (expected http://host:port).`);
  }
  if (url.protocol !== 'http:') {
    throw new Error(`The proxy "${raw}" uses ${url.protocol.replace(':', '')}; only http:// proxies are supported.`);
  }
  return url;
}

/** The Proxy-Authorization header for a proxy: the configured one, else Basic from user:pass in its URL. */
export function proxyAuthorizationHeader(proxy: URL, config: ProxyConfig): string | undefined {
  if (config.proxyAuthorization) return config.proxyAuthorization;
  if (!proxy.username) return undefined;
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}
