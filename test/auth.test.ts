// Delivery authentication against real local token endpoints and receivers: Basic, OAuth grants, token caching, failures.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAuth, type AuthConfig } from '../src/wire/auth.js';
import { createDeliveryEngine } from '../src/wire/delivery.js';
import { UsageError } from '../src/base/errors.js';
import { authConfigFrom, type AuthFlags } from '../src/commands/options.js';
import { startServer, type TestServer } from './helpers/http.js';
import { findLeaks, formsOf } from './helpers/leaks.js';

const servers: TestServer[] = [];
const engine = createDeliveryEngine();

after(async () => {
  await engine.close();
  await Promise.all(servers.map((server) => server.close()));
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

/** A token endpoint issuing token-1, token-2, … with the given lifetime. */
async function tokenEndpoint(expiresIn: number | undefined = 3600): Promise<TestServer> {
  let issued = 0;
  return serve((_req, res) => {
    issued += 1;
    const answer: Record<string, unknown> = { access_token: `token-${issued}`, token_type: 'Bearer' };
    if (expiresIn !== undefined) answer['expires_in'] = expiresIn;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
}

/** Delivers once through the engine with the provider's headers; returns the Authorization header the receiver saw. */
async function deliverWith(provider: ReturnType<typeof createAuth>, receiver: TestServer): Promise<string | undefined> {
  const before = receiver.requests.length;
  await engine.deliver({ url: receiver.url, headers: await provider.headers(), body: Buffer.from('{}') });
  return receiver.requests[before]?.headers.authorization;
}

const receiverOk = () =>
  serve((_req, res) => {
    res.writeHead(200).end();
  });

const oauth = (tokenUrl: string, extra: Partial<Extract<AuthConfig, { kind: 'oauth' }>> = {}): AuthConfig => ({
  kind: 'oauth',
  tokenUrl,
  clientId: 'drhook-client',
  clientSecret: 'client-s3cret-value',
  grant: 'client_credentials',
  ...extra,
});

describe('none and basic', () => {
  it('none adds no header', async () => {
    const receiver = await receiverOk();
    assert.equal(await deliverWith(createAuth({ kind: 'none' }), receiver), undefined);
  });

  it('basic sends the username and password', async () => {
    const receiver = await receiverOk();
    const provider = createAuth({ kind: 'basic', username: 'hooks', password: 'p@ss:word' });
    const header = await deliverWith(provider, receiver);
    assert.equal(header, `Basic ${Buffer.from('hooks:p@ss:word').toString('base64')}`);
    assert.ok(provider.secrets().includes('p@ss:word'));
    assert.ok(provider.secrets().includes(Buffer.from('hooks:p@ss:word').toString('base64')));
  });
});

describe('oauth', () => {
  it('client_credentials: posts the form and sends the Bearer token', async () => {
    const tokens = await tokenEndpoint();
    const receiver = await receiverOk();
    const provider = createAuth(oauth(`${tokens.url}/oauth/token`, { scope: 'webhooks' }));
    assert.equal(await deliverWith(provider, receiver), 'Bearer token-1');
    const [request] = tokens.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.url, '/oauth/token');
    assert.equal(request?.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(request?.body.toString())), {
      grant_type: 'client_credentials',
      client_id: 'drhook-client',
      client_secret: 'client-s3cret-value',
      scope: 'webhooks',
    });
    assert.deepEqual(provider.secrets(), ['client-s3cret-value', 'token-1']);
  });

  it('password: adds the username and password to the form', async () => {
    const tokens = await tokenEndpoint();
    const receiver = await receiverOk();
    const provider = createAuth(oauth(tokens.url, { grant: 'password', username: 'owner', password: 'owner-pw' }));
    assert.equal(await deliverWith(provider, receiver), 'Bearer token-1');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(tokens.requests[0]?.body.toString())), {
      grant_type: 'password',
      client_id: 'drhook-client',
      client_secret: 'client-s3cret-value',
      username: 'owner',
      password: 'owner-pw',
    });
  });

  it('caches the token across deliveries, concurrent ones included', async () => {
    const tokens = await tokenEndpoint();
    const receiver = await receiverOk();
    const provider = createAuth(oauth(tokens.url));
    const headers = await Promise.all([provider.headers(), provider.headers(), provider.headers()]);
    assert.deepEqual(headers.map((h) => h['Authorization']), ['Bearer token-1', 'Bearer token-1', 'Bearer token-1']);
    assert.equal(await deliverWith(provider, receiver), 'Bearer token-1');
    assert.equal(await deliverWith(provider, receiver), 'Bearer token-1');
    assert.equal(tokens.requests.length, 1);
  });

  it('refreshes a token that expires', async () => {
    const tokens = await tokenEndpoint(1);
    const receiver = await receiverOk();
    const provider = createAuth(oauth(tokens.url));
    assert.equal(await deliverWith(provider, receiver), 'Bearer token-1');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(await deliverWith(provider, receiver), 'Bearer token-2');
    assert.equal(await deliverWith(provider, receiver), 'Bearer token-2');
    assert.equal(tokens.requests.length, 2);
    assert.deepEqual(provider.secrets(), ['client-s3cret-value', 'token-1', 'token-2']);
  });
});

describe('a failing token endpoint is a setup error', () => {
  const rejectsWith = async (config: AuthConfig, pattern: RegExp) => {
    const error = await createAuth(config, { deadlineMs: 1000 }).headers().then(
      () => assert.fail('expected a UsageError'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /client-s3cret-value|owner-pw/);
    assert.doesNotMatch(error.message, /\n/);
    return error.message;
  };

  it('non-2xx: status and a redacted body excerpt', async () => {
    const tokens = await serve((_req, res, body) => {
      // A careless endpoint echoing what it received.
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client', received: body.toString() }));
    });
    const message = await rejectsWith(
      oauth(tokens.url, { grant: 'password', username: 'owner', password: 'owner-pw' }),
      /^OAuth token endpoint http:\/\/127\.0\.0\.1:\d+ answered 401, not 2xx: \{"error":"invalid_client"/,
    );
    assert.match(message, /\[redacted\]/);
  });

  it('non-2xx or no access_token: the echoed form and the tokens in the answer are masked at every offset around the excerpt\'s cut', async () => {
    const secrets = { client: 'Qx7vKe2MwZp9RtY4n', password: 'Hb3NcW8jLsVq' };
    const issued = 'Tk5RwPz8MqXv2NbJ';
    const forms = [...Object.values(secrets), issued].flatMap(formsOf);
    /** The answers' text before a cut 200 characters in, `offset` characters into the value after `prefix`. */
    const needles: Array<{ status: number; prefix: string; value: string }> = [
      { status: 401, prefix: 'client_secret=', value: secrets.client },
      { status: 401, prefix: 'password=', value: secrets.password },
      { status: 400, prefix: '"access_token":"', value: issued },
      { status: 200, prefix: '"refresh_token":"', value: issued },
    ];
    let answer = { status: 0, body: '' };
    const tokens = await serve((_req, res) => {
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    const config = oauth(tokens.url, { clientSecret: secrets.client, grant: 'password', username: 'owner', password: secrets.password });
    for (const { status, prefix, value } of needles) {
      for (let offset = 1; offset < value.length; offset += 1) {
        answer = { status, body: `${'.'.repeat(200 - offset - prefix.length)}${prefix}${value}","more":"${'.'.repeat(300)}"` };
        const error = await createAuth(config, { deadlineMs: 2000 }).headers().then(() => undefined, (thrown: unknown) => thrown);
        assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
        assert.ok(error.message.includes(`${prefix}[`), error.message);
        assert.deepEqual(findLeaks(error.message, forms), [], `${prefix} cut after ${offset}`);
      }
    }
  });

  it('2xx without an access_token', async () => {
    const tokens = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"token_type":"Bearer"}');
    });
    await rejectsWith(oauth(tokens.url), /answered 200 without an access_token: \{"token_type":"Bearer"\}$/);
  });

  it('unreachable', async () => {
    const closed = await startServer(() => {});
    await closed.close();
    await rejectsWith(oauth(closed.url), /^OAuth token endpoint .* failed: connection refused by 127\.0\.0\.1:\d+$/);
  });

  it('2xx with an access_token no Authorization header can carry, never echoed', async () => {
    const tokens = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"bad token\\nvalue-91"}');
    });
    const message = await rejectsWith(oauth(tokens.url), /answered 200 with an access_token that is not a Bearer token \(visible ASCII, no spaces\): fix the token endpoint$/);
    assert.doesNotMatch(message, /value-91/);
  });

  it('interrupted: gives up at once when the signal aborts', async () => {
    const tokens = await serve(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const error = await createAuth(oauth(tokens.url), { deadlineMs: 3000 }).headers(controller.signal).catch((thrown: unknown) => thrown);
    assert.ok(performance.now() - started < 1000, 'ended long before the deadline');
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /the token request was interrupted$/);
  });

  it('too slow', async () => {
    const tokens = await serve(() => {});
    await rejectsWith(oauth(tokens.url), /gave no complete response within 1000 ms$/);
  });
});

describe('auth options', () => {
  const flags = (extra: Partial<AuthFlags>): AuthFlags => ({ auth: 'none', grant: 'client_credentials', ...extra });

  it('builds each kind, taking secrets from the environment when not flags', () => {
    assert.deepEqual(authConfigFrom(flags({})), { kind: 'none' });
    assert.deepEqual(authConfigFrom(flags({ auth: 'basic', username: 'u' }), { DRHOOK_PASSWORD: 'from-env' }), {
      kind: 'basic',
      username: 'u',
      password: 'from-env',
    });
    assert.deepEqual(
      authConfigFrom(flags({ auth: 'oauth', tokenUrl: 'https://t.example/token', clientId: 'c', grant: 'password', username: 'u', password: 'owner-pw-1' }), {
        DRHOOK_CLIENT_SECRET: 'client-secret-1',
      }),
      { kind: 'oauth', tokenUrl: 'https://t.example/token', clientId: 'c', clientSecret: 'client-secret-1', grant: 'password', username: 'u', password: 'owner-pw-1' },
    );
  });

  it('reads --password-file and --client-secret-file with the token files\' rules, flags first', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drhook-auth-'));
    const passwordFile = path.join(dir, 'password');
    const secretFile = path.join(dir, 'client-secret');
    writeFileSync(passwordFile, '# the basic password\npw-from-file-1\n');
    writeFileSync(secretFile, 'cs-from-file-1\n');
    const env = { DRHOOK_PASSWORD: 'pw-from-env-1', DRHOOK_CLIENT_SECRET: 'cs-from-env-1' };
    assert.deepEqual(authConfigFrom(flags({ auth: 'basic', username: 'u', passwordFile }), env), { kind: 'basic', username: 'u', password: 'pw-from-file-1' });
    assert.deepEqual(authConfigFrom(flags({ auth: 'basic', username: 'u', password: 'pw-from-flag-1', passwordFile }), env), { kind: 'basic', username: 'u', password: 'pw-from-flag-1' });
    const oauthFlags = { auth: 'oauth' as const, tokenUrl: 'http://t/', clientId: 'c', clientSecretFile: secretFile };
    assert.equal((authConfigFrom(flags(oauthFlags), env) as { clientSecret: string }).clientSecret, 'cs-from-file-1');
    writeFileSync(secretFile, 'one-secret-1\ntwo-secret-2\n');
    assert.throws(() => authConfigFrom(flags(oauthFlags), env), /--client-secret-file .* holds 2 lines: give one secret/);
    assert.throws(() => authConfigFrom(flags({ ...oauthFlags, clientSecretFile: path.join(dir, 'absent') }), env), /cannot read --client-secret-file .*ENOENT/);
    writeFileSync(passwordFile, 'short\n');
    assert.throws(() => authConfigFrom(flags({ auth: 'basic', username: 'u', passwordFile }), env), /--password-file .*: a secret shorter than 8 characters is refused/);
    // A short variable is only judged where it is used.
    assert.deepEqual(authConfigFrom(flags({}), { DRHOOK_PASSWORD: 'x' }), { kind: 'none' });
  });

  it('names the missing or stray piece', () => {
    const cases: Array<[Partial<AuthFlags>, RegExp]> = [
      [{ auth: 'basic' }, /^--auth basic needs --username$/],
      [{ auth: 'basic', username: 'u' }, /^--auth basic needs a password: --password, --password-file or DRHOOK_PASSWORD$/],
      [{ auth: 'oauth', clientId: 'c', clientSecret: 'client-secret-1' }, /^--auth oauth needs --token-url$/],
      [{ auth: 'oauth', tokenUrl: 'http://t/', clientSecret: 'client-secret-1' }, /^--auth oauth needs --client-id$/],
      [{ auth: 'oauth', tokenUrl: 'http://t/', clientId: 'c' }, /needs a client secret: --client-secret, --client-secret-file or DRHOOK_CLIENT_SECRET$/],
      [{ auth: 'oauth', tokenUrl: 'http://t/', clientId: 'c', clientSecret: 'client-secret-1', grant: 'password' }, /^--grant password needs --username$/],
      [{ username: 'u' }, /^--username given but --auth is none/],
    ];
    for (const [given, pattern] of cases) assert.throws(() => authConfigFrom(flags(given), {}), (error: unknown) => error instanceof UsageError && pattern.test(error.message));
  });
});
