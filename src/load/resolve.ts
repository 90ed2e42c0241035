// The receiver's host name, resolved once before load is sent (within the deadline): load connects to that address, so no request waits for DNS.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** Where load connects: the address, or why the name did not resolve (a DNS error code). */
export type Target = { kind: 'resolved'; address: string } | { kind: 'unresolved'; code: string };

/** A lookup still pending at the deadline counts as this: name resolution failed for now. */
const LOOKUP_TIMED_OUT = 'EAI_AGAIN';

/** An IP literal is its own address; a name is looked up once, the first address used. Never rejects. */
export async function resolveTarget(url: string, deadlineMs: number): Promise<Target> {
  const hostname = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(hostname) !== 0) return { kind: 'resolved', address: hostname };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Target>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'unresolved', code: LOOKUP_TIMED_OUT }), deadlineMs);
  });
  try {
    return await Promise.race([lookup(hostname).then(({ address }): Target => ({ kind: 'resolved', address })), late]);
  } catch (error) {
    return { kind: 'unresolved', code: (error as NodeJS.ErrnoException).code ?? 'ENOTFOUND' };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What autocannon connects to: `url` with the address in place of the host name. The stamped requests keep the
 * name in their Host header, and over https the name is the TLS server name (`servername`), checked against the certificate.
 */
export function connectionTarget(url: string, address: string): { url: string; servername?: string } {
  const target = new URL(url);
  const { hostname } = target;
  target.hostname = isIP(address) === 6 ? `[${address}]` : address;
  return isIP(hostname.replace(/^\[(.*)\]$/, '$1')) === 0 ? { url: target.toString(), servername: hostname } : { url: target.toString() };
}
