// Whether a string is an http(s) URL a delivery can go to and, when it is not, what is wrong with it in words.

/** The authority's port as written (`http://host:99999/` → `99999`), for URLs the WHATWG parser refuses. */
const WRITTEN_PORT = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*):([^/?#]*)(?:[/?#]|$)/i;

/** Undefined for a usable http:// or https:// URL; otherwise the problem, to follow `invalid URL '…': `. */
export function httpUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const port = WRITTEN_PORT.exec(value)?.[1];
    if (port !== undefined && port !== '') return portProblem(port);
    return 'use http:// or https://';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `use http:// or https://, not ${url.protocol}//`;
  if (url.port === '0') return portProblem('0');
  return undefined;
}

function portProblem(port: string): string {
  if (!/^\d+$/.test(port)) return `the port '${port}' is not a number: use a port from 1 to 65535`;
  return `the port ${port} is out of range: use a port from 1 to 65535`;
}
