// The report form: checks it, sends the fingerprints (POST /v1/reports) and
// shows the receipt with the case code and the secret, which is shown once.
import { api } from '../api.js';
import { el, copyText, downloadText, focusNode } from '../dom.js';
import { saveCase } from './case-credentials.js';

export function createReportForm({ i18n, photos, form, errorBox, errorList, submitButton, submitStatus,
                                   contact, consent, receipt }) {
  let issued = null;   // {code, secret, at} once the report is in

  function fieldErrors() {
    const errors = [];
    if (photos.count() === 0 || (photos.pending() === 0 && photos.hashes().length === 0)) {
      errors.push({ key: 'errors.noPhotos', target: form.querySelector('#file-input') });
    } else if (photos.pending() > 0) {
      errors.push({ key: 'errors.stillHashing', target: form.querySelector('#photo-list') });
    }
    if (!form.querySelector('input[name="category"]:checked')) {
      errors.push({ key: 'errors.category', target: form.querySelector('input[name="category"]') });
    }
    if (!consent.checked) errors.push({ key: 'errors.consent', target: consent });
    return errors;
  }

  function showErrors(errors) {
    errorList.replaceChildren(...errors.map((error) => el('li', {},
      error.target
        ? el('button', { type: 'button', className: 'link-button', text: error.text ?? i18n.t(error.key),
                         on: { click: () => focusNode(error.target) } })
        : error.text ?? i18n.t(error.key))));
    errorBox.hidden = errors.length === 0;
    if (errors.length) focusNode(errorBox);
  }

  function messageFor(error) {
    if (error.status === 0) return i18n.t('errors.network');
    if (error.status === 429) return i18n.t('errors.rateLimited');
    return i18n.t('errors.server', { message: error.message });
  }

  async function submit(event) {
    event.preventDefault();
    const errors = fieldErrors();
    showErrors(errors);
    if (errors.length) return;

    const body = {
      category: form.querySelector('input[name="category"]:checked').value,
      hashes: photos.hashes(),
      consent: true,
      language: i18n.language,
    };
    const contactText = contact.value.trim();
    if (contactText) body.contact = contactText;

    submitButton.disabled = true;
    submitStatus.textContent = i18n.t('submit.sending');
    try {
      const answer = await api('/v1/reports', { method: 'POST', body });
      issued = { code: answer.case_code, secret: answer.case_secret, at: Date.now() };
      submitStatus.textContent = '';
      saveCase(issued, { remember: false });
      showReceipt();
    } catch (error) {
      showErrors([{ text: messageFor(error) }]);
      submitStatus.textContent = '';
    } finally {
      submitButton.disabled = false;
    }
  }

  function showReceipt() {
    // Forget the photos and the form now that only the codes matter.
    photos.clear();
    form.reset();
    form.hidden = true;
    receipt.root.hidden = false;
    receipt.code.textContent = issued.code;
    receipt.secret.textContent = issued.secret;
    receipt.remember.checked = false;
    for (const node of document.querySelectorAll('.intro, .info-grid')) node.hidden = true;
    focusNode(receipt.root);
    receipt.root.scrollIntoView({ block: 'start' });
  }

  function receiptText() {
    const url = `${location.origin}${location.pathname}`;
    return i18n.t('receipt.fileText', {
      code: issued.code, secret: issued.secret, date: i18n.dateTime(issued.at), url,
    });
  }

  async function copy(text) {
    const ok = await copyText(text);
    receipt.copyStatus.textContent = i18n.t(ok ? 'receipt.copied' : 'receipt.copyFailed');
  }

  form.addEventListener('submit', submit);
  receipt.copyCode.addEventListener('click', () => copy(issued.code));
  receipt.copySecret.addEventListener('click', () => copy(issued.secret));
  receipt.download.addEventListener('click', () => {
    downloadText(i18n.t('receipt.fileName', { code: issued.code }), receiptText());
  });
  receipt.print.addEventListener('click', () => window.print());
  receipt.remember.addEventListener('change', () => saveCase(issued, { remember: receipt.remember.checked }));
  receipt.another.addEventListener('click', () => {
    receipt.root.hidden = true;
    receipt.copyStatus.textContent = '';
    form.hidden = false;
    errorBox.hidden = true;
    for (const node of document.querySelectorAll('.intro, .info-grid')) node.hidden = false;
    focusNode(form.querySelector('#photos-title'));
  });
}
