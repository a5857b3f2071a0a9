// What the pages promise about themselves: a strict Content-Security-Policy
// and no violations of it, nothing fetched from anywhere but the service,
// labels for every control, a language that follows the browser and the
// switch, a layout that fits a 360-pixel phone, and keyboard access.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { recordingContext } from './support/browser.mjs';
import { liveServiceAndBrowser } from './support/server.mjs';

const pages = ['/', '/console/'];
const live = liveServiceAndBrowser();

test('pages are served with a strict policy and security headers', async () => {
  for (const route of pages) {
    const response = await fetch(live.server.url + route);
    assert.equal(response.status, 200, route);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/, `${route} CSP`);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/, `${route} CSP scripts`);
    assert.match(csp, /frame-ancestors 'none'/, `${route} CSP framing`);
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|\*|https?:|data:/, `${route} CSP allows nothing loose`);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  }
});

test('pages load with no policy violation, no error and nothing off the service', async () => {
  for (const route of pages) {
    const { context, requests, problems } = await recordingContext(live.browser);
    const page = await context.newPage();
    await page.goto(live.server.url + route, { waitUntil: 'networkidle' });
    for (const request of requests) {
      assert.ok(request.url.startsWith(live.server.url + '/'), `${route} requested ${request.url}`);
    }
    assert.deepEqual(problems, [], route);
    await context.close();
  }
});

test('every control has a name, and the page fits a 360-pixel phone', async () => {
  for (const route of pages) {
    const { context } = await recordingContext(live.browser, { viewport: { width: 360, height: 740 }, isMobile: true });
    const page = await context.newPage();
    await page.goto(live.server.url + route);
    const unnamed = await page.evaluate(() => {
      const controls = [...document.querySelectorAll('input, select, textarea, button')]
        .filter((el) => el.type !== 'hidden' && el.getClientRects().length > 0);
      return controls.filter((el) => {
        const name = el.getAttribute('aria-label') || (el.labels && [...el.labels].map((l) => l.textContent).join(''))
          || (el.getAttribute('aria-labelledby') || '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join('')
          || (el.tagName === 'BUTTON' ? el.textContent : '') || el.title;
        return !name || !name.trim();
      }).map((el) => el.outerHTML.slice(0, 120));
    });
    assert.deepEqual(unnamed, [], `${route}: controls without an accessible name`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${route} scrolls sideways by ${overflow}px at 360px`);
    assert.ok(await page.locator('main').count() >= 1, `${route} has a main landmark`);
    await context.close();
  }
});

test('the victim page speaks the browser\'s language and switches on request', async () => {
  for (const [locale, lang] of [['fr-FR', 'fr'], ['en-GB', 'en'], ['de-DE', 'en']]) {
    const { context } = await recordingContext(live.browser, { locale });
    const page = await context.newPage();
    await page.goto(live.server.url + '/');
    assert.equal(await page.getAttribute('html', 'lang'), lang, locale);
    if (locale === 'fr-FR') {
      const heading = page.locator('h1').first();
      const before = await heading.textContent();
      await page.getByTestId('lang-switch').click();
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      assert.notEqual(await heading.textContent(), before, 'the heading changed language');
      await page.reload();
      assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice is remembered');
    }
    await context.close();
  }
});

test('the report form is reachable and usable from the keyboard alone', async () => {
  const { context } = await recordingContext(live.browser);
  const page = await context.newPage();
  await page.goto(live.server.url + '/');
  const reached = new Set();
  for (let i = 0; i < 60; ++i) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.dataset?.testid ?? '');
    if (id) reached.add(id);
  }
  for (const id of ['lang-switch', 'file-input', 'consent', 'submit-report']) {
    assert.ok(reached.has(id), `Tab reaches ${id} (reached: ${[...reached].join(', ')})`);
  }
  const outline = await page.evaluate(() => {
    const box = document.querySelector('[data-testid="consent"]');
    box.focus();
    const style = getComputedStyle(box);
    return `${style.outlineStyle} ${style.outlineWidth} ${style.boxShadow}`;
  });
  assert.doesNotMatch(outline, /^none 0px none$/, 'focus is visible');
  await context.close();
});
