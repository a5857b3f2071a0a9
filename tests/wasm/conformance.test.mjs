// The browser's hashing module computes what `rempart hash` computes.
//
// Loads build/wasm/dist/rempart-hash.js (scripts/wasm.sh) in node and hashes
// every image of the PDQ conformance set and every media fixture, then
// truncated and corrupted copies of each, and compares every result with the
// native CLI's `rempart hash --format json` on the same bytes: PDQ (distance
// 0), quality, MD5, SHA-256, format and size — or, for bytes the CLI cannot
// hash, the same error and digests. Also: hostile inputs never throw or
// abort, a huge declared size is refused by the limits, large photos hash,
// and thumbnails respect thumb_max.
//
//   node --no-experimental-fetch tests/wasm/conformance.test.mjs
//
// Environment: REMPART_BINARY (the native `rempart`), REMPART_WASM_DIST,
// REMPART_SHARED_DIR, REMPART_SOURCE_DIR (CTest sets them:
// tests/wasm/CMakeLists.txt). Exits 77 (CTest: skipped) when the module has
// not been built.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const sourceDir = process.env.REMPART_SOURCE_DIR ?? path.resolve(here, '../..');
const sharedDir = process.env.REMPART_SHARED_DIR ?? path.resolve(sourceDir, '../shared');
const distDir = process.env.REMPART_WASM_DIST ?? path.join(sourceDir, 'build/wasm/dist');
const binary = process.env.REMPART_BINARY ?? path.join(sourceDir, 'build/release/rempart');
const SKIP = 77;

const moduleJs = path.join(distDir, 'rempart-hash.js');
const moduleWasm = path.join(distDir, 'rempart-hash.wasm');
if (!fs.existsSync(moduleJs) || !fs.existsSync(moduleWasm)) {
  console.log(`skipped: no WebAssembly module in ${distDir} (run scripts/wasm.sh)`);
  process.exit(SKIP);
}
if (!fs.existsSync(binary)) {
  console.log(`skipped: no native rempart at ${binary}`);
  process.exit(SKIP);
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rempart-wasm-test-'));
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));

// The module, as the Worker uses it: an ES module factory. Node needs three
// things a browser does not: the file named .mjs (no package.json says
// "module"); the .wasm bytes handed over (no same-origin fetch); and
// `require`/`__dirname`, which emscripten 3.1.6's node branch uses even in
// an ES module (later emscripten versions define them itself).
const moduleCopy = path.join(scratch, 'rempart-hash.mjs');
fs.copyFileSync(moduleJs, moduleCopy);
globalThis.require = createRequire(import.meta.url);
globalThis.__dirname = distDir;
const { default: createRempartHash } = await import(pathToFileURL(moduleCopy).href);
const wasm = await createRempartHash({ wasmBinary: fs.readFileSync(moduleWasm) });
const rempartHash = wasm.cwrap('rempart_hash', 'number', ['number', 'number', 'number']);
const resultJson = wasm.cwrap('rempart_result_json', 'string', []);

function hashInBrowserModule(bytes, thumbMax = 0) {
  const pointer = wasm._malloc(Math.max(bytes.length, 1));
  assert.notEqual(pointer, 0, 'malloc failed');
  try {
    wasm.HEAPU8.set(bytes, pointer);
    const status = rempartHash(pointer, bytes.length, thumbMax);
    const result = JSON.parse(resultJson());
    assert.equal(status === 0, result.ok, `status ${status} vs ok ${result.ok}`);
    const width = wasm._rempart_thumbnail_width();
    const height = wasm._rempart_thumbnail_height();
    const rgba = wasm._rempart_thumbnail_rgba();
    result.thumbnail = { width, height, bytes: width > 0 ? width * height * 4 : 0,
                         pointer: rgba };
    return result;
  } finally {
    wasm._free(pointer);
  }
}

// The CLI's records for a list of files, by path.
function hashWithCli(files) {
  const run = spawnSync(binary, ['hash', '--format', 'json', '-q', '-j', '2', ...files],
                        { maxBuffer: 1 << 28, encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, `rempart hash exited ${run.status}: ${run.stderr}`);
  const records = new Map();
  for (const line of run.stdout.split('\n')) {
    if (line) records.set(JSON.parse(line).path, JSON.parse(line));
  }
  return records;
}

function digests(bytes) {
  return { md5: createHash('md5').update(bytes).digest('hex'),
           sha256: createHash('sha256').update(bytes).digest('hex') };
}

function hammingDistance(a, b) {
  let distance = 0;
  for (let i = 0; i < a.length; i += 8) {
    let x = parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16);
    for (; x !== 0; x &= x - 1) ++distance;
  }
  return distance;
}

// Compares one file's module result with the CLI's record; returns a short
// description for the summary.
function compare(file, bytes, cli, ours) {
  const where = path.relative(sourceDir, file);
  assert.ok(cli, `${where}: no CLI record`);
  const { md5, sha256 } = digests(bytes);
  assert.equal(ours.md5, md5, `${where}: md5 of the bytes`);
  assert.equal(ours.sha256, sha256, `${where}: sha256 of the bytes`);
  if (cli.error === null) {
    assert.equal(ours.ok, true, `${where}: the CLI hashed it, the module says ${ours.error}`);
    assert.equal(hammingDistance(ours.pdq, cli.pdq), 0,
                 `${where}: PDQ ${ours.pdq} vs CLI ${cli.pdq}`);
    assert.equal(ours.pdq, cli.pdq, where);
    assert.equal(ours.quality, cli.quality, `${where}: quality`);
    assert.equal(ours.mode, cli.mode, `${where}: mode`);
    assert.equal(ours.md5, cli.md5, `${where}: md5`);
    assert.equal(ours.sha256, cli.sha256, `${where}: sha256`);
    assert.equal(ours.format, cli.format, `${where}: format`);
    assert.equal(ours.width, cli.width, `${where}: width`);
    assert.equal(ours.height, cli.height, `${where}: height`);
    return 'equal';
  }
  assert.equal(ours.ok, false, `${where}: the CLI failed (${cli.error.message}), the module hashed it`);
  if (cli.md5 !== undefined) assert.equal(ours.md5, cli.md5, `${where}: md5`);
  if (cli.sha256 !== undefined) assert.equal(ours.sha256, cli.sha256, `${where}: sha256`);
  assert.equal(ours.code, cli.error.code, `${where}: error code (${ours.error} vs ${cli.error.message})`);
  return 'same-error';
}

function listFiles(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(full));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort();
}

const conformanceImages = listFiles(path.join(sharedDir, 'conformance/pdq/images'));
const mediaFixtures = listFiles(path.join(sourceDir, 'tests/fixtures/media'))
  .filter((file) => !/\.(sh|tsv|ppm|pgm)$/.test(file));

function compareAll(files) {
  const cli = hashWithCli(files);
  const counts = {};
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    const outcome = compare(file, bytes, cli.get(file), hashInBrowserModule(bytes, 160));
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  return counts;
}

test('module version', () => {
  assert.match(wasm.ccall('rempart_version', 'string', [], []), /^rempart \d+\.\d+\.\d+/);
});

test('conformance images hash as the CLI hashes them', () => {
  assert.ok(conformanceImages.length > 0, `no images under ${sharedDir}`);
  const counts = compareAll(conformanceImages);
  console.log(`conformance: ${conformanceImages.length} images`, counts);
  assert.ok((counts.equal ?? 0) > 0);
});

test('media fixtures (every format) hash as the CLI hashes them', () => {
  const counts = compareAll(mediaFixtures);
  console.log(`fixtures: ${mediaFixtures.length} files`, counts);
  for (const format of ['jpeg', 'png', 'webp', 'gif', 'bmp', 'tiff', 'heif', 'avif']) {
    const hashed = mediaFixtures.some((file) =>
      hashInBrowserModule(fs.readFileSync(file)).format === format);
    assert.ok(hashed, `no fixture hashed as ${format}`);
  }
});

test('truncated and corrupted bytes: ok:false with digests, as the CLI', () => {
  const damaged = [];
  for (const file of [...mediaFixtures, ...conformanceImages.slice(0, 12)]) {
    const bytes = fs.readFileSync(file);
    const name = path.basename(file);
    const variants = {
      half: bytes.subarray(0, bytes.length >> 1),
      head: bytes.subarray(0, Math.min(bytes.length, 40)),
      flipped: Buffer.from(bytes).map((byte, i) => (i > 20 && i % 97 === 0 ? byte ^ 0x5a : byte)),
      zeroed: Buffer.from(bytes).fill(0, Math.min(bytes.length, 16), bytes.length >> 1),
    };
    for (const [kind, variant] of Object.entries(variants)) {
      const target = path.join(scratch, `${kind}-${damaged.length}-${name}`);
      fs.writeFileSync(target, variant);
      damaged.push(target);
    }
  }
  const counts = compareAll(damaged);
  console.log(`damaged: ${damaged.length} files`, counts);
  assert.ok((counts['same-error'] ?? 0) > 0);
});

test('garbage after every magic number never throws', () => {
  const magics = ['\xFF\xD8\xFF', '\x89PNG\r\n\x1A\n', 'RIFF\0\0\0\0WEBPVP8 ', 'GIF89a', 'BM',
                  'II*\0', 'MM\0*', '\0\0\0\x18ftypheic\0\0\0\0mif1heic', '\0\0\0\x18ftypavif'];
  let seed = 1;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  for (const magic of magics) {
    for (const length of [0, 1, 16, 300, 5000]) {
      const bytes = Buffer.concat([Buffer.from(magic, 'latin1'),
                                   Buffer.from(Array.from({ length }, random))]);
      const result = hashInBrowserModule(bytes, 64);
      if (!result.ok) {
        assert.deepEqual({ md5: result.md5, sha256: result.sha256 }, digests(bytes));
        assert.equal(typeof result.error, 'string');
      }
    }
  }
  const empty = hashInBrowserModule(Buffer.alloc(0));
  assert.equal(empty.ok, false);
  assert.deepEqual({ md5: empty.md5, sha256: empty.sha256 }, digests(Buffer.alloc(0)));
  // A null pointer with a size is refused, not read.
  assert.equal(wasm._rempart_hash(0, 100, 0), 1);
  assert.equal(JSON.parse(resultJson()).ok, false);
});

// A PNG whose header claims width x height, with a valid CRC.
function pngHeader(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const ihdr = Buffer.alloc(17);
  ihdr.write('IHDR', 0, 'latin1');
  ihdr.writeUInt32BE(width, 4);
  ihdr.writeUInt32BE(height, 8);
  ihdr.set([8, 2, 0, 0, 0], 12);
  const chunk = Buffer.alloc(25);
  chunk.writeUInt32BE(13, 0);
  ihdr.copy(chunk, 4);
  chunk.writeUInt32BE(crc(ihdr), 21);
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1A\n', 'latin1'), chunk]);
}

// An uncompressed 24-bit BMP with a deterministic pattern.
function bmp(width, height) {
  const rowBytes = (width * 3 + 3) & ~3;
  const bytes = Buffer.alloc(54 + rowBytes * height);
  bytes.write('BM', 0, 'latin1');
  bytes.writeUInt32LE(bytes.length, 2);
  bytes.writeUInt32LE(54, 10);
  bytes.writeUInt32LE(40, 14);
  bytes.writeInt32LE(width, 18);
  bytes.writeInt32LE(height, 22);
  bytes.writeUInt16LE(1, 26);
  bytes.writeUInt16LE(24, 28);
  bytes.writeUInt32LE(rowBytes * height, 34);
  for (let y = 0; y < height; ++y) {
    const row = 54 + y * rowBytes;
    for (let x = 0; x < width; ++x) {
      bytes[row + 3 * x] = (x * 7 + y) & 0xff;
      bytes[row + 3 * x + 1] = ((x >> 4) ^ (y >> 4)) & 0xff;
      bytes[row + 3 * x + 2] = (x * y) >> 8 & 0xff;
    }
  }
  return bytes;
}

test('a huge declared size is refused by the limits', () => {
  for (const [width, height, pattern] of [[100000, 100000, /per side/],
                                          [60000, 60000, /over the limit/]]) {
    const result = hashInBrowserModule(pngHeader(width, height), 160);
    assert.equal(result.ok, false);
    assert.equal(result.code, 'ResourceExhausted', result.error);
    assert.match(result.error, pattern);
    assert.equal(result.thumbnail.width, 0);
  }
});

test('large photos hash as the CLI hashes them (12 and 50 megapixels)', (t) => {
  const files = [];
  const fifty = path.join(scratch, 'fifty-megapixels.bmp');
  fs.writeFileSync(fifty, bmp(8660, 5774));
  files.push(fifty);
  const twelve = path.join(scratch, 'twelve-megapixels.bmp');
  fs.writeFileSync(twelve, bmp(4032, 3024));
  const jpeg = path.join(scratch, 'twelve-megapixels.jpg');
  const encoded = spawnSync('cjpeg', ['-quality', '90', '-outfile', jpeg, twelve]);
  if (encoded.error === undefined && encoded.status === 0) {
    files.push(jpeg);
  } else {
    t.diagnostic('no cjpeg (libjpeg-turbo-progs): a 12-megapixel BMP instead of a JPEG');
    files.push(twelve);
  }
  const cli = hashWithCli(files);
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    const started = performance.now();
    const result = hashInBrowserModule(bytes, 320);
    const elapsed = performance.now() - started;
    console.log(`${path.basename(file)}: ${result.width}x${result.height} in ${elapsed.toFixed(0)} ms`);
    assert.equal(compare(file, bytes, cli.get(file), result), 'equal');
    assert.equal(Math.max(result.thumbnail.width, result.thumbnail.height), 320);
  }
});

test('thumbnails: longest side at most thumb_max, at least 1 pixel, RGBA', () => {
  const bytes = fs.readFileSync(path.join(sourceDir, 'tests/fixtures/media/source.png'));
  const full = hashInBrowserModule(bytes, 1000);  // Never enlarged.
  assert.deepEqual([full.thumbnail.width, full.thumbnail.height], [full.width, full.height]);
  const small = hashInBrowserModule(bytes, 16);
  assert.deepEqual([small.thumbnail.width, small.thumbnail.height], [16, 12]);
  const tiny = hashInBrowserModule(bmp(4000, 3), 10);
  assert.deepEqual([tiny.thumbnail.width, tiny.thumbnail.height], [10, 1]);
  const none = hashInBrowserModule(bytes, 0);
  assert.equal(none.thumbnail.width, 0);
  // A uniform image stays uniform, alpha opaque.
  const grey = bmp(40, 30).fill(0x80, 54);
  const thumb = hashInBrowserModule(grey, 7);
  const pixels = wasm.HEAPU8.subarray(thumb.thumbnail.pointer,
                                      thumb.thumbnail.pointer + thumb.thumbnail.bytes);
  for (let i = 0; i < pixels.length; i += 4) {
    assert.deepEqual([...pixels.subarray(i, i + 4)], [0x80, 0x80, 0x80, 0xff]);
  }
});
