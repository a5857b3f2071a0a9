// The analyst console (web/console/index.html): sign in with a key, triage
// the queue, open a case, act on it. This module wires the parts together.
//
// Test ids (data-testid) in the console, for the end-to-end tests:
//   key-input, sign-in, sign-out, whoami, lang-switch
//   search-input, search-submit, search-clear
//   tab-<received|in_review|needs_info|verified|rejected> (aria-pressed)
//   category-filter, refresh, load-more, select-all
//   queue-row (data-code, data-status), row-select (checkbox in a row),
//   open-case (button in a row)
//   bulk-action (review|verify|reject), bulk-bank, bulk-reason, bulk-apply
//   case-view (data-code), case-close, case-status (data-status), case-contact,
//   case-hash (data-kind), case-reply, case-history-item, case-published,
//   case-outcomes
//   claim, bank-select, verify-publish, reject-reason, reject-message,
//   reject-note, reject-submit, request-info-message, request-info-submit
import { createI18n } from '../../js/i18n.js';
import { focusNode } from '../../js/dom.js';
import en from './i18n/en.js';
import fr from './i18n/fr.js';
import { createSession } from './session.js';
import { createQueue } from './queue.js';
import { createCaseView } from './case-view.js';

const byId = (id) => document.getElementById(id);

const i18n = createI18n({ dictionaries: { en, fr }, storageKey: 'rempart.console.language' });
i18n.init();
byId('lang-switch').addEventListener('click', () => i18n.setLanguage(i18n.language === 'fr' ? 'en' : 'fr'));

let bankList = [];
const banks = () => bankList;
let who = null;

function errorText(error) {
  if (error.status === 0) return i18n.t('errors.network');
  return i18n.t('errors.server', { message: error.message });
}

const session = createSession({
  onExpired() {
    showSignIn(i18n.t('signIn.expired'));
  },
});

const queue = createQueue({
  i18n, session, banks, errorText,
  onOpen: (code) => openCase(code),
  nodes: {
    tabs: byId('status-tabs'),
    heading: byId('queue-heading'),
    searchForm: byId('search-form'),
    searchInput: byId('search-input'),
    categoryFilter: byId('category-filter'),
    refresh: byId('refresh'),
    body: byId('queue-body'),
    empty: byId('queue-empty'),
    loadMore: byId('load-more'),
    selectAll: byId('select-all'),
    status: byId('queue-status'),
    bulkCount: byId('bulk-count'),
    bulkAction: byId('bulk-action'),
    bulkBank: byId('bulk-bank'),
    bulkReason: byId('bulk-reason'),
    bulkApply: byId('bulk-apply'),
  },
});

const caseView = createCaseView({
  i18n, session, banks, errorText,
  root: byId('case-view'),
  empty: byId('case-empty'),
  async onChanged(code) {
    await queue.load();
    queue.setOpen(code);
  },
  onClosed() {
    queue.setOpen(null);
  },
});

function openCase(code) {
  queue.setOpen(code);
  caseView.open(code);
}

function renderWho() {
  const node = byId('whoami');
  node.hidden = !who;
  node.textContent = who ? i18n.t('signIn.whoami', { name: who.name, role: who.role }) : '';
}
i18n.onChange(renderWho);

async function loadBanks() {
  try {
    const answer = await session.call('/v1/banks');
    bankList = (answer.banks || []).filter((bank) => bank && bank.name);
  } catch {
    bankList = [];
  }
  queue.render();
}

function showSignIn(message = '') {
  who = null;
  renderWho();
  caseView.close();
  byId('workspace').hidden = true;
  byId('sign-out').hidden = true;
  byId('sign-in-view').hidden = false;
  byId('sign-in-status').textContent = message;
  byId('key-input').value = '';
  byId('key-input').focus();
}

async function showWorkspace() {
  byId('sign-in-view').hidden = true;
  byId('workspace').hidden = false;
  byId('sign-out').hidden = false;
  renderWho();
  await Promise.all([loadBanks(), queue.load()]);
}

byId('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const key = byId('key-input').value.trim();
  const status = byId('sign-in-status');
  if (!key) {
    status.textContent = i18n.t('signIn.missing');
    return;
  }
  byId('sign-in').disabled = true;
  status.textContent = i18n.t('signIn.checking');
  try {
    who = await session.signIn(key);
    status.textContent = '';
    byId('key-input').value = '';
    await showWorkspace();
    focusNode(byId('queue-heading'));
  } catch (error) {
    status.textContent = error.status === 401 || error.status === 400 ? i18n.t('signIn.invalid')
      : error.status === 403 ? i18n.t('signIn.forbidden') : errorText(error);
  } finally {
    byId('sign-in').disabled = false;
  }
});

byId('sign-out').addEventListener('click', () => {
  session.signOut();
  showSignIn();
});

// Keyboard shortcuts, never inside a field: "/" search, j/k move, x select.
document.addEventListener('keydown', (event) => {
  if (byId('workspace').hidden || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest('input, textarea, select, [contenteditable]')) return;
  if (event.key === '/') {
    event.preventDefault();
    byId('search-input').focus();
  } else if (event.key === 'j') {
    queue.moveFocus(1);
  } else if (event.key === 'k') {
    queue.moveFocus(-1);
  } else if (event.key === 'x') {
    queue.toggleFocused();
  }
});

// Start: a key kept in this tab signs in again without asking.
if (session.signedIn) {
  session.whoami().then(async (answer) => {
    who = answer;
    await showWorkspace();
  }).catch(() => showSignIn());
} else {
  showSignIn();
}
