// The case queue: status tabs, category filter, search by code or hash,
// paging (next_after), row selection and bulk actions (POST /v1/cases/bulk).
import { el } from '../../js/dom.js';
import { formatAge, kCategories, kReasons, kStatuses, label } from './format.js';

const kPageSize = 50;

/** Replaces a <select>'s options, keeping the chosen value when it still exists. */
export function fillSelect(select, options, placeholder) {
  const previous = select.value;
  select.replaceChildren(
    ...(placeholder !== undefined ? [el('option', { value: '', text: placeholder })] : []),
    ...options.map((option) => el('option', { value: option.value, text: option.label })));
  if ([...select.options].some((option) => option.value === previous)) select.value = previous;
}

export function createQueue({ i18n, session, banks, nodes, onOpen, errorText }) {
  const state = {
    status: 'received',
    category: '',
    query: null,          // a search replaces the status tab while it is active
    cases: [],
    nextAfter: null,
    selected: new Set(),
    openCode: null,
    loading: false,
  };

  function rows() { return [...nodes.body.querySelectorAll('[data-testid="queue-row"]')]; }

  async function load({ append = false } = {}) {
    const params = new URLSearchParams({ limit: String(kPageSize) });
    if (state.query) params.set('q', state.query);
    else params.set('status', state.status);
    if (state.category) params.set('category', state.category);
    if (append && state.nextAfter !== null) params.set('after', String(state.nextAfter));
    if (!append) state.selected.clear();
    state.loading = true;
    nodes.status.textContent = i18n.t('queue.loading');
    try {
      const answer = await session.call(`/v1/cases?${params}`);
      const cases = answer.cases || [];
      state.cases = append ? state.cases.concat(cases) : cases;
      state.nextAfter = answer.next_after ?? null;
      nodes.status.textContent = i18n.t('queue.count', { n: state.cases.length });
    } catch (error) {
      nodes.status.textContent = errorText(error);
    } finally {
      state.loading = false;
    }
    render();
  }

  function renderTabs() {
    nodes.tabs.replaceChildren(...kStatuses.map((status) => el('button', {
      type: 'button',
      className: 'status-tab',
      text: label(i18n, 'tabs', status),
      dataset: { testid: `tab-${status}`, status },
      attrs: { 'aria-pressed': !state.query && state.status === status ? 'true' : 'false' },
      on: {
        click: () => {
          state.status = status;
          state.query = null;
          nodes.searchInput.value = '';
          load();
        },
      },
    })));
  }

  function renderHeading() {
    nodes.heading.replaceChildren(
      state.query ? i18n.t('search.results', { q: state.query }) : label(i18n, 'tabs', state.status));
    if (state.query) {
      nodes.heading.append(' ', el('button', {
        type: 'button', className: 'button button--quiet button--small', text: i18n.t('search.clear'),
        dataset: { testid: 'search-clear' },
        on: { click: () => { state.query = null; nodes.searchInput.value = ''; load(); } },
      }));
    }
  }

  function renderRow(item) {
    const selected = state.selected.has(item.code);
    const checkbox = el('input', {
      type: 'checkbox', checked: selected,
      dataset: { testid: 'row-select' },
      attrs: { 'aria-label': i18n.t('queue.selectRow', { code: item.code }) },
      on: { change: () => toggle(item.code, checkbox.checked) },
    });
    const open = el('button', {
      type: 'button', className: 'row-open mono', text: item.code,
      dataset: { testid: 'open-case' },
      on: { click: () => onOpen(item.code) },
    });
    const hashes = Array.isArray(item.hashes) ? item.hashes.length : item.hashes;
    return el('tr', {
      className: `${selected ? 'is-selected' : ''}${state.openCode === item.code ? ' is-open' : ''}`,
      dataset: { testid: 'queue-row', code: item.code, status: item.status },
      // A click anywhere on the row opens the case; the code button is the
      // keyboard's way in, the checkbox only selects.
      on: { click: (event) => { if (!event.target.closest('input, button')) onOpen(item.code); } },
    },
    el('td', { className: 'col-select' }, checkbox),
    el('td', {}, open),
    el('td', {}, el('span', { className: `tag tag--${item.category}`, text: label(i18n, 'category', item.category) })),
    el('td', { className: 'nowrap' }, el('time', {
      dateTime: new Date(item.created_at_ms).toISOString(),
      title: i18n.dateTime(item.created_at_ms),
      text: formatAge(i18n, item.created_at_ms),
    })),
    el('td', {}, el('span', { className: `badge badge--${item.status}`, text: label(i18n, 'status', item.status) }),
      item.status_reason_code ? el('span', { className: 'hint', text: ` ${label(i18n, 'reason', item.status_reason_code)}` }) : null),
    el('td', { className: 'col-num', text: String(hashes ?? '') }),
    el('td', { text: item.channel || '' }));
  }

  function renderBulk() {
    const n = state.selected.size;
    nodes.bulkCount.textContent = i18n.t('bulk.selected', { n });
    fillSelect(nodes.bulkAction, ['review', 'verify', 'reject'].map((value) => ({ value, label: i18n.t(`bulk.${value}`) })),
      i18n.t('bulk.chooseAction'));
    fillSelect(nodes.bulkBank, banks().map((bank) => ({ value: bank.name, label: bank.name })), i18n.t('actions.chooseBank'));
    fillSelect(nodes.bulkReason, kReasons.map((value) => ({ value, label: label(i18n, 'reason', value) })),
      i18n.t('actions.chooseReason'));
    nodes.bulkBank.hidden = nodes.bulkAction.value !== 'verify';
    nodes.bulkReason.hidden = nodes.bulkAction.value !== 'reject';
    const all = state.cases.length > 0 && state.cases.every((item) => state.selected.has(item.code));
    nodes.selectAll.checked = all;
    nodes.selectAll.indeterminate = !all && n > 0;
  }

  function render() {
    renderTabs();
    renderHeading();
    fillSelect(nodes.categoryFilter, kCategories.map((value) => ({ value, label: label(i18n, 'category', value) })),
      i18n.t('queue.allCategories'));
    nodes.categoryFilter.value = state.category;
    nodes.body.replaceChildren(...state.cases.map(renderRow));
    nodes.empty.hidden = state.cases.length > 0 || state.loading;
    nodes.empty.textContent = i18n.t(state.query ? 'queue.emptySearch' : 'queue.empty');
    nodes.loadMore.hidden = state.nextAfter === null;
    renderBulk();
  }

  function toggle(code, on) {
    if (on) state.selected.add(code);
    else state.selected.delete(code);
    const row = nodes.body.querySelector(`[data-code="${CSS.escape(code)}"]`);
    if (row) {
      row.classList.toggle('is-selected', on);
      row.querySelector('[data-testid="row-select"]').checked = on;
    }
    renderBulk();
  }

  async function applyBulk() {
    const codes = [...state.selected];
    const action = nodes.bulkAction.value;
    const problem = !codes.length ? 'bulk.nothing' : !action ? 'bulk.noAction'
      : action === 'verify' && !nodes.bulkBank.value ? 'bulk.noBank'
      : action === 'reject' && !nodes.bulkReason.value ? 'bulk.noReason' : null;
    if (problem) {
      nodes.status.textContent = i18n.t(problem);
      return;
    }
    const options = { action };
    if (action === 'verify') options.bank = nodes.bulkBank.value;
    if (action === 'reject') options.reason_code = nodes.bulkReason.value;
    nodes.bulkApply.disabled = true;
    nodes.status.textContent = i18n.t('bulk.working', { n: codes.length });
    try {
      // The server takes at most 100 codes per call.
      const results = [];
      for (let start = 0; start < codes.length; start += 100) {
        const answer = await session.call('/v1/cases/bulk', {
          method: 'POST', body: { codes: codes.slice(start, start + 100), ...options },
        });
        results.push(...(answer.results || []));
      }
      const failed = results.filter((result) => !result.ok);
      await load();
      let text = i18n.t('bulk.done', { ok: results.length - failed.length, n: results.length });
      if (failed.length) {
        text += ` ${i18n.t('bulk.failures', {
          list: failed.map((result) => `${result.code} (${result.error ? result.error.code : '?'})`).join(', '),
        })}`;
      }
      nodes.status.textContent = text;
    } catch (error) {
      nodes.status.textContent = errorText(error);
    } finally {
      nodes.bulkApply.disabled = false;
    }
  }

  // Keyboard: j/k move between rows, x toggles the selection, Enter opens.
  function moveFocus(step) {
    const all = rows();
    if (!all.length) return;
    const current = all.findIndex((row) => row.contains(document.activeElement));
    const next = current === -1 ? 0 : Math.min(all.length - 1, Math.max(0, current + step));
    all[next].querySelector('[data-testid="open-case"]').focus();
  }

  nodes.searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = nodes.searchInput.value.trim();
    state.query = q || null;
    load();
  });
  nodes.categoryFilter.addEventListener('change', () => {
    state.category = nodes.categoryFilter.value;
    load();
  });
  nodes.refresh.addEventListener('click', () => load());
  nodes.loadMore.addEventListener('click', () => load({ append: true }));
  nodes.selectAll.addEventListener('change', () => {
    for (const item of state.cases) {
      if (nodes.selectAll.checked) state.selected.add(item.code);
      else state.selected.delete(item.code);
    }
    render();
  });
  nodes.bulkAction.addEventListener('change', () => renderBulk());
  nodes.bulkApply.addEventListener('click', applyBulk);
  i18n.onChange(() => render());

  return {
    load,
    render,
    /** Marks the open case's row. */
    setOpen(code) {
      state.openCode = code;
      for (const row of rows()) row.classList.toggle('is-open', row.dataset.code === code);
    },
    moveFocus,
    toggleFocused() {
      const row = rows().find((candidate) => candidate.contains(document.activeElement));
      if (row) toggle(row.dataset.code, !state.selected.has(row.dataset.code));
    },
  };
}
