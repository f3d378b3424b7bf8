// 办理 (the console): the pages where the branch writes. Its forms are made from the
// command API's OpenAPI document — each command is declared once on the server
// (services/command/commands.py), so its path, fields, types and rules reach this
// page with no form written by hand — and offered only for the commands the signed-in
// role may use (whoami's `may`, from shared/policy.py).
//
// To add a page to the console: in a module of its own, call
//   addConsolePage({ id, words: [zh, en], offered: () => bool, render: async (main, base, params) => {} })
// and import that module at the end of this one; it gets a tab of its own at
// #/console?p=<id>, shown to those for whom `offered()` is true.

import { addWords, api, esc, hooks, label, may, newId, Refused, send, state, t, today } from "./core.js";

export const CONSOLE_WORDS = [
  {
    console: "办理", forms: "办理事项", back: "← 全部事项", submit: "提交", required: "必填",
    done: "已办理", position: "事件位置", filter: "输入文字筛选", choose: "请选择", yes: "是",
    wrong: "填写有误", notAllowed: "您的角色没有可办理的事项", recent: "刚刚办理",
    consoleNeedsCommands: "这里只连着查询服务，办理事项需要指令服务（liaison run 两者都有）",
    offlineConsole: "网络已断开，请联网后再提交",
  },
  {
    console: "Console", forms: "Forms", back: "← All forms", submit: "Submit", required: "required",
    done: "Done", position: "event position", filter: "Type to filter", choose: "Choose…", yes: "Yes",
    wrong: "Please check this", notAllowed: "Your role has nothing to write here", recent: "Just done",
    consoleNeedsCommands: "This server answers queries only; writing needs the command API (liaison run serves both)",
    offlineConsole: "No network: submit once it is back",
  },
];

const CONSOLE_PAGES = [];
export const addConsolePage = (page) => {
  CONSOLE_PAGES.push(page);
  addWords({ [`page:${page.id}`]: page.words[0] }, { [`page:${page.id}`]: page.words[1] });
};
export const offersConsole = () => CONSOLE_PAGES.some((page) => page.offered());

// ---- the commands, from /openapi.json ----------------------------------------------

let operations = []; // every command of the document: {op, path, tag, fields}

// Reads the document once per sign-in (it is the same for everyone: `may` filters it).
export async function prepareConsole() {
  if (operations.length) return;
  const response = await fetch("/openapi.json").catch(() => null);
  if (!response?.ok) return;
  const doc = await response.json();
  const resolve = (schema) => (schema?.$ref ? doc.components.schemas[schema.$ref.split("/").pop()] : schema);
  for (const [path, methods] of Object.entries(doc.paths)) {
    const op = methods.post;
    // Commands are the branch's writes (JSON bodies: an upload has a page of its own);
    // tokens (access) are the committee's own tool.
    const json = op?.requestBody?.content["application/json"];
    if (!json || !path.startsWith("/v1/branches")) continue;
    const body = resolve(json.schema);
    const fields = [
      ...op.parameters.filter((p) => p.in === "path" && p.name !== "branch_id")
        .map((p) => field(p.name, p.schema, true, "path", resolve)),
      ...Object.entries(body.properties).filter(([name]) => name !== "id")
        .map(([name, schema]) => field(name, schema, body.required?.includes(name), "body", resolve)),
    ];
    operations.push({ op: op.operationId, path, tag: op.tags[0], description: op.description, fields });
  }
}

// Without a branch chosen, only what needs none (registering one) can be done.
export const commandsAllowed = () =>
  operations.filter((o) => may(o.op) && (state.branch || !o.path.includes("{branch_id}")));

// One input's description: the field's schema with `null` set aside (optional fields
// are simply left out), enumerations named after their schema (for their labels).
function field(name, raw, required, where, resolve) {
  const options = raw.anyOf ? raw.anyOf.filter((s) => s.type !== "null") : [raw];
  const enumRef = options[0].$ref?.split("/").pop();
  const schema = resolve(options[0]);
  return { name, where, required: Boolean(required), schema, enumName: enumRef, description: raw.description ?? "" };
}

// ---- what the pick lists choose from (the query API's read models) -------------------

// Which list an id field picks from. An id whose list the role may not read (a mass
// representative reads no roster) is typed in.
const PICKS = {
  member_id: "members", helper_id: "members", raised_by_member_id: "members",
  attendee_ids: "members", member_ids: "members", group_id: "groups", household_id: "households",
  post_id: "posts", campaign_id: "campaigns", need_id: "needs", hardship_id: "hardships",
  visit_id: "visits",
};

async function loadSources(base, wanted, minPosition) {
  const at = minPosition ? { min_position: minPosition } : {};
  const roster = may("roster") && ["members", "groups", "hardships", "visits"].some((s) => wanted.has(s))
    ? await api(`${base}/roster`, at) : null;
  const sources = {};
  if (wanted.has("members") || wanted.has("visits")) {
    // A group leader acts for their own group's members only (shared/policy.py).
    const groups = roster?.groups.filter((g) => !state.me.group_id || g.id === state.me.group_id);
    sources.members = roster
      ? groups.flatMap((g) => g.members.map((m) => ({ id: m.id, text: `${m.name}（${g.name}）` })))
      : state.me.member_id ? [{ id: state.me.member_id, text: state.me.subject }] : undefined;
  }
  if (wanted.has("groups") && roster) sources.groups = roster.groups.map((g) => ({ id: g.id, text: g.name }));
  if (wanted.has("hardships") && roster) {
    sources.hardships = roster.hardships.filter((h) => !h.closed_on)
      .map((h) => ({ id: h.id, text: `${h.member_name} · ${label("hardship_kind", h.kind)}` }));
  }
  if ((wanted.has("households") || wanted.has("visits")) && may("coverage_households")) {
    const [no, yes] = await Promise.all([false, true].map((visited) =>
      api(`${base}/coverage/households`, { visited, limit: 5000, ...at })));
    sources.households = [...no.households, ...yes.households].filter((h) => !h.erased)
      .sort((a, b) => a.address.localeCompare(b.address, "zh-CN", { numeric: true }))
      .map((h) => ({ id: h.id, text: `${h.address} · ${h.head_name}${h.linked_member_name ? ` · ${h.linked_member_name}` : ""}` }));
  }
  if (wanted.has("posts") && may("posts_board")) {
    const board = await api(`${base}/posts`, at);
    sources.posts = board.posts.map((p) => ({ id: p.id, text: `${p.title}（${label("post_kind", p.kind)}）` }));
  }
  if (wanted.has("campaigns") && may("campaign_tallies")) {
    const c = await api(`${base}/campaigns`, at);
    sources.campaigns = c.campaigns.filter((x) => !x.closed_on).map((x) => ({ id: x.id, text: `${x.title}（${x.starts_on}）` }));
  }
  if (wanted.has("needs") && may("residents_needs")) {
    const n = await api(`${base}/needs`, { status: "open", ...at });
    sources.needs = n.needs.map((x) => ({ id: x.id, text: `${x.address} · ${x.description.slice(0, 40)}` }));
  }
  if (wanted.has("visits") && may("audit_events")) {
    // Visits have no read model of their own: the audit log lists them, newest first.
    const names = new Map([...(sources.members ?? []), ...(sources.households ?? [])].map((x) => [x.id, x.text]));
    const since = new Date(Date.now() - 90 * 86400e3).toISOString().slice(0, 10);
    const log = await api("/v1/audit/events", { branch_id: state.branch, type: "VisitRecorded", since, limit: 1000 });
    sources.visits = log.events.reverse().map((e) => ({
      id: e.stream_id,
      text: `${e.data.visited_on} · ${names.get(e.data.household_id)?.split(" · ")[0] ?? ""} · ${e.data.purpose}`,
    }));
  }
  return sources;
}

// ---- the forms -----------------------------------------------------------------------

const halfYears = () => {
  const year = new Date().getFullYear();
  return [0, 1, 2].flatMap((back) => [`${year - back}H2`, `${year - back}H1`]);
};
const fieldName = (name) => label("field", name);

function options(items, chosen = "") {
  return `<option value="">${t("choose")}</option>${items.map((i) =>
    `<option value="${esc(i.id)}"${i.id === chosen ? " selected" : ""}>${esc(i.text)}</option>`).join("")}`;
}

// The input for one field, chosen by its schema (and, for ids, what it picks from).
function input(f, sources) {
  const s = f.schema;
  const id = `f-${f.name}`;
  const req = f.required ? " required" : "";
  const pick = PICKS[f.name];
  if (pick && sources[pick]) {
    const items = sources[pick];
    if (s.type === "array") {
      return `<div class="checks" id="${id}" data-array="ids">${items.map((i) => `
        <label><input type="checkbox" value="${esc(i.id)}"> ${esc(i.text)}</label>`).join("")}</div>`;
    }
    const filter = items.length > 20
      ? `<input type="search" class="filter" data-for="${id}" placeholder="${t("filter")}" aria-label="${t("filter")}">` : "";
    const only = items.length === 1 && f.required ? items[0].id : "";
    return `${filter}<select id="${id}" name="${f.name}"${req}>${options(items, only)}</select>`;
  }
  if (f.enumName) {
    const table = state.labels.enums?.[f.enumName];
    return `<select id="${id}" name="${f.name}"${req}>${options(s.enum.map((v) => ({ id: v, text: table ? label(table, v) : v })))}</select>`;
  }
  if (s.format === "date") {
    const value = f.required || ["enrolled_on", "linked_on"].includes(f.name) ? today() : "";
    return `<input type="date" id="${id}" name="${f.name}" value="${value}" max="${today()}"${req}>`;
  }
  if (s.type === "boolean") return `<label class="check"><input type="checkbox" id="${id}" name="${f.name}"> ${t("yes")}</label>`;
  if (s.type === "integer" || s.type === "number") {
    const value = f.name === "year" ? new Date().getFullYear() : "";
    const step = s.type === "number" ? ' step="any"' : "";
    return `<input type="number" inputmode="numeric" id="${id}" name="${f.name}" value="${value}"${step}${s.minimum != null ? ` min="${s.minimum}"` : ""}${s.maximum != null ? ` max="${s.maximum}"` : ""}${req}>`;
  }
  if (s.pattern?.includes("H[12]")) {
    return `<select id="${id}" name="${f.name}"${req}>${options(halfYears().map((h) => ({ id: h, text: h.replace("H1", "年上半年").replace("H2", "年下半年") })))}</select>`;
  }
  if (f.name === "metric") {
    return `<select id="${id}" name="${f.name}"${req}>${options(Object.keys(state.labels.zh.metric).map((m) => ({ id: m, text: label("metric", m) })))}</select>`;
  }
  if (s.type === "array" || (s.maxLength ?? 0) > 200) {
    return `<textarea id="${id}" name="${f.name}" rows="3"${s.type === "array" ? ' data-array="lines"' : ""}${req}></textarea>`;
  }
  const kind = f.name === "phone" ? "tel" : "text";
  return `<input type="${kind}" id="${id}" name="${f.name}"${s.maxLength ? ` maxlength="${s.maxLength}"` : ""}${req}>`;
}

// What the form says, as the command's JSON: blank optional fields are left out.
function values(form, operation) {
  const body = {};
  const path = {};
  for (const f of operation.fields) {
    const el = form.querySelector(`#f-${f.name}`);
    let value;
    if (el.dataset.array === "ids") value = [...el.querySelectorAll("input:checked")].map((c) => c.value);
    else if (el.dataset.array === "lines") value = el.value.split("\n").map((x) => x.trim()).filter(Boolean);
    else if (el.type === "checkbox") value = el.checked;
    else if (el.type === "number") value = el.value === "" ? "" : Number(el.value);
    else value = el.value;
    const empty = value === "" || (Array.isArray(value) && !value.length);
    if (empty) continue; // a required one left blank: the server says it is required
    (f.where === "path" ? path : body)[f.name] = value;
  }
  return { body, path };
}

// A refusal in words, at the field it concerns (the problem's `field`, or the field its
// type is about), else above the form.
export function showRefusal(form, problem, fieldNames) {
  form.querySelectorAll(".field-error").forEach((e) => { e.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  const slug = (problem?.type ?? "").replace("/problems/", "");
  const words = label("problem", slug);
  const at = (name, text) => {
    const slot = name && form.querySelector(`[data-error-for="${name}"]`);
    const target = slot ?? form.querySelector(".form-error");
    target.textContent = target.textContent ? `${target.textContent}；${text}` : text;
    form.querySelector(`#f-${name}`)?.setAttribute("aria-invalid", "true");
  };
  if (slug === "validation-error" && problem.errors) {
    for (const e of problem.errors) {
      const name = e.field.replace(/^(path|query)\./, "").split(".")[0];
      at(name, /required/i.test(e.message) ? t("required") : `${t("wrong")}：${e.message}`);
    }
    return;
  }
  const concerned = problem?.field ?? (state.labels.concerns?.[slug] ?? []).find((n) => fieldNames.includes(n));
  const detail = state.lang === "zh" ? problem?.detail_zh : problem?.detail;
  // Access refusals say why in words of their own (detail_zh): whom one may act for.
  at(concerned, slug === "forbidden" && detail ? `${words}：${detail}` : words);
}

function formMarkup(operation, sources) {
  return `<form class="command" data-testid="form-${operation.op}" data-op="${operation.op}" novalidate>
    <h2>${esc(label("command", operation.op))}</h2>
    ${state.lang === "en" ? `<p class="muted">${esc(operation.description)}</p>` : ""}
    <p class="form-error overdue" role="alert" data-testid="form-error"></p>
    ${operation.fields.map((f) => `
      <div class="field">
        <label for="f-${f.name}">${esc(fieldName(f.name))}${f.required ? ` <span class="req">*</span>` : ""}</label>
        ${input(f, sources)}
        <p class="field-error overdue" role="alert" data-error-for="${f.name}" data-testid="error-${f.name}"></p>
      </div>`).join("")}
    <button class="primary" data-testid="submit">${t("submit")}</button>
    <p class="done" role="status" data-testid="done"></p>
  </form>`;
}

function menuMarkup(allowed) {
  const sections = [...new Set(allowed.map((o) => o.tag))];
  return sections.map((tag) => `
    <section class="menu"><h2>${esc(label("section", tag))}</h2>
      <div class="menu-items">${allowed.filter((o) => o.tag === tag).map((o) => `
        <a class="menu-item" data-testid="menu-${o.op}" href="#/console?p=forms&form=${o.op}">${esc(label("command", o.op))}</a>`).join("")}</div>
    </section>`).join("");
}

// Filters a long pick list as one types (200 households stay easy to choose from).
function wireFilters(main) {
  main.querySelectorAll("input.filter").forEach((box) => box.addEventListener("input", () => {
    const select = main.querySelector(`#${box.dataset.for}`);
    const words = box.value.trim().toLowerCase();
    for (const option of select.options) option.hidden = Boolean(option.value) && !option.text.toLowerCase().includes(words);
  }));
}

async function formsPage(main, base, params) {
  const allowed = commandsAllowed();
  if (!operations.length) { main.innerHTML = `<p class="muted">${t("consoleNeedsCommands")}</p>`; return; }
  if (!allowed.length) { main.innerHTML = `<p class="muted">${t("notAllowed")}</p>`; return; }
  const operation = allowed.find((o) => o.op === params.get("form"));
  if (!operation) { main.innerHTML = menuMarkup(allowed); return; }
  const show = async (minPosition, done = "") => {
    const wanted = new Set(operation.fields.map((f) => PICKS[f.name]).filter(Boolean));
    const sources = await loadSources(base, wanted, minPosition);
    main.innerHTML = `<p><a href="#/console?p=forms" data-testid="back">${t("back")}</a></p>${formMarkup(operation, sources)}`;
    main.querySelector("[data-testid=done]").textContent = done;
    wireFilters(main);
    const form = main.querySelector("form");
    const key = newId(); // one per filled-in form: a second press of 提交 writes nothing more
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button.primary");
      button.disabled = true;
      const { body, path } = values(form, operation);
      const url = Object.entries({ branch_id: state.branch, ...path })
        .reduce((p, [k, v]) => p.replace(`{${k}}`, encodeURIComponent(v)), operation.path);
      try {
        const written = await send(url, body, key);
        if (!operation.path.includes("{branch_id}")) await hooks.branchRegistered(written.id, written.position);
        // Read-your-writes: the pick lists are read again once they hold this write.
        await show(written.position, `${t("done")}：${label("command", operation.op)}（${t("position")} ${written.position}）`);
        main.dataset.written = String(written.position);
      } catch (error) {
        button.disabled = false;
        if (!(error instanceof Refused)) { showRefusal(form, { type: "/problems/dependency-unavailable" }, []); return; }
        showRefusal(form, error.problem ?? { type: "" }, operation.fields.map((f) => f.name));
      }
    });
  };
  await show(null);
}

addConsolePage({ id: "forms", words: ["办理事项", "Forms"], offered: () => commandsAllowed().length > 0, render: formsPage });

// The dashboard's page #/console: the console's own tabs, then the page chosen.
export async function consolePage(base, main) {
  const offered = CONSOLE_PAGES.filter((p) => p.offered());
  const chosen = offered.find((p) => p.id === state.params.get("p")) ?? offered[0];
  main.innerHTML = `<nav class="subnav">${offered.map((p) => `
    <a href="#/console?p=${p.id}" class="${p === chosen ? "active" : ""}" data-testid="console-${p.id}">${esc(t(`page:${p.id}`))}</a>`).join("")}</nav>
    <div id="console-page"></div>`;
  if (!chosen) return;
  await chosen.render(main.querySelector("#console-page"), base, state.params);
  main.dataset.ready = "console";
}
