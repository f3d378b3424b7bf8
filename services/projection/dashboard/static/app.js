// The branch dashboard: reads the query API, zh-CN first with an English switch,
// and re-reads the page when the read models move on (polling their positions).
// Every request carries the user's bearer token, kept for this browser tab only.

import { CONSOLE_WORDS, consolePage, offersConsole, prepareConsole } from "./console.js";
import { addWords, api, bindSession, call, esc, hooks, kpi, label, may, state, t, table } from "./core.js";
import "./imports.js"; // a console page of its own (after console.js, whose pages it joins)

addWords(
  {
    app: "党员联系群众工作台", branch: "支部", roster: "花名册", posts: "服务岗",
    coverage: "联户走访", evaluations: "考评", campaigns: "集中活动", needs: "群众诉求",
    updated: "数据截至事件", switch: "English", members: "党员", groups: "党小组",
    byCategory: "党员类别", byStatus: "身份", leader: "组长", basis: "设置依据", count: "人数",
    volunteers: "党员义工服务队", since: "加入日期", departed: "迁出党员", leftOn: "迁出日期",
    reason: "原因", hardships: "困难党员结对帮扶", helper: "帮扶人", kind: "类别",
    assistance: "帮扶次数", status: "状态", open: "进行中", closed: "已结束",
    postsBoard: "党员义务服务岗（亮身份、作承诺）", holders: "上岗党员", serviceContent: "服务内容",
    pledge: "服务承诺", duties: "岗位职责", capacity: "名额", noHolders: "暂无上岗党员",
    from: "从", to: "至", apply: "查询", households: "登记户数", linked: "已联系户",
    visited: "已走访户", rate: "走访覆盖率", visits: "走访次数", byGroup: "按党小组",
    byArea: "按片区", area: "片区", name: "名称", unvisited: "未走访户", address: "地址",
    head: "户主", linkedMember: "联系党员", lastVisit: "最近走访", byMonth: "每月走访（按事由）",
    month: "月份", purpose: "事由", year: "年度", distribution: "考评等次分布",
    rated: "已评定", awaitingTalk: "待谈心谈话", reportsDue: "逾期未述职", period: "半年度",
    grade: "等次", ballots: "评议票", memberList: "党员考评情况", tallies: "活动成效",
    participants: "参与党员", volunteersCount: "志愿者人次", startsOn: "开始", closedOn: "结束",
    overdue: "逾期", resolved: "已办结", openNeeds: "在办诉求", category: "类别",
    description: "内容", raisedOn: "提出日期", dueOn: "办理期限", assignee: "承办党员",
    none: "无", exports: "台账下载", summary: "年度工作总结", loading: "加载中…",
    noBranch: "尚无支部。运行 make demo 载入示例数据。", total: "合计",
    rosterLedger: "党员花名册", coverageLedger: "联户走访台账", evaluationsLedger: "党员考评台账",
    visitsLedger: "走访记录", signIn: "登录", tokenPrompt: "请粘贴您的访问令牌（由党工委管理员签发）",
    signOut: "退出", badToken: "令牌无效或已过期", forbidden: "您的角色无权查看此页",
    committee_admin: "党工委管理员", branch_secretary: "支部书记", group_leader: "党小组组长",
    member: "党员", mass_representative: "群众代表", auditor: "审计员",
    person: "姓名", myHouseholds: "我联系的住户", myVisits: "我的走访（按月、事由）",
    visitedIn: "年内走访", visitedYes: "已走访", visitedNo: "未走访", myVisitCount: "我的走访次数",
    quantity: "数量", phoneApp: "手机版（可离线走访）",
    work: "待办", withinDays: "天内到期", unvisitedDays: "天未走访", visitsDue: "应走访住户",
    visitsOverdue: "走访逾期", dueSoon: "即将到期", everyDays: "走访周期（天）", onSchedule: "按期走访率",
    notVisitedFor: "未走访住户", reportsDueList: "述职（半年度）", needsOverdue: "逾期诉求",
    talksAwaited: "待谈心谈话（基本合格、不合格）", hardshipsUnassisted: "久未帮扶的困难党员",
    lastHelp: "最近帮扶", days: "天", visitDueOn: "应走访日期",
  },
  {
    app: "Party members' liaison with residents", branch: "Branch", roster: "Roster",
    posts: "Posts", coverage: "Coverage", evaluations: "Evaluations", campaigns: "Campaigns",
    needs: "Requests", updated: "As of event", switch: "中文", members: "Members",
    groups: "Party groups", byCategory: "By category", byStatus: "By status", leader: "Leader",
    basis: "Basis", count: "Members", volunteers: "Volunteer service team", since: "Joined",
    departed: "Members who left", leftOn: "Left on", reason: "Reason",
    hardships: "Members in hardship, paired with helpers", helper: "Helper", kind: "Kind",
    assistance: "Help given", status: "Status", open: "Open", closed: "Closed",
    postsBoard: "Volunteer service posts (identity shown, service pledged)", holders: "Holders",
    serviceContent: "Service", pledge: "Pledge", duties: "Duties", capacity: "Places",
    noHolders: "Nobody holds this post yet", from: "From", to: "To", apply: "Show",
    households: "Households", linked: "Linked", visited: "Visited", rate: "Coverage",
    visits: "Visits", byGroup: "By group", byArea: "By area", area: "Area", name: "Name",
    unvisited: "Households not visited", address: "Address", head: "Head of household",
    linkedMember: "Linked member", lastVisit: "Last visit", byMonth: "Visits per month, by purpose",
    month: "Month", purpose: "Purpose", year: "Year", distribution: "Grades", rated: "Graded",
    awaitingTalk: "Awaiting a heart-to-heart talk", reportsDue: "Duty reports overdue",
    period: "Half year", grade: "Grade", ballots: "Ballots", memberList: "Members",
    tallies: "Outputs", participants: "Members taking part", volunteersCount: "Volunteers",
    startsOn: "Starts", closedOn: "Closed", overdue: "Overdue", resolved: "Resolved",
    openNeeds: "Open requests", category: "Category", description: "Request",
    raisedOn: "Raised", dueOn: "Due", assignee: "Assigned to", none: "None",
    exports: "Ledgers", summary: "Year-end summary", loading: "Loading…",
    noBranch: "No branch yet. Run make demo to load the example.", total: "Total",
    rosterLedger: "Roster", coverageLedger: "Linking and visits", evaluationsLedger: "Evaluations",
    visitsLedger: "Visit log", signIn: "Sign in",
    tokenPrompt: "Paste your access token (issued by the committee admin)", signOut: "Sign out",
    badToken: "The token is invalid or has expired", forbidden: "Your role may not see this page",
    committee_admin: "Committee admin", branch_secretary: "Branch secretary",
    group_leader: "Group leader", member: "Member", mass_representative: "Mass representative",
    auditor: "Auditor", person: "Name", myHouseholds: "My households",
    myVisits: "My visits, per month and purpose", visitedIn: "Visited in the year",
    visitedYes: "Visited", visitedNo: "Not visited", myVisitCount: "My visits",
    quantity: "Count", phoneApp: "Phone app (visits offline)",
    work: "To do", withinDays: "days ahead", unvisitedDays: "days unvisited", visitsDue: "Visits due",
    visitsOverdue: "Visits overdue", dueSoon: "Due soon", everyDays: "Every (days)", onSchedule: "Visited on schedule",
    notVisitedFor: "Households not visited", reportsDueList: "Duty reports (half year)", needsOverdue: "Requests past due",
    talksAwaited: "Awaiting a talk (basically qualified, unqualified)", hardshipsUnassisted: "Hardship cases without recent help",
    lastHelp: "Last help", days: "days", visitDueOn: "Visit due",
  },
);
addWords(...CONSOLE_WORDS);

// The queries a page can show (any one will do): pages the user's role may not read are
// not offered. A member reads coverage as their own households and visits, and opens on
// their own work list (the first page they may read).
const NEEDS = {
  work: ["work_lists"],
  roster: ["roster"], posts: ["posts_board"], coverage: ["coverage_counts", "coverage_households"],
  evaluations: ["evaluations_of_year"], campaigns: ["campaign_tallies"], needs: ["residents_needs"],
};
const mayRead = (page) => (page === "console" ? offersConsole() : NEEDS[page].some(may));
const pct = (value) => `${Math.round(value * 1000) / 10}%`;

// Downloads need the token too, so they are fetched and handed over as a file.
async function download(link) {
  const response = await call(link.getAttribute("href"));
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const utf8 = /filename\*=UTF-8''([^;]+)/.exec(disposition);
  const plain = /filename="?([^";]+)"?/.exec(disposition);
  const a = document.createElement("a");
  a.href = URL.createObjectURL(await response.blob());
  a.download = utf8 ? decodeURIComponent(utf8[1]) : plain ? plain[1] : "liaison";
  a.click();
  URL.revokeObjectURL(a.href);
}

function bars(testprefix, rows) {
  const top = Math.max(1, ...rows.map(([, value]) => value));
  return `<div class="bars">${rows.map(([key, value, name]) => `
    <div class="bar"><span>${esc(name)}</span>
      <div class="track"><div class="fill" data-share="${(value / top) * 100}"></div></div>
      <span class="value" data-testid="${testprefix}-${esc(key)}">${value}</span></div>`).join("")}</div>`;
}

// Why a member of the year has no grade (the evaluations ledger says the same).
const ungraded = (m) => (m.left_on ? "left" : m.status === "probationary" ? "probationary" : "pending");

// A member's own coverage: the households linked to them, and the visits they made.
async function mine(base, year, window, months, monthly) {
  const [notYet, done] = await Promise.all([false, true].map((visited) =>
    api(`${base}/coverage/households`, { visited, limit: 500, ...window })));
  const rows = [...notYet.households.map((h) => [h, false]), ...done.households.map((h) => [h, true])];
  const visits = months.months.reduce((sum, m) => sum + m.visits, 0);
  return `
    <div class="kpis">${kpi("kpi-my-households", notYet.total + done.total, t("myHouseholds"))}
      ${kpi("kpi-my-visited", done.total, t("visited"))}${kpi("kpi-my-visits", visits, t("myVisitCount"))}</div>
    <h2>${t("myHouseholds")} · ${esc(year)}</h2>
    ${table([t("address"), t("area"), t("head"), t("lastVisit"), t("visitedIn")], rows.map(([h, visited]) => [
      esc(h.address), esc(h.area), esc(h.head_name), esc(h.last_visited_on ?? "–"),
      visited ? t("visitedYes") : `<span class="overdue">${t("visitedNo")}</span>`]), "my-households")}
    <h2>${t("myVisits")} · ${esc(year)}</h2>
    ${monthly("my-months")}`;
}

// Due and overdue work (a member: their own), with any windows the user chooses.
async function workPage(base) {
  const asked = {
    within_days: state.params.get("within_days") ?? "7",
    unvisited_days: state.params.get("unvisited_days") ?? "30",
  };
  const w = await api(`${base}/work`, asked);
  const when = (x) => `<span class="${x.standing === "overdue" ? "overdue" : ""}">${esc(x.due_on)} · ${t(x.standing === "overdue" ? "overdue" : "dueSoon")}</span>`;
  return `
    <form class="row" id="window">
      <label><input type="number" name="within_days" value="${esc(asked.within_days)}" min="0" max="3660"> ${t("withinDays")}</label>
      <label><input type="number" name="unvisited_days" value="${esc(asked.unvisited_days)}" min="0" max="3660"> ${t("unvisitedDays")}</label>
      <button>${t("apply")}</button></form>
    <div class="kpis">${kpi("kpi-visits-overdue", w.counts.visits_overdue, t("visitsOverdue"))}
      ${kpi("kpi-visits-due", w.counts.visits_due, t("dueSoon"))}
      ${kpi("kpi-on-schedule", w.on_schedule_share == null ? "–" : pct(w.on_schedule_share), t("onSchedule"))}
      ${kpi("kpi-needs-overdue", w.counts.needs_overdue, t("needsOverdue"))}</div>
    <h2>${t("visitsDue")}</h2>
    ${table([t("address"), t("area"), t("linkedMember"), t("everyDays"), t("lastVisit"), t("visitDueOn")], w.visits.map((v) => [
      esc(v.address), esc(v.area), esc(v.member_name), v.every_days, esc(v.last_visited_on ?? "–"), when(v)]), "work-visits")}
    <h2>${t("notVisitedFor")} · ${esc(asked.unvisited_days)} ${t("days")}</h2>
    ${table([t("address"), t("area"), t("linkedMember"), t("lastVisit")], w.unvisited.map((h) => [
      esc(h.address), esc(h.area), esc(h.member_name), esc(h.last_visited_on ?? "–")]), "work-unvisited")}
    <h2>${t("reportsDueList")}</h2>
    ${table([t("person"), t("period"), t("dueOn")], w.duty_reports.map((r) => [esc(r.member_name), esc(r.period), when(r)]), "work-reports")}
    <h2>${t("needsOverdue")}</h2>
    ${table([t("address"), t("category"), t("dueOn"), t("assignee")], w.needs.map((n) => [
      esc(n.address), esc(label("need_category", n.category)), `<span class="overdue">${esc(n.due_on)}</span>`, esc(n.assigned_member_name ?? "–")]), "work-needs")}
    <h2>${t("talksAwaited")}</h2>
    ${table([t("person"), t("year"), t("grade"), t("since")], w.talks.map((x) => [
      esc(x.member_name), x.year, esc(label("grade", x.grade)), esc(x.since)]), "work-talks")}
    <h2>${t("hardshipsUnassisted")}</h2>
    ${table([t("person"), t("kind"), t("helper"), t("lastHelp")], w.hardships.map((h) => [
      esc(h.member_name), esc(label("hardship_kind", h.kind)), esc(h.helper_name ?? "–"), esc(h.since)]), "work-hardships")}`;
}

const pages = {
  work: workPage,
  console: consolePage,

  async roster(base) {
    const r = await api(`${base}/roster`);
    const names = new Map(r.groups.flatMap((g) => g.members.map((m) => [m.id, m.name])));
    return `
      <div class="kpis">${kpi("kpi-members", r.totals.members, t("members"))}
        ${kpi("kpi-groups", r.groups.length, t("groups"))}
        ${kpi("kpi-volunteers", r.volunteer_team.length, t("volunteers"))}</div>
      <h2>${t("byCategory")}</h2>
      ${bars("category", Object.entries(r.totals.by_category).map(([k, v]) => [k, v, label("category", k)]))}
      <h2>${t("groups")}</h2>
      ${table([t("name"), t("basis"), t("leader"), t("count"), t("members")], r.groups.map((g) => [
        esc(g.name), esc(label("basis", g.basis)), esc(names.get(g.leader_id) ?? "–"),
        g.members.length, esc(g.members.map((m) => m.name).join("、"))]), "groups")}
      <h2>${t("volunteers")}</h2>
      ${table([t("person"), t("since")], r.volunteer_team.map((v) => [esc(v.name), esc(v.since)]), "volunteers")}
      <h2>${t("departed")}</h2>
      ${table([t("person"), t("leftOn"), t("reason")], r.departed.map((d) => [esc(d.name), esc(d.left_on), esc(label("departure", d.reason))]), "departed")}
      <h2>${t("hardships")}</h2>
      ${table([t("person"), t("kind"), t("helper"), t("assistance"), t("status")], r.hardships.map((h) => [
        esc(h.member_name), esc(label("hardship_kind", h.kind)), esc(h.helper_name ?? "–"),
        h.assistance_count, h.closed_on ? t("closed") : t("open")]))}`;
  },

  async posts(base) {
    const board = await api(`${base}/posts`);
    return `<h2>${t("postsBoard")}</h2><div class="cards" data-testid="posts">${board.posts.map((p) => `
      <div class="card"><h3>${esc(p.title)}<span class="tag">${esc(label("post_kind", p.kind))}</span></h3>
        <p class="muted">${t("duties")}：${esc(p.duties)}${p.capacity ? ` · ${t("capacity")} ${p.capacity}` : ""}</p>
        ${p.holders.length ? p.holders.map((h) => `
          <p><b>${esc(h.name)}</b><br>${t("serviceContent")}：${esc(h.service_content)}<br>
          ${t("pledge")}：${esc(h.pledge)}</p>`).join("") : `<p class="muted">${t("noHolders")}</p>`}
      </div>`).join("")}</div>`;
  },

  async coverage(base) {
    // The year asked for, else the latest with visits (the API's default).
    const months = await api(`${base}/coverage/visits`, { year: state.year });
    const year = String(months.year);
    const asked = { from: state.params.get("from") ?? "", to: state.params.get("to") ?? "" };
    const window = { from: asked.from || `${year}-01-01`, to: asked.to || `${year}-12-31` };
    const form = `<form class="row" id="window"><label>${t("year")} <input type="number" name="year" value="${esc(year)}" min="1921" max="2200"></label>
        <label>${t("from")} <input type="date" name="from" value="${esc(asked.from)}"></label>
        <label>${t("to")} <input type="date" name="to" value="${esc(asked.to)}"></label>
        <button>${t("apply")}</button></form>`;
    const monthly = (testid) => {
      const purposes = [...new Set(months.months.flatMap((m) => Object.keys(m.by_purpose)))];
      return table([t("month"), t("total"), ...purposes], months.months.map((m) => [
        esc(m.month), m.visits, ...purposes.map((p) => m.by_purpose[p] ?? 0)]), testid);
    };
    if (!may("coverage_counts")) return form + await mine(base, year, window, months, monthly);
    const [c, unvisited] = await Promise.all([
      api(`${base}/coverage`, window),
      api(`${base}/coverage/households`, { visited: "false", limit: 200, ...window }),
    ]);
    const counts = (x) => [x.households, x.linked, x.visited, pct(x.coverage), x.visits];
    const heads = [t("households"), t("linked"), t("visited"), t("rate"), t("visits")];
    return `${form}
      <div class="kpis">${kpi("kpi-households", c.households, t("households"))}
        ${kpi("kpi-linked", c.linked, t("linked"))}${kpi("kpi-visited", c.visited, t("visited"))}
        ${kpi("kpi-coverage", pct(c.coverage), t("rate"))}${kpi("kpi-visits", c.visits, t("visits"))}</div>
      <h2>${t("byGroup")}</h2>${table([t("name"), ...heads], c.groups.map((g) => [esc(g.name), ...counts(g)]))}
      <h2>${t("byArea")}</h2>${table([t("area"), ...heads], c.areas.map((a) => [esc(a.area), ...counts(a)]), "areas")}
      <h2>${t("unvisited")} (${unvisited.total})</h2>
      ${table([t("address"), t("area"), t("head"), t("linkedMember"), t("lastVisit")], unvisited.households.map((h) => [
        esc(h.address), esc(h.area), esc(h.head_name), esc(h.linked_member_name ?? "–"), esc(h.last_visited_on ?? "–")]), "unvisited")}
      <h2>${t("byMonth")} · ${esc(year)}</h2>
      ${monthly("months")}`;
  },

  async evaluations(base) {
    // The year asked for, else the latest with an appraisal (the API's default).
    const e = await api(`${base}/evaluations`, { year: state.year });
    const year = String(e.year);
    const grades = Object.keys(e.distribution);
    return `
      <form class="row" id="window"><label>${t("year")} <input type="number" name="year" value="${esc(year)}" min="1921" max="2200"></label>
        <button>${t("apply")}</button></form>
      <div class="kpis">${kpi("kpi-rated", e.rated, t("rated"))}
        ${kpi("kpi-ballots", e.appraisal?.ballots ?? 0, t("ballots"))}
        ${kpi("kpi-awaiting", e.awaiting_talk.length, t("awaitingTalk"))}
        ${kpi("kpi-reports-due", e.duty_reports_overdue.length, t("reportsDue"))}</div>
      <h2>${t("distribution")} · ${esc(year)}</h2>
      ${bars("grade", grades.map((g) => [g, e.distribution[g], label("grade", g)]))}
      <h2>${t("byGroup")}</h2>
      ${table([t("name"), ...grades.map((g) => label("grade", g))], e.distribution_by_group.map((g) => [esc(g.name), ...grades.map((k) => g.distribution[k])]))}
      <h2>${t("awaitingTalk")}</h2>
      ${table([t("person"), t("grade")], e.awaiting_talk.map((a) => [esc(a.name), esc(label("grade", a.grade))]))}
      <h2>${t("reportsDue")}</h2>
      ${table([t("person"), t("period")], e.duty_reports_overdue.map((d) => [esc(d.name), esc(d.period)]))}
      <h2>${t("memberList")}</h2>
      ${table([t("person"), t("grade"), t("ballots")], e.members.map((m) => [
        esc(m.name), m.grade ? esc(label("grade", m.grade)) : `<span class="muted">${esc(label("ungraded", ungraded(m)))}</span>`,
        m.ballots.total]), "members")}
      <h2>${t("exports")}</h2>
      <p class="downloads" data-testid="downloads">${["roster", "coverage", "evaluations", "visits"].map((n) => `
        <a href="${base}/exports/${n}.xlsx?year=${esc(year)}">${t(`${n}Ledger`)} .xlsx</a>`).join("")}
        <a href="${base}/summary?year=${esc(year)}&format=docx&lang=${state.lang}">${t("summary")} .docx</a>
        <a href="${base}/summary?year=${esc(year)}&lang=${state.lang}">${t("summary")} .md</a></p>`;
  },

  async campaigns(base) {
    const c = await api(`${base}/campaigns`);
    return `
      <h2>${t("tallies")}</h2>
      ${bars("metric", Object.entries(c.totals).map(([k, v]) => [k, v, label("metric", k)]))}
      <div class="cards">${c.campaigns.map((x) => `
        <div class="card"><h3>${esc(x.title)}</h3><p class="muted">${esc(x.purpose)}</p>
          <p>${t("startsOn")} ${esc(x.starts_on)} · ${x.closed_on ? `${t("closedOn")} ${esc(x.closed_on)}` : t("open")}</p>
          ${table([t("tallies"), t("quantity")], Object.entries(x.tallies).map(([k, v]) => [esc(label("metric", k)), v]))}
          <p class="muted">${t("participants")} ${x.participants} · ${t("volunteersCount")} ${x.volunteers}</p></div>`).join("")}</div>`;
  },

  async needs(base) {
    const n = await api(`${base}/needs`, { status: "open" });
    return `
      <div class="kpis">${kpi("kpi-open", n.counts.open, t("openNeeds"))}
        ${kpi("kpi-overdue", n.counts.overdue, t("overdue"))}${kpi("kpi-resolved", n.counts.resolved, t("resolved"))}</div>
      <h2>${t("openNeeds")}</h2>
      ${table([t("address"), t("category"), t("description"), t("raisedOn"), t("dueOn"), t("assignee")], n.needs.map((x) => [
        esc(x.address), esc(label("need_category", x.category)), esc(x.description), esc(x.raised_on),
        `<span class="${x.overdue ? "overdue" : ""}">${esc(x.due_on)}</span>`, esc(x.assigned_member_name ?? "–")]), "open-needs")}
      <h2>${t("byArea")}</h2>
      ${table([t("area"), t("openNeeds"), t("overdue"), t("resolved")], n.by_area.map((a) => [esc(a.area), a.open, a.overdue, a.resolved]))}`;
  },
};

function translate() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.getElementById("lang").textContent = t("switch");
  document.title = `${t("app")} · liaison`;
}

function readHash() {
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  state.page = pages[path] ? path : "roster";
  state.params = new URLSearchParams(query ?? "");
  // The branch and the year stay as the user moves between pages.
  for (const key of ["branch", "year"]) {
    if (state.params.get(key)) state[key] = state.params.get(key);
    state.params.delete(key);
  }
}

function writeHash() {
  const params = new URLSearchParams(state.params);
  if (state.branch) params.set("branch", state.branch);
  if (state.year) params.set("year", state.year);
  const target = `#/${state.page}?${params}`;
  if (location.hash !== target) history.replaceState(null, "", target);
}

async function render() {
  writeHash();
  document.querySelectorAll("#nav a").forEach((a) => {
    a.classList.toggle("active", a.dataset.page === state.page);
    a.hidden = !mayRead(a.dataset.page);
  });
  const main = document.getElementById("page");
  // Without a branch, the console still offers registering one (to the committee).
  if (!state.branch && state.page !== "console") { main.innerHTML = `<p>${t("noBranch")}</p>`; return; }
  if (!mayRead(state.page)) {
    main.innerHTML = `<p class="muted" data-testid="forbidden">${t("forbidden")}</p>`;
    main.dataset.ready = state.page;
    return;
  }
  try {
    // A page gives its markup, or (the console) fills the element itself.
    const markup = await pages[state.page](`/v1/branches/${state.branch}`, main);
    if (markup !== undefined) main.innerHTML = markup;
    // Bar widths go through the DOM: the Content-Security-Policy refuses inline styles.
    main.querySelectorAll(".fill[data-share]").forEach((bar) => { bar.style.width = `${bar.dataset.share}%`; });
    main.dataset.ready = state.page;
    const form = document.getElementById("window");
    if (form) form.addEventListener("submit", (event) => {
      event.preventDefault();
      for (const [key, value] of new FormData(form)) {
        if (key === "year") state.year = value || null;
        else if (value) state.params.set(key, value);
        else state.params.delete(key);
      }
      render();
    });
  } catch (error) {
    if (error.status !== 401) main.innerHTML = `<p class="overdue">${esc(error.message)}</p>`;
  }
}

function showIdentity() {
  const me = state.me;
  document.getElementById("me").textContent = me ? `${me.subject} · ${t(me.role)}` : "";
  document.getElementById("signout").hidden = !me;
  // Those who visit households are pointed to the phone app, which works offline.
  document.getElementById("phone-link").hidden = !["member", "group_leader"].includes(me?.role);
}

function signOut(message = "") {
  sessionStorage.removeItem("liaison.token");
  Object.assign(state, { token: null, me: null });
  showIdentity();
  const form = document.getElementById("signin");
  form.hidden = false;
  document.getElementById("signin-error").textContent = message;
  document.getElementById("page").innerHTML = "";
}

async function follow() {
  if (!state.me) return;
  try {
    const status = await api("/v1/projections");
    const position = Math.min(...status.projections.map((p) => p.position));
    document.getElementById("position").textContent = position;
    // The console is not re-read under someone typing: it refreshes after its writes.
    if (state.seen !== null && position !== state.seen && state.page !== "console") await render();
    state.seen = position;
  } catch { /* the next poll tries again */ }
  setTimeout(follow, 2000);
}

async function loadBranches(minPosition = null) {
  const { branches } = await api("/v1/branches", { min_position: minPosition });
  const select = document.getElementById("branch");
  select.innerHTML = branches.map((b) => `<option value="${b.id}">${esc(b.name)}</option>`).join("");
  if (!state.branch && branches.length) state.branch = branches[0].id;
  select.value = state.branch ?? "";
}

async function open() {
  state.me = await api("/v1/auth/whoami");
  await prepareConsole();
  document.getElementById("signin").hidden = true;
  showIdentity();
  await loadBranches();
  if (!mayRead(state.page)) state.page = Object.keys(NEEDS).find(mayRead) ?? state.page;
  await render();
  follow();
}

async function start() {
  hooks.unauthenticated = () => signOut(t("badToken"));
  hooks.branchRegistered = async (id, position) => { state.branch = id; await loadBranches(position); writeHash(); };
  readHash();
  state.labels = await (await fetch("/dashboard/labels.json")).json();
  document.getElementById("branch").addEventListener("change", (event) => {
    state.branch = event.target.value;
    render();
  });
  bindSession({
    open,
    signOut,
    relabel: () => {
      translate();
      showIdentity();
      if (state.me) render();
    },
  });
  document.getElementById("page").addEventListener("click", (event) => {
    const link = event.target.closest(".downloads a");
    if (!link) return;
    event.preventDefault();
    download(link);
  });
  window.addEventListener("hashchange", () => { readHash(); if (state.me) render(); });
  translate();
  if (!state.token) { signOut(); return; }
  try { await open(); } catch { /* signOut has said why */ }
}

start();
