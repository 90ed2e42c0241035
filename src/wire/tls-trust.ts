// Which TLS certificates drhook trusts, for contract, send and load alike: the system CAs plus --ca, every certificate only with --insecure.
import type { TLSSocket } from 'node:tls';

export interface TlsTrust {
  /** An extra certificate authority (PEM) for receivers with a private CA. */
  ca?: Buffer;
  /** Accept any certificate (self-signed staging receivers); flagged wherever the run is reported. */
  insecure: boolean;
}

/** The options that make Node's own TLS client enforce the trust: what the delivery engine (undici) connects with. */
export function connectOptions(trust: TlsTrust): { ca?: Buffer; rejectUnauthorized: boolean } {
  return { ...(trust.ca ? { ca: trust.ca } : {}), rejectUnauthorized: !trust.insecure };
}

/**
 * The same trust, for a connection Node was told not to enforce it on (rejectUnauthorized: false, as autocannon 9
 * always connects, whatever its tlsOptions say): the error code Node would have refused it with, or undefined when it
 * is trusted. Read when 'secureConnect' is emitted, which Node emits right where it would have refused the connection,
 * after checking the chain against `ca` and the certificate's names against the server name, and before anything
 * written to the socket is encrypted and sent.
 */
export function untrustedCertificate(socket: TLSSocket, trust: TlsTrust): string | undefined {
  if (trust.insecure || socket.authorized) return undefined;
  return String(socket.authorizationError ?? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
}
