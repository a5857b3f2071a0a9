// Module Web Worker that fingerprints photos with the WebAssembly build of
// Rempart's hasher (/wasm/rempart-hash.js, built by scripts/wasm.sh). The photo
// stays in this worker's memory: nothing here touches the network except
// loading the module itself from the same origin.
//
// In:  {id, file}                      a File or Blob
// Out: {id, stage: "reading", fraction} while the bytes are read
//      {id, stage: "hashing"}           while the module decodes and hashes
//      {id, result}                     the module's JSON result, plus
//                                       result.thumbnail {width, height, rgba}
//                                       (rgba: ArrayBuffer, transferred) or null
//      {id, error: "unavailable"|"too_large"|message}
// In:  {probe: true}   Out: {probe: true, ok, version?}: is the module there?
// Files are handled one at a time, in the order they arrive.

const kThumbMax = 160;                 // longest side of the thumbnail, pixels
const kMaxFileBytes = 200 * 1024 * 1024;

let modulePromise = null;

function loadModule() {
  modulePromise ??= import('/wasm/rempart-hash.js').then((namespace) => namespace.default());
  return modulePromise;
}

// Reads a NUL-terminated UTF-8 string from the module's memory.
function readCString(module, pointer) {
  if (typeof module.UTF8ToString === 'function') return module.UTF8ToString(pointer);
  const heap = module.HEAPU8;
  let end = pointer;
  while (heap[end] !== 0) end++;
  return new TextDecoder().decode(heap.subarray(pointer, end));
}

function readFile(id, file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onprogress = (event) => {
      if (event.lengthComputable) postMessage({ id, stage: 'reading', fraction: event.loaded / event.total });
    };
    reader.onload = () => resolve(new Uint8Array(reader.result));
    reader.onerror = () => reject(reader.error || new Error('read failed'));
    reader.readAsArrayBuffer(file);
  });
}

function hashBytes(module, bytes) {
  const pointer = module._malloc(bytes.length || 1);
  if (!pointer) throw new Error('out of memory');
  try {
    module.HEAPU8.set(bytes, pointer);
    module._rempart_hash(pointer, bytes.length, kThumbMax);
  } finally {
    module._free(pointer);
  }
  const result = JSON.parse(readCString(module, module._rempart_result_json()));
  const width = module._rempart_thumbnail_width();
  const height = module._rempart_thumbnail_height();
  result.thumbnail = null;
  if (width > 0 && height > 0) {
    const start = module._rempart_thumbnail_rgba();
    // Copy out of the module's memory, which the next call may reuse or grow.
    const rgba = module.HEAPU8.slice(start, start + width * height * 4).buffer;
    result.thumbnail = { width, height, rgba };
  }
  return result;
}

let queue = Promise.resolve();

async function handle({ id, file }) {
  let module;
  try {
    module = await loadModule();
  } catch (error) {
    modulePromise = null;   // let a later file try again
    postMessage({ id, error: 'unavailable', detail: String(error && error.message) });
    return;
  }
  if (file.size > kMaxFileBytes) {
    postMessage({ id, error: 'too_large' });
    return;
  }
  try {
    postMessage({ id, stage: 'reading', fraction: 0 });
    const bytes = await readFile(id, file);
    postMessage({ id, stage: 'hashing' });
    const result = hashBytes(module, bytes);
    const transfer = result.thumbnail ? [result.thumbnail.rgba] : [];
    postMessage({ id, result }, transfer);
  } catch (error) {
    postMessage({ id, error: String((error && error.message) || error) });
  }
}

async function probe() {
  try {
    const module = await loadModule();
    postMessage({ probe: true, ok: true, version: readCString(module, module._rempart_version()) });
  } catch (error) {
    modulePromise = null;
    postMessage({ probe: true, ok: false, detail: String(error && error.message) });
  }
}

self.onmessage = (event) => {
  const message = event.data;
  queue = queue.then(() => (message.probe ? probe() : handle(message)));
};
