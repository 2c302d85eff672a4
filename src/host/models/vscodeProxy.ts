// VS Code's proxy settings as the model store's ProxyConfig: http.proxy (for both http:// and https:// targets),
// http.proxyStrictSSL, http.proxyAuthorization and http.noProxy; without http.proxy, the environment
// (HTTPS_PROXY, NO_PROXY, …) as VS Code itself falls back to. No vscode import: unit-tested.
import { proxyFromEnvironment, type ProxyConfig } from '../../node/modelStore/proxyConfig';

/** The part of the `http` WorkspaceConfiguration read here. */
export interface HttpConfigurationLike {
  get(section: string): unknown;
}

export function proxyConfigFromVsCode(http: HttpConfigurationLike, env: Readonly<Record<string, string | undefined>>): ProxyConfig {
  const proxy = typeof http.get('proxy') === 'string' ? (http.get('proxy') as string).trim() : '';
  const strictSSL = http.get('proxyStrictSSL') !== false;
  const authorization = http.get('proxyAuthorization');
  const noProxySetting = http.get('noProxy');
  const noProxy = Array.isArray(noProxySetting) ? noProxySetting.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
  const fromEnv = proxyFromEnvironment(env);
  const auth = typeof authorization === 'string' && authorization.trim() ? { proxyAuthorization: authorization.trim() } : {};
  if (proxy) return { httpProxy: proxy, httpsProxy: proxy, noProxy: [...noProxy, ...fromEnv.noProxy], strictSSL, ...auth };
  return { ...fromEnv, noProxy: [...noProxy, ...fromEnv.noProxy], strictSSL: strictSSL && fromEnv.strictSSL, ...auth };
}
