// Calls to the verifier's JSON API (CONTRACT.md, under /api/v1).

const TIMEOUT_MS = 10_000;

/** A failed call: ``status`` is the HTTP status (0 when the server was unreachable). */
export class ApiError extends Error {
  constructor(message, status, code = "") {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call(settings, path, init = {}) {
  const headers = { Accept: "application/json", "Accept-Language": settings.language };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`${settings.server}${path}`, {
      ...init,
      headers: { ...headers, ...init.headers },
      // No cookies and no Referer: the server learns nothing beyond the request itself.
      credentials: "omit",
      referrerPolicy: "no-referrer",
      cache: "no-store",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new ApiError(String(error.message || error), 0);
  }
  if (response.status === 304) return { notModified: true, response };
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: a proxy's error page, or not a verifier server at all.
  }
  if (!response.ok) {
    const error = body && body.error ? body.error : {};
    throw new ApiError(
      error.message || `HTTP ${response.status}`,
      response.status,
      error.code || "",
    );
  }
  if (body === null) throw new ApiError("the server did not answer JSON", response.status);
  return { body, response };
}

/** Every registry entry whose host hash starts with ``prefix`` (8 hex digits). */
export async function lookupPrefix(settings, prefix) {
  const { body } = await call(settings, `/api/v1/lookup/${prefix}`);
  return Array.isArray(body.entries) ? body.entries : [];
}

/** The verdict object for one value (a phone number, link, address or host name). */
export async function checkValue(settings, value, kind = "auto") {
  const query = new URLSearchParams({ q: value, kind });
  const { body } = await call(settings, `/api/v1/check?${query}`);
  return body;
}

/** The scan object for a whole text. */
export async function scanText(settings, text) {
  const { body } = await call(settings, "/api/v1/scan", {
    method: "POST",
    body: JSON.stringify({ text }),
  });
  return body;
}

/** Send a report; the id of its report group. */
export async function sendReport(settings, fields) {
  const { body } = await call(settings, "/api/v1/reports", {
    method: "POST",
    body: JSON.stringify(fields),
  });
  return body.id;
}

/** The public registry snapshot, or null when ``etag`` is still current (304). */
export async function fetchSnapshot(settings, etag) {
  const headers = etag ? { "If-None-Match": etag } : {};
  const result = await call(settings, "/api/v1/snapshot", { headers });
  if (result.notModified) return null;
  return { body: result.body, etag: result.response.headers.get("ETag") || "" };
}

/** The server's health answer ({status, registry_version}). */
export async function health(settings) {
  const { body } = await call(settings, "/healthz");
  return body;
}
