// The list of photos the victim picked: hands each file to the hashing worker
// (js/hash-worker.js), shows progress per file and overall, draws thumbnails
// on <canvas> from the RGBA pixels the worker returns, and gives back the
// fingerprints to send. The photos themselves never leave this page's memory.
import { el } from '../dom.js';

const kAccepted = /\.(jpe?g|png|webp|heic|heif|avif|gif|bmp|tiff?)$/i;

// True for a file the browser or its name says is a video.
function isVideo(file) {
  return (file.type || '').startsWith('video/') ||
    /\.(mp4|m4v|mov|webm|mkv|avi|3gp)$/i.test(file.name || '');
}

/** Formats a byte count as "2.4 MB" in the page's language. */
function formatSize(bytes, language) {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: unit ? 1 : 0 }).format(value)} ${units[unit]}`;
}

export function createPhotoList({ i18n, input, dropzone, panel, list, overallText, overallProgress,
                                  announcer, moduleMissing, previewToggle }) {
  const photos = new Map();   // id → photo record, in insertion order
  let nextId = 1;
  let blurred = true;
  let worker = null;
  let moduleAvailable = true;

  function announce(text) {
    announcer.textContent = '';
    // A fresh text node after a tick makes screen readers read it again.
    setTimeout(() => { announcer.textContent = text; }, 50);
  }

  function showModuleMissing() {
    moduleAvailable = false;
    moduleMissing.hidden = false;
    input.disabled = true;
    dropzone.classList.add('is-disabled');
  }

  function startWorker() {
    try {
      worker = new Worker(new URL('../hash-worker.js', import.meta.url), { type: 'module' });
    } catch {
      showModuleMissing();
      return;
    }
    worker.onmessage = (event) => onWorkerMessage(event.data);
    worker.onerror = () => showModuleMissing();
    worker.postMessage({ probe: true });
  }

  function onWorkerMessage(message) {
    if (message.probe) {
      if (!message.ok) showModuleMissing();
      return;
    }
    const photo = photos.get(message.id);
    if (!photo) return;   // removed while it was being hashed
    if (message.stage) {
      photo.stage = message.stage;
      photo.fraction = message.fraction ?? photo.fraction;
    } else if (message.result) {
      photo.result = message.result;
      photo.stage = message.result.ok ? 'done' : 'error';
      // A video is not decoded here (no video decoder in the page): its
      // exact fingerprints still go, and the message says what that means.
      if (!message.result.ok) photo.errorKind = isVideo(photo.file) ? 'video' : 'undecodable';
      if (dropDuplicate(photo)) return;
      announce(i18n.t(message.result.ok ? 'photos.announceDone' : 'photos.announceError', { name: photo.file.name }));
    } else if (message.error) {
      photo.stage = 'error';
      photo.errorKind = message.error === 'unavailable' ? 'unavailable'
        : message.error === 'too_large' ? 'tooLarge' : 'failed';
      photo.errorDetail = message.error;
      if (message.error === 'unavailable') showModuleMissing();
      announce(i18n.t('photos.announceError', { name: photo.file.name }));
    }
    render(photo);
    renderOverall();
  }

  // The same file picked twice would only repeat its fingerprints.
  function dropDuplicate(photo) {
    const sha256 = photo.result && photo.result.sha256;
    if (!sha256) return false;
    for (const other of photos.values()) {
      if (other !== photo && other.result && other.result.sha256 === sha256) {
        remove(photo.id, { silent: true });
        announce(i18n.t('photos.error.duplicate', { name: photo.file.name }));
        return true;
      }
    }
    return false;
  }

  function add(files) {
    if (!worker) startWorker();
    if (!moduleAvailable) return;
    for (const file of files) {
      // Videos are taken too: their exact fingerprints still help.
      if (file.type && !file.type.startsWith('image/') && !isVideo(file) && !kAccepted.test(file.name)) continue;
      if (!file.type && !kAccepted.test(file.name) && !isVideo(file)) continue;
      const photo = { id: nextId++, file, stage: 'queued', fraction: 0, result: null, errorKind: null, nodes: null };
      photos.set(photo.id, photo);
      list.append(build(photo));
      render(photo);
      worker.postMessage({ id: photo.id, file });
    }
    panel.hidden = photos.size === 0;
    renderOverall();
  }

  function remove(id, { silent = false } = {}) {
    const photo = photos.get(id);
    if (!photo) return;
    const index = [...photos.keys()].indexOf(id);
    photos.delete(id);
    photo.nodes.item.remove();
    panel.hidden = photos.size === 0;
    renderOverall();
    if (silent) return;
    announce(i18n.t('photos.removed', { name: photo.file.name }));
    // Keep keyboard focus nearby: the next photo's remove button, else the picker.
    const remaining = [...photos.values()];
    const next = remaining[Math.min(index, remaining.length - 1)];
    (next ? next.nodes.remove : input).focus();
  }

  function build(photo) {
    const nodes = {};
    nodes.thumb = el('div', { className: 'photo__thumb photo__thumb--empty', attrs: { 'aria-hidden': 'true' } });
    nodes.name = el('p', { className: 'photo__name', text: photo.file.name });
    nodes.meta = el('p', { className: 'photo__meta' });
    nodes.progress = el('progress', { className: 'photo__progress', max: 100, value: 0 });
    nodes.error = el('p', { className: 'photo__error', hidden: true });
    nodes.hashes = el('dl', { className: 'hash-list' });
    nodes.hashesSummary = el('summary');
    nodes.details = el('details', { className: 'photo__hashes', hidden: true }, nodes.hashesSummary, nodes.hashes);
    nodes.remove = el('button', {
      type: 'button', className: 'button button--quiet button--small photo__remove',
      dataset: { testid: 'photo-remove' },
      on: { click: () => remove(photo.id) },
    });
    nodes.item = el('li', { className: 'photo', dataset: { testid: 'photo-item', state: 'hashing' } },
      nodes.thumb,
      el('div', { className: 'photo__body' }, nodes.name, nodes.meta, nodes.progress, nodes.error, nodes.details),
      nodes.remove);
    photo.nodes = nodes;
    return nodes.item;
  }

  function drawThumbnail(photo) {
    const thumbnail = photo.result && photo.result.thumbnail;
    if (!thumbnail || photo.nodes.canvas) return;
    const canvas = el('canvas', {
      className: `photo__thumb${blurred ? ' is-blurred' : ''}`,
      width: thumbnail.width, height: thumbnail.height,
      attrs: { role: 'img' },
    });
    const context = canvas.getContext('2d');
    context.putImageData(new ImageData(new Uint8ClampedArray(thumbnail.rgba), thumbnail.width, thumbnail.height), 0, 0);
    photo.result.thumbnail = null;   // the canvas holds the pixels now
    photo.nodes.thumb.replaceWith(canvas);
    photo.nodes.thumb = canvas;
    photo.nodes.canvas = canvas;
  }

  function render(photo) {
    const { nodes, result } = photo;
    const name = photo.file.name;
    const busy = photo.stage === 'queued' || photo.stage === 'reading' || photo.stage === 'hashing';
    const state = busy ? 'hashing' : photo.stage === 'done' ? 'done' : 'error';
    nodes.item.dataset.state = state;
    nodes.item.classList.toggle('photo--error', state === 'error');
    nodes.item.setAttribute('aria-busy', busy ? 'true' : 'false');
    if (result) {
      for (const kind of ['pdq', 'md5', 'sha256']) {
        if (result.ok || kind !== 'pdq') {
          if (result[kind]) nodes.item.dataset[kind] = result[kind];
        }
      }
    }

    const parts = [formatSize(photo.file.size, i18n.language)];
    if (result && result.ok) parts.push(i18n.t('photos.details', { width: result.width, height: result.height }));
    parts.push(i18n.t(`photos.state.${state === 'hashing' ? photo.stage : state}`));
    nodes.meta.textContent = parts.join(' · ');

    nodes.progress.setAttribute('aria-label', i18n.t('photos.progressLabel', { name }));
    if (photo.stage === 'hashing') {
      nodes.progress.removeAttribute('value');   // indeterminate: the module gives no steps
    } else {
      nodes.progress.value = photo.stage === 'reading' ? Math.round(5 + 45 * photo.fraction)
        : busy ? 0 : 100;
    }
    nodes.progress.hidden = !busy;

    if (photo.errorKind) {
      const reason = (result && result.error) || photo.errorDetail || '';
      nodes.error.textContent = i18n.t(`photos.error.${photo.errorKind}`, { reason });
      nodes.error.hidden = false;
    }

    const hashes = hashesOf(photo);
    nodes.details.hidden = hashes.length === 0;
    nodes.hashesSummary.textContent = i18n.t('photos.fingerprints');
    nodes.hashes.replaceChildren(...hashes.flatMap((hash) => [
      el('dt', { text: hash.kind.toUpperCase() }),
      el('dd', { className: 'mono', text: hash.value }),
    ]));

    drawThumbnail(photo);
    if (nodes.canvas) nodes.canvas.setAttribute('aria-label', i18n.t('photos.previewLabel', { name }));
    nodes.remove.textContent = i18n.t('photos.remove');
    nodes.remove.setAttribute('aria-label', i18n.t('photos.removeLabel', { name }));
  }

  function renderOverall() {
    const all = [...photos.values()];
    const finished = all.filter((photo) => photo.stage === 'done' || photo.stage === 'error');
    let total = 0;
    for (const photo of all) {
      total += photo.stage === 'reading' ? 50 * photo.fraction
        : photo.stage === 'hashing' ? 60
        : photo.stage === 'queued' ? 0 : 100;
    }
    overallProgress.value = all.length ? Math.round(total / all.length) : 0;
    overallProgress.setAttribute('aria-valuetext', i18n.t('photos.overall', { n: all.length, done: finished.length }));
    overallText.textContent = i18n.t('photos.overall', { n: all.length, done: finished.length });
  }

  function hashesOf(photo) {
    const result = photo.result;
    if (!result) return [];
    const hashes = [];
    if (result.ok && result.pdq) {
      // The patch signature travels beside its PDQ hash: it lets platforms
      // find the photo cropped or screenshotted once it is verified.
      hashes.push(result.patches ? { kind: 'pdq', value: result.pdq, patches: result.patches }
                                 : { kind: 'pdq', value: result.pdq });
    }
    if (result.md5) hashes.push({ kind: 'md5', value: result.md5 });
    if (result.sha256) hashes.push({ kind: 'sha256', value: result.sha256 });
    return hashes;
  }

  function setBlurred(value) {
    blurred = value;
    previewToggle.setAttribute('aria-pressed', blurred ? 'false' : 'true');
    previewToggle.textContent = i18n.t(blurred ? 'photos.showPreviews' : 'photos.hidePreviews');
    for (const photo of photos.values()) {
      if (photo.nodes.canvas) photo.nodes.canvas.classList.toggle('is-blurred', blurred);
    }
  }

  // Wiring: the picker, drag and drop, the preview toggle, language changes.
  input.addEventListener('change', () => {
    add([...input.files]);
    input.value = '';   // picking the same file again still fires "change"
  });
  for (const type of ['dragenter', 'dragover']) {
    dropzone.addEventListener(type, (event) => {
      event.preventDefault();
      if (moduleAvailable) dropzone.classList.add('is-dragging');
    });
  }
  for (const type of ['dragleave', 'drop']) {
    dropzone.addEventListener(type, () => dropzone.classList.remove('is-dragging'));
  }
  dropzone.addEventListener('drop', (event) => {
    event.preventDefault();
    add([...(event.dataTransfer ? event.dataTransfer.files : [])]);
  });
  // A file dropped beside the zone must not make the browser open it.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());
  previewToggle.addEventListener('click', () => setBlurred(!blurred));
  i18n.onChange(() => {
    for (const photo of photos.values()) render(photo);
    renderOverall();
    setBlurred(blurred);
  });

  setBlurred(true);

  return {
    /**
     * Starts the worker and loads the hashing module ahead of the first photo
     * (and says early when it is missing). Called when the report view shows,
     * so a visit to "Follow my report" alone downloads nothing more.
     */
    warmUp() { if (!worker) startWorker(); },
    /** Number of photos still being read or hashed. */
    pending: () => [...photos.values()].filter((p) => !['done', 'error'].includes(p.stage)).length,
    /** Every fingerprint to send, in photo order. */
    hashes: () => [...photos.values()].flatMap(hashesOf),
    count: () => photos.size,
    /** Forgets every photo (after a report is sent). */
    clear() {
      for (const photo of photos.values()) photo.nodes.item.remove();
      photos.clear();
      panel.hidden = true;
      renderOverall();
    },
  };
}
