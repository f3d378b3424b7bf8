// What every page of the app shares: the signed-in user's state, words in zh-CN and
// English, escaping, and the one way to call the API (with the tab's bearer token).
// Pages live in their own modules (app.js: the dashboard's; console.js: the forms).

export const WORDS = { zh: {}, en: {} };
// Each module adds the words it uses; a key is one phrase in both languages.
export const addWords = (zh, en) => { Object.assign(WORDS.zh, zh); Object.assign(WORDS.en, en); };

export const state = {
  lang: localStorage.getItem("liaison.lang") || "zh",
  labels: { zh: {}, en: {} },
  branch: null,
  year: null, // the year looked at, on every page; none: each page opens on its latest
  page: "roster",
  seen: null,
  params: new URLSearchParams(),
  token: sessionStorage.getItem("liaison.token"),
  me: null,
};

// What the app does when the token is refused (app.js signs out), or a branch is
// registered (app.js lists it and turns to it).
export const hooks = { unauthenticated: () => {}, branchRegistered: async () => {} };

export const may = (action) => Boolean(state.me?.may.includes(action));
export const t = (key) => WORDS[state.lang][key] ?? key;
export const label = (table, value) => state.labels[state.lang][table]?.[value] ?? value;
export const esc = (value) =>
  String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

export class Refused extends Error {
  constructor(status, path, problem = null) {
    super(`${status} ${path}`);
    this.status = status;
    this.problem = problem;
  }
}

const authorisation = () => (state.token ? { Authorization: `Bearer ${state.token}` } : {});

export async function call(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v != null));
  const response = await fetch(`${path}${query.size ? `?${query}` : ""}`, { headers: authorisation() });
  if (response.status === 401) { hooks.unauthenticated(); throw new Refused(401, path); }
  if (!response.ok) throw new Refused(response.status, path);
  return response;
}

export const api = async (path, params) => (await call(path, params)).json();

// A write: the command's JSON body with its Idempotency-Key, so sending it again (a
// retry after a lost answer) writes nothing more. A refusal carries its problem.
export async function send(path, body, key) {
  const response = await fetch(path, {
    method: "POST",
    headers: { ...authorisation(), "Content-Type": "application/json", "Idempotency-Key": key },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => null);
  if (response.status === 401) hooks.unauthenticated();
  if (!response.ok) throw new Refused(response.status, path, answer);
  return answer;
}

// The header's language switch, sign-out and sign-in form, the same on every page:
// `relabel` redraws the page in the language chosen.
export function bindSession({ open, signOut, relabel }) {
  document.getElementById("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("liaison.lang", state.lang);
    relabel();
  });
  document.getElementById("signout").addEventListener("click", () => signOut());
  document.getElementById("signin").addEventListener("submit", async (event) => {
    event.preventDefault();
    state.token = new FormData(event.target).get("token").trim();
    sessionStorage.setItem("liaison.token", state.token);
    try { await open(); } catch { /* signOut has said why */ }
  });
}

export function kpi(testid, value, caption) {
  return `<div class="kpi"><b data-testid="${testid}">${esc(value)}</b><span>${esc(caption)}</span></div>`;
}

export function table(headers, rows, testid = "") {
  if (!rows.length) return `<p class="muted">${t("none")}</p>`;
  return `<div class="table"><table ${testid ? `data-testid="${testid}"` : ""}>
    <thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>
    <tbody>${rows
      .map((r) => `<tr>${r.map((c, i) => `<td data-label="${esc(headers[i])}">${c}</td>`).join("")}</tr>`)
      .join("")}</tbody>
  </table></div>`;
}

// A fresh UUID (v4). crypto.randomUUID is only there in secure contexts; a branch's
// server on its own network may be plain http, where getRandomValues still is.
export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Today on this device's calendar, as a business date ("YYYY-MM-DD").
export const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
