// The analyst's other answers, in the console: search by code and by hash,
// ask the victim for more information (the victim reads it and replies on
// the status page), reject several cases at once with a reason the victims
// then read, and an audit log that still verifies after all of it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { recordingContext, screenshot, viewports } from './support/browser.mjs';
import { api, createKey, liveServiceAndBrowser, rempartBin } from './support/server.mjs';

const live = liveServiceAndBrowser();

const hex = (seed, length) => Array.from({ length }, (_, i) => ((seed * 7 + i * 13) % 16).toString(16)).join('');

async function report(seed, category = 'intimate_image') {
  return api(live.server, 'POST', '/v1/reports', {
    body: {
      category,
      consent: true,
      language: 'en',
      hashes: [{ kind: 'pdq', value: hex(seed, 64) }, { kind: 'md5', value: hex(seed + 1, 32) }],
    },
  });
}

async function openStatus(page, made) {
  await page.goto(live.server.url + '/#status');
  await page.getByTestId('status-code').fill(made.case_code);
  await page.getByTestId('status-secret').fill(made.case_secret);
  await page.getByTestId('status-submit').click();
}

test('an analyst searches, asks for more, and rejects in bulk; victims see why', async () => {
  const analystKey = await createKey(live.server, 'analyst', 'hotline analyst');
  const asked = await report(1, 'synthetic');
  const doubles = [await report(2), await report(3)];

  const analyst = await recordingContext(live.browser, { viewport: viewports.desktop });
  const desk = await analyst.context.newPage();
  await desk.goto(live.server.url + '/console/');
  await desk.getByTestId('key-input').fill(analystKey);
  await desk.getByTestId('sign-in').click();
  await desk.getByTestId('queue-row').first().waitFor();
  assert.equal(await desk.getByTestId('queue-row').count(), 3);

  // Search by the MD5 of the first report finds that case alone.
  await desk.getByTestId('search-input').fill(hex(2, 32));
  await desk.getByTestId('search-submit').click();
  await desk.waitForFunction((code) => {
    const rows = [...document.querySelectorAll('[data-testid="queue-row"]')];
    return rows.length === 1 && rows[0].dataset.code === code;
  }, asked.case_code);

  await desk.locator(`[data-testid="queue-row"][data-code="${asked.case_code}"]`).click();
  await desk.getByTestId('request-info-message').fill('Where was the image posted? A link helps us.');
  await desk.getByTestId('request-info-submit').click();
  await desk.waitForFunction(
    () => /needs.info|more information/i.test(document.querySelector('[data-testid="case-status"]')?.textContent ?? ''));

  // The victim reads the question and answers it.
  const victim = await recordingContext(live.browser, { viewport: viewports.phone, isMobile: true });
  const page = await victim.context.newPage();
  await openStatus(page, asked);
  await page.getByTestId('status-message').waitFor();
  assert.match(await page.getByTestId('status-message').textContent(), /Where was the image posted\?/);
  await screenshot(page, 'victim-5-needs-info-phone');
  await page.getByTestId('reply-message').fill('It was posted on a forum last week.');
  await page.getByTestId('reply-submit').click();
  await page.getByTestId('status-step-received').waitFor();
  const afterReply = await api(live.server, 'GET', `/v1/cases/${asked.case_code}`, { key: analystKey });
  assert.equal(afterReply.status, 'received');
  assert.equal(afterReply.replies.at(-1).message, 'It was posted on a forum last week.');

  // Two duplicates rejected at once from the queue.
  await desk.goto(live.server.url + '/console/');
  await desk.getByTestId('queue-row').first().waitFor();
  for (const made of doubles) {
    await desk.locator(`[data-testid="queue-row"][data-code="${made.case_code}"] [data-testid="row-select"]`).check();
  }
  await desk.getByTestId('bulk-action').selectOption('reject');
  await desk.getByTestId('bulk-reason').selectOption('duplicate');
  await desk.getByTestId('bulk-apply').click();
  for (const made of doubles) {
    await desk.waitForFunction(async ([url, key, code]) => {
      const response = await fetch(`${url}/v1/cases/${code}`, { headers: { Authorization: `Bearer ${key}` } });
      return (await response.json()).status === 'rejected';
    }, [live.server.url, analystKey, made.case_code]);
  }
  await screenshot(desk, 'console-3-bulk-desktop');

  await openStatus(page, doubles[0]);
  await page.getByTestId('status-step-rejected').waitFor();
  assert.match(await page.locator('main').textContent(), /already|duplicate|déjà/i);
  await screenshot(page, 'victim-6-rejected-phone');

  const rejected = await api(live.server, 'GET', `/v1/cases/${doubles[1].case_code}`, { key: analystKey });
  assert.equal(rejected.status_reason_code, 'duplicate');

  // Every step above is in the hash-chained audit log, and it verifies.
  const audit = spawnSync(rempartBin, ['audit', 'verify', '--data', live.server.data], { encoding: 'utf8' });
  assert.equal(audit.status, 0, audit.stdout + audit.stderr);
  await victim.context.close();
  await analyst.context.close();
});
