// Hashes in the browser equal the CLI's: every PDQ conformance image, and the
// media fixtures in every format the victim page accepts, go through the
// page's own Web Worker and WebAssembly module in Chromium; PDQ (distance 0),
// quality, MD5 and SHA-256 must equal `rempart hash`'s, and undecodable files
// must fail the same way in both. Patch signatures come from floating-point
// scale spaces whose last bits may differ between the browser's maths library
// and the CLI's: each browser patch must have a CLI twin at the same place
// within a few bits (in practice nearly all are identical).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { recordingContext } from './support/browser.mjs';
import { cliHashes, liveServiceAndBrowser, repoRoot, sharedDir } from './support/server.mjs';

// A signature's patches (hash/patches.h: a 7-byte header, then 39 bytes a
// patch: x, y, side as 16-bit fractions, quality, a 32-byte hash) and, in
// version 2, its centred crops (a count, then 35 bytes a crop: keep as a
// 16-bit fraction, quality, a 32-byte hash).
function cropsOf(hex) {
  if (!hex) return [];
  const bytes = Buffer.from(hex, 'hex');
  if (bytes[0] !== 2) return [];
  const at = 7 + 39 * bytes.readUInt16BE(5);
  const crops = [];
  for (let i = 0; i < bytes[at]; ++i) {
    const record = at + 1 + 35 * i;
    crops.push({ keep: bytes.readUInt16BE(record), hash: bytes.subarray(record + 3, record + 35) });
  }
  return crops;
}

function patchesOf(hex) {
  if (!hex) return [];
  const bytes = Buffer.from(hex, 'hex');
  const patches = [];
  for (let i = 0; i < bytes.readUInt16BE(5); ++i) {
    const at = 7 + 39 * i;
    patches.push({ x: bytes.readUInt16BE(at), y: bytes.readUInt16BE(at + 2), hash: bytes.subarray(at + 7, at + 39) });
  }
  return patches;
}

function bitsApart(a, b) {
  let bits = 0;
  for (let i = 0; i < a.length; ++i) {
    for (let x = a[i] ^ b[i]; x; x >>= 1) bits += x & 1;
  }
  return bits;
}

// How many of `got`'s patches have no twin in `want`: a patch within 1/600
// of the picture, within 8 bits.
function patchesWithoutTwin(got, want) {
  return got.filter((patch) => !want.some((other) =>
    Math.abs(patch.x - other.x) < 110 && Math.abs(patch.y - other.y) < 110 &&
    bitsApart(patch.hash, other.hash) <= 8)).length;
}

function filesUnder(folder, keep) {
  const found = [];
  for (const name of readdirSync(folder).sort()) {
    const full = path.join(folder, name);
    if (statSync(full).isDirectory()) found.push(...filesUnder(full, keep));
    else if (keep.test(name)) found.push(full);
  }
  return found;
}

const images = [
  ...filesUnder(path.join(sharedDir, 'conformance/pdq/images'), /\.(jpe?g|png|webp)$/i),
  ...filesUnder(path.join(repoRoot, 'tests/fixtures/media'), /\.(jpe?g|png|webp|gif|bmp|tiff?|heic|avif)$/i),
];

const live = liveServiceAndBrowser();

test('the browser computes exactly what the CLI computes', async () => {
  assert.ok(images.length >= 64, `found ${images.length} images`);
  const cli = await cliHashes(images);
  const { context, problems } = await recordingContext(live.browser);
  // The files reach the page as if picked from disk: served by the test
  // under a path of their own, never by the service.
  await context.route('**/__images/**', (route) => {
    const index = Number(route.request().url().split('/__images/')[1]);
    route.fulfill({ status: 200, contentType: 'application/octet-stream', body: readFileSync(images[index]) });
  });
  const page = await context.newPage();
  await page.goto(live.server.url + '/');
  const results = await page.evaluate(async (count) => {
    const worker = new Worker('/js/hash-worker.js', { type: 'module' });
    const answers = new Map();
    worker.addEventListener('message', (event) => {
      if (event.data.result) answers.get(event.data.id)(event.data.result);
    });
    const out = [];
    for (let i = 0; i < count; ++i) {
      const blob = await (await fetch(`/__images/${i}`)).blob();
      const file = new File([blob], `image-${i}`);
      out.push(await new Promise((resolve) => {
        answers.set(i, resolve);
        worker.postMessage({ id: i, file });
      }));
    }
    worker.terminate();
    return out.map(({ thumbnail, ...rest }) => ({ ...rest, thumbnailWidth: thumbnail?.width ?? 0 }));
  }, images.length);

  let compared = 0;
  let identicalSignatures = 0;
  for (const [i, file] of images.entries()) {
    const want = cli.get(path.resolve(file));
    const got = results[i];
    assert.ok(want, `the CLI hashed ${file}`);
    assert.equal(got.md5, want.md5, `MD5 of ${file}`);
    assert.equal(got.sha256, want.sha256, `SHA-256 of ${file}`);
    if (want.error) {
      assert.equal(got.ok, false, `${file} fails in the browser as in the CLI (${want.error})`);
      continue;
    }
    assert.equal(got.ok, true, `${file}: ${got.error}`);
    assert.equal(got.pdq, want.pdq, `PDQ of ${file}`);
    assert.equal(got.quality, want.quality, `quality of ${file}`);
    const gotPatches = patchesOf(got.patches);
    const wantPatches = patchesOf(want.patches);
    assert.equal(gotPatches.length, wantPatches.length, `patches of ${file}`);
    assert.equal(patchesWithoutTwin(gotPatches, wantPatches), 0, `patches of ${file} have CLI twins`);
    const gotCrops = cropsOf(got.patches);
    const wantCrops = cropsOf(want.patches);
    assert.deepEqual(gotCrops.map((c) => c.keep), wantCrops.map((c) => c.keep), `crops of ${file}`);
    for (const [k, crop] of gotCrops.entries()) {
      assert.ok(bitsApart(crop.hash, wantCrops[k].hash) <= 8, `crop ${k} of ${file} is the CLI's`);
    }
    if (got.patches === want.patches) ++identicalSignatures;
    assert.ok(got.thumbnailWidth > 0, `a thumbnail of ${file}`);
    ++compared;
  }
  assert.ok(compared >= 64, `${compared} images compared at distance 0`);
  assert.ok(identicalSignatures >= compared * 0.9, `${identicalSignatures} of ${compared} signatures identical`);
  assert.deepEqual(problems, []);
  await context.close();
});
