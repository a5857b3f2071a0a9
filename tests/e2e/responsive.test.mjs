// A 12-megapixel photo hashes without freezing the page: hashing runs in a
// Web Worker, so the page keeps painting frames and answering input while
// the worker decodes. The photo is made by Chromium itself (a canvas encoded
// as JPEG), so nothing is downloaded, and its hashes must still equal the
// CLI's.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { recordingContext, viewports } from './support/browser.mjs';
import { cliHashes, liveServiceAndBrowser } from './support/server.mjs';

const live = liveServiceAndBrowser();
let scratch;

before(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'rempart-e2e-photo-'));
});

after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

test('a 12-megapixel JPEG hashes while the page stays responsive', async (t) => {
  const { context, problems } = await recordingContext(live.browser, { viewport: viewports.phone, isMobile: true });
  const page = await context.newPage();
  await page.goto(live.server.url + '/');

  // 4000 × 3000 with gradients, discs and noise: a photo's worth of detail.
  const base64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(4000, 3000);
    const g = canvas.getContext('2d');
    const gradient = g.createLinearGradient(0, 0, 4000, 3000);
    gradient.addColorStop(0, '#20406a');
    gradient.addColorStop(1, '#e0a050');
    g.fillStyle = gradient;
    g.fillRect(0, 0, 4000, 3000);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 300; ++i) {
      g.fillStyle = `rgb(${random() * 255},${random() * 255},${random() * 255})`;
      g.beginPath();
      g.arc(random() * 4000, random() * 3000, 20 + random() * 300, 0, 2 * Math.PI);
      g.fill();
    }
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  });
  const photo = path.join(scratch, 'twelve-megapixels.jpg');
  writeFileSync(photo, Buffer.from(base64, 'base64'));

  // Count frames and the longest gap between them while the worker hashes.
  await page.evaluate(() => {
    window.__frames = { count: 0, longest: 0, last: performance.now(), running: true };
    const tick = (now) => {
      const f = window.__frames;
      f.longest = Math.max(f.longest, now - f.last);
      f.last = now;
      f.count += 1;
      if (f.running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const picked = Date.now();
  await page.getByTestId('file-input').setInputFiles(photo);
  const item = page.getByTestId('photo-item').first();
  await item.waitFor();
  // While it hashes, the page still answers: a click on the consent box
  // lands at once.
  const clickStarted = Date.now();
  await page.getByTestId('consent').check({ timeout: 2_000 });
  const clickMs = Date.now() - clickStarted;
  await page.waitForFunction(
    () => document.querySelector('[data-testid="photo-item"]')?.dataset.state === 'done', null, { timeout: 120_000 });
  const hashMs = Date.now() - picked;
  const frames = await page.evaluate(() => { window.__frames.running = false; return window.__frames; });
  t.diagnostic(`picked to hashed ${hashMs} ms; ${frames.count} frames, longest gap ${frames.longest.toFixed(0)} ms; a click ${clickMs} ms`);

  assert.ok(frames.count > 10, `${frames.count} frames painted while hashing`);
  assert.ok(frames.longest < 500, `longest gap between frames ${frames.longest.toFixed(0)} ms`);
  assert.ok(clickMs < 2_000, `a click took ${clickMs} ms`);

  const cli = (await cliHashes([photo])).get(path.resolve(photo));
  assert.equal(cli.width, 4000);
  assert.equal(await item.getAttribute('data-pdq'), cli.pdq);
  assert.equal(await item.getAttribute('data-md5'), cli.md5);
  assert.deepEqual(problems, []);
  await context.close();
});
