"""The lock files in requirements/ against pyproject.toml's ranges (requirements/check_lock.py).

./scripts/test runs the same check as a step; these tests keep the check itself honest: each
way a lock can fall out of step with pyproject.toml is made in a scratch copy and must be named.
"""

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_check():
    spec = importlib.util.spec_from_file_location(
        "check_lock", ROOT / "requirements" / "check_lock.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_lock = _load_check()


@pytest.fixture
def scratch(tmp_path):
    """A copy of pyproject.toml and the lock files: (pyproject path, requirements dir)."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    requirements = tmp_path / "requirements"
    requirements.mkdir()
    for name in check_lock.LOCKS:
        shutil.copy(ROOT / "requirements" / name, requirements / name)
    return tmp_path / "pyproject.toml", requirements


def _drop_pin(lock: Path, name: str) -> None:
    """Remove `name`'s pin, its hash lines and its comments from a pip-compile lock file."""
    text = lock.read_text()
    block = re.compile(rf"^{re.escape(name)}==.*?(?=^[a-z0-9])", re.MULTILINE | re.DOTALL)
    new, count = block.subn("", text)
    assert count == 1
    lock.write_text(new)


def test_the_committed_lock_files_agree_with_pyproject():
    assert check_lock.lock_problems(ROOT / "pyproject.toml", ROOT / "requirements") == []


def test_the_lock_pins_the_weasyprint_the_pdfs_were_checked_with():
    pins, problems = check_lock.read_pins(ROOT / "requirements" / "base.txt")
    assert problems == []
    assert str(pins["weasyprint"]) == "70.0"
    assert str(pins["django"]).startswith("5.2.")


def test_a_dependency_left_out_of_a_lock_is_named(scratch):
    pyproject, requirements = scratch
    _drop_pin(requirements / "dev.txt", "weasyprint")

    problems = check_lock.lock_problems(pyproject, requirements)

    assert problems == [
        "dev.txt lacks weasyprint (weasyprint>=66), which pyproject.toml requires"
    ]


def test_a_test_tool_left_out_of_the_dev_lock_is_named(scratch):
    pyproject, requirements = scratch
    _drop_pin(requirements / "dev.txt", "pytest-django")

    problems = check_lock.lock_problems(pyproject, requirements)

    assert any(p.startswith("dev.txt lacks pytest-django") for p in problems), problems


def test_a_range_raised_without_relocking_is_named(scratch):
    pyproject, requirements = scratch
    pyproject.write_text(pyproject.read_text().replace('"weasyprint>=66"', '"weasyprint>=71"'))

    problems = check_lock.lock_problems(pyproject, requirements)

    assert "base.txt pins weasyprint==70.0, outside pyproject.toml's range >=71" in problems
    assert len(problems) == 3  # base, dev and bench each pin it


def test_a_new_dependency_without_relocking_is_named(scratch):
    pyproject, requirements = scratch
    pyproject.write_text(
        pyproject.read_text().replace('"django-csp>=4.0",', '"django-csp>=4.0",\n    "qrcode>=8",')
    )

    problems = check_lock.lock_problems(pyproject, requirements)

    assert sorted(problems) == [
        f"{name} lacks qrcode (qrcode>=8), which pyproject.toml requires"
        for name in ("base.txt", "bench.txt", "dev.txt")
    ]


def test_two_lock_files_pinning_different_versions_are_named(scratch):
    pyproject, requirements = scratch
    bench = requirements / "bench.txt"
    bench.write_text(bench.read_text().replace("\nlxml==6.1.3 ", "\nlxml==6.1.2 "))

    problems = check_lock.lock_problems(pyproject, requirements)

    assert problems == [
        "lxml is 6.1.3 in base.txt but 6.1.2 in bench.txt",
        "lxml is 6.1.3 in dev.txt but 6.1.2 in bench.txt",
    ]


def test_a_pin_without_hash_or_a_loose_line_is_named(scratch):
    pyproject, requirements = scratch
    base = requirements / "base.txt"
    base.write_text(base.read_text() + "extra-thing>=1\nbare==1.0\n")

    problems = check_lock.lock_problems(pyproject, requirements)

    assert any("'extra-thing>=1' is not pinned" in p for p in problems), problems
    assert any(p.endswith("bare has no hash") for p in problems), problems


def test_a_missing_lock_file_is_named(scratch):
    pyproject, requirements = scratch
    (requirements / "bench.txt").unlink()

    problems = check_lock.lock_problems(pyproject, requirements)

    assert problems == ["bench.txt is missing: compile it with pip-compile (README)"]
