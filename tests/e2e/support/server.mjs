// A real `rempart serve` on loopback for one test file: a fresh data
// directory, the bootstrap admin key, and keys and a bank made through the
// API exactly as an operator would.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchBrowser } from './browser.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const buildDir = path.resolve(repoRoot, process.env.REMPART_BUILD_DIR ?? 'build/release');
export const rempartBin = path.join(buildDir, 'rempart');
export const sharedDir = path.resolve(process.env.REMPART_SHARED_DIR ?? path.join(repoRoot, '../shared'));

// Starts the service and resolves once it listens. `stop()` sends SIGTERM,
// waits for a clean exit and removes the data directory.
export async function startServer({ extraArgs = [] } = {}) {
  const data = mkdtempSync(path.join(tmpdir(), 'rempart-e2e-'));
  const child = spawn(rempartBin, ['serve', '--data', data, '--listen', '127.0.0.1:0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk) => { log += chunk; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`rempart serve did not start in 60 s:\n${out}\n${log}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const found = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rempart serve exited with ${code} before listening:\n${out}\n${log}`));
    });
  });
  const adminKey = readFileSync(path.join(data, 'secrets', 'admin.key'), 'utf8').trim();
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    url,
    data,
    adminKey,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      const result = await exited;
      rmSync(data, { recursive: true, force: true });
      return result;
    },
  };
}

// One JSON API call; throws with the service's error text on a non-2xx.
export async function api(server, method, route, { key, body, headers = {} } = {}) {
  const response = await fetch(server.url + route, {
    method,
    headers: {
      ...(key ? { Authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} → ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function createKey(server, role, name) {
  const made = await api(server, 'POST', '/v1/keys', { key: server.adminKey, body: { role, name } });
  return made.key;
}

// The hashes `rempart hash --patches --format json` prints for each file, by
// path (patch signatures included, as the victim page computes them).
export function cliHashes(files) {
  return new Promise((resolve, reject) => {
    const child = spawn(rempartBin, ['hash', '--patches', '--format', 'json', '-q', '-j', '1', ...files]);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => { out += chunk; });
    child.stderr.on('data', (chunk) => { err += chunk; });
    child.on('exit', () => {
      const byPath = new Map();
      for (const line of out.split('\n').filter(Boolean)) {
        const record = JSON.parse(line);
        byPath.set(path.resolve(record.path), record);
      }
      if (byPath.size === 0) reject(new Error(`rempart hash printed nothing: ${err}`));
      else resolve(byPath);
    });
  });
}

// For a test file: a service and a browser started before its tests and
// stopped after them; the service must then exit cleanly. Read them as
// `live.server` and `live.browser` inside the tests.
export function liveServiceAndBrowser() {
  const live = { server: null, browser: null };
  before(async () => {
    live.server = await startServer();
    live.browser = await launchBrowser();
  });
  after(async () => {
    await live.browser?.close();
    if (live.server) {
      const exit = await live.server.stop();
      assert.equal(exit.code, 0, `rempart serve exited uncleanly:\n${live.server.log()}`);
    }
  });
  return live;
}
