"""The product never imports the demo app: seed data stays out of what a deployment runs.

Read from the source with ast (not by importing), so an import inside a function, behind an
`if` or in a module no test loads is found too.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Top-level packages that are not the product: the demo app itself, and what only develops it.
NOT_PRODUCT = {"demo", "tests", "benchmarks"}


def product_packages(root: Path) -> list[str]:
    """Every top-level package of the checkout except NOT_PRODUCT: a new app is covered as
    soon as it exists."""
    return sorted(
        path.parent.name
        for path in root.glob("*/__init__.py")
        if path.parent.name not in NOT_PRODUCT and not path.parent.name.startswith(".")
    )


def demo_imports(package: Path) -> list[str]:
    """'path:line module' for each import of demo (or of a module under it) in package's .py
    files."""
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                if module == "demo" or module.startswith("demo."):
                    found.append(f"{path.relative_to(package.parent)}:{node.lineno} {module}")
    return found


def test_no_product_module_imports_the_demo_app():
    packages = product_packages(ROOT)
    assert {"sessions_app", "reports", "audit", "studygroup"} <= set(packages)

    found = [line for name in packages for line in demo_imports(ROOT / name)]

    assert found == []


def test_the_check_finds_every_form_of_import(tmp_path):
    package = tmp_path / "product"
    (package / "services").mkdir(parents=True)
    (package / "__init__.py").write_text("import demographics\nfrom .demo import x\n")
    (package / "services" / "seed.py").write_text(
        "def seed():\n"
        "    from demo.bulk import bulk_seed\n"
        "    import demo.records as records, os\n"
        "    import demo\n"
    )

    assert demo_imports(package) == [
        "product/services/seed.py:2 demo.bulk",
        "product/services/seed.py:3 demo.records",
        "product/services/seed.py:4 demo",
    ]
