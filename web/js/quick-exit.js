// "Quick exit": leaves the site at once for a neutral page, replacing this page
// in the tab's history so the Back button does not bring it back. Pressing Esc
// twice within a second does the same. Data kept for this tab only
// (sessionStorage) is wiped on the way out; what the person chose to remember
// on this device stays.

const kNeutralPage = 'https://www.google.com/';

export function quickExit() {
  try { sessionStorage.clear(); } catch { /* storage blocked */ }
  document.title = '';
  document.body.replaceChildren();
  location.replace(kNeutralPage);
}

export function installQuickExit(button) {
  button.addEventListener('click', quickExit);
  let lastEscape = 0;
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    const now = Date.now();
    if (now - lastEscape < 1000) quickExit();
    lastEscape = now;
  });
}
