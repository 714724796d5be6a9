"""intake/ reads uploads and nothing else: no module of it imports the database, the models or
the apps that keep records (DESIGN.md: "pure functions, no database"). Read from the source, so
an import inside a function counts as much as one at the top."""

from __future__ import annotations

import ast
from pathlib import Path

import intake

INTAKE = Path(intake.__file__).parent
# The database and storage, and every package of ours that has models or writes records.
FORBIDDEN = (
    "django.db",
    "django.contrib",
    "django.core.files.storage",
    "sessions_app",
    "reports",
    "audit",
    "demo",
    "notices",
    "oversight",
)


def imported_modules(source: str) -> set[str]:
    """Every module a Python source imports, by its absolute dotted name, wherever the import is."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                modules.add("intake")  # a relative import stays inside the package
            else:
                modules.add(node.module or "")
                modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def forbidden(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in FORBIDDEN)


def test_the_check_sees_imports_at_the_top_and_inside_functions():
    source = (
        "from django.db import models\n"
        "def f():\n"
        "    from sessions_app.models import Member\n"
        "    import reports.selectors\n"
        "    from django import db\n"
    )
    found = {module for module in imported_modules(source) if forbidden(module)}
    assert found == {
        "django.db",
        "django.db.models",
        "sessions_app.models",
        "sessions_app.models.Member",
        "reports.selectors",
    }
    assert not any(forbidden(m) for m in imported_modules("from django.core.files import base"))


def test_intake_imports_nothing_from_the_database_or_the_record_keeping_apps():
    sources = sorted(INTAKE.rglob("*.py"))
    assert {path.name for path in sources} >= {"essays.py", "materials.py", "count.py"}
    offending = {
        f"{path.relative_to(INTAKE.parent)}: {module}"
        for path in sources
        for module in sorted(imported_modules(path.read_text(encoding="utf-8")))
        if forbidden(module)
    }
    assert offending == set()
