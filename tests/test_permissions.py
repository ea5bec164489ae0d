"""Permissions are decided in workflow/permissions.py only: no role comparison anywhere else."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from workflow.procedure import ROLES

ROOT = Path(__file__).resolve().parent.parent
PERMISSIONS = ROOT / "workflow/permissions.py"
TEMPLATE_ROLE_TEST = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot\s+in\b)|(==|!=|\bin\b)\s*[\w.]*\.role\b")


def _names_a_role(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in ROLES
    if isinstance(node, ast.Attribute):
        return node.attr == "role"
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_a_role(element) for element in node.elts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("frozenset", "set"):
        return any(_names_a_role(arg) for arg in node.args)
    return False


def role_comparisons(source: str) -> list[int]:
    """Lines comparing a role: `x.role == ...`, `... in ("office", "chair")`, `"admin" != y`."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Compare) and any(_names_a_role(part) for part in [node.left, *node.comparators])]


def test_no_role_is_compared_outside_the_permissions_module():
    found = []
    for folder in ("workflow", "web", "tasks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path != PERMISSIONS:
                found += [f"{path.relative_to(ROOT)}:{line}" for line in role_comparisons(path.read_text())]
        for path in sorted((ROOT / folder).rglob("*.html")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if TEMPLATE_ROLE_TEST.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}")
    assert not found, f"ask workflow.permissions instead: {found}"


def test_the_check_finds_role_comparisons():
    source = ('if user.role == "submitter": pass\n'
              'x = actor.role not in READERS\n'
              'y = role in ("office", "chair")\n'
              'z = User.role == "council"\n'
              'ok = data["role"] in ROLES\n')
    assert role_comparisons(source) == [1, 2, 3, 4]
    assert TEMPLATE_ROLE_TEST.search('{% if current_user.role in ("office", "chair") %}')
    assert not TEMPLATE_ROLE_TEST.search("{{ role_label(current_user.role) }}")
