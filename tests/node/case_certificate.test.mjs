// The certificate the platform issued when a case completed (tests/api/flow_test.cpp writes it,
// with the issuer's published JWKS and the status list before and after revocation), checked with
// the independent @sd-jwt libraries: it verifies while valid and fails once revoked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, digest } from '@sd-jwt/crypto-nodejs';

const dir = `${process.env.YIWANG_CREDENTIAL_FIXTURES ?? ''}/case`;
const read = (name) => readFileSync(`${dir}/${name}`, 'utf8');
const decodeSegment = (seg) => JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'));

async function instance(sdJwt, statusListJwt) {
  const jwks = JSON.parse(read('jwks.json'));
  const header = decodeSegment(sdJwt.split('~')[0].split('.')[0]);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, `the issuer's JWKS has kid ${header.kid}`);
  return new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    verifier: await ES256.getVerifier(jwk),
    statusListFetcher: async (uri) => {
      assert.match(uri, /\/api\/v1\/status-lists\//);
      return statusListJwt;
    },
  });
}

test('fixtures from the API flow test exist', () => {
  assert.ok(existsSync(`${dir}/credential.sd-jwt`), `run test_api first (looked in ${dir})`);
});

test('the case-issued licence verifies with the published issuer key while valid', async () => {
  const sdJwt = read('credential.sd-jwt');
  const { payload } = await (await instance(sdJwt, read('status-valid.jwt'))).verify(sdJwt);
  assert.match(payload.vct, /\/vct\//);
  assert.equal(payload.status.status_list.idx, Number(read('index.txt')));
  assert.ok(payload.identifier.startsWith('1.2.156.3005.2.'), payload.identifier);
});

test('the same licence fails once the issuer revoked it', async () => {
  const sdJwt = read('credential.sd-jwt');
  const revoked = await instance(sdJwt, read('status-revoked.jwt'));
  await assert.rejects(revoked.verify(sdJwt), /status/i);
});
