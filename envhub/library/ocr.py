"""The programs that read PDFs and scans: poppler's pdfinfo and pdftotext, and OCRmyPDF with
Tesseract (`vie` + `eng`), all Debian packages (`scripts/system-deps.sh`). No Django here.

Each runs as a child process on files in a temporary folder, so that a crash or a runaway scan
costs that process, not the worker. `missing_for_ocr()` says what is not installed; the caller
reports OCR as unavailable rather than skip it.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from envhub.library import text

LANGUAGES = ("vie", "eng")
# Seconds Tesseract may spend on one page before OCRmyPDF gives that page up (left without
# text, and reported so).
PAGE_TIMEOUT = 300
# How often a running OCR calls back (the caller renews its claim on the document).
HEARTBEAT_SECONDS = 30
# Beyond the pages' own time, how long OCRmyPDF may spend on a file (reading it, writing the
# searchable PDF) before it is stopped: a file it cannot get through must not hold the worker.
FILE_TIMEOUT = 600
# Scans saved without their resolution are taken as 300 dpi, the usual archive scan.
DEFAULT_IMAGE_DPI = 300
_PAGES = re.compile(rb"^Pages:\s+(\d+)\s*$", re.MULTILINE)


class ToolFailed(RuntimeError):
    """A program failed on a file: `code` says why (for the note on the document)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def ocr_jobs() -> int:
    """Pages OCR'd at once: half the machine's cores, so that the web server keeps the rest."""
    return max(1, (os.cpu_count() or 2) // 2)


def missing_for_text() -> list[str]:
    """The Debian packages without which a PDF's text layer cannot be read."""
    return [] if shutil.which("pdftotext") and shutil.which("pdfinfo") else ["poppler-utils"]


def tesseract_languages() -> set[str]:
    try:
        listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                                timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    return {line.strip() for line in listed.splitlines()[1:] if line.strip()}


def missing_for_ocr() -> list[str]:
    """The Debian packages OCR still needs here; empty when OCR can run."""
    missing = missing_for_text()
    if not shutil.which("ocrmypdf"):
        missing.append("ocrmypdf")
    if not shutil.which("tesseract"):
        return missing + ["tesseract-ocr", "tesseract-ocr-vie"]
    languages = tesseract_languages()
    if "eng" not in languages:
        missing.append("tesseract-ocr-eng")
    if "vie" not in languages:
        missing.append("tesseract-ocr-vie")
    return missing


def versions() -> dict[str, str]:
    """The version of each program found (for `envhub check`)."""
    found = {}
    for program, flag in (("pdftotext", "-v"), ("tesseract", "--version"),
                          ("ocrmypdf", "--version")):
        if not shutil.which(program):
            continue
        try:
            done = subprocess.run([program, flag], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            continue
        first = (done.stdout or done.stderr).strip().splitlines()
        found[program] = first[0].split()[-1] if first else "?"
    return found


def _run(command: list[str], timeout: float = 600) -> bytes:
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ToolFailed("timeout", command[0]) from None
    except OSError as error:
        raise ToolFailed("missing_tool", f"{command[0]}: {error}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()[-300:]
        if b"Incorrect password" in done.stderr or b"encrypted" in done.stderr.lower():
            raise ToolFailed("encrypted", detail)
        raise ToolFailed("unreadable", detail)
    return done.stdout


def pdf_page_count(path: Path) -> int:
    found = _PAGES.search(_run(["pdfinfo", str(path)], timeout=120))
    if not found:
        raise ToolFailed("unreadable", "pdfinfo gave no page count")
    return int(found.group(1))


def pdf_text(path: Path, limit: int = text.MAX_TEXT_CHARS) -> text.Extracted:
    """The text layer of each page of a PDF. pdftotext writes to a file beside it, read back
    only up to the cap."""
    pages = pdf_page_count(path)
    output = path.with_name(path.name + ".txt")
    _run(["pdftotext", "-enc", "UTF-8", str(path), str(output)], timeout=max(600, pages))
    try:
        with output.open("rb") as stream:
            raw = stream.read(limit * 4)  # UTF-8: at most four bytes a character
            truncated = bool(stream.read(1))
    finally:
        output.unlink(missing_ok=True)
    found = raw.decode("utf-8", "replace")
    if len(found) > limit:
        found, truncated = found[:limit], True
    return text.Extracted(text.pdf_pages(found, pages), "text_layer", paged=True,
                          truncated=truncated)


def image_dpi(path: Path) -> float | None:
    """The resolution a scanned image states (None when it states none)."""
    from PIL import Image  # Pillow comes with WeasyPrint

    try:
        with Image.open(path) as image:
            dpi = image.info.get("dpi")
    except OSError:
        return None
    if not dpi or not dpi[0] or float(dpi[0]) < 10:
        return None
    return float(dpi[0])


@functools.cache
def ocrmypdf_options() -> str:
    """OCRmyPDF's --help, read once: which options this version has."""
    try:
        return subprocess.run(["ocrmypdf", "--help"], capture_output=True, text=True,
                              timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def ocr_timeout(pages: int | None) -> float:
    """The longest OCRmyPDF may run on a file of `pages` pages (unknown: one)."""
    return max(1, pages or 1) * PAGE_TIMEOUT + FILE_TIMEOUT


def make_searchable(source: Path, target: Path, *, image: bool = False,
                    heartbeat: Callable[[], None] | None = None,
                    timeout: float | None = None) -> None:
    """OCR `source` (a PDF, or a scanned image when `image`) into `target`, a PDF with a text
    layer under the page images. Pages that already have text keep it (--skip-text: a born-
    digital PDF with a few scanned pages is OCR'd on those pages only). Past `timeout`
    seconds (default: `ocr_timeout` of one page) OCRmyPDF is stopped: ToolFailed("timeout")."""
    command = ["ocrmypdf", "--language", "+".join(LANGUAGES), "--output-type", "pdf",
               "--jobs", str(ocr_jobs()), "--tesseract-timeout", str(PAGE_TIMEOUT),
               "--quiet"]
    if image:
        if image_dpi(source) is None:
            command += ["--image-dpi", str(DEFAULT_IMAGE_DPI)]
    else:
        command.append("--skip-text")
        # A signed scan (ký số) is OCR'd into a copy, which cannot keep the signature; the
        # signed original stays as it came. OCRmyPDF 15 and later refuse without this option.
        if "--invalidate-digital-signatures" in ocrmypdf_options():
            command.append("--invalidate-digital-signatures")
    command += [str(source), str(target)]
    log = target.with_name(target.name + ".log")
    # Tesseract's own threads would fight OCRmyPDF's page jobs for the same cores.
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        with log.open("wb") as errors:
            try:
                process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors,
                                           env=environment)
            except OSError as error:
                raise ToolFailed("missing_tool", f"ocrmypdf: {error}") from None
            deadline = time.monotonic() + (timeout if timeout is not None else ocr_timeout(1))
            while True:
                try:
                    code = process.wait(max(0.0, min(HEARTBEAT_SECONDS,
                                                     deadline - time.monotonic())))
                    break
                except subprocess.TimeoutExpired:
                    if time.monotonic() >= deadline:
                        process.kill()
                        process.wait()
                        raise ToolFailed("timeout", "ocrmypdf") from None
                    if heartbeat is not None:
                        heartbeat()
                except BaseException:
                    process.kill()
                    process.wait()
                    raise
        detail = log.read_bytes()[-600:].decode("utf-8", "replace").strip()
    finally:
        log.unlink(missing_ok=True)
    if code == 8:  # OCRmyPDF's ExitCode.encrypted_pdf
        raise ToolFailed("encrypted", detail)
    if code != 0 or not target.exists():
        raise ToolFailed("ocr_failed", f"exit {code}: {detail}")
