// Peer of the qrlogin benchmark: oidc-provider with the device grant (RFC 8628), the
// open protocol nearest to QR login. `POST /device/auth` is the create; the token
// endpoint answering `authorization_pending` is the status poll. Loopback only.
// Usage: node server.mjs <port>
import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 18090);
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: 'bench',
    token_endpoint_auth_method: 'none',
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
    response_types: [],
    redirect_uris: [],
    application_type: 'native',
  }],
  features: {
    devInteractions: { enabled: false },
    deviceFlow: { enabled: true },
  },
});
// The default in-memory adapter warns once that it is not for production: fine here.
provider.listen(port, '127.0.0.1', () => {
  console.log(`peer listening on ${issuer}`);
});
