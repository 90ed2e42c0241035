// HMAC-SHA256 with the key's padded blocks prepared once: a signature is two one-shot hashes, with no object created per message.
import crypto, { createHash, type BinaryToTextEncoding } from 'node:crypto';

/** SHA-256 block size: the message buffer starts with this many bytes reserved for the key's inner pad. */
export const PAD_BYTES = 64;

export interface PreparedKey {
  /** K ⊕ 0x36…, written in front of each message. */
  inner: Buffer;
  /** K ⊕ 0x5c… followed by room for the inner digest. */
  outer: Buffer;
}

/** RFC 2104: a key longer than a block is hashed first, then zero-padded to a block. */
export function prepareKey(key: Buffer): PreparedKey {
  const block = Buffer.alloc(PAD_BYTES);
  (key.length > PAD_BYTES ? createHash('sha256').update(key).digest() : key).copy(block);
  const inner = Buffer.alloc(PAD_BYTES);
  const outer = Buffer.alloc(PAD_BYTES + 32);
  for (let i = 0; i < PAD_BYTES; i++) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  return { inner, outer };
}

// crypto.hash (node ≥ 20.12) hashes in one call; createHash is the same digest with an object per call. The inner
// digest travels as a binary (latin1) string, one char per byte: cheaper than a new Buffer per message.
const sha256: (data: Buffer, encoding: BinaryToTextEncoding) => string =
  typeof crypto.hash === 'function' ? (data, encoding) => crypto.hash('sha256', data, encoding) : (data, encoding) => createHash('sha256').update(data).digest(encoding);

/**
 * HMAC-SHA256 of `message` minus its first PAD_BYTES bytes, which are overwritten with the key's inner pad:
 * SHA256((K ⊕ opad) ‖ SHA256((K ⊕ ipad) ‖ message)).
 */
export function hmac(key: PreparedKey, message: Buffer, encoding: BinaryToTextEncoding): string {
  key.inner.copy(message, 0);
  key.outer.write(sha256(message, 'binary'), PAD_BYTES, 32, 'latin1');
  return sha256(key.outer, encoding);
}
