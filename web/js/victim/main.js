// The victim page (web/index.html): report photos by their fingerprints, then
// follow the report. This module wires the parts together: language, quick
// exit, the two views (#report, #status), the photo list, the form and the
// status view.
//
// Test ids (data-testid) on this page, for the end-to-end tests:
//   lang-switch            button switching French <-> English
//   quick-exit             leaves for a neutral site (location.replace)
//   tab-report, tab-status the two views (#report, #status)
//   start-report           jumps to the photo picker
//   file-input             <input type=file multiple>
//   overall-progress       <progress> for all photos
//   photo-item             one per photo; data-state="hashing"|"done"|"error",
//                          data-pdq, data-md5, data-sha256 once known
//   photo-remove           remove button inside a photo-item
//   category-intimate_image, category-sextortion, category-synthetic  radios
//   contact, consent, submit-report
//   case-code, case-secret, copy-code, copy-secret, download-receipt,
//   print-receipt, receipt-remember, receipt-follow
//   status-code, status-secret, status-remember, status-submit, status-forget
//   status-view (data-status), status-step-<received|in_review|needs_info|
//   verified|published|outcomes> on steps reached (data-state="done"|"current");
//   steps not reached yet carry data-step and data-state="todo" but no test id,
//   status-step-rejected (data-reason), status-reason,
//   status-platforms, status-matches, status-removals (text = the number),
//   status-message, reply-message, reply-submit
import { createI18n } from '../i18n.js';
import { installQuickExit } from '../quick-exit.js';
import en from '../i18n/en.js';
import fr from '../i18n/fr.js';
import { createPhotoList } from './photos.js';
import { createReportForm } from './report-form.js';
import { createStatusView } from './status-view.js';
import { renderResources } from './resources.js';
import { focusNode } from '../dom.js';

const byId = (id) => document.getElementById(id);

const i18n = createI18n({ dictionaries: { en, fr }, storageKey: 'rempart.language' });
i18n.init();

// Language: a button naming the other language.
byId('lang-switch').addEventListener('click', () => {
  i18n.setLanguage(i18n.language === 'fr' ? 'en' : 'fr');
});
function renderLanguageBits() {
  byId('lang-switch').setAttribute('lang', i18n.language === 'fr' ? 'en' : 'fr');
  renderResources(byId('help-list'), i18n.value('help.items'));
}
i18n.onChange(renderLanguageBits);
renderLanguageBits();

installQuickExit(byId('quick-exit'));

// "Start my report" skips the explanations, straight to the photo picker.
byId('start-report').addEventListener('click', () => {
  byId('photos-title').scrollIntoView({ block: 'start' });
  byId('file-input').focus({ preventScroll: true });
});

const photos = createPhotoList({
  i18n,
  input: byId('file-input'),
  dropzone: byId('dropzone'),
  panel: byId('photos-panel'),
  list: byId('photo-list'),
  overallText: byId('overall-text'),
  overallProgress: byId('overall-progress'),
  announcer: byId('photo-announcer'),
  moduleMissing: byId('module-missing'),
  previewToggle: byId('preview-toggle'),
});

createReportForm({
  i18n,
  photos,
  form: byId('report-form'),
  errorBox: byId('form-errors'),
  errorList: byId('form-error-list'),
  submitButton: byId('submit-report'),
  submitStatus: byId('submit-status'),
  contact: byId('contact'),
  consent: byId('consent'),
  receipt: {
    root: byId('receipt'),
    code: byId('case-code'),
    secret: byId('case-secret'),
    copyCode: byId('copy-code'),
    copySecret: byId('copy-secret'),
    copyStatus: byId('copy-status'),
    download: byId('download-receipt'),
    print: byId('print-receipt'),
    remember: byId('receipt-remember'),
    another: byId('report-another'),
  },
});

const status = createStatusView({
  i18n,
  form: byId('status-form'),
  codeInput: byId('status-code'),
  secretInput: byId('status-secret'),
  rememberInput: byId('status-remember'),
  submitButton: byId('status-submit'),
  forgetButton: byId('status-forget'),
  statusLine: byId('status-line'),
  result: byId('status-result'),
});

// Two views in one page, chosen by the URL fragment (#report, #status). The
// fragment never holds a code or a secret.
function route({ moveFocus }) {
  const showStatus = location.hash === '#status';
  byId('view-report').hidden = showStatus;
  byId('view-status').hidden = !showStatus;
  for (const [id, active] of [['tab-report', !showStatus], ['tab-status', showStatus]]) {
    const tab = byId(id);
    if (active) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  if (showStatus) status.show();
  else photos.warmUp();
  if (moveFocus) focusNode(byId(showStatus ? 'status-title' : 'intro-title'));
}
window.addEventListener('hashchange', () => route({ moveFocus: true }));
route({ moveFocus: false });
