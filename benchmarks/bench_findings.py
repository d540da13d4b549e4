"""What a finding costs: 100,000 findings read, redacted and written, per gate, in one run.

    nox -s bench -- findings [--count N] [--repeat R]
    .tools/bin/python benchmarks/bench_findings.py [--count N] [--repeat R]

For a pyright-shaped and a ruff-shaped machine output of N findings (default 100,000, about
1,000 files, some messages naming tokens and passwords, an environment of a CI runner's size
with three secrets), prints the best of R runs of:

- current: the approach before issue 20, in this file as it was: every field of every finding
  redacted with the environment scanned again per field, then report.json's first 100 written
  (run on the first ``--sample`` findings and scaled: its cost is per finding, and at 100,000
  it takes minutes on a shared machine);
- now: ``read_findings`` (one ``Redactor`` per gate, paths and codes worked out once each), then
  every finding written to findings.jsonl and report.json's first 100;
- the log the gate's session rebuilds from the machine output (``Tool.render``), then and now;

in CPU seconds (what the work costs; on a shared machine the wall clock adds the other
processes' load) and wall seconds, and the ratios now/current. Target: now <= 2 CPU-s per
gate for 100,000 findings (issue 20). The findings and the rebuilt log both ways are checked
equal before anything is timed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from runbook.gates.tools import Tool, pyright, read_findings, ruff_check  # noqa: E402
from runbook.records import findings_file  # noqa: E402
from runbook.records.findings import Finding, count_label, repo_path, severity  # noqa: E402
from runbook.records.redact import redact  # noqa: E402
from runbook.records.result import GateResult, Status  # noqa: E402

TARGET_SECONDS = 2.0
PROJECT = Path("/home/runner/work/project")
WORDS = ["value", "token", "result", "handler", "config", "password", "item", "batch", "row"]
PYRIGHT_MESSAGES = [
    'Type of "{w}" is partially unknown\n  Type of "{w}" is "list[Unknown]"',
    'Argument of type "str | None" cannot be assigned to parameter "{w}" of type "str"',
    'Import "{w}" could not be resolved',
    '"{w}" is not a known attribute of module "json"',
    'Return type, "dict[str, Unknown]", is partially unknown ({w})',
]
RULES = ["reportUnknownMemberType", "reportArgumentType", "reportMissingImports", None]


def environment() -> dict[str, str]:
    """A CI runner's environment: ~100 variables, three of them secrets."""
    env = {f"RUNNER_VAR_{n}": f"/opt/hostedtoolcache/value-{n}" for n in range(95)}
    env |= {
        "GITHUB_TOKEN": "ghs_" + "k" * 36,
        "HF_TOKEN": "hf_" + "z" * 34,
        "DB_PASSWORD": "correct-horse-battery-staple",
    }
    return env


def pyright_output(count: int, rng: random.Random) -> dict[str, object]:
    diagnostics: list[dict[str, object]] = []
    for n in range(count):
        word = f"{rng.choice(WORDS)}_{rng.randrange(20_000)}"  # most messages differ
        item: dict[str, object] = {
            "file": f"{PROJECT}/src/pkg{n % 1000 % 37}/module_{n % 1000}.py",
            "severity": "error" if n % 9 else "warning",
            "message": rng.choice(PYRIGHT_MESSAGES).format(w=word),
            "range": {
                "start": {"line": n % 400, "character": n % 60},
                "end": {"line": n % 400, "character": n % 60 + 5},
            },
        }
        rule = RULES[n % len(RULES)]
        if rule:
            item["rule"] = rule
        diagnostics.append(item)
    summary = {"errorCount": count, "warningCount": 0, "informationCount": 0}
    return {"version": "1.1.414", "generalDiagnostics": diagnostics, "summary": summary}


def ruff_output(count: int, rng: random.Random) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for n in range(count):
        row, column = n % 500 + 1, n % 80 + 1
        items.append(
            {
                "cell": None,
                "code": f"E{500 + n % 7}",
                "end_location": {"column": column + 1, "row": row},
                "filename": f"{PROJECT}/src/pkg{n % 1000 % 37}/module_{n % 1000}.py",
                "fix": None,
                "location": {"column": column, "row": row},
                "message": f"Line too long ({101 + n % 50} > 100) at {rng.choice(WORDS)}_{n}",
                "name": "line-too-long",
                "noqa_row": row,
                "severity": "error",
                "url": "https://docs.astral.sh/ruff/rules/line-too-long",
            }
        )
    return items


# --- the approach before issue 20, as it was -------------------------------------------------


def current_normalise(
    findings: Iterable[Finding], root: Path, env: Mapping[str, str] | None
) -> list[Finding]:
    """``runbook.records.findings.normalise`` before issue 20: every field of every finding
    through ``redact``, which scans the environment for secrets on each call."""
    out: list[Finding] = []
    for finding in findings:
        out.append(
            replace(
                finding,
                path=redact(repo_path(finding.path, root), env),
                line=finding.line if finding.line is not None and finding.line >= 1 else None,
                column=(
                    finding.column
                    if finding.column is not None and finding.column >= 1 and finding.line
                    else None
                ),
                code=redact(finding.code, env),
                severity=severity(finding.severity),
                message=redact(finding.message, env),
                detail=redact(finding.detail, env),
            )
        )
    return out


def current_gate(tool: Tool, out_dir: Path, env: Mapping[str, str], state: Path) -> int:
    """Read, redact every finding, keep 100, write report.json's 100."""
    assert tool.read is not None
    items = current_normalise(tool.read(out_dir, ""), PROJECT, env)
    kept = tuple(items[:100])
    row = GateResult(tool.name, "Π", Status.FAIL, findings=kept, findings_total=len(items))
    report = {"gates": [row.to_json()]}
    (state / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return len(items)


def current_render(tool: Tool, out_dir: Path) -> str:
    """The session's rebuilt log before issue 20 (ruff's and pyright's ``render``, as they
    were)."""
    assert tool.read is not None
    found = tool.read(out_dir, "")
    if tool is ruff_check.TOOL:
        here = Path.cwd()
        lines = [
            f"{replace(f, path=repo_path(f.path, here)).location()}: {f.code} {f.message}"
            for f in found
        ]
        return "\n".join([*lines, f"Found {count_label(len(found), 'error')}."])
    report = cast(dict[str, Any], json.loads((out_dir / pyright.OUTPUT).read_text("utf-8")))
    summary = cast(dict[str, Any], report.get("summary") or {})
    errors = sum(f.severity == "error" for f in found)
    warnings = sum(f.severity == "warning" for f in found)
    lines = [
        f"{replace(f, path=repo_path(f.path, Path.cwd())).location()} - {f.severity}: "
        f"{f.message} ({f.code})"
        for f in found
    ]
    lines.append(
        f"{count_label(int(summary.get('errorCount', errors)), 'error')}, "
        f"{count_label(int(summary.get('warningCount', warnings)), 'warning')}, "
        f"{count_label(int(summary.get('informationCount', 0)), 'information')}"
    )
    return "\n".join(lines)


# --- now ---------------------------------------------------------------------------------------


def now_gate(tool: Tool, out_dir: Path, env: Mapping[str, str], state: Path) -> int:
    """Read and redact every finding, write every one to findings.jsonl, 100 to report.json."""
    found = read_findings(tool, out_dir, PROJECT, "", env)
    row = GateResult(
        tool.name, "Π", Status.FAIL, findings=found.findings, findings_total=found.total
    )
    findings_file.write(
        state / findings_file.FINDINGS_FILE, {"mode": "bench"}, [(tool.name, found.findings)]
    )
    report = {"gates": [row.to_json()]}
    (state / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return found.total


def best_of(repeat: int, action: Callable[[], object]) -> tuple[float, float]:
    """The best wall-clock and the best CPU seconds of ``repeat`` runs (on a shared machine the
    CPU seconds are what the work costs; the wall clock adds the other processes' load)."""
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return min(walls), min(cpus)


def measure(
    tool: Tool, output: object, env: Mapping[str, str], tmp: Path, *, repeat: int, sample: int
) -> float:
    """Print one tool's numbers; return the CPU seconds now takes for all its findings. The
    current approach runs on the first ``sample`` findings and is scaled (its cost is per
    finding: every field redacted, the environment scanned per field)."""
    assert tool.stdout_file
    assert tool.read is not None
    render = tool.render
    assert render is not None
    out_dir, state = tmp / tool.name, tmp / f"{tool.name}-state"
    part_dir = tmp / f"{tool.name}-sample"
    for folder in (out_dir, state, part_dir):
        folder.mkdir()
    (out_dir / tool.stdout_file).write_text(json.dumps(output), "utf-8")
    size = (out_dir / tool.stdout_file).stat().st_size / 1e6
    now = read_findings(tool, out_dir, PROJECT, "", env).findings
    count = len(now)
    (part_dir / tool.stdout_file).write_text(json.dumps(cut(output, sample)), "utf-8")
    then = current_normalise(tool.read(part_dir, ""), PROJECT, env)
    if tuple(then) != now[: len(then)]:
        raise SystemExit(f"benchmark: {tool.name}: the findings differ from before")
    if current_render(tool, out_dir) != render(out_dir):
        raise SystemExit(f"benchmark: {tool.name}: the rebuilt log differs")
    scale = count / len(then)
    wall_before, cpu_before = best_of(1, lambda: current_gate(tool, part_dir, env, state))
    wall_before, cpu_before = wall_before * scale, cpu_before * scale
    wall_after, cpu_after = best_of(repeat, lambda: now_gate(tool, out_dir, env, state))
    log_wall_before, log_before = best_of(repeat, lambda: current_render(tool, out_dir))
    log_wall_after, log_after = best_of(repeat, lambda: render(out_dir))
    stored = (state / findings_file.FINDINGS_FILE).stat().st_size / 1e6
    print(f"{tool.name}: {count:,} findings ({size:.1f} MB of machine output)")
    print(
        f"  read+redact+write CPU  current {cpu_before:6.2f}s  now {cpu_after:5.2f}s  "
        f"ratio now/current {cpu_after / cpu_before:.3f}x"
    )
    print(
        f"  read+redact+write wall current {wall_before:6.2f}s  now {wall_after:5.2f}s  "
        f"ratio now/current {wall_after / wall_before:.3f}x  (current: {len(then):,} run, "
        f"x{scale:g}; now writes all {count:,}: {stored:.1f} MB)"
    )
    print(
        f"  rebuilt log CPU        current {log_before:6.2f}s  now {log_after:5.2f}s  "
        f"ratio now/current {log_after / log_before:.3f}x  (wall {log_wall_before:.2f}s "
        f"-> {log_wall_after:.2f}s)"
    )
    return cpu_after


def cut(output: object, sample: int) -> object:
    """The first ``sample`` diagnostics of a pyright report or a ruff list."""
    if isinstance(output, list):
        return cast(list[object], output)[:sample]
    report = dict(cast(dict[str, Any], output))
    report["generalDiagnostics"] = report["generalDiagnostics"][:sample]
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000, help="findings per gate")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument(
        "--sample", type=int, default=10_000, help="findings the current approach runs on"
    )
    args = parser.parse_args(argv)
    count, repeat, sample = int(args.count), int(args.repeat), int(args.sample)
    rng = random.Random(20)  # noqa: S311 (benchmark data, seeded)
    env = environment()
    with tempfile.TemporaryDirectory(prefix="bench-findings-") as tmp:
        worst = max(
            measure(
                pyright.TOOL,
                pyright_output(count, rng),
                env,
                Path(tmp),
                repeat=repeat,
                sample=sample,
            ),
            measure(
                ruff_check.TOOL,
                ruff_output(count, rng),
                env,
                Path(tmp),
                repeat=repeat,
                sample=sample,
            ),
        )
    target = TARGET_SECONDS * count / 100_000
    verdict = "met" if worst <= target else "MISSED"
    print(f"target: <= {target:g} CPU-s per gate for {count:,} findings: {verdict} ({worst:.2f}s)")
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
