// The whole loop in a real browser against a real service: a victim reports
// two photos from a phone (in French), an analyst verifies the case in the
// console and publishes it to a bank, a platform's match call finds both
// photos, and the victim's status page shows "verified" and the matches.
// Every request either page makes is recorded: none may carry image bytes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { recordingContext, screenshot, viewports } from './support/browser.mjs';
import { findImageBytes, imageWindows } from './support/image-bytes.mjs';
import { api, cliHashes, createKey, liveServiceAndBrowser, repoRoot, sharedDir } from './support/server.mjs';

const photos = [
  path.join(sharedDir, 'conformance/pdq/images/upstream/misc-images/modes/RGB.jpg'),
  path.join(repoRoot, 'tests/fixtures/media/source.heic'),
];

const live = liveServiceAndBrowser();

// Shows a screen at phone and desktop widths for docs/screens.
async function bothWidths(page, name, back = viewports.phone) {
  for (const [width, viewport] of Object.entries(viewports)) {
    await page.setViewportSize(viewport);
    await screenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize(back);
}

test('a victim report goes from the phone to a platform match and back to the victim', async () => {
  const analystKey = await createKey(live.server, 'analyst', 'hotline analyst');
  const platformKey = await createKey(live.server, 'platform', 'example platform');
  await api(live.server, 'POST', '/v1/banks', { key: live.server.adminKey, body: { name: 'ncii', description: 'verified reports' } });
  const expected = await cliHashes(photos);

  // The victim, on a phone, in French.
  const victim = await recordingContext(live.browser, { viewport: viewports.phone, locale: 'fr-FR', isMobile: true });
  const page = await victim.context.newPage();
  await page.goto(live.server.url + '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await bothWidths(page, 'victim-1-welcome');

  await page.getByTestId('file-input').setInputFiles(photos);
  const items = page.getByTestId('photo-item');
  await assert.doesNotReject(items.nth(1).waitFor());
  await page.waitForFunction(() => {
    const all = [...document.querySelectorAll('[data-testid="photo-item"]')];
    return all.length === 2 && all.every((item) => item.dataset.state === 'done');
  }, null, { timeout: 60_000 });
  const hashed = [];
  for (let i = 0; i < 2; ++i) {
    const item = items.nth(i);
    hashed.push({
      pdq: await item.getAttribute('data-pdq'),
      md5: await item.getAttribute('data-md5'),
      sha256: await item.getAttribute('data-sha256'),
    });
  }
  for (const [i, file] of photos.entries()) {
    const cli = expected.get(path.resolve(file));
    assert.deepEqual(hashed[i], { pdq: cli.pdq, md5: cli.md5, sha256: cli.sha256 }, `browser hashes of ${file}`);
  }
  await bothWidths(page, 'victim-2-photos');

  await page.getByTestId('category-sextortion').check();
  await page.getByTestId('contact').fill('victime@example.org');
  await page.getByTestId('consent').check();
  await page.getByTestId('submit-report').click();
  await page.waitForFunction(
    () => /RMP-/.test(document.querySelector('[data-testid="case-code"]')?.textContent ?? ''), null, { timeout: 15_000 });
  const code = (await page.getByTestId('case-code').textContent()).trim();
  const secret = (await page.getByTestId('case-secret').textContent()).trim();
  assert.match(code, /^RMP-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.ok(secret.replace(/[^0-9A-Z]/gi, '').length >= 20, `case secret "${secret}"`);
  await bothWidths(page, 'victim-3-case-code');

  // The report reached the service: six hashes, the category, sealed contact.
  const staffView = await api(live.server, 'GET', `/v1/cases/${code}`, { key: analystKey });
  assert.equal(staffView.status, 'received');
  assert.equal(staffView.category, 'sextortion');
  assert.equal(staffView.contact, 'victime@example.org');
  assert.deepEqual(
    new Set(staffView.hashes.map((h) => `${h.kind}:${h.value}`)),
    new Set(hashed.flatMap((h) => [`pdq:${h.pdq}`, `md5:${h.md5}`, `sha256:${h.sha256}`])),
  );
  // Each photo's patch signature came with its PDQ hash, for the second stage.
  for (const item of staffView.hashes.filter((h) => h.kind === 'pdq')) {
    // Version 2: the header, patches of 39 bytes, then a count and centred
    // crops of 35 bytes.
    assert.match(item.patches ?? '', /^02[0-9a-f]{12}([0-9a-f]{78})*[0-9a-f]{2}([0-9a-f]{70})+$/, `the signature of ${item.value}`);
  }

  // The analyst, at a desk, in the console.
  const analyst = await recordingContext(live.browser, { viewport: viewports.desktop });
  const desk = await analyst.context.newPage();
  await desk.goto(live.server.url + '/console/');
  await desk.getByTestId('key-input').fill(analystKey);
  await desk.getByTestId('sign-in').click();
  const row = desk.locator(`[data-testid="queue-row"][data-code="${code}"]`);
  await row.waitFor({ timeout: 15_000 });
  await bothWidths(desk, 'console-1-queue', viewports.desktop);
  await row.click();
  await desk.getByTestId('bank-select').selectOption('ncii');
  await bothWidths(desk, 'console-2-case', viewports.desktop);
  await desk.getByTestId('verify-publish').click();
  await desk.waitForFunction(
    () => /verified|vérifié/i.test(document.querySelector('[data-testid="case-status"]')?.textContent ?? ''),
    null, { timeout: 15_000 });

  // A platform checks an upload against the bank: both photos match.
  const match = await api(live.server, 'POST', '/v1/match', {
    key: platformKey,
    body: { queries: hashed.map((h) => ({ pdq: h.pdq })) },
  });
  for (const [i, result] of match.results.entries()) {
    assert.equal(result.matches.length, 1, `photo ${i} matches once`);
    assert.equal(result.matches[0].bank, 'ncii');
    assert.equal(result.matches[0].distance, 0);
  }

  // The victim follows the case: verified, sent to one platform, two matches.
  await page.goto(live.server.url + '/#status');
  await page.getByTestId('status-code').fill(code.toLowerCase());
  await page.getByTestId('status-secret').fill(secret);
  await page.getByTestId('status-submit').click();
  await page.getByTestId('status-step-verified').waitFor({ timeout: 15_000 });
  assert.match(await page.getByTestId('status-platforms').textContent(), /\b1\b/);
  assert.match(await page.getByTestId('status-matches').textContent(), /\b2\b/);
  await bothWidths(page, 'victim-4-status');

  // Nothing either page sent held image bytes; nothing left loopback.
  const windows = photos.flatMap((file) => imageWindows(readFileSync(file)));
  assert.ok(findImageBytes(readFileSync(photos[0]).subarray(1000, 2000), windows), 'the detector sees a slice');
  const all = [...victim.requests, ...analyst.requests];
  assert.ok(all.some((r) => r.method === 'POST' && r.url.endsWith('/v1/reports')), 'the report was recorded');
  for (const request of all) {
    assert.ok(request.url.startsWith(live.server.url + '/'), `request to ${request.url}`);
    const found = findImageBytes(request.body, windows);
    assert.equal(found, null, `${request.method} ${request.url} carries ${found}`);
  }
  assert.deepEqual([...victim.problems, ...analyst.problems], []);
  await victim.context.close();
  await analyst.context.close();
});
