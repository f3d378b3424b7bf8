// 台账导入 (a console page): the branch's own Excel ledgers brought in. The workbook
// is checked first (nothing written: every row run against the rules, the problems
// listed by sheet, row and column, and downloadable marked on the rows themselves),
// then imported with its progress shown; importing again creates nothing twice.
// Served by the import endpoint (services/importer/api.py) as the signed-in user.

import { addConsolePage } from "./console.js";
import { addWords, call, esc, hooks, label, may, state, t, table } from "./core.js";

addWords(
  {
    impTitle: "导入本支部的台账（Excel 工作簿）",
    impHelp: "可直接上传本支部现有的花名册、住户、联户和每月走访记录等表格：按表头识别每张工作表。请先检查，按提示改好表格后再导入；重复导入不会重复登记。",
    impTemplate: "下载导入模板（.xlsx）", impFile: "选择工作簿（.xlsx）", impCheck: "先检查（不写入）",
    impRun: "导入", impChecking: "正在检查", impImporting: "正在导入", impNoFile: "请先选择工作簿",
    impSheets: "识别的工作表", impSheet: "工作表", impKind: "识别为", impRows: "行数",
    impIgnored: "未用的列", impUnknown: "未识别，不导入", impProblems: "需要修改的行",
    impRow: "行", impColumn: "列", impValue: "内容", impReason: "问题",
    impWouldCreate: "检查完毕：将新建 {n} 条记录", impCreated: "导入完毕：新建 {n} 条记录",
    impBefore: "此前已导入 {n} 条", impRefused: "{n} 行有问题，未导入", impAllGood: "没有发现问题",
    impMarked: "下载标注问题的工作簿", impFinished: "已完成", impStopped: "导入中断：再次导入即可继续，已导入的不会重复",
  },
  {
    impTitle: "Import the branch's ledgers (an Excel workbook)",
    impHelp: "Upload the roster, households, links and monthly visit sheets the branch keeps: each sheet is recognised by its headers. Check first, fix the sheet as told, then import; importing again creates nothing twice.",
    impTemplate: "Download the template (.xlsx)", impFile: "Choose a workbook (.xlsx)", impCheck: "Check first (writes nothing)",
    impRun: "Import", impChecking: "Checking", impImporting: "Importing", impNoFile: "Choose a workbook first",
    impSheets: "Sheets recognised", impSheet: "Sheet", impKind: "Recognised as", impRows: "Rows",
    impIgnored: "Columns not used", impUnknown: "not recognised, left alone", impProblems: "Rows to fix",
    impRow: "Row", impColumn: "Column", impValue: "Value", impReason: "Problem",
    impWouldCreate: "Checked: {n} records would be created", impCreated: "Imported: {n} records created",
    impBefore: "{n} imported before", impRefused: "{n} rows have problems and were not imported", impAllGood: "No problems found",
    impMarked: "Download the workbook with its problems marked", impFinished: "Done", impStopped: "Interrupted: import again to resume; nothing is imported twice",
  },
);

const said = (key, n) => t(key).replace("{n}", n);
const auth = () => ({ Authorization: `Bearer ${state.token}` });

function save(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  URL.revokeObjectURL(a.href);
}

function upload(base, file, params) {
  const body = new FormData();
  body.append("file", file);
  return fetch(`${base}/imports?${new URLSearchParams(params)}`, { method: "POST", headers: auth(), body });
}

async function refusal(response) {
  if (response.status === 401) hooks.unauthenticated();
  const problem = await response.json().catch(() => ({}));
  const slug = (problem.type ?? "").split("/").pop();
  return `${label("problem", slug)}${problem.detail ? `（${problem.detail}）` : ""}`;
}

// The import's NDJSON answer: progress lines, then the report.
async function run(base, file, dryRun, shown) {
  const response = await upload(base, file, { dry_run: dryRun, format: "ndjson" });
  if (!response.ok) throw new Error(await refusal(response));
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  let report = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop();
    for (const line of lines.filter(Boolean)) {
      const message = JSON.parse(line);
      if (message.progress) shown(message.progress.done, message.progress.total);
      else report = message.report;
    }
  }
  return report;
}

function reportMarkup(report) {
  const refused = report.findings.filter((f) => f.refused);
  const head = report.dry_run ? said("impWouldCreate", report.created) : said("impCreated", report.created);
  const sheets = table([t("impSheet"), t("impKind"), t("impRows"), t("impIgnored")], report.sheets.map((s) => [
    esc(s.title), s.kind ? esc(state.lang === "zh" ? s.kind_zh : s.kind) : `<span class="muted">${t("impUnknown")}</span>`,
    s.rows, esc(s.ignored.join("、"))]), "import-sheets");
  const problems = refused.length ? `<h3>${t("impProblems")}</h3>${table(
    [t("impSheet"), t("impRow"), t("impColumn"), t("impValue"), t("impReason")],
    refused.map((f) => [esc(f.sheet), f.row, esc(f.letter ? `${f.column}（${f.letter}）` : ""), esc(f.value),
      esc(state.lang === "zh" ? f.zh : f.en)]), "import-problems")}
    <p><button type="button" class="secondary" data-testid="import-marked">${t("impMarked")}</button></p>` : "";
  return `<p class="import-summary" data-testid="import-summary">${esc(head)}；${esc(said("impBefore", report.replayed))}；
    ${esc(refused.length ? said("impRefused", report.refused_rows) : t("impAllGood"))}</p>
    ${report.complete ? "" : `<p class="form-error">${t("impStopped")}</p>`}
    <h3>${t("impSheets")}</h3>${sheets}${problems}`;
}

async function importPage(main, base) {
  main.innerHTML = `<section class="import" data-testid="import-page">
    <h2>${t("impTitle")}</h2><p class="muted">${t("impHelp")}</p>
    <p><button type="button" class="secondary" data-testid="import-template">${t("impTemplate")}</button></p>
    <form class="command" data-testid="import-form">
      <div class="field"><label for="import-file">${t("impFile")}</label>
        <input type="file" id="import-file" name="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" data-testid="import-file"></div>
      <p class="import-actions">
        <button type="button" class="primary" data-testid="import-check">${t("impCheck")}</button>
        <button type="button" class="primary" data-testid="import-run">${t("impRun")}</button></p>
      <p class="import-progress" hidden><progress max="1" value="0" data-testid="import-progress"></progress>
        <span data-testid="import-count"></span></p>
      <p class="form-error" data-testid="import-refusal"></p>
    </form>
    <div data-testid="import-report"></div></section>`;
  const form = main.querySelector("form");
  const bar = form.querySelector("progress");
  const count = form.querySelector("[data-testid=import-count]");
  const refused = form.querySelector("[data-testid=import-refusal]");
  const out = main.querySelector("[data-testid=import-report]");
  main.querySelector("[data-testid=import-template]").addEventListener("click", async () => {
    const response = await call(`${base}/imports/template.xlsx`);
    save(await response.blob(), "台账导入模板.xlsx");
  });
  const go = async (dryRun) => {
    const file = form.querySelector("input[type=file]").files[0];
    refused.textContent = "";
    if (!file) { refused.textContent = t("impNoFile"); return; }
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    form.querySelector(".import-progress").hidden = false;
    const doing = t(dryRun ? "impChecking" : "impImporting");
    const shown = (done, total) => { bar.max = total || 1; bar.value = done; count.textContent = `${doing} ${done}/${total}`; };
    try {
      const report = await run(base, file, dryRun, shown);
      count.textContent = `${t(report.complete ? "impFinished" : "impStopped")} ${bar.value}/${bar.max}`;
      out.innerHTML = reportMarkup(report);
      out.dataset.done = dryRun ? "checked" : "imported";
      out.querySelector("[data-testid=import-marked]")?.addEventListener("click", async () => {
        const response = await upload(base, file, { dry_run: true, format: "xlsx" });
        if (response.ok) save(await response.blob(), `导入检查结果-${file.name}`);
      });
    } catch (error) {
      refused.textContent = error.message;
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
  form.querySelector("[data-testid=import-check]").addEventListener("click", () => go(true));
  form.querySelector("[data-testid=import-run]").addEventListener("click", () => go(false));
}

addConsolePage({
  id: "import", words: ["台账导入", "Import"], offered: () => may("import_workbook") && Boolean(state.branch),
  render: importPage,
});
