// Renders lists of places to turn to (emergency numbers, associations), taken
// from the dictionaries: [{name, detail, href?}].
import { el } from '../dom.js';

export function renderResources(list, items) {
  list.replaceChildren(...(Array.isArray(items) ? items : []).map((item) => {
    const name = item.href
      ? el('a', { href: item.href, className: 'resource__name', text: item.name,
                  attrs: { rel: 'noopener noreferrer' } })
      : el('span', { className: 'resource__name', text: item.name });
    return el('li', { className: 'resource' }, name, el('span', { className: 'resource__detail', text: item.detail }));
  }));
}
