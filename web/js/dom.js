// Small DOM helpers. Every page builds its dynamic content with these (never
// innerHTML), so text from the network or the user is always plain text.

/**
 * Creates an element. `props` may hold: className, text (textContent),
 * attrs ({name: value}; null/false skips), dataset ({key: value}), on
 * ({event: handler}), hidden, and any plain DOM property (type, value, …).
 * `children` are nodes or strings (strings become text nodes).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    switch (key) {
      case 'text': node.textContent = value; break;
      case 'className': node.className = value; break;
      case 'attrs':
        for (const [name, attr] of Object.entries(value)) {
          if (attr === null || attr === false || attr === undefined) continue;
          node.setAttribute(name, attr === true ? '' : String(attr));
        }
        break;
      case 'dataset':
        for (const [name, data] of Object.entries(value)) {
          if (data !== null && data !== undefined) node.dataset[name] = String(data);
        }
        break;
      case 'on':
        for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
        break;
      default: node[key] = value;
    }
  }
  append(node, children);
  return node;
}

/** Appends nodes and strings (skipping null/false), flattening arrays. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return parent;
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** querySelector by data-testid, or by CSS selector when it starts with a symbol. */
export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function byTestId(id, root = document) {
  return root.querySelector(`[data-testid="${id}"]`);
}

/** Copies text to the clipboard; resolves to true on success. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Offers `text` as a downloaded file, without any network request. */
export function downloadText(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = el('a', { href: url, download: filename, className: 'visually-hidden' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Moves keyboard focus to `node` (making it focusable if needed). */
export function focusNode(node) {
  if (!node) return;
  if (!node.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(node.tagName)) {
    node.setAttribute('tabindex', '-1');
  }
  node.focus();
}
