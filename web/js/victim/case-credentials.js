// The victim's case code and secret on this device. By default they live in
// sessionStorage (gone when the tab closes); "remember on this device" also
// puts them in localStorage. They are never put in a URL.

const kStorageKey = 'rempart.case';

function read(storage) {
  try {
    const parsed = JSON.parse(storage.getItem(kStorageKey) || 'null');
    if (parsed && typeof parsed.code === 'string' && typeof parsed.secret === 'string') return parsed;
  } catch { /* storage blocked or corrupt */ }
  return null;
}

export function saveCase({ code, secret }, { remember = false } = {}) {
  const text = JSON.stringify({ code, secret });
  try {
    sessionStorage.setItem(kStorageKey, text);
    if (remember) localStorage.setItem(kStorageKey, text);
    else localStorage.removeItem(kStorageKey);
  } catch { /* storage blocked: the person keeps the codes themselves */ }
}

/** {code, secret, remembered} or null. */
export function loadCase() {
  const remembered = read(localStorage);
  if (remembered) return { ...remembered, remembered: true };
  const session = read(sessionStorage);
  return session ? { ...session, remembered: false } : null;
}

export function forgetCase() {
  try {
    sessionStorage.removeItem(kStorageKey);
    localStorage.removeItem(kStorageKey);
  } catch { /* storage blocked */ }
}

/**
 * Tidies a typed case code: "rmp 7k3q 9xwd", "7K3Q9XWD" → "RMP-7K3Q-9XWD".
 * The server forgives more (O/0, I/L/1); this only makes the common forms
 * readable. Returns '' for empty input.
 */
export function normalizeCode(typed) {
  let symbols = String(typed).toUpperCase().replace(/[^0-9A-Z]/g, '');
  if (!symbols) return '';
  if (!symbols.startsWith('RMP') && symbols.length === 8) symbols = `RMP${symbols}`;
  if (symbols.length === 11 && symbols.startsWith('RMP')) {
    return `RMP-${symbols.slice(3, 7)}-${symbols.slice(7)}`;
  }
  return symbols;
}

/** Tidies a typed secret: spaces removed, upper case (the server forgives the rest). */
export function normalizeSecret(typed) {
  return String(typed).toUpperCase().replace(/[^0-9A-Z-]/g, '');
}
