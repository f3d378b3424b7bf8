"""``liaison import``: sends a workbook to a running liaison's import endpoint as the
token's principal (the importer), draws its progress, and prints the report —
sheet, row, column, value and reason, in Chinese and English. Interrupted (Ctrl-C),
the server stops after the row under way; the same command again resumes, creating
nothing twice."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from uuid import UUID

import httpx

BAR_WIDTH = 30
INTERRUPTED = 130  # as a shell reports a command ended by Ctrl-C
# Progress comes several times a second; a marked workbook of a long import takes a while.
TIMEOUT = httpx.Timeout(60.0, read=3600.0)


class ImportRefused(Exception):
    """The server refused the workbook as a whole (problem+json); the message says why."""


@dataclass(frozen=True)
class ImportRequest:
    url: str
    token: str
    branch_id: UUID
    file: Path
    dry_run: bool
    marked: Path | None = None


def import_workbook(
    request: ImportRequest, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """0: every row went in (or would); 1: some rows were refused; 130: interrupted."""
    if not request.file.is_file():
        raise ImportRefused(f"no file {request.file}")
    data = request.file.read_bytes()
    headers = {"Authorization": f"Bearer {request.token}"}
    path = f"/v1/branches/{request.branch_id}/imports"
    params = {"dry_run": "true" if request.dry_run else "false"}
    files = {"file": (request.file.name, data)}
    report: dict[str, Any] | None = None
    with httpx.Client(base_url=request.url, headers=headers, timeout=TIMEOUT) as client:
        try:
            with client.stream(
                "POST", path, params={**params, "format": "ndjson"}, files=files
            ) as answer:
                if answer.status_code != 200:
                    answer.read()
                    raise ImportRefused(_problem(answer))
                for line in answer.iter_lines():
                    message = json.loads(line)
                    if "progress" in message:
                        _bar(
                            err,
                            message["progress"]["done"],
                            message["progress"]["total"],
                            request.dry_run,
                        )
                    else:
                        report = message["report"]
        except KeyboardInterrupt:
            print(
                "\n已中断：再次运行同一命令即可继续，已导入的不会重复。"
                "\ninterrupted: run the same command again to resume; nothing is imported twice.",
                file=err,
            )
            return INTERRUPTED
        print(file=err)
        assert report is not None, "the server ended without a report"
        if request.marked is not None:
            checked = client.post(path, params={**params, "format": "xlsx"}, files=files)
            if checked.status_code != 200:
                raise ImportRefused(_problem(checked))
            request.marked.write_bytes(checked.content)
    _print_report(report, out)
    if request.marked is not None:
        print(
            f"标注问题的工作簿 / the workbook with its problems marked: {request.marked}", file=out
        )
    return 1 if report["problems"] else 0


def _bar(err: TextIO, done: int, total: int, dry_run: bool) -> None:
    share = done / total if total else 1.0
    filled = round(BAR_WIDTH * share)
    what = "检查 checking" if dry_run else "导入 importing"
    bar = "█" * filled + "·" * (BAR_WIDTH - filled)
    print(f"\r{what} [{bar}] {done}/{total} {share:4.0%}", end="", file=err, flush=True)


def _print_report(report: dict[str, Any], out: TextIO) -> None:
    for sheet in report["sheets"]:
        if sheet["kind"] is None:
            said = f"工作表“{sheet['title']}”：未识别，未导入 / not recognised, left alone"
        else:
            said = (
                f"工作表“{sheet['title']}”：{sheet['kind_zh']}，{sheet['rows']} 行"
                f" / {sheet['kind']}, {sheet['rows']} rows"
            )
            if sheet["ignored"]:
                said += f"；未用的列 / columns not used: {'、'.join(sheet['ignored'])}"
        print(said, file=out)
    verb = ("将新建", "would create") if report["dry_run"] else ("新建", "created")
    print(
        f"{verb[0]} {report['created']} 条记录，已导入过 {report['replayed']} 条，"
        f"{report['refused_rows']} 行有问题"
        f" / {verb[1]} {report['created']} records, {report['replayed']} imported before, "
        f"{report['refused_rows']} rows refused",
        file=out,
    )
    for finding in report["findings"]:
        if not finding["refused"]:
            continue
        where = f"{finding['sheet']} 第{finding['row']}行"
        if finding["letter"]:
            where += f" {finding['column']}（{finding['letter']}列）“{finding['value']}”"
        print(f"  {where}：{finding['zh']} / {finding['en']}", file=out)
    if not report["complete"]:
        print("未完成：再次运行即可继续 / not complete: run again to resume", file=out)


def _problem(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return f"{answer.status_code} {answer.text[:200]}"
    return f"{answer.status_code} {body.get('title', '')}: {body.get('detail', '')}"
