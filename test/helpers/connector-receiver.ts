// A receiver that verifies DigitalRiver-Signature as the webhook receiver of Digital River's Salesforce connector does, defects and all.
import { createHmac } from 'node:crypto';
import { startServer, type TestServer } from './http.js';

/**
 * The connector's check, as written there: the header split on ", " into [timestamp, signature], the base64
 * HMAC-SHA256 of `timestamp + "." + raw body` compared with the second part. No timestamp age is checked, and a
 * third or later part (a second active token's signature) is never looked at. Throws on a missing header, as the
 * connector's code does when it splits undefined.
 */
export function connectorSignatureMatches(header: string | string[] | undefined, raw: Buffer, token: string): boolean {
  const [timestamp, signature] = (header as string).split(', ');
  const expected = createHmac('sha256', token)
    .update(timestamp + '.' + raw.toString('utf8'))
    .digest('base64');
  return expected === signature;
}

/**
 * Answers 200 to an event whose signature matches (with any data.object, null included: the connector reads
 * `data.object` only to dispatch on it), and 500 to everything else: a bad or missing signature ends in an error,
 * which the platform turns into a 500, as does a body that is not JSON.
 */
export function startConnectorReceiver(token: string): Promise<TestServer> {
  return startServer((req, res, body) => {
    let status = 200;
    try {
      if (!connectorSignatureMatches(req.headers['digitalriver-signature'], body, token)) throw new Error('signature mismatch');
      const event = JSON.parse(body.toString('utf8')) as { type?: unknown; data?: { object?: unknown } };
      void event.data?.object;
    } catch {
      status = 500;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 200 ? { received: true } : { error: 'error' }));
  });
}
