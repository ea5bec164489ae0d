"""No state or event name is written in the code: what a state or a step is comes from the procedure files.

The scan covers the application's code and templates (workflow/, web/, tasks/: Python, Jinja, JavaScript,
CSS) and the benchmarks (bench/) for every state and event of every loaded procedure, written as a quoted
string, as a constant (`DRAFT`) or in a CSS class (`.state-returned`). Left out: the procedure files
themselves, and the demo (a scenario, like these tests). Python keywords and ordinary words are not names:
only a whole quoted string, a constant or a class part counts.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from workflow.procedure import PROCEDURES_DIR, catalogue

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("workflow", "web", "tasks", "bench")
SUFFIXES = {".py", ".html", ".txt", ".js", ".css"}
LEFT_OUT = {PROCEDURES_DIR, ROOT / "workflow" / "demo.py"}
# Words that are a state's or an event's name by chance, each where it means something else.
ALLOWED = {
    ("workflow/settings.py", "forwarded"): "the award type's field: decided by a higher authority",
    ("web/api/reference.py", "forwarded"): "the award type's field",
    ("web/pages/settings.py", "forwarded"): "the award type's field",
    ("workflow/statistics.py", "conferred"): "the statistics answer's count of awards given (honoured states)",
    ("workflow/exports/statistics.py", "conferred"): "the statistics answer's count, read back",
}
# HTML and DOM idioms that say "submit" of a form, not of a dossier.
DOM_IDIOMS = re.compile(r"""type=(["'])submit\1|addEventListener\((["'])submit\2""")
QUOTED = re.compile(r"""(["'])([A-Za-z_][A-Za-z0-9_]*)\1""")
CSS_CLASS = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)")


def procedure_names() -> set[str]:
    names = set()
    for procedure in catalogue():
        names.update(procedure.states)
        names.update(procedure.events)
    return names


def _python(text: str, names: set[str]) -> list[tuple[int, str]]:
    found = []
    constants = {name.upper(): name for name in names}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
            found.append((node.lineno, node.value))
        identifier = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) \
            else node.name if isinstance(node, ast.alias) else None
        if isinstance(node, ast.alias):
            identifier = node.asname or node.name.rsplit(".", 1)[-1]
        if identifier in constants:
            found.append((node.lineno if hasattr(node, "lineno") else 0, identifier))
    return found


def _markup(text: str, names: set[str]) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = DOM_IDIOMS.sub("", line)
        found += [(number, match.group(2)) for match in QUOTED.finditer(line) if match.group(2) in names]
    return found


def _css(text: str, names: set[str]) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in CSS_CLASS.finditer(line):
            found += [(number, part) for part in match.group(1).split("-") if part in names]
    return found


def names_written(path: Path, names: set[str]) -> list[tuple[int, str]]:
    """Where the file at `path` writes one of `names`: (line, name) pairs."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        return _python(text, names)
    if path.suffix == ".css":
        return _css(text, names)
    return _markup(text, names)


def scanned_files(root: Path = ROOT) -> list[Path]:
    files = []
    for folder in SCANNED:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file() \
                    and not any(path == left or left in path.parents for left in LEFT_OUT):
                files.append(path)
    return files


def test_no_state_or_event_name_is_written_outside_the_procedure_files():
    names = procedure_names()
    files = scanned_files()
    assert len(files) > 50 and ROOT / "web" / "templates" / "pages" / "dossier.html" in files
    faults = []
    for path in files:
        relative = path.relative_to(ROOT).as_posix()
        for line, name in names_written(path, names):
            if (relative, name) not in ALLOWED:
                faults.append(f"{relative}:{line}: '{name}' names a state or an event of a procedure; "
                              "ask the procedure what it is instead (workflow.procedure)")
    assert not faults, "\n".join(faults)


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("a.py", 'if dossier.state == "council_review":\n    pass\n', [(1, "council_review")]),
    ("a.py", "from workflow.definition import RETURNED\nx = RETURNED\n", [(1, "RETURNED"), (2, "RETURNED")]),
    ("a.py", "def f():\n    return 'Returned'\n", []),
    ("a.html", '<p>{% if step.event == \'withdraw\' %}x{% endif %}</p>\n<button type="submit">',
     [(1, "withdraw")]),
    ("a.js", 'form.addEventListener("submit", go);\nif (state === "approved") {}\n', [(2, "approved")]),
    ("a.css", ".badge { }\n.state-in_appraisal, .return-note { color: red }\n",
     [(2, "in_appraisal"), (2, "return")]),
])
def test_the_scan_finds_a_name_written_in_code(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert names_written(path, procedure_names()) == expected
