// Headless Chromium for the page tests: Debian's chromium driven by playwright-core, with the
// flags that keep it off the network. `skip` says why the page tests cannot run here, or is false.
import fs from 'node:fs';

export const chromiumPath = process.env.YIWANG_CHROMIUM || '/usr/bin/chromium';
export const launchArgs = ['--no-sandbox', '--headless=new', '--disable-background-networking',
  '--no-first-run', '--disable-component-update', '--disable-sync', '--disable-default-apps',
  '--disable-domain-reliability'];

export let chromium = null;
export let skip = false;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  skip = 'playwright-core is not installed (npm install in tests/node)';
}
if (!skip && !fs.existsSync(chromiumPath)) skip = `no Chromium at ${chromiumPath} (apt-get install chromium)`;

export const launch = () => chromium.launch({ executablePath: chromiumPath, args: launchArgs });
