// Debian's Chromium driven by playwright-core: headless, no background
// networking (this machine's network is closed, and a test must not depend
// on anything but the loopback service), a fresh profile each launch.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.REMPART_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-default-apps', '--disable-features=Translate,MediaRouter,OptimizationHints',
    ],
  });
}

// A browser context that keeps every request it makes (pages and workers)
// with its body, and every Content-Security-Policy violation and page error
// it sees, for the tests to assert on.
export async function recordingContext(browser, { viewport = viewports.desktop, locale = 'en-GB', isMobile = false } = {}) {
  const context = await browser.newContext({ viewport, locale, isMobile, hasTouch: isMobile });
  const requests = [];
  const problems = [];
  context.on('request', (request) => {
    requests.push({ method: request.method(), url: request.url(), body: request.postDataBuffer() ?? Buffer.alloc(0) });
  });
  context.on('page', (page) => watchPage(page, problems));
  // Report CSP violations from inside the page: they never reach the network.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`csp-violation ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return { context, requests, problems };
}

function watchPage(page, problems) {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('worker', (worker) => {
    worker.on('console', (message) => {
      if (message.type() === 'error') problems.push(`worker console error: ${message.text()}`);
    });
  });
}

// Screenshots for docs/screens when REMPART_SCREENSHOTS names a folder.
export async function screenshot(page, name) {
  const folder = process.env.REMPART_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: path.join(folder, `${name}.png`), fullPage: true });
}
