"""Run LibreOffice, in a subprocess, to turn an old Word (.doc) or WPS (.wps) file into a .docx.

The uploaded file is never trusted. Each conversion gets a temporary directory of its own, holding
the input, the output and a fresh LibreOffice profile (two conversions at once never share one:
LibreOffice locks its profile, and a second process on the same profile would wait on it or hand
its work to the first). The converter runs:

- with a time limit (settings.OLD_WORD_CONVERT_TIMEOUT_SECONDS); past it, its whole process group
  is killed (soffice is a script that starts soffice.bin, which may start more), so a hostile file
  cannot hold a web request for longer than that;
- in a session and process group of its own, with stdin closed and its output discarded;
- without network where the machine allows it: in a network namespace of its own
  (`unshare --net --map-root-user`, util-linux, which works for an ordinary user where user
  namespaces are allowed, as on Debian 12), checked once per process; with macros disabled and
  external links blocked in its profile in any case;
- with every file it writes capped in size (`prlimit --fsize`, util-linux), and the .docx it
  writes read only up to OUTPUT_MAX_BYTES.

Nothing here knows about essays or the database: convert_to_docx returns bytes or raises
ConversionProblem, and intake.oldword turns that into a message.

Measured on Debian 12 (LibreOffice 7.4, 2 cores), a one-page Chinese .doc: about 1.0 s a
conversion with a fresh profile, 1.6 s for the first one after the disk cache is dropped; about
210 MB of memory while it runs.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

# The Debian package that provides the converter (README's system packages; scripts/lib.sh).
CONVERTER_PACKAGE = "libreoffice-writer-nogui"
# The .docx LibreOffice writes is read up to this size; a larger one is refused.
OUTPUT_MAX_BYTES = 64 * 1024 * 1024
# No file the converter writes (profile, output) may grow past this (prlimit --fsize).
WRITE_MAX_BYTES = OUTPUT_MAX_BYTES

# The profile each conversion starts with: macros never run, links to outside documents and
# images are not followed. Keys from LibreOffice's officecfg schema (Office.Common.xcs).
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
  <prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
  <prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
  <prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


class ConversionProblem(Exception):
    """Why a conversion gave no .docx. kind is one of:

    "missing": no converter on this machine (settings.OLD_WORD_CONVERTER not found);
    "timeout": it ran past settings.OLD_WORD_CONVERT_TIMEOUT_SECONDS and was killed;
    "failed": it ended without writing a .docx (the file is damaged, or not a word-processor file);
    "too_large": the .docx it wrote is larger than OUTPUT_MAX_BYTES.
    """

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


def converter_path() -> str | None:
    """The converter's executable (settings.OLD_WORD_CONVERTER, a name on PATH or a path), or None.

    None when it is not installed: the caller then tells the user how to save the file as .docx.
    """
    name = settings.OLD_WORD_CONVERTER
    return shutil.which(name) if name else None


@functools.cache
def _network_isolation_prefix() -> tuple[str, ...]:
    """`unshare --net --map-root-user` if it works here (tried once per process), else ()."""
    unshare = shutil.which("unshare")
    if unshare is None:
        logger.warning("unshare not found: old Word files are converted with network access")
        return ()
    prefix = (unshare, "--net", "--map-root-user")
    try:
        subprocess.run(
            (*prefix, "true"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        logger.warning("unshare --net is not allowed: old Word files are converted with network")
        return ()
    return prefix


def _file_size_prefix() -> tuple[str, ...]:
    """`prlimit --fsize=WRITE_MAX_BYTES --` if prlimit is installed, else ()."""
    prlimit = shutil.which("prlimit")
    return (prlimit, f"--fsize={WRITE_MAX_BYTES}", "--") if prlimit else ()


def convert_to_docx(content: bytes, *, suffix: str) -> bytes:
    """The .docx LibreOffice makes of a word-processor file's bytes.

    content: the uploaded file (any size the upload limit allows); suffix: the extension the input
    is given on disk (".doc" or ".wps"), which LibreOffice uses only as a hint: it detects the
    format from the content. Returns the .docx's bytes (at most OUTPUT_MAX_BYTES). Raises
    ConversionProblem (see its kinds). Blocks for at most settings.OLD_WORD_CONVERT_TIMEOUT_SECONDS
    plus a moment to kill the converter; leaves no process and no file behind.
    """
    executable = converter_path()
    if executable is None:
        raise ConversionProblem("missing", str(settings.OLD_WORD_CONVERTER))
    timeout = settings.OLD_WORD_CONVERT_TIMEOUT_SECONDS
    with tempfile.TemporaryDirectory(prefix="intake-convert-") as work:
        work_dir = Path(work)
        profile = work_dir / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(
            PROFILE_SETTINGS, encoding="utf-8"
        )
        source = work_dir / f"upload{suffix}"
        source.write_bytes(content)
        out_dir = work_dir / "out"
        out_dir.mkdir()
        command = (
            *_network_isolation_prefix(),
            *_file_size_prefix(),
            executable,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out_dir),
            str(source),
        )
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(work_dir),
            "TMPDIR": str(work_dir),
            "LANG": "C.UTF-8",
        }
        _run_killing_group(command, environment=environment, cwd=work_dir, timeout=timeout)
        output = out_dir / "upload.docx"
        if not output.is_file():
            raise ConversionProblem("failed", "no .docx written")
        if output.stat().st_size > OUTPUT_MAX_BYTES:
            raise ConversionProblem("too_large", f"{output.stat().st_size} bytes")
        return output.read_bytes()


def _run_killing_group(
    command: tuple[str, ...], *, environment: dict[str, str], cwd: Path, timeout: float
) -> None:
    """Run command in a new process group; kill the whole group when it ends or times out."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=cwd,
        env=environment,
        start_new_session=True,
    )
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        process.wait()
        raise ConversionProblem("timeout", f"after {timeout} s") from None
    finally:
        # A child the converter left running (soffice.bin, a crash reporter) goes with it.
        _kill_group(process.pid)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
