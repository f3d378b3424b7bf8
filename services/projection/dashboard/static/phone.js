// The member's phone (/phone): my households, a visit recorded in one tap (or several
// households at once on a round), my requests, my duty report; a group leader also sees
// their group. It works without a network: the service worker (/sw.js) serves these
// files, the last households read are kept on the device, and a visit recorded offline
// waits in IndexedDB — with its visit id and Idempotency-Key made when it was captured,
// so sending it again can never record it twice — until it is sent, in the order
// captured, when the network returns (and at every start). A visit the server refuses
// stays on the device, with the reason, until the member retries or discards it.

import { addWords, api, bindSession, esc, hooks, label, newId, Refused, send, state, t, today } from "./core.js";

addWords(
  {
    app: "党员联系群众", switch: "English", tokenPrompt: "请粘贴您的访问令牌（由党工委管理员签发）",
    signIn: "登录", signOut: "退出", badToken: "令牌无效或已过期，请重新登录",
    tabHouseholds: "联系户", tabOutbox: "待同步", tabNeeds: "诉求", tabReport: "述职", tabGroup: "本组",
    online: "在线", offline: "离线", myHouseholds: "我联系的住户", head: "户主", lastVisit: "最近走访",
    linkedSince: "联系起始", never: "尚未走访", visit: "记走访", choose: "选",
    recordRound: "登记所选住户的走访", purpose: "走访事由", notes: "情况记录（可不填）", visitedOn: "走访日期",
    save: "保存", cancel: "取消", saved: "已保存", pendingState: "待同步", refusedState: "未被接受",
    outbox: "待同步的走访", nothingPending: "所有走访都已同步", retry: "重新提交", discard: "放弃这条",
    sendNow: "立即同步", confirmDiscard: "确定放弃这条走访记录吗？放弃后不会再提交。",
    offlineData: "离线中：显示的是上次联网时的住户", noHouseholds: "您还没有联系户",
    needs: "我的诉求", raiseNeed: "反映群众诉求", household: "住户", category: "类别",
    description: "内容", raised: "已提交", open: "办理中", resolved: "已办结", dueOn: "期限",
    needsOffline: "联网后才能提交诉求", report: "我的述职报告", period: "半年度", audience: "述职对象",
    summary: "述职内容", submitted: "已提交述职报告", group: "本组党员（他们的住户在“联系户”）", member: "党员",
    who: "走访党员", reason: "原因", attempts: "已尝试", times: "次", capturedOn: "登记于",
    quick: "常用事由", waitingFor: "等待登录：",
    households: "户", find: "输入地址或户主查找",
  },
  {
    app: "Liaison with residents", switch: "中文", tokenPrompt: "Paste your access token (issued by the committee admin)",
    signIn: "Sign in", signOut: "Sign out", badToken: "The token is invalid or has expired: sign in again",
    tabHouseholds: "Households", tabOutbox: "To send", tabNeeds: "Requests", tabReport: "Report", tabGroup: "Group",
    online: "Online", offline: "Offline", myHouseholds: "My households", head: "Head", lastVisit: "Last visit",
    linkedSince: "Linked since", never: "Not visited yet", visit: "Record visit", choose: "Pick",
    recordRound: "Record a visit to the picked households", purpose: "Purpose", notes: "Notes (optional)",
    visitedOn: "Visited on", save: "Save", cancel: "Cancel", saved: "Saved", pendingState: "Waiting to send",
    refusedState: "Not accepted", outbox: "Visits waiting to be sent", nothingPending: "Every visit has been sent",
    retry: "Send again", discard: "Discard", sendNow: "Send now",
    confirmDiscard: "Discard this visit? It will not be sent.", offlineData: "Offline: households as last read",
    noHouseholds: "You have no linked households yet", needs: "My requests", raiseNeed: "Raise a resident's request",
    household: "Household", category: "Category", description: "Request", raised: "Raised", open: "Open",
    resolved: "Resolved", dueOn: "Due", needsOffline: "Requests are sent when online", report: "My duty report",
    period: "Half year", audience: "Reported to", summary: "Report", submitted: "Duty report submitted",
    group: "My group's members (their households are under Households)", member: "Member", who: "Visiting member", reason: "Reason",
    attempts: "Attempts", times: "", capturedOn: "Captured", quick: "Common purposes",
    waitingFor: "Waiting for sign-in: ", households: "households",
    find: "Find by address or head of household",
  },
);

const PURPOSES = ["日常走访", "节日慰问", "政策宣传", "了解诉求", "帮扶慰问"];
const view = () => document.getElementById("view");
const base = () => `/v1/branches/${state.me.branch_id}`;

// ---- the device's store (IndexedDB) ---------------------------------------------------

const db = new Promise((resolve, reject) => {
  const opening = indexedDB.open("liaison-phone", 1);
  opening.onupgradeneeded = () => {
    opening.result.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
    opening.result.createObjectStore("kept", { keyPath: "name" });
  };
  opening.onsuccess = () => resolve(opening.result);
  opening.onerror = () => reject(opening.error);
});

async function store(name, mode, work) {
  const tx = (await db).transaction(name, mode);
  const result = work(tx.objectStore(name));
  await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
  return result.result;
}
const outbox = () => store("outbox", "readonly", (s) => s.getAll());
const putOutbox = (item) => store("outbox", "readwrite", (s) => s.put(item));
const dropOutbox = (seq) => store("outbox", "readwrite", (s) => s.delete(seq));
const keep = (name, value) => store("kept", "readwrite", (s) => s.put({ name, value }));
const kept = async (name) => (await store("kept", "readonly", (s) => s.get(name)))?.value;

// ---- signing in (also offline: the token's own claims say who, the server checks later) --

function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const c = JSON.parse(decodeURIComponent(escape(atob(part))));
    return { subject: c.sub, role: c.role, branch_id: c.branch, member_id: c.member, group_id: c.group, may: [] };
  } catch { return null; }
}

async function whoami() {
  try {
    state.me = await api("/v1/auth/whoami");
    await keep(`me:${state.me.subject}`, state.me);
  } catch (error) {
    if (error instanceof Refused) throw error; // 401: signed out already
    const c = claims(state.token);
    if (!c) { signOut(t("badToken")); throw error; }
    state.me = (await kept(`me:${c.subject}`)) ?? c;
  }
}

function signOut(message = "") {
  sessionStorage.removeItem("liaison.token");
  Object.assign(state, { token: null, me: null });
  document.getElementById("signin").hidden = false;
  document.getElementById("tabs").hidden = true;
  document.getElementById("signout").hidden = true;
  document.getElementById("signin-error").textContent = message;
  view().innerHTML = "";
}

// ---- the outbox: visits captured, sent in order, with retries -------------------------

let syncing = null;
let retryTimer = null;

// Sends this member's waiting visits, oldest first. A lost answer or no network stops
// the round (the same visit goes first next time, with the same key); a refusal is
// kept with its reason and the round goes on; 401 waits for a new sign-in.
function sync() {
  syncing ??= (async () => {
    try {
      for (const item of (await outbox()).sort((a, b) => a.seq - b.seq)) {
        if (item.state !== "pending" || item.subject !== state.me?.subject || !state.token) continue;
        item.attempts += 1;
        await putOutbox(item);
        try {
          await send(`/v1/branches/${item.branch_id}/visits`, item.body, item.key);
          await dropOutbox(item.seq);
        } catch (error) {
          if (!(error instanceof Refused) || error.status >= 500 || error.status === 401 || error.status === 429) {
            schedule();
            return;
          }
          await putOutbox({ ...item, state: "refused", problem: error.problem });
        }
      }
    } finally {
      syncing = null;
      await showCounts();
      if (location.hash.startsWith("#/outbox")) await route();
    }
  })();
  return syncing;
}

function schedule() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(sync, 10_000);
}

async function showCounts() {
  const mine = (await outbox()).filter((i) => i.subject === state.me?.subject);
  document.getElementById("pending").textContent = mine.length ? String(mine.length) : "";
}

async function capture(households, fields) {
  for (const h of households) {
    const visitId = newId();
    await putOutbox({
      key: newId(),
      subject: state.me.subject,
      branch_id: state.me.branch_id,
      address: h.address,
      state: "pending",
      attempts: 0,
      captured_at: new Date().toISOString(),
      body: { id: visitId, member_id: fields.member_id, household_id: h.id, visited_on: fields.visited_on,
              purpose: fields.purpose, ...(fields.notes ? { notes: fields.notes } : {}) },
    });
  }
  await showCounts();
  if (navigator.onLine) sync();
}

// ---- the pages ------------------------------------------------------------------------

const localDate = (moment) => (moment ? new Date(moment).toLocaleDateString("zh-CN") : "–");

// Households as last read: from the query API when online (then kept), else as kept.
// Those never visited first, then the rest, each in the branch's order (一巷 before 二巷).
async function myHouseholds() {
  const name = `households:${state.me.subject}`;
  try {
    const [no, yes] = await Promise.all([false, true].map((visited) =>
      api(`${base()}/coverage/households`, { visited, limit: 5000 })));
    let rows = [...no.households, ...yes.households].filter((h) => !h.erased);
    if (state.me.role === "group_leader") {
      const members = new Set((await groupMembers()).map((m) => m.id));
      rows = rows.filter((h) => members.has(h.linked_member_id));
    }
    await keep(name, rows);
    return { rows, offline: false };
  } catch (error) {
    if (error instanceof Refused) throw error;
    return { rows: (await kept(name)) ?? [], offline: true };
  }
}

async function groupMembers() {
  const name = `group:${state.me.subject}`;
  try {
    const roster = await api(`${base()}/roster`);
    const members = roster.groups.find((g) => g.id === state.me.group_id)?.members ?? [];
    await keep(name, members);
    return members;
  } catch (error) {
    if (error instanceof Refused) throw error;
    return (await kept(name)) ?? [];
  }
}

function visitSheet(chosen, members) {
  const who = state.me.role === "member" ? "" : `
    <label>${t("who")}<select name="member_id" required>${members.map((m) =>
      `<option value="${esc(m.id)}">${esc(m.name)}</option>`).join("")}</select></label>`;
  return `<form class="sheet" id="visit-form" data-testid="visit-form">
    <h2>${t("visit")} · ${chosen.length} ${t("households")}</h2>
    <p class="muted">${chosen.map((h) => esc(h.address)).join("、")}</p>
    ${who}
    <label>${t("purpose")}<input name="purpose" required maxlength="200" list="purposes" data-testid="purpose"></label>
    <div class="quick" aria-label="${t("quick")}">${PURPOSES.map((p) => `<button type="button" data-purpose="${esc(p)}">${esc(p)}</button>`).join("")}</div>
    <label>${t("notes")}<textarea name="notes" rows="3" maxlength="4000" data-testid="notes"></textarea></label>
    <label>${t("visitedOn")}<input type="date" name="visited_on" value="${today()}" max="${today()}" required data-testid="visited-on"></label>
    <div class="actions"><button type="button" class="plain" id="cancel">${t("cancel")}</button>
      <button class="big" data-testid="save">${t("save")}</button></div>
  </form>`;
}

async function householdsPage() {
  const { rows, offline } = await myHouseholds();
  const members = state.me.role === "member" ? [] : await groupMembers();
  const waiting = new Map((await outbox()).filter((i) => i.subject === state.me.subject)
    .map((i) => [i.body.household_id, i.state]));
  const chosen = new Set();
  view().innerHTML = `
    ${offline ? `<p class="note" data-testid="offline-data">${t("offlineData")}</p>` : ""}
    <h2>${t("myHouseholds")} <span class="muted">${rows.length}</span></h2>
    ${rows.length ? "" : `<p class="muted">${t("noHouseholds")}</p>`}
    ${rows.length > 8 ? `<input type="search" class="find" id="find" data-testid="find" placeholder="${t("find")}" aria-label="${t("find")}">` : ""}
    <ul class="households" data-testid="households">${rows.map((h) => `
      <li data-id="${esc(h.id)}" data-testid="household">
        <label class="pick"><input type="checkbox" aria-label="${t("choose")} ${esc(h.address)}"></label>
        <div class="what"><b class="address">${esc(h.address)}</b>
          <span>${t("head")}：${esc(h.head_name)}${h.linked_member_name && state.me.role !== "member" ? ` · ${esc(h.linked_member_name)}` : ""}</span>
          <span data-testid="last-visit">${t("lastVisit")}：${esc(h.last_visited_on ?? t("never"))}</span>
          <span>${t("linkedSince")}：${localDate(h.linked_since)}</span>
          ${waiting.has(h.id) ? `<span class="tag ${waiting.get(h.id)}">${t(`${waiting.get(h.id)}State`)}</span>` : ""}</div>
        <button class="visit" type="button" data-testid="visit">${t("visit")}</button>
      </li>`).join("")}</ul>
    <div class="round" id="round" hidden><button class="big" id="round-button" data-testid="round">${t("recordRound")}</button></div>
    <div id="sheet"></div>`;
  const byId = new Map(rows.map((h) => [h.id, h]));
  const open = (list) => {
    const sheet = document.getElementById("sheet");
    sheet.innerHTML = visitSheet(list, members);
    const form = document.getElementById("visit-form");
    form.querySelectorAll("[data-purpose]").forEach((b) => b.addEventListener("click", () => {
      form.elements.purpose.value = b.dataset.purpose;
    }));
    form.querySelector("#cancel").addEventListener("click", () => { sheet.innerHTML = ""; });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = Object.fromEntries(new FormData(form));
      if (!data.purpose.trim()) return;
      await capture(list, { ...data, purpose: data.purpose.trim(), notes: data.notes.trim(),
                            member_id: data.member_id ?? state.me.member_id });
      await route();
      flash(t("saved"));
    });
    form.elements.purpose.focus();
    form.scrollIntoView({ block: "start" });
  };
  view().querySelectorAll("li[data-id]").forEach((li) => {
    li.querySelector("button.visit").addEventListener("click", () => open([byId.get(li.dataset.id)]));
    li.querySelector("input[type=checkbox]").addEventListener("change", (event) => {
      if (event.target.checked) chosen.add(li.dataset.id); else chosen.delete(li.dataset.id);
      li.classList.toggle("chosen", event.target.checked);
      document.getElementById("round").hidden = chosen.size < 1;
      document.getElementById("round-button").textContent = `${t("recordRound")}（${chosen.size}）`;
    });
  });
  document.getElementById("find")?.addEventListener("input", (event) => {
    const words = event.target.value.trim();
    view().querySelectorAll("li[data-id]").forEach((li) => { li.hidden = !li.textContent.includes(words); });
  });
  document.getElementById("round-button").addEventListener("click", () => open([...chosen].map((id) => byId.get(id))));
}

function reasonOf(item) {
  const slug = (item.problem?.type ?? "").replace("/problems/", "");
  const detail = state.lang === "zh" ? item.problem?.detail_zh : item.problem?.detail;
  return `${label("problem", slug)}${detail ? `（${detail}）` : ""}`;
}

async function outboxPage() {
  const items = (await outbox()).sort((a, b) => a.seq - b.seq);
  const mine = items.filter((i) => i.subject === state.me.subject);
  const others = items.length - mine.length;
  view().innerHTML = `<h2>${t("outbox")}</h2>
    ${mine.length ? "" : `<p class="good" data-testid="all-sent">${t("nothingPending")}</p>`}
    <ul class="outbox" data-testid="outbox">${mine.map((i) => `
      <li data-seq="${i.seq}" data-state="${i.state}" data-testid="outbox-item">
        <b>${esc(i.address)}</b>
        <span>${esc(i.body.visited_on)} · ${esc(i.body.purpose)}</span>
        <span class="tag ${i.state}" data-testid="item-state">${t(`${i.state}State`)}</span>
        ${i.state === "refused" ? `<p class="bad" data-testid="refusal">${t("reason")}：${esc(reasonOf(i))}</p>
          <div class="actions"><button type="button" class="plain" data-act="discard" data-testid="discard">${t("discard")}</button>
            <button type="button" class="big" data-act="retry" data-testid="retry">${t("retry")}</button></div>` : ""}
        <span class="muted">${t("capturedOn")} ${localDate(i.captured_at)} · ${t("attempts")} ${i.attempts} ${t("times")}</span>
      </li>`).join("")}</ul>
    ${others ? `<p class="muted">${t("waitingFor")}${others}</p>` : ""}
    ${mine.some((i) => i.state === "pending") ? `<button class="big" id="send-now" data-testid="send-now">${t("sendNow")}</button>` : ""}`;
  document.getElementById("send-now")?.addEventListener("click", () => sync());
  view().querySelectorAll("li[data-seq] button[data-act]").forEach((button) => button.addEventListener("click", async () => {
    const item = mine.find((i) => String(i.seq) === button.closest("li").dataset.seq);
    if (button.dataset.act === "discard") {
      if (!confirm(t("confirmDiscard"))) return;
      await dropOutbox(item.seq);
    } else {
      await putOutbox({ ...item, state: "pending", problem: null });
      sync();
    }
    await showCounts();
    await route();
  }));
}

async function needsPage() {
  const { rows } = await myHouseholds();
  let listing = `<p class="muted">${t("needsOffline")}</p>`;
  try {
    const n = await api(`${base()}/needs`, { status: "all" });
    listing = `<ul class="needs" data-testid="needs">${n.needs.map((x) => `
      <li><b>${esc(x.address)}</b><span>${esc(label("need_category", x.category))} · ${esc(x.description)}</span>
        <span class="tag ${x.resolved_on ? "done" : "pending"}">${x.resolved_on ? t("resolved") : `${t("open")} · ${t("dueOn")} ${esc(x.due_on)}`}</span></li>`).join("")}</ul>`;
  } catch (error) { if (error instanceof Refused && error.status === 401) return; }
  const categories = Object.keys(state.labels.zh.need_category ?? {});
  view().innerHTML = `<h2>${t("needs")}</h2>${listing}
    <form class="sheet" id="need-form" data-testid="need-form"><h2>${t("raiseNeed")}</h2>
      <label>${t("household")}<select name="household_id" required>${rows.map((h) => `<option value="${esc(h.id)}">${esc(h.address)}</option>`).join("")}</select></label>
      <label>${t("category")}<select name="category">${categories.map((c) => `<option value="${c}">${esc(label("need_category", c))}</option>`).join("")}</select></label>
      <label>${t("description")}<textarea name="description" rows="3" required maxlength="4000"></textarea></label>
      <p class="bad" role="alert" id="need-error"></p>
      <button class="big">${t("save")}</button></form>`;
  document.getElementById("need-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.target));
    const body = { ...data, raised_on: today() };
    if (state.me.role === "member") body.raised_by_member_id = state.me.member_id;
    try {
      await send(`${base()}/needs`, body, newId());
      await route();
      flash(t("raised"));
    } catch (error) {
      document.getElementById("need-error").textContent =
        error instanceof Refused ? reasonOf({ problem: error.problem }) : t("needsOffline");
    }
  });
}

async function reportPage() {
  const year = new Date().getFullYear();
  const half = new Date().getMonth() < 6 ? 1 : 2;
  const periods = [`${year}H${half}`, half === 1 ? `${year - 1}H2` : `${year}H1`];
  view().innerHTML = `<form class="sheet" id="report-form" data-testid="report-form"><h2>${t("report")}</h2>
    <label>${t("period")}<select name="period">${periods.map((p) => `<option value="${p}">${p.replace("H1", "年上半年").replace("H2", "年下半年")}</option>`).join("")}</select></label>
    <label>${t("audience")}<select name="audience">${["members", "mass_representatives"].map((a) => `<option value="${a}">${esc(label("audience", a))}</option>`).join("")}</select></label>
    <label>${t("summary")}<textarea name="summary" rows="8" required maxlength="4000"></textarea></label>
    <p class="bad" role="alert" id="report-error"></p>
    <button class="big">${t("save")}</button></form>`;
  document.getElementById("report-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.target));
    try {
      await send(`${base()}/members/${state.me.member_id}/duty-reports`, { ...data, submitted_on: today() }, newId());
      view().innerHTML = `<p class="good" data-testid="report-done">${t("submitted")}</p>`;
    } catch (error) {
      document.getElementById("report-error").textContent =
        error instanceof Refused ? reasonOf({ problem: error.problem }) : t("needsOffline");
    }
  });
}

async function groupPage() {
  const members = await groupMembers();
  view().innerHTML = `<h2>${t("group")}</h2><ul class="needs" data-testid="group">${members.map((m) => `
    <li><b>${esc(m.name)}</b><span>${esc(label("category", m.category))} · ${m.linked_households} ${t("households")}</span></li>`).join("")}</ul>`;
}

const PAGES = { households: householdsPage, outbox: outboxPage, needs: needsPage, report: reportPage, group: groupPage };

async function route() {
  const name = location.hash.replace(/^#\/?/, "").split("?")[0];
  const page = PAGES[name] ? name : "households";
  document.querySelectorAll("#tabs a").forEach((a) => a.classList.toggle("active", a.dataset.tab === page));
  await PAGES[page]();
  view().dataset.ready = page;
}

function flash(message) {
  const note = document.createElement("p");
  note.className = "flash";
  note.setAttribute("role", "status");
  note.dataset.testid = "flash";
  note.textContent = message;
  document.body.append(note);
  setTimeout(() => note.remove(), 2500);
}

function showNet() {
  const net = document.getElementById("net");
  net.textContent = navigator.onLine ? t("online") : t("offline");
  net.className = navigator.onLine ? "on" : "off";
}

function translate() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.getElementById("lang").textContent = t("switch");
  showNet();
}

async function open() {
  await whoami();
  document.getElementById("signin").hidden = true;
  document.getElementById("tabs").hidden = false;
  document.getElementById("signout").hidden = false;
  const member = state.me.role === "member";
  document.querySelector("[data-tab=report]").hidden = !member;
  document.querySelector("[data-tab=group]").hidden = state.me.role !== "group_leader";
  await showCounts();
  await route();
  sync(); // at every start: what waited from an earlier session goes first
}

async function start() {
  hooks.unauthenticated = () => signOut(t("badToken"));
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => null);
  try {
    state.labels = await (await fetch("/dashboard/labels.json")).json();
  } catch { /* served by the service worker once installed */ }
  translate();
  window.addEventListener("online", () => { showNet(); sync(); });
  window.addEventListener("offline", showNet);
  window.addEventListener("hashchange", () => { if (state.me) route(); });
  // Visits waiting to be sent stay on the device through a sign-out: they go with the
  // next sign-in.
  bindSession({
    open,
    signOut,
    relabel: () => {
      translate();
      if (state.me) route();
    },
  });
  if (!state.token) { signOut(); return; }
  try { await open(); } catch { /* signOut has said why */ }
}

start();
