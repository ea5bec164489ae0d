"""Dependencies point inward: web/ and tasks/ use workflow/, which uses neither; tasks/ never uses web/;
web/ takes from tasks/ only what queues a job (and the app's wiring of the jobs)."""
from __future__ import annotations

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

# What web/ may take from tasks/: the functions that queue a job, and the wiring done by the app factory.
WEB_MAY_USE_FROM_TASKS = {
    "tasks.dispatch": {"queue_delivery"},
    "tasks.exports": {"queue_export"},
}
APP_WIRING = {"web/__init__.py": {"tasks.celery_app": {"celery_init_app"},
                                  "tasks.dispatch": {"install_notice_dispatch"}}}


def imports_of(path: Path) -> list[tuple[str, str | None, int]]:
    """(module, name or None for a whole-module import, line) of every import in the file, nested ones too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.module, alias.name, node.lineno) for alias in node.names]
    return found


def package_of(module: str) -> str:
    return module.split(".")[0]


def sources(package: str) -> list[Path]:
    files = sorted((PROJECT / package).rglob("*.py"))
    assert files, package
    return files


def forbidden_imports(package: str, forbidden: set[str]) -> list[str]:
    return [f"{path.relative_to(PROJECT)}:{line} imports {module}"
            for path in sources(package) for module, _name, line in imports_of(path)
            if package_of(module) in forbidden]


def test_workflow_imports_neither_web_nor_tasks():
    assert forbidden_imports("workflow", {"web", "tasks"}) == []


def test_tasks_does_not_import_web():
    assert forbidden_imports("tasks", {"web"}) == []


def test_web_takes_from_tasks_only_what_queues_a_job():
    wrong = []
    for path in sources("web"):
        relative = path.relative_to(PROJECT).as_posix()
        allowed = {**WEB_MAY_USE_FROM_TASKS, **APP_WIRING.get(relative, {})}
        for module, name, line in imports_of(path):
            if package_of(module) == "tasks" and name not in allowed.get(module, set()):
                wrong.append(f"{relative}:{line} imports {name or module} from {module}")
    assert wrong == []


def test_the_checks_see_an_import_inside_a_function(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from web.storage import import_limits\n    import tasks.mail\n", encoding="utf-8")
    assert imports_of(module) == [("web.storage", "import_limits", 2), ("tasks.mail", None, 3)]
