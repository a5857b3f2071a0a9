// The analyst's key: kept in sessionStorage only (this tab, until it closes or
// the analyst signs out), checked with GET /v1/whoami, sent as a Bearer token.
import { api, ApiError } from '../../js/api.js';

const kStorageKey = 'rempart.console.key';

export function createSession({ onExpired }) {
  let key = null;
  try { key = sessionStorage.getItem(kStorageKey); } catch { /* storage blocked */ }

  /** Calls the API with the key; a 401 signs out and tells the page. */
  async function call(path, options = {}) {
    if (!key) throw new ApiError(401, 'signed_out', 'signed out');
    try {
      return await api(path, { ...options, headers: { ...(options.headers || {}), Authorization: `Bearer ${key}` } });
    } catch (error) {
      if (error.status === 401) {
        signOut();
        onExpired();
      }
      throw error;
    }
  }

  function signOut() {
    key = null;
    try { sessionStorage.removeItem(kStorageKey); } catch { /* storage blocked */ }
  }

  return {
    get signedIn() { return key !== null; },
    call,
    signOut,
    /** Checks a key; on success keeps it and resolves to {key_id, name, role}. */
    async signIn(candidate) {
      const who = await api('/v1/whoami', { headers: { Authorization: `Bearer ${candidate}` } });
      if (who.role !== 'analyst' && who.role !== 'admin') throw new ApiError(403, 'forbidden', 'not staff');
      key = candidate;
      try { sessionStorage.setItem(kStorageKey, candidate); } catch { /* storage blocked */ }
      return who;
    },
    whoami: () => call('/v1/whoami'),
  };
}
