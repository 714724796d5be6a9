"""Check, offline, that the lock files in requirements/ still agree with pyproject.toml.

pyproject.toml keeps the ranges the app accepts; the lock files pin one version of every package,
with hashes, and are what ./scripts/run, ./scripts/test and ./scripts/bench install:

    base.txt   [project] dependencies          (./scripts/run, a production install)
    dev.txt    those and the ``dev`` extra     (./scripts/test, CI)
    bench.txt  those, ``dev`` and ``bench``    (./scripts/bench)

A range changed in pyproject.toml without re-running pip-compile (README, "Upgrading the
packages") leaves a lock that no longer satisfies it, or that lacks a new dependency; this check
names each such disagreement. It reads files only (no network, no installed metadata), so the
packages that pyproject's extras pull in (``celery[redis]``) are not checked, only the named ones.

Run: ``python requirements/check_lock.py``; exit status 1 and one line per problem when they
disagree.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent

# Lock file name -> the extras of pyproject.toml it holds besides [project] dependencies.
LOCKS: dict[str, tuple[str, ...]] = {
    "base.txt": (),
    "dev.txt": ("dev",),
    "bench.txt": ("dev", "bench"),
}


def read_pins(path: Path) -> tuple[dict[str, Version], list[str]]:
    """The pins of a pip-compile lock file: (canonical name -> version, problems).

    A requirement line is ``name==version \\`` followed by ``--hash=sha256:...`` lines; comments
    and option lines are skipped. A line that is not an exact ``==`` pin, or a pin with no hash,
    is a problem (pip's --require-hashes would refuse it at install time anyway).
    """
    pins: dict[str, Version] = {}
    problems: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        text = line.split("#", 1)[0].strip().rstrip("\\").strip()
        if not text or line[:1].isspace() or text.startswith("-"):
            continue
        where = f"{path.name}:{number + 1}"
        try:
            req = Requirement(text)
        except ValueError:
            problems.append(f"{where}: cannot read {text!r}")
            continue
        specs = list(req.specifier)
        if len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version:
            problems.append(f"{where}: {text!r} is not pinned to one version (name==version)")
            continue
        following = lines[number + 1] if number + 1 < len(lines) else ""
        if not line.rstrip().endswith("\\") or "--hash=" not in following:
            problems.append(f"{where}: {req.name} has no hash")
        try:
            pins[canonicalize_name(req.name)] = Version(specs[0].version)
        except InvalidVersion:
            problems.append(f"{where}: {text!r} has an invalid version")
    return pins, problems


def wanted_requirements(pyproject: dict, extras: tuple[str, ...]) -> list[Requirement]:
    """pyproject's [project] dependencies plus those of the named optional-dependency groups.

    Requirements whose environment marker does not hold here (``; sys_platform == 'win32'``)
    are left out, as pip-compile leaves them out of a lock made on this machine.
    Raises KeyError when an extra is not in pyproject.toml.
    """
    project = pyproject["project"]
    texts = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        texts.extend(optional[extra])
    requirements = []
    for text in texts:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            requirements.append(req)
    return requirements


def lock_problems(pyproject_path: Path, requirements_dir: Path) -> list[str]:
    """Every disagreement between pyproject.toml and the lock files, one sentence each.

    Checks that each lock file exists; that every requirement of pyproject.toml for that file is
    pinned in it at a version inside its range (pre-releases allowed only if pinned on purpose);
    that every pin has a hash; and that a package pinned in two lock files has the same version
    in both (so the tests run what ./scripts/run serves). An empty list means they agree.
    """
    pyproject = tomllib.loads(pyproject_path.read_text(encoding="utf-8"))
    problems: list[str] = []
    all_pins: dict[str, dict[str, Version]] = {}
    for name, extras in LOCKS.items():
        path = requirements_dir / name
        if not path.is_file():
            problems.append(f"{name} is missing: compile it with pip-compile (README)")
            continue
        pins, read = read_pins(path)
        problems.extend(read)
        all_pins[name] = pins
        for req in wanted_requirements(pyproject, extras):
            key = canonicalize_name(req.name)
            if key not in pins:
                problems.append(f"{name} lacks {req.name} ({req}), which pyproject.toml requires")
            elif not req.specifier.contains(pins[key], prereleases=True):
                problems.append(
                    f"{name} pins {req.name}=={pins[key]}, outside pyproject.toml's "
                    f"range {req.specifier}"
                )
    names = list(all_pins)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            for key in sorted(all_pins[first].keys() & all_pins[second].keys()):
                a, b = all_pins[first][key], all_pins[second][key]
                if a != b:
                    problems.append(f"{key} is {a} in {first} but {b} in {second}")
    return problems


def main() -> int:
    """Print each problem and return 1, or return 0 when the locks agree with pyproject.toml."""
    problems = lock_problems(ROOT / "pyproject.toml", ROOT / "requirements")
    for problem in problems:
        print(problem)
    if problems:
        print("Re-run pip-compile for the lock files (README, 'Upgrading the packages').")
        return 1
    print(f"{', '.join(LOCKS)} agree with pyproject.toml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
