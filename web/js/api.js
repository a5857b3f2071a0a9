// The one place the pages talk to the server. Same origin only (the CSP allows
// nothing else), JSON in and out, errors as ApiError with the server's code.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;   // HTTP status, or 0 when the network failed
    this.code = code;       // the server's error code, e.g. "consent_required"
  }
}

/**
 * Calls the API. `options`: method, body (sent as JSON), headers.
 * Resolves to the parsed JSON body; rejects with ApiError.
 */
export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, cache: 'no-store',
                 credentials: 'omit', referrerPolicy: 'no-referrer' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, 'network', error.message);
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    const error = data && data.error ? data.error : {};
    const apiError = new ApiError(response.status, error.code || `http_${response.status}`, error.message);
    apiError.retryAfter = Number(response.headers.get('Retry-After')) || null;
    throw apiError;
  }
  return data;
}
