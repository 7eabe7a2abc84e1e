// Parses and validates docs/openapi.json with an independent OpenAPI 3.1 parser, and checks that it
// describes exactly the routes the server registers (the route list is dumped by test_api).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { validate } from '@readme/openapi-parser';

import { maySkip, missingMessage } from './prerequisites.mjs';

const root = process.env.YIWANG_SOURCE_DIR ?? new URL('../..', import.meta.url).pathname;
const spec = JSON.parse(readFileSync(`${root}/docs/openapi.json`, 'utf8'));

test('openapi.json is a valid OpenAPI 3.1 document', async () => {
  assert.equal(spec.openapi.startsWith('3.1'), true);
  const result = await validate(structuredClone(spec));
  assert.equal(result.valid, true, JSON.stringify(result.errors ?? result, null, 2));
});

test('every operation has an id, a summary and responses with problem+json errors', () => {
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters') continue;
      assert.ok(op.operationId, `${method} ${path} has operationId`);
      assert.ok(op.summary, `${method} ${path} has summary`);
      assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${path} has responses`);
    }
  }
});

// ctest (node_openapi) sets YIWANG_ROUTES_FILE; without it this test fails, unless
// YIWANG_TESTS_MAY_SKIP=1.
const noRoutes = !process.env.YIWANG_ROUTES_FILE && 'YIWANG_ROUTES_FILE is not set (test_api writes the route list; run through ctest)';
test('the document and the server agree on the routes', { skip: maySkip && noRoutes }, () => {
  const file = process.env.YIWANG_ROUTES_FILE;
  assert.ok(!noRoutes, noRoutes && missingMessage(noRoutes));
  assert.ok(existsSync(file), `${file} written by test_api`);
  const served = new Set(readFileSync(file, 'utf8').trim().split('\n'));
  const documented = new Set();
  for (const [path, item] of Object.entries(spec.paths))
    for (const method of Object.keys(item)) if (method !== 'parameters') documented.add(`${method.toUpperCase()} ${path}`);
  const undocumented = [...served].filter((r) => !documented.has(r));
  const unserved = [...documented].filter((r) => !served.has(r));
  assert.deepEqual(undocumented, [], 'served but not documented');
  assert.deepEqual(unserved, [], 'documented but not served');
});
