// Prerequisites the node tests may find missing: Chromium, playwright-core, the server a page test
// drives. A skipped test counts as a pass, so a missing prerequisite FAILS the test file that
// needs it, naming what is missing and how to install it. For a local run without some of them,
// YIWANG_TESTS_MAY_SKIP=1 turns those failures into skips; CI never sets it. (The C++ tests
// follow the same rule: tests/support/prerequisites.h.)
export const maySkip = process.env.YIWANG_TESTS_MAY_SKIP === '1';

export function missingMessage(what) {
  return `missing test prerequisite: ${what}. (For a local run without it, YIWANG_TESTS_MAY_SKIP=1 ` +
    'skips the tests that need it; never set it in CI.)';
}

// The `skip` option for node:test when `missing` (a description, or a falsy value) may be
// missing: false when it is not; the description with YIWANG_TESTS_MAY_SKIP=1; otherwise it
// throws, which fails the test file that asked, at load, with the message.
export function prerequisite(missing) {
  if (!missing) return false;
  if (maySkip) {
    console.log(`# skipped (YIWANG_TESTS_MAY_SKIP=1): ${missing}`);
    return missing;
  }
  throw new Error(missingMessage(missing));
}
