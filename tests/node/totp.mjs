// RFC 6238 with Node's own HMAC (an implementation independent of the server's liboath): SHA-1,
// 30-second steps, 6 digits, the secret in base32. Used by the browser tests (web.mjs), the soak
// (tests/soak/soak.mjs) and the authorisation matrix (authz_matrix.test.mjs) to sign the demo's
// officials in.
import crypto from 'node:crypto';

export function totpCode(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) || []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30000)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}
