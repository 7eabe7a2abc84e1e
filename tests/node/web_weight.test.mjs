// Weight of the citizen path: the gzip-compressed JavaScript a phone downloads to search, read a
// guide, sign in, apply and follow its cases must stay within 350 KB (issue #5). Measured from
// the bytes Chromium actually received; the cockpit and admin chunks must not be among them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { skip, withBrowser, openPage, goto, PHONE, signIn, callApi, shotDir } from './web.mjs';

const BUDGET = 350 * 1024;

test('the citizen path loads at most 350 KB of gzipped JavaScript', { skip }, async () => {
  const session = await signIn('zhangsan');
  const items = await callApi(session, 'GET', '/api/v1/items?limit=5');
  const code = (items.items || items)[0].code;
  const mine = await callApi(session, 'GET', '/api/v1/cases?mine=true&limit=1');
  const caseId = (mine.cases || mine.items || mine)[0]?.id;

  await withBrowser(async (browser) => {
    const page = await openPage(browser, { viewport: PHONE, user: 'zhangsan' });
    const scripts = new Map();
    page.on('requestfinished', async (request) => {
      if (request.resourceType() !== 'script') return;
      const response = await request.response();
      const sizes = await request.sizes();
      scripts.set(request.url(), {
        encoded: sizes.responseBodySize,
        gzip: (response?.headers()['content-encoding'] || '') === 'gzip',
      });
    });
    const route = ['/', `/items/${code}`, `/apply/${code}`, '/my/cases', '/my/inbox'];
    if (caseId) route.push(`/my/cases/${caseId}`);
    for (const r of route) await goto(page, r);

    const urls = [...scripts.keys()];
    const total = [...scripts.values()].reduce((sum, s) => sum + s.encoded, 0);
    fs.mkdirSync(shotDir, { recursive: true });
    fs.writeFileSync(path.join(shotDir, '..', 'web-weight.json'),
      JSON.stringify({ total_gzip_bytes: total, scripts: Object.fromEntries(scripts) }, null, 2));
    console.log(`citizen path: ${urls.length} scripts, ${(total / 1024).toFixed(1)} KB gzipped`);
    assert.ok(urls.length > 0, 'scripts were loaded');
    assert.ok([...scripts.values()].every((s) => s.gzip), 'every script came gzip-compressed');
    assert.ok(!urls.some((u) => /Cockpit|echarts|Admin|ItemEdit/i.test(u)), `no cockpit or admin chunk: ${urls.join(' ')}`);
    assert.ok(total <= BUDGET, `${total} bytes > ${BUDGET}`);
    assert.deepEqual(page.problems, []);
  });
});
