// Peer of the qrlogin benchmark: oidc-provider with the device grant (RFC 8628), the
// open protocol nearest to QR login. `POST /device/auth` is the create; the token
// endpoint answering `authorization_pending` is the status poll. Loopback only.
// Usage: node server.mjs <port>
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 18090);
const issuer = `http://127.0.0.1:${port}`;
// The code-exchange run's client, redirect and user: the same shape as qrlogin's
// `demo` client (public, PKCE S256, loopback redirect).
const CODE_CLIENT = 'bench-code';
const REDIRECT = 'http://127.0.0.1:49152/callback';
const ACCOUNT = 'bench-user';
// ID tokens signed ES256 on both sides of the comparison (qrlogin's default), so the
// exchange figure compares servers, not RSA against ECDSA.
const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ format: 'jwk' });
const provider = new Provider(issuer, {
  clients: [{
    client_id: 'bench',
    token_endpoint_auth_method: 'none',
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
    response_types: [],
    redirect_uris: [],
    application_type: 'native',
    // The keystore holds one ES256 key (below); the default RS256 would have none.
    id_token_signed_response_alg: 'ES256',
  }, {
    client_id: CODE_CLIENT,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [REDIRECT],
    application_type: 'native',
    id_token_signed_response_alg: 'ES256',
  }],
  jwks: { keys: [{ ...signing, use: 'sig', alg: 'ES256', kid: 'bench-es256' }] },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    deviceFlow: { enabled: true },
  },
});

// Codes for the exchange run, minted as the provider does at the end of a successful
// interaction (a grant with the `openid` scope, then the code bound to client, redirect
// and PKCE challenge): only the token endpoint's exchange is timed, on both sides.
// `POST /bench/codes?n=N&challenge=S256-CHALLENGE` answers `{ "codes": [...] }`. The
// default in-memory adapter is an LRU of 1000 entries (a grant and a code each, then
// an access token per exchange), so the generator mints in batches of at most 200.
const MAX_BATCH = 200;
provider.use(async (ctx, next) => {
  if (ctx.path !== '/bench/codes') return next();
  const loopback = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(ctx.ip);
  if (ctx.method !== 'POST' || !loopback) {
    ctx.status = 404;
    return undefined;
  }
  const n = Math.min(Math.max(Number(ctx.query.n) || 1, 1), MAX_BATCH);
  const challenge = String(ctx.query.challenge || '');
  const client = await provider.Client.find(CODE_CLIENT);
  const authTime = Math.floor(Date.now() / 1000);
  const codes = [];
  for (let i = 0; i < n; i += 1) {
    const grant = new provider.Grant({ accountId: ACCOUNT, clientId: CODE_CLIENT });
    grant.addOIDCScope('openid');
    const grantId = await grant.save();
    const code = new provider.AuthorizationCode({
      accountId: ACCOUNT,
      authTime,
      client,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      grantId,
      redirectUri: REDIRECT,
      scope: 'openid',
    });
    codes.push(await code.save());
  }
  ctx.body = { codes };
  return undefined;
});

// The default in-memory adapter warns once that it is not for production: fine here.
provider.listen(port, '127.0.0.1', () => {
  console.log(`peer listening on ${issuer}`);
});
