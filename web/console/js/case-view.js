// One case, as staff see it (GET /v1/cases/{code}): hashes, category, channel,
// contact, replies, history, publication and outcomes; and the actions:
// claim, verify and publish to a bank, reject with a reason, request more
// information. Every action is one POST; the server audits it.
import { el, copyText, focusNode } from '../../js/dom.js';
import { kReasons, label } from './format.js';
import { fillSelect } from './queue.js';

export function createCaseView({ i18n, session, banks, root, empty, onChanged, onClosed, errorText }) {
  let view = null;
  let code = null;
  let flash = '';   // the last action's outcome, shown above the actions

  async function open(caseCode, { focus = true } = {}) {
    code = caseCode;
    empty.hidden = true;
    root.replaceChildren(el('p', { className: 'status-line', text: i18n.t('case.loading') }));
    try {
      view = await session.call(`/v1/cases/${encodeURIComponent(caseCode)}`);
      render();
      if (focus) focusNode(root.querySelector('h2'));
    } catch (error) {
      view = null;
      root.replaceChildren(el('p', { className: 'notice notice--error',
        text: error.status === 404 ? i18n.t('case.notFound') : errorText(error) }));
    }
  }

  function close() {
    view = null;
    code = null;
    root.replaceChildren();
    empty.hidden = false;
  }

  async function act(path, body, successText) {
    try {
      await session.call(`/v1/cases/${encodeURIComponent(code)}/${path}`, { method: 'POST', body });
      flash = successText;
      await open(code, { focus: false });
      onChanged(code);
      focusNode(root.querySelector('#case-flash'));
    } catch (error) {
      setFlash(i18n.t('actions.failed', { message: error.message }), true);
    }
  }

  function setFlash(text, isError = false) {
    const node = root.querySelector('#case-flash');
    if (!node) return;
    node.textContent = text;
    node.classList.toggle('is-error', isError);
  }

  function definition(term, ...value) {
    return el('div', { className: 'def' }, el('dt', { text: term }), el('dd', {}, ...value));
  }

  function renderSummary() {
    const contact = view.contact
      ? el('span', { className: 'mono', text: view.contact, dataset: { testid: 'case-contact' } })
      : el('span', { className: 'hint', text: i18n.t('case.noContact') });
    return el('dl', { className: 'defs' },
      definition(i18n.t('case.status'),
        el('span', { className: `badge badge--${view.status}`, text: label(i18n, 'status', view.status),
                     dataset: { testid: 'case-status', status: view.status } })),
      definition(i18n.t('case.category'), label(i18n, 'category', view.category)),
      definition(i18n.t('case.channel'), view.channel || ''),
      definition(i18n.t('case.created'), i18n.dateTime(view.created_at_ms)),
      definition(i18n.t('case.updated'), i18n.dateTime(view.updated_at_ms)),
      definition(i18n.t('case.contact'), contact),
      view.language ? definition(i18n.t('case.language'), view.language) : null,
      view.status_reason_code ? definition(i18n.t('case.reason'), label(i18n, 'reason', view.status_reason_code)) : null,
      view.message ? definition(i18n.t('case.messageToVictim'), el('span', { className: 'prewrap', text: view.message })) : null);
  }

  function renderHashes() {
    const status = el('span', { className: 'hint', attrs: { role: 'status' } });
    return el('section', { attrs: { 'aria-labelledby': 'case-hashes' } },
      el('h3', { id: 'case-hashes', text: `${i18n.t('case.hashes')} (${(view.hashes || []).length})` }),
      status,
      el('table', { className: 'hash-table' },
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col', text: i18n.t('case.kind') }),
          el('th', { scope: 'col', text: i18n.t('case.value') }),
          el('th', { scope: 'col' }, el('span', { className: 'visually-hidden', text: i18n.t('case.copy') })))),
        el('tbody', {}, (view.hashes || []).map((hash) => el('tr', { dataset: { testid: 'case-hash', kind: hash.kind } },
          el('td', { text: hash.kind }),
          el('td', { className: 'mono hash-value', text: hash.value }),
          el('td', {}, el('button', {
            type: 'button', className: 'button button--quiet button--small', text: i18n.t('case.copy'),
            attrs: { 'aria-label': i18n.t('case.copyLabel', { kind: hash.kind }) },
            on: { click: async () => { if (await copyText(hash.value)) status.textContent = i18n.t('case.copied'); } },
          })))))));
  }

  function renderActions() {
    const closed = view.status === 'verified' || view.status === 'rejected';
    const flashNode = el('p', { id: 'case-flash', className: 'status-line', tabIndex: -1,
                                attrs: { role: 'status' }, text: flash });
    flash = '';
    if (closed) {
      return el('section', { className: 'actions', attrs: { 'aria-labelledby': 'case-actions' } },
        el('h3', { id: 'case-actions', text: i18n.t('actions.title') }), flashNode,
        el('p', { className: 'hint', text: i18n.t('actions.closed') }));
    }

    const claim = (view.status === 'received' || view.status === 'needs_info')
      ? el('button', { type: 'button', className: 'button', text: i18n.t('actions.claim'), dataset: { testid: 'claim' },
                       on: { click: () => act('review', {}, i18n.t('actions.claimed')) } })
      : null;

    // Verify and publish.
    const bankSelect = el('select', { id: 'bank-select', className: 'input', dataset: { testid: 'bank-select' } });
    fillSelect(bankSelect, banks().map((bank) => ({ value: bank.name, label: bank.name })), i18n.t('actions.chooseBank'));
    if (banks().length === 1) bankSelect.value = banks()[0].name;
    const verifyNote = el('input', { type: 'text', id: 'verify-note', className: 'input', maxLength: 2000 });
    const verifyForm = el('form', { className: 'action-form', noValidate: true },
      el('h4', { text: i18n.t('actions.verifyTitle') }),
      el('label', { className: 'field-label', htmlFor: 'bank-select', text: i18n.t('actions.bank') }), bankSelect,
      el('label', { className: 'field-label', htmlFor: 'verify-note', text: i18n.t('actions.note') }), verifyNote,
      el('button', { type: 'submit', className: 'button button--primary', text: i18n.t('actions.verify'),
                     dataset: { testid: 'verify-publish' } }));
    verifyForm.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!bankSelect.value) { setFlash(i18n.t('actions.needBank'), true); bankSelect.focus(); return; }
      const body = { bank: bankSelect.value };
      if (verifyNote.value.trim()) body.note = verifyNote.value.trim();
      act('verify', body, i18n.t('actions.verified', { bank: bankSelect.value }));
    });

    // Reject with a reason.
    const reasonSelect = el('select', { id: 'reject-reason', className: 'input', dataset: { testid: 'reject-reason' } });
    fillSelect(reasonSelect, kReasons.map((value) => ({ value, label: label(i18n, 'reason', value) })),
      i18n.t('actions.chooseReason'));
    const rejectMessage = el('textarea', { id: 'reject-message', className: 'input', rows: 3, maxLength: 4000,
                                           dataset: { testid: 'reject-message' }, attrs: { 'aria-describedby': 'reject-hint' } });
    const rejectNote = el('input', { type: 'text', id: 'reject-note', className: 'input', maxLength: 2000,
                                     dataset: { testid: 'reject-note' } });
    const rejectForm = el('form', { className: 'action-form', noValidate: true },
      el('h4', { text: i18n.t('actions.rejectTitle') }),
      el('label', { className: 'field-label', htmlFor: 'reject-reason', text: i18n.t('actions.reason') }), reasonSelect,
      el('label', { className: 'field-label', htmlFor: 'reject-message', text: i18n.t('actions.rejectMessage') }),
      el('p', { className: 'hint', id: 'reject-hint', text: i18n.t('actions.rejectMessageHint') }), rejectMessage,
      el('label', { className: 'field-label', htmlFor: 'reject-note', text: i18n.t('actions.note') }), rejectNote,
      el('button', { type: 'submit', className: 'button button--danger', text: i18n.t('actions.reject'),
                     dataset: { testid: 'reject-submit' } }));
    rejectForm.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!reasonSelect.value) { setFlash(i18n.t('actions.needReason'), true); reasonSelect.focus(); return; }
      const body = { reason_code: reasonSelect.value };
      if (rejectMessage.value.trim()) body.message = rejectMessage.value.trim();
      if (rejectNote.value.trim()) body.note = rejectNote.value.trim();
      act('reject', body, i18n.t('actions.rejected'));
    });

    // Ask the victim for more information.
    const requestMessage = el('textarea', { id: 'request-info-message', className: 'input', rows: 3, maxLength: 4000,
                                            dataset: { testid: 'request-info-message' },
                                            attrs: { 'aria-describedby': 'request-hint' } });
    const requestForm = el('form', { className: 'action-form', noValidate: true },
      el('h4', { text: i18n.t('actions.requestTitle') }),
      el('label', { className: 'field-label', htmlFor: 'request-info-message', text: i18n.t('actions.requestMessage') }),
      el('p', { className: 'hint', id: 'request-hint', text: i18n.t('actions.requestHint') }), requestMessage,
      el('button', { type: 'submit', className: 'button', text: i18n.t('actions.request'),
                     dataset: { testid: 'request-info-submit' } }));
    requestForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const message = requestMessage.value.trim();
      if (!message) { setFlash(i18n.t('actions.needMessage'), true); requestMessage.focus(); return; }
      act('request-info', { message }, i18n.t('actions.requested'));
    });

    return el('section', { className: 'actions', attrs: { 'aria-labelledby': 'case-actions' } },
      el('h3', { id: 'case-actions', text: i18n.t('actions.title') }),
      flashNode,
      claim ? el('div', { className: 'button-row' }, claim) : null,
      el('div', { className: 'action-grid' }, verifyForm, rejectForm,
        view.status !== 'needs_info' ? requestForm : null));
  }

  function renderReplies() {
    const replies = view.replies || [];
    return el('section', { attrs: { 'aria-labelledby': 'case-replies' } },
      el('h3', { id: 'case-replies', text: i18n.t('case.replies') }),
      replies.length
        ? el('ol', { className: 'replies' }, replies.map((reply) => el('li', { dataset: { testid: 'case-reply' } },
          el('time', { className: 'hint', text: i18n.dateTime(reply.at_ms) }),
          el('p', { className: 'prewrap', text: reply.message }))))
        : el('p', { className: 'hint', text: i18n.t('case.noReplies') }));
  }

  function renderHistory() {
    return el('section', { attrs: { 'aria-labelledby': 'case-history' } },
      el('h3', { id: 'case-history', text: i18n.t('case.history') }),
      el('div', { className: 'table-wrap' }, el('table', { className: 'history-table' },
        el('thead', {}, el('tr', {}, ['historyAt', 'historyStatus', 'historyActor', 'historyReason', 'historyNote']
          .map((key) => el('th', { scope: 'col', text: i18n.t(`case.${key}`) })))),
        el('tbody', {}, (view.history || []).map((item) => el('tr', { dataset: { testid: 'case-history-item' } },
          el('td', { className: 'nowrap', text: i18n.dateTime(item.at_ms) }),
          el('td', { text: label(i18n, 'status', item.status) }),
          el('td', { className: 'mono', text: item.actor || '' }),
          el('td', { text: label(i18n, 'reason', item.reason_code) }),
          el('td', { className: 'prewrap', text: item.note || '' })))))));
  }

  function renderPublication() {
    const published = view.published;
    const outcomes = view.outcomes || {};
    return el('section', { attrs: { 'aria-labelledby': 'case-published' } },
      el('h3', { id: 'case-published', text: i18n.t('case.published') }),
      published
        ? el('div', { dataset: { testid: 'case-published' } },
          el('p', { text: i18n.t('case.publishedLine', {
            bank: published.bank, date: i18n.dateTime(published.at_ms), n: published.platforms }) }),
          published.entries && published.entries.length
            ? el('p', {}, `${i18n.t('case.entries')}: `, el('span', { className: 'mono', text: published.entries.join(', ') }))
            : null)
        : el('p', { className: 'hint', text: i18n.t('case.notPublished') }),
      el('h3', { text: i18n.t('case.outcomes') }),
      el('p', { dataset: { testid: 'case-outcomes' },
                text: i18n.t('case.outcomeCounts', { matches: outcomes.matches || 0, removals: outcomes.removals || 0 }) }),
      outcomes.items && outcomes.items.length
        ? el('ul', { className: 'plain-list' }, outcomes.items.map((item) => el('li', {},
          el('time', { className: 'hint', text: `${i18n.dateTime(item.at_ms)} ` }),
          i18n.t('case.outcomeItem', { kind: i18n.t(`case.${item.kind}`), platform: item.platform, entry: item.entry_id }))))
        : null);
  }

  function render() {
    if (!view) return;
    root.replaceChildren(el('article', { className: 'case', dataset: { testid: 'case-view', code: view.code } },
      el('div', { className: 'case__head' },
        el('h2', { id: 'case-heading', tabIndex: -1, className: 'mono', text: view.code }),
        el('button', { type: 'button', className: 'button button--quiet button--small', text: i18n.t('case.close'),
                       dataset: { testid: 'case-close' }, on: { click: () => { close(); onClosed(); } } })),
      renderSummary(),
      renderActions(),
      renderHashes(),
      renderReplies(),
      renderHistory(),
      renderPublication()));
  }

  i18n.onChange(() => render());

  return { open, close, get code() { return code; } };
}
