// Independent check of our SD-JWT VCs and Token Status Lists with the @sd-jwt libraries (OpenWallet
// Foundation): what src/certificates/credential.cpp issues must verify with somebody else's code.
// The credentials come from test_certificates (NodeFixtures.Write), which writes them to the
// directory named by YIWANG_CREDENTIAL_FIXTURES.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, digest } from '@sd-jwt/crypto-nodejs';
import { StatusList, getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';

const dir =
  process.env.YIWANG_CREDENTIAL_FIXTURES ??
  new URL('../../build/credential-fixtures', import.meta.url).pathname;
const read = (name) => readFileSync(`${dir}/${name}`, 'utf8');
const expected = JSON.parse(read('expected.json'));
const jwks = JSON.parse(read('jwks.json'));
const statusListJwt = read('status-list.jwt');

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const decodeSegment = (seg) => JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'));

// The verifier callback gets no header, so pick the issuer key by the credential's kid up front,
// as a relying party resolving the issuer's JWKS would.
async function verifierFor(sdJwt) {
  const header = decodeSegment(sdJwt.split('~')[0].split('.')[0]);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, `JWKS has kid ${header.kid}`);
  return ES256.getVerifier(jwk);
}

async function instanceFor(sdJwt) {
  const verifier = await verifierFor(sdJwt);
  return new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    verifier,
    statusListFetcher: async (uri) => {
      assert.equal(uri, expected.status_list_uri);
      return statusListJwt;
    },
  });
}

const verify = async (sdJwt) =>
  (await instanceFor(sdJwt)).verify(sdJwt, { currentDate: expected.now });

test('the issuer key id is the RFC 7638 thumbprint of the JWK', () => {
  const [jwk] = jwks.keys;
  assert.equal(jwk.kid, expected.kid);
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  assert.equal(b64url(createHash('sha256').update(canonical).digest()), jwk.kid);
});

test('a full credential verifies and discloses every claim', async () => {
  const sdJwt = read('credential.sd-jwt');
  const { header, payload } = await verify(sdJwt);
  assert.equal(header.typ, 'dc+sd-jwt');
  assert.equal(header.alg, 'ES256');
  assert.equal(payload.iss, expected.iss);
  assert.equal(payload.vct, expected.vct);
  for (const [name, value] of Object.entries(expected.claims)) {
    assert.deepEqual(payload[name], value, name);
  }
});

test('a presentation verifies and discloses only the chosen claims', async () => {
  const sdJwt = read('presentation.sd-jwt');
  const { payload } = await verify(sdJwt);
  for (const name of Object.keys(expected.claims)) {
    if (expected.presented.includes(name)) {
      assert.deepEqual(payload[name], expected.claims[name], name);
    } else {
      assert.equal(payload[name], undefined, `${name} stays hidden`);
    }
  }
});

// @sd-jwt 0.19 drops a disclosure whose digest the issuer did not sign instead of rejecting the
// whole SD-JWT (RFC 9901 §7.1 asks for rejection, which our verifier does): either way the altered
// value must never come out as a disclosed claim.
test('an altered disclosure is never accepted', async () => {
  const sdJwt = read('credential.sd-jwt');
  const parts = sdJwt.split('~');
  const i = parts.findIndex((d, k) => k > 0 && d && decodeSegment(d)[1] === 'holder_name');
  assert.ok(i > 0);
  const [salt, name] = decodeSegment(parts[i]);
  parts[i] = b64url(JSON.stringify([salt, name, '江宁市李四小吃店']));
  const outcome = await verify(parts.join('~')).then(
    ({ payload }) => payload,
    () => null,
  );
  if (outcome) assert.equal(outcome.holder_name, undefined, 'altered value dropped');
});

test('a changed payload (forged signature) is rejected', async () => {
  const sdJwt = read('credential.sd-jwt');
  const [jwt, ...rest] = sdJwt.split('~');
  const [h, p, s] = jwt.split('.');
  const payload = decodeSegment(p);
  payload.status.status_list.idx = 0;
  const forged = [h, b64url(JSON.stringify(payload)), s].join('.');
  await assert.rejects(verify([forged, ...rest].join('~')), /signature/i);
});

test('revoked and suspended credentials fail on their status', async () => {
  await assert.rejects(verify(read('revoked.sd-jwt')), /status/i);
  await assert.rejects(verify(read('suspended.sd-jwt')), /status/i);
});

test('the status list decodes to the statuses we wrote', () => {
  const header = decodeSegment(statusListJwt.split('.')[0]);
  const payload = decodeSegment(statusListJwt.split('.')[1]);
  assert.equal(header.typ, 'statuslist+jwt');
  assert.equal(payload.sub, expected.status_list_uri);
  assert.equal(payload.status_list.bits, 2);
  const list = getListFromStatusListJWT(statusListJwt);
  const direct = StatusList.decompressStatusList(payload.status_list.lst, 2);
  expected.statuses.forEach((status, i) => {
    assert.equal(list.getStatus(i), status, `index ${i}`);
    assert.equal(direct.getStatus(i), status, `index ${i}`);
  });
});
