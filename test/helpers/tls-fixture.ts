// A self-signed certificate for 127.0.0.1 and its key, for https receivers in tests: made at start-up, never stored.
import { generate } from 'selfsigned';

const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
  keyType: 'ec',
  curve: 'P-256',
  algorithm: 'sha256',
  extensions: [
    { name: 'basicConstraints', cA: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
  ],
});

export const tlsKey = pems.private;
export const tlsCert = pems.cert;
