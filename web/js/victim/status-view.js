// "Follow my report": the victim types the case code and secret, the page
// reads GET /v1/cases/{code} with the X-Case-Secret header (never in the URL)
// and shows a stepper, the analyst's message with a reply form when more
// information is needed, or a plain explanation and where to go next when the
// report was rejected.
import { api } from '../api.js';
import { el, focusNode } from '../dom.js';
import { forgetCase, loadCase, normalizeCode, normalizeSecret, saveCase } from './case-credentials.js';
import { renderResources } from './resources.js';

const kSteps = ['received', 'in_review', 'verified', 'published', 'outcomes'];

export function createStatusView({ i18n, form, codeInput, secretInput, rememberInput, submitButton, forgetButton,
                                   statusLine, result }) {
  let credentials = null;   // {code, secret} of the case shown
  let view = null;          // the last victim view from the server
  let loadedOnce = false;

  function errorText(error) {
    if (error.status === 404 || error.status === 400 || error.status === 401) return i18n.t('status.notFound');
    if (error.status === 0) return i18n.t('status.errors.network');
    if (error.status === 429) return i18n.t('status.errors.rateLimited');
    return i18n.t('status.errors.server', { message: error.message });
  }

  async function load({ announce = true } = {}) {
    const code = normalizeCode(codeInput.value);
    const secret = normalizeSecret(secretInput.value);
    if (!code || !secret) {
      statusLine.textContent = i18n.t('status.missing');
      focusNode(code ? secretInput : codeInput);
      return;
    }
    codeInput.value = code;
    submitButton.disabled = true;
    statusLine.textContent = i18n.t('status.loading');
    try {
      view = await api(`/v1/cases/${encodeURIComponent(code)}`, { headers: { 'X-Case-Secret': secret } });
      credentials = { code, secret };
      saveCase(credentials, { remember: rememberInput.checked });
      forgetButton.hidden = false;
      statusLine.textContent = '';
      render();
      if (announce) focusNode(result.querySelector('h2'));
    } catch (error) {
      view = null;
      result.replaceChildren();
      statusLine.textContent = errorText(error);
    } finally {
      submitButton.disabled = false;
    }
  }

  function stepStates() {
    const status = view.status;
    const published = Boolean(view.published);
    const outcomes = view.outcomes || { matches: 0, removals: 0 };
    const seen = (outcomes.matches || 0) + (outcomes.removals || 0) > 0;
    const states = { received: 'done', in_review: 'todo', verified: 'todo', published: 'todo', outcomes: 'todo' };
    if (status === 'received') states.received = 'current';
    if (status === 'in_review') states.in_review = 'current';
    if (status === 'verified') {
      Object.assign(states, { in_review: 'done', verified: 'done' });
      states.published = published ? 'done' : 'current';
      if (published) states.outcomes = seen ? 'done' : 'current';
    }
    return states;
  }

  function stepText(step) {
    if (step === 'published') {
      return i18n.t('status.steps.published.text', { n: view.published ? view.published.platforms : 0 });
    }
    if (step === 'outcomes') {
      const outcomes = view.outcomes || {};
      if (!outcomes.matches && !outcomes.removals) return i18n.t('status.steps.outcomes.waiting');
      return i18n.t('status.steps.outcomes.text', { matches: outcomes.matches || 0, removals: outcomes.removals || 0 });
    }
    return i18n.t(`status.steps.${step}.text`);
  }

  // Current steps explain themselves; past ones only when they carry news.
  function showsText(step, state) {
    if (state === 'current') return true;
    return state === 'done' && ['verified', 'published', 'outcomes'].includes(step);
  }

  function renderStep(step, position, state, { title, text } = {}) {
    const marker = state === 'done' ? '✓' : String(position);
    return el('li', {
      className: `stepper__step is-${state}`,
      // The test id marks reached steps only, so waiting for it means "reached".
      dataset: { testid: state === 'todo' ? null : `status-step-${step}`, step, state },
      attrs: { 'aria-current': state === 'current' ? 'step' : null },
    },
    el('span', { className: 'stepper__marker', text: marker, attrs: { 'aria-hidden': 'true' } }),
    el('div', { className: 'stepper__body' },
      el('p', { className: 'stepper__title' },
        title ?? i18n.t(`status.steps.${step}.title`),
        el('span', { className: 'visually-hidden', text: ` (${i18n.t(`status.stepState.${state}`)})` })),
      showsText(step, state) ? el('p', { className: 'stepper__text', text: text ?? stepText(step) }) : null));
  }

  function renderStepper() {
    const states = stepStates();
    const steps = [];
    for (const [index, step] of kSteps.entries()) {
      if (step === 'in_review' && view.status === 'needs_info') {
        steps.push(renderStep('needs_info', index + 1, 'current', {
          title: i18n.t('status.needsInfo.title'), text: i18n.t('status.needsInfo.step'),
        }));
        continue;
      }
      steps.push(renderStep(step, index + 1, states[step]));
    }
    return el('ol', { className: 'stepper', attrs: { 'aria-label': i18n.t('status.stepsLabel') } }, steps);
  }

  function renderCounts() {
    const outcomes = view.outcomes || {};
    const count = (testid, label, value) => el('div', { className: 'count' },
      el('dt', { text: label }),
      el('dd', {}, el('strong', { text: String(value), dataset: { testid, count: value } })));
    return el('dl', { className: 'counts' },
      count('status-platforms', i18n.t('status.platforms'), view.published ? view.published.platforms : 0),
      count('status-matches', i18n.t('status.matches'), outcomes.matches || 0),
      count('status-removals', i18n.t('status.removals'), outcomes.removals || 0));
  }

  function renderMessage() {
    if (!view.message) return null;
    return el('blockquote', { className: 'analyst-message', dataset: { testid: 'status-message' }, text: view.message });
  }

  function renderNeedsInfo() {
    const textarea = el('textarea', {
      id: 'reply-message', className: 'input', rows: 5, maxLength: 4000,
      dataset: { testid: 'reply-message' }, attrs: { 'aria-describedby': 'reply-hint' },
    });
    const replyStatus = el('p', { className: 'status-line', attrs: { role: 'status' } });
    const send = el('button', {
      type: 'submit', className: 'button button--primary', text: i18n.t('status.needsInfo.send'),
      dataset: { testid: 'reply-submit' },
    });
    const replyForm = el('form', { className: 'reply-form', noValidate: true },
      el('label', { className: 'field-label', htmlFor: 'reply-message', text: i18n.t('status.needsInfo.replyLabel') }),
      el('p', { className: 'hint', id: 'reply-hint', text: i18n.t('status.needsInfo.replyHint') }),
      textarea, el('div', { className: 'button-row' }, send), replyStatus);
    replyForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const message = textarea.value.trim();
      if (!message) {
        replyStatus.textContent = i18n.t('status.needsInfo.empty');
        textarea.focus();
        return;
      }
      send.disabled = true;
      replyStatus.textContent = i18n.t('status.needsInfo.sending');
      try {
        view = await api(`/v1/cases/${encodeURIComponent(credentials.code)}/reply`, {
          method: 'POST', body: { message }, headers: { 'X-Case-Secret': credentials.secret },
        });
        render();
        statusLine.textContent = i18n.t('status.needsInfo.sent');
        focusNode(result.querySelector('h2'));
      } catch (error) {
        replyStatus.textContent = errorText(error);
        send.disabled = false;
      }
    });
    return el('section', { className: 'card card--attention', attrs: { 'aria-labelledby': 'needs-info-title' } },
      el('h3', { id: 'needs-info-title', text: i18n.t('status.needsInfo.title') }),
      el('p', { text: i18n.t('status.needsInfo.lead') }),
      renderMessage(),
      replyForm);
  }

  function renderRejected() {
    const reason = view.status_reason_code || 'other';
    const known = i18n.value(`status.rejected.reasons.${reason}`) !== undefined;
    const nextList = el('ul', { className: 'resource-list' });
    renderResources(nextList, i18n.value('nextSteps'));
    return el('section', {
      className: 'card card--closed', dataset: { testid: 'status-step-rejected', reason },
      attrs: { 'aria-labelledby': 'rejected-title' },
    },
    el('h3', { id: 'rejected-title', text: i18n.t('status.rejected.title') }),
    el('p', { text: i18n.t('status.rejected.lead') }),
    el('p', { className: 'reason', dataset: { testid: 'status-reason' },
              text: i18n.t(`status.rejected.reasons.${known ? reason : 'other'}`) }),
    view.message ? el('p', { text: i18n.t('status.rejected.messageLead') }) : null,
    renderMessage(),
    el('h4', { text: i18n.t('status.rejected.nextTitle') }),
    nextList);
  }

  function renderHistory() {
    const items = [...(view.history || [])];
    if (view.published && view.published.at_ms) items.push({ at_ms: view.published.at_ms, status: 'published' });
    items.sort((a, b) => a.at_ms - b.at_ms);
    return el('section', { className: 'history', attrs: { 'aria-labelledby': 'history-title' } },
      el('h3', { id: 'history-title', text: i18n.t('status.historyTitle') }),
      el('ol', { className: 'history__list' }, items.map((item) => {
        const key = `status.events.${item.status}`;
        const label = i18n.value(key) !== undefined ? i18n.t(key) : item.status;
        return el('li', {},
          el('time', { dateTime: new Date(item.at_ms).toISOString(), text: i18n.dateTime(item.at_ms) }),
          ' ', el('span', { text: label }));
      })));
  }

  function render() {
    if (!view) return;
    const category = i18n.value(`category.short.${view.category}`) !== undefined
      ? i18n.t(`category.short.${view.category}`) : view.category;
    result.replaceChildren(el('article', { className: 'card case', dataset: { testid: 'status-view', status: view.status } },
      el('h2', { tabIndex: -1, text: i18n.t('status.reportTitle', { code: view.code }) }),
      el('p', { className: 'case__meta' },
        el('span', { text: i18n.t('status.category', { category }) }),
        el('span', { text: i18n.t('status.updated', { date: i18n.dateTime(view.updated_at_ms) }) })),
      view.status === 'rejected' ? renderRejected() : renderStepper(),
      view.status === 'needs_info' ? renderNeedsInfo() : null,
      view.status === 'verified' ? renderCounts() : null,
      renderHistory()));
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  rememberInput.addEventListener('change', () => {
    if (credentials) saveCase(credentials, { remember: rememberInput.checked });
  });
  forgetButton.addEventListener('click', () => {
    forgetCase();
    codeInput.value = '';
    secretInput.value = '';
    rememberInput.checked = false;
    credentials = null;
    view = null;
    result.replaceChildren();
    forgetButton.hidden = true;
    statusLine.textContent = i18n.t('status.forgotten');
    codeInput.focus();
  });
  i18n.onChange(() => render());

  return {
    /** Called when the view is shown: fills in stored codes and loads once. */
    show() {
      const stored = loadCase();
      if (!stored) return;
      forgetButton.hidden = false;
      if (credentials && credentials.code === stored.code) return;
      codeInput.value = stored.code;
      secretInput.value = stored.secret;
      rememberInput.checked = stored.remembered;
      if (!loadedOnce || !view) {
        loadedOnce = true;
        load({ announce: false });
      }
    },
  };
}
