// Does a request body carry any part of an image? The victim page promises
// that only hashes leave the device; this is how the tests hold it to that.
//
// A body fails when it holds a container signature (raw or as base64), or any
// 32-byte window taken every 256 bytes from one of the files the test used
// (raw, base64 or hex), which also catches a re-encoded slice of the file.

const signatures = [
  Buffer.from([0xff, 0xd8, 0xff]), // JPEG
  Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'),
  Buffer.from('WEBPVP8'),
  Buffer.from('ftypheic'), Buffer.from('ftypmif1'), Buffer.from('ftypavif'),
  Buffer.from('GIF87a'), Buffer.from('GIF89a'),
];
const base64Signatures = ['/9j/', 'iVBORw0KGgo', 'R0lGOD', 'UklGR'];

export function imageWindows(bytes) {
  const windows = [];
  for (let at = 0; at + 32 <= bytes.length; at += 256) windows.push(bytes.subarray(at, at + 32));
  return windows;
}

// Returns a description of what was found, or null for a clean body.
export function findImageBytes(body, windows) {
  if (body.length === 0) return null;
  for (const signature of signatures) {
    if (body.includes(signature)) return `image signature ${JSON.stringify(signature.toString('latin1'))}`;
  }
  const text = body.toString('latin1');
  for (const signature of base64Signatures) {
    if (text.includes(signature)) return `base64 image signature ${signature}`;
  }
  for (const window of windows) {
    if (body.includes(window)) return 'a raw slice of an image file';
    if (text.includes(window.toString('base64').slice(0, 40))) return 'a base64 slice of an image file';
    if (text.toLowerCase().includes(window.toString('hex'))) return 'a hex slice of an image file';
  }
  return null;
}
