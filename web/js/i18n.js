// Translations shared by the victim page and the console.
//
// A dictionary is a plain module (js/i18n/en.js, fr.js; console/js/i18n/…)
// exporting a nested object with the same keys in every language. In the HTML:
//   data-i18n="report.title"                   sets textContent
//   data-i18n-attr="aria-label=nav.label"      sets attributes (comma separated)
//   data-i18n-list="about.does"                fills a <ul>/<ol> from an array
// In code: i18n.t('key', {n: 2}) fills {n}; a value {one, other} is a plural
// chosen with Intl.PluralRules from params.n. i18n.value('key') returns the raw
// value (arrays of help links, for instance). i18n.onChange(fn) re-renders
// dynamic content after a switch; the <html lang> attribute follows.

export function createI18n({ dictionaries, storageKey, fallback = 'en' }) {
  const languages = Object.keys(dictionaries);
  const listeners = new Set();
  let current = pickLanguage();

  function pickLanguage() {
    let saved = null;
    try { saved = localStorage.getItem(storageKey); } catch { /* storage blocked */ }
    if (saved && languages.includes(saved)) return saved;
    for (const tag of navigator.languages || [navigator.language || '']) {
      const base = String(tag).toLowerCase().split('-')[0];
      if (languages.includes(base)) return base;
    }
    return fallback;
  }

  function lookup(dictionary, key) {
    let node = dictionary;
    for (const part of key.split('.')) {
      if (node === null || typeof node !== 'object' || !(part in node)) return undefined;
      node = node[part];
    }
    return node;
  }

  function value(key) {
    let found = lookup(dictionaries[current], key);
    if (found === undefined) found = lookup(dictionaries[fallback], key);
    if (found === undefined) console.warn(`i18n: missing key ${key}`);
    return found;
  }

  function t(key, params = {}) {
    let text = value(key);
    if (text === undefined) return key;
    if (typeof text === 'object' && text !== null && 'other' in text) {
      const form = new Intl.PluralRules(current).select(Number(params.n ?? 0));
      text = text[form] ?? text.other;
    }
    return String(text).replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
  }

  function apply(root = document) {
    for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
    for (const node of root.querySelectorAll('[data-i18n-list]')) {
      const items = value(node.dataset.i18nList);
      node.replaceChildren(...(Array.isArray(items) ? items : []).map((item) => {
        const li = document.createElement('li');
        li.textContent = String(item);
        return li;
      }));
    }
    for (const node of root.querySelectorAll('[data-i18n-attr]')) {
      for (const pair of node.dataset.i18nAttr.split(',')) {
        const [attr, key] = pair.split('=').map((s) => s.trim());
        if (attr && key) node.setAttribute(attr, t(key));
      }
    }
  }

  function setLanguage(lang, { remember = true } = {}) {
    if (!languages.includes(lang)) return;
    current = lang;
    if (remember) {
      try { localStorage.setItem(storageKey, lang); } catch { /* storage blocked */ }
    }
    document.documentElement.lang = lang;
    apply();
    for (const listener of listeners) listener(lang);
  }

  return {
    languages,
    get language() { return current; },
    t,
    value,
    apply,
    setLanguage,
    onChange(listener) { listeners.add(listener); },
    /** Formats a millisecond timestamp as a date and time in the current language. */
    dateTime(ms) {
      return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
    },
    init() {
      document.documentElement.lang = current;
      apply();
    },
  };
}
