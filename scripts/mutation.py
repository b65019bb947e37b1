"""`make mutation`: mutmut over the modules whose rules are documented, each against its own tests.

mutmut reads one configuration (pyproject's [tool.mutmut]) and picks, for each mutant, every
selected test that ran the mutated function. Run over all modules at once, the export tests
(which approve paragraphs, so run QA and the Arabic matcher) would "kill" QA mutants the QA
tests never notice, and take most of the time. So each group gets a work folder of its own,
.cache/mutation/<group>/, with links to the project, a pyproject.toml naming only its modules
and its tests, and its own mutants/ folder; mutmut runs there from scratch.

The score of a module is killed / all mutants. A survivor must be killed by a new test or
listed in docs/testing.md (its mutmut name, in backquotes) with why it changes nothing; the
run fails when a module scores under 85 % or a survivor is neither killed nor listed.

    python scripts/mutation.py             every group
    python scripts/mutation.py qa arabic   some groups
    python scripts/mutation.py --report    the scores of the last runs, without running
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".cache" / "mutation"
DOCS = ROOT / "docs" / "testing.md"
TARGET = 0.85
LINKED = ("app", "tests", "seeds", "migrations", "docs", "wsgi.py")
# mutmut's exit codes per mutant (mutmut/models: status_by_exit_code)
KILLED = {1, 3, -24, 24, 36, 152, 255}  # test failed, or the mutant ran past its timeout
NO_TESTS = 33


@dataclass(frozen=True)
class Group:
    name: str
    modules: tuple[str, ...]
    tests: tuple[str, ...]
    needs_schemas: bool = False


GROUPS = (
    Group("qa", ("app/services/qa.py",), ("tests/test_qa_checks.py", "tests/test_qa_number_rules.py")),
    Group("news_text", ("app/services/news_text.py",), ("tests/test_news_text.py", "tests/test_news_text_rules.py")),
    Group("arabic", ("app/services/arabic.py",), ("tests/test_arabic_matching.py", "tests/test_arabic_rules.py")),
    Group("sentences", ("app/services/sentences.py",), ("tests/test_sentences.py",)),
    Group("export_writers", ("app/services/export/formats.py", "app/services/export/conll.py"),
          ("tests/test_exports.py", "tests/test_export_writer_rules.py"), needs_schemas=True),
)


def mutmut_section(group: Group) -> str:
    tests = [t for t in group.tests if (ROOT / t).exists()]
    also_copy = ["seeds", "migrations", "docs", "wsgi.py"] + ([".cache/xml-schemas"] if group.needs_schemas else [])
    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["app"]\n'
        f"only_mutate = {json.dumps(list(group.modules))}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        # pytest-timeout's default is for the whole suite; mutmut times mutants itself.
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "--timeout=0"]\n'
        f"also_copy = {json.dumps(also_copy)}\n"
    )


def prepare(group: Group) -> Path:
    """A fresh work folder: links to the project, and a pyproject.toml with this group's [tool.mutmut]."""
    folder = WORK / group.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in LINKED:
        (folder / name).symlink_to(ROOT / name)
    if group.needs_schemas:
        (folder / ".cache").mkdir()
        (folder / ".cache" / "xml-schemas").symlink_to(ROOT / ".cache" / "xml-schemas")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (folder / "pyproject.toml").write_text(pyproject + mutmut_section(group), encoding="utf-8")
    return folder


def run(group: Group) -> None:
    folder = prepare(group)
    print(f"== {group.name}: {', '.join(group.modules)} against {', '.join(group.tests)}", flush=True)
    command = [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", str(os.cpu_count() or 2)]
    with open(folder / "mutmut.log", "w", encoding="utf-8") as log:
        finished = subprocess.run(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    if finished.returncode != 0:
        print((folder / "mutmut.log").read_text(encoding="utf-8")[-3000:])
        raise SystemExit(f"mutmut failed for {group.name} (exit {finished.returncode}); log: {folder / 'mutmut.log'}")


def results(group: Group, module: str) -> dict[str, int | None]:
    meta = WORK / group.name / "mutants" / (module + ".meta")
    if not meta.exists():
        return {}
    return json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]


def listed_survivors() -> set[str]:
    """Mutant names documented in docs/testing.md as changing nothing."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    return set(re.findall(r"`([\w.ǁ]+__mutmut_\d+)`", text))


def report(groups: list[Group]) -> bool:
    listed, ok = listed_survivors(), True
    print(f"\n{'module':40} {'mutants':>8} {'killed':>7} {'score':>7}  survivors (unlisted)")
    for group in groups:
        survivor_lines = []
        for module in group.modules:
            codes = results(group, module)
            if not codes:
                print(f"{module:40} {'not run':>8}")
                ok = False
                continue
            killed = sum(1 for code in codes.values() if code in KILLED)
            survivors = sorted(name for name, code in codes.items() if code not in KILLED)
            unlisted = [name for name in survivors if name not in listed]
            score = killed / len(codes)
            print(f"{module:40} {len(codes):8} {killed:7} {score:7.1%}  {len(survivors)} ({len(unlisted)})")
            ok = ok and score >= TARGET and not unlisted
            survivor_lines += [f"{name}\t{'listed' if name in listed else 'UNLISTED'}\t{codes[name]}\n"
                               for name in survivors]
        if (WORK / group.name).is_dir():
            (WORK / group.name / "survivors.txt").write_text("".join(survivor_lines), encoding="utf-8")
    print(f"\nEach group's survivors: {WORK}/<group>/survivors.txt; see one with "
          f"`cd {WORK}/<group> && {Path(sys.executable).parent / 'mutmut'} show NAME`")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("groups", nargs="*", help="some of: " + " ".join(g.name for g in GROUPS))
    parser.add_argument("--report", action="store_true", help="only report the last runs")
    args = parser.parse_args()
    unknown = set(args.groups) - {g.name for g in GROUPS}
    if unknown:
        parser.error(f"unknown group(s): {' '.join(sorted(unknown))}")
    groups = [g for g in GROUPS if not args.groups or g.name in args.groups]
    if not args.report:
        for group in groups:
            run(group)
    if not report(groups):
        raise SystemExit(f"a module scored under {TARGET:.0%} or has survivors not listed in {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
