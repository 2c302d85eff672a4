import * as assert from 'node:assert/strict';
import { bypassesProxy, proxyAuthorizationHeader, proxyForUrl, proxyFromEnvironment } from '../../src/node/modelStore/proxyConfig';
import { proxyConfigFromVsCode } from '../../src/host/models/vscodeProxy';

const config = (values: Record<string, unknown>) => ({ get: (key: string) => values[key] });

describe('proxy configuration', () => {
  it('reads the environment as curl does', () => {
    assert.deepEqual(proxyFromEnvironment({}), { noProxy: [], strictSSL: true });
    assert.deepEqual(proxyFromEnvironment({ HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'localhost, .corp.example,10.0.0.1:8080' }), {
      httpsProxy: 'http://p:3128',
      noProxy: ['localhost', '.corp.example', '10.0.0.1:8080'],
      strictSSL: true,
    });
    const both = proxyFromEnvironment({ http_proxy: 'http://h:1', NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    assert.equal(both.httpProxy, 'http://h:1');
    assert.equal(both.httpsProxy, 'http://h:1', 'https falls back to http_proxy');
    assert.equal(both.strictSSL, false);
  });

  it('matches NO_PROXY entries: hosts, domains, ports, *', () => {
    const url = (u: string) => new URL(u);
    assert.ok(bypassesProxy(url('https://huggingface.co/x'), ['huggingface.co']));
    assert.ok(bypassesProxy(url('https://cdn-lfs.huggingface.co/x'), ['.huggingface.co']));
    assert.ok(bypassesProxy(url('https://cdn-lfs.huggingface.co/x'), ['*.huggingface.co']));
    assert.ok(bypassesProxy(url('https://cdn-lfs.huggingface.co/x'), ['huggingface.co']), 'a domain covers its subdomains');
    assert.ok(!bypassesProxy(url('https://nothuggingface.co/x'), ['huggingface.co']));
    assert.ok(bypassesProxy(url('http://10.0.0.1:8080/'), ['10.0.0.1:8080']));
    assert.ok(!bypassesProxy(url('http://10.0.0.1:9090/'), ['10.0.0.1:8080']));
    assert.ok(bypassesProxy(url('https://anything/'), ['*']));
    assert.ok(bypassesProxy(url('http://[::1]:80/'), ['::1']));
  });

  it('picks the proxy per scheme and builds Proxy-Authorization', () => {
    const c = { httpProxy: 'h:1', httpsProxy: 'http://user:p%40ss@s:2', noProxy: ['internal'], strictSSL: true };
    assert.equal(proxyForUrl(new URL('http://x/'), c)?.toString(), 'http://h:1/');
    const secure = proxyForUrl(new URL('https://huggingface.co/'), c)!;
    assert.equal(secure.host, 's:2');
    assert.equal(proxyAuthorizationHeader(secure, c), `Basic ${Buffer.from('user:p@ss').toString('base64')}`);
    assert.equal(proxyAuthorizationHeader(secure, { ...c, proxyAuthorization: 'Negotiate abc' }), 'Negotiate abc');
    assert.equal(proxyForUrl(new URL('https://internal/'), c), undefined);
    assert.throws(() => proxyForUrl(new URL('https://x/'), { ...c, httpsProxy: 'socks5://s:1080' }), /only http:\/\/ proxies are supported/);
  });

  it("maps VS Code's http.* settings, falling back to the environment", () => {
    const env = { HTTPS_PROXY: 'http://env:1', NO_PROXY: 'corp' };
    assert.deepEqual(
      proxyConfigFromVsCode(config({ proxy: 'http://vs:8080', proxyStrictSSL: false, proxyAuthorization: 'Basic x', noProxy: ['local'] }), env),
      { httpProxy: 'http://vs:8080', httpsProxy: 'http://vs:8080', noProxy: ['local', 'corp'], strictSSL: false, proxyAuthorization: 'Basic x' },
    );
    assert.deepEqual(proxyConfigFromVsCode(config({ proxy: '', proxyStrictSSL: true }), env), { httpsProxy: 'http://env:1', noProxy: ['corp'], strictSSL: true });
    assert.equal(proxyConfigFromVsCode(config({}), {}).strictSSL, true, 'strict by default');
  });
});
