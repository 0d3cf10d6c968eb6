"""Attribution on pages the parser has never seen: title, outlet, reporters and date.

    .venv/bin/python bench/bench_attribution.py [--jobs N] [--parts html,page-text,text]

Runs the shared scorer (``../shared/data/attribution_dev/score.py``) over this checkout's
``python -m bot parse FILE --json`` and prints the issue's table, one row per part, with the
targets beside. Exits 0 with one line when ``../shared`` is not there (a machine without the
dev set), 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT.parent / "shared" / "data" / "attribution_dev" / "score.py"
LINE = re.compile(r"^\[(?P<part>[\w-]+)\] n=(?P<n>\d+)\s+errors=(?P<errors>\d+)(?P<rest>.*)$")
# part → field → target (the "Done means"); reporters is F1.
TARGETS = {
    "html": {"title": 0.93, "source": 0.90, "date": 0.95, "reporters": 0.90, "errors": 0},
    "page-text": {"title": 0.90, "source": 0.90, "date": 0.95, "reporters": 0.90},
    "text": {"source": 0.90, "date": 0.90, "reporters": 0.95},
}


def field_values(rest: str) -> dict[str, float]:
    """``title=75.8% (47/62) … reporters P/R/F1=0.33/0.36/0.35`` → fractions."""
    values = {
        name: float(share) / 100
        for name, share in re.findall(r"(title|source|date)=([\d.]+)%", rest)
    }
    f1 = re.search(r"reporters P/R/F1=[\d.]+/[\d.]+/([\d.]+)", rest)
    if f1:
        values["reporters"] = float(f1.group(1))
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--parts", default="html,page-text,text")
    args = parser.parse_args()
    if not SCORER.exists():
        print(f"attribution dev set not found ({SCORER.parent}): nothing to measure")
        return 0
    python = ROOT / ".venv" / "bin" / "python"
    command = f"{python if python.exists() else sys.executable} -m bot parse {{file}} --json"
    with tempfile.TemporaryDirectory() as tmp:
        details = Path(tmp) / "items.json"
        result = subprocess.run(
            [
                sys.executable,
                str(SCORER),
                "--cmd",
                command,
                "--jobs",
                str(args.jobs),
                "--parts",
                args.parts,
                "--misses",
                "0",
                "--json-out",
                str(details),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 and "SUMMARY" not in result.stdout:
            print(f"scorer failed: {result.stderr.strip().splitlines()[-1:] or result.returncode}")
            return 1
        json.loads(details.read_text(encoding="utf-8") or "null")  # the scorer finished
    rows = [LINE.match(line.strip()) for line in result.stdout.splitlines()]
    seen: dict[str, re.Match] = {}
    for row in rows:
        if row and row.group("part") not in seen:
            seen[row.group("part")] = row
    print("| part | title | source | date | reporters F1 | refused |")
    print("| --- | --- | --- | --- | --- | --- |")
    missed = []
    for part, row in seen.items():
        values = field_values(row.group("rest"))
        targets = TARGETS.get(part, {})
        cells = []
        for name in ("title", "source", "date", "reporters"):
            if name not in values:
                cells.append("—")
                continue
            value = values[name]
            shown = f"{value:.2f}" if name == "reporters" else f"{value:.1%}"
            target = targets.get(name)
            if target is not None and value + 1e-9 < target:
                missed.append(f"{part} {name} {shown} < {target}")
                shown += " ✗"
            cells.append(shown)
        errors = int(row.group("errors"))
        if errors > targets.get("errors", errors):
            missed.append(f"{part}: {errors} refused")
        print(f"| {part} (n={row.group('n')}) | " + " | ".join(cells) + f" | {errors} |")
    for line in missed:
        print(f"target missed: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
