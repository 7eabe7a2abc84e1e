// Headless Chromium for the page tests: Debian's chromium driven by playwright-core, with the
// flags that keep it off the network. Without either, importing this module fails the test file
// with what is missing (prerequisites.mjs); `skip` is false, or with YIWANG_TESTS_MAY_SKIP=1 the
// reason the page tests are skipped.
import fs from 'node:fs';

import { prerequisite } from './prerequisites.mjs';

export const chromiumPath = process.env.YIWANG_CHROMIUM || '/usr/bin/chromium';
export const launchArgs = ['--no-sandbox', '--headless=new', '--disable-background-networking',
  '--no-first-run', '--disable-component-update', '--disable-sync', '--disable-default-apps',
  '--disable-domain-reliability'];

export let chromium = null;
let missing = null;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  missing = 'playwright-core is not installed in tests/node/node_modules ' +
    '(run scripts/install-deps.sh, or `npm ci` in tests/node)';
}
if (!missing && !fs.existsSync(chromiumPath)) {
  missing = `no Chromium at ${chromiumPath} (run scripts/install-deps.sh, which installs Debian's ` +
    'chromium, or point YIWANG_CHROMIUM at a Chromium executable)';
}
export const skip = prerequisite(missing);

export const launch = () => chromium.launch({ executablePath: chromiumPath, args: launchArgs });
