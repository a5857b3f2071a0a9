// A video picked on the victim page: the page has no video decoder, so it
// sends the file's exact fingerprints (MD5, SHA-256: they find identical
// copies) and says so, in the victim's language; the video itself is never
// sent (no request carries its bytes).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';

import { recordingContext, viewports } from './support/browser.mjs';
import { liveServiceAndBrowser } from './support/server.mjs';

const live = liveServiceAndBrowser();

test('a video gets its exact fingerprints and a plain explanation', async () => {
  // An MP4's first box, then bytes no decoder makes sense of.
  const bytes = Buffer.concat([
    Buffer.from('0000001866747970697336d000000000069736f6d61766331', 'hex'),
    randomBytes(48 * 1024),
  ]);
  const { context, problems, requests } =
    await recordingContext(live.browser, { viewport: viewports.phone, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(live.server.url + '/');
  await page.getByTestId('file-input').setInputFiles([
    { name: 'clip.mp4', mimeType: 'video/mp4', buffer: bytes },
  ]);
  const item = page.getByTestId('photo-item').first();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="photo-item"]')?.dataset.state === 'error',
    null, { timeout: 30_000 });
  assert.equal(await item.getAttribute('data-md5'), createHash('md5').update(bytes).digest('hex'));
  assert.equal(await item.getAttribute('data-sha256'), createHash('sha256').update(bytes).digest('hex'));
  const message = await item.locator('.photo__error').textContent();
  assert.match(message, /This is a video/);
  assert.match(message, /MD5 and SHA-256/);
  // Nothing the page sent holds the file's bytes.
  const slice = bytes.subarray(1024, 1056);
  for (const request of requests) {
    const body = request.body ?? Buffer.alloc(0);
    assert.equal(body.indexOf(slice), -1, `${request.url} carries the video`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});
