"""The HTML report from a real store, opened in headless Chromium.

The report is built from what a SQLite store scans (a redaction included),
rendered to a file and opened offline: the screenshot must show a page with
its charts, the DOM must hold the headings, and the page must fetch nothing.
Skipped when ``/usr/bin/chromium`` is missing, except on CI (which installs it).
"""

from __future__ import annotations

import itertools
import re
import struct
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from helping_process import Actor
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminationReason
from helping_process.audit import events_of
from helping_process.persistence import SqlStore
from helping_process.policy import Policy
from helping_process.report import Report
from helping_process.report import build_report
from helping_process.report import render_html
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import activity_data
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import evaluation_data
from helping_process.testing import intake_data
from helping_process.testing import plan_data
from tests.conftest import unavailable

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _chromium() -> None:
    if not CHROMIUM.exists():
        unavailable(
            "headless Chromium is not installed at /usr/bin/chromium "
            "(apt-get install chromium)"
        )


WORKER = Actor("worker-1")
#: The bars' fill colour in the page's style sheet (#2b6cb0).
ACCENT = (0x2B, 0x6C, 0xB0)
HEADINGS = {
    "en": ("Helping process report", "Cases per current stage", "Policy findings"),
    "id": ("Laporan proses pertolongan", "Kasus menurut tahap saat ini", "Temuan"),
}
_PROFILES = itertools.count()


def _walk_to_evaluation(service: CaseService, clock: FixedClock, client: str) -> str:
    """Open a case and take it to evaluation with complete records."""
    case_id = service.open(client, actor=WORKER).case_id
    steps = [
        ("engagement", engagement_data(first_contact_on=clock.today()), Stage.INTAKE),
        ("intake", intake_data(), Stage.CONTRACT),
        ("contract", contract_data(valid_from=clock.today()), Stage.ASSESSMENT),
        ("assessment", assessment_data(), Stage.PLANNING),
        ("plan", plan_data(), Stage.INTERVENTION),
        ("activity", activity_data(on=clock.today()), Stage.EVALUATION),
    ]
    for kind, data, target in steps:
        clock.advance(days=3)
        service.add_record_json(case_id, kind, data, actor=WORKER)
        service.move(case_id, target, actor=WORKER)
    return case_id


@pytest.fixture
def report(sqlite_url: str, open_store: Callable[..., SqlStore]) -> Report:
    """A report over a store with planned, early, open and redacted cases."""
    clock = FixedClock()
    service = CaseService(open_store(sqlite_url), clock=clock)
    done = _walk_to_evaluation(service, clock, "KLIEN-1")
    service.add_record_json(done, "evaluation", evaluation_data(), actor=WORKER)
    service.terminate(
        done, TerminationReason.GOALS_ACHIEVED, actor=WORKER, note="Goals met."
    )
    early = service.open("KLIEN-2", actor=WORKER).case_id
    service.terminate(
        early,
        TerminationReason.CLIENT_DISLIKES_WORKER,
        sub_reason=SubReason.PERSONAL_FACTORS,
        actor=WORKER,
        note="Asked for another worker.",
    )
    service.redact(early, actor=WORKER, note="UU 27/2022 Pasal 8")
    _walk_to_evaluation(service, clock, "KLIEN-3")
    service.open("KLIEN-4", actor=WORKER)
    clock.advance(days=90)
    with service.store.unit_of_work() as uow:
        return build_report(
            events_of(uow.scan()), policy=Policy(), as_of=clock(), agency="LKS Mawar"
        )


def chromium(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium offline with a profile of its own."""
    profile = tmp_path / f"profile-{next(_PROFILES)}"
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def screenshot(tmp_path: Path, page: Path, name: str) -> Path:
    """Take a 1200x2000 screenshot of ``page``."""
    png = tmp_path / name
    chromium(
        tmp_path,
        f"--screenshot={png}",
        "--window-size=1200,2000",
        page.as_uri(),
    )
    return png


def pixels(
    png: Path, *, rows: int = 800, every: int = 3
) -> tuple[int, int, list[tuple[int, ...]]]:
    """Decode the top of an 8-bit, non-interlaced RGB or RGBA PNG.

    Only zlib and struct are used. The first ``rows`` rows are unfiltered
    (each depends on the one above) and every ``every``-th pixel of every
    ``every``-th row is kept: the title, the summary and the first chart,
    plenty to tell a page from a blank one, and quick in pure Python.

    Returns:
        The width, the height and the sampled pixels as RGB tuples.
    """
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, compressed = 8, b""
    width = height = channels = 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(
                ">IIBBBBB", body
            )
            assert (depth, interlace) == (8, 0)
            channels = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            compressed += body
    raw = zlib.decompress(compressed)
    stride = width * channels
    previous = bytearray(stride)
    result: list[tuple[int, ...]] = []
    for row in range(min(rows, height)):
        start = row * (stride + 1)
        line = bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(raw[start], line, previous, channels)
        result.extend(tuple(line[x : x + 3]) for x in range(0, stride, channels))
        previous = line
    return width, height, result


def _unfilter(kind: int, line: bytearray, previous: bytearray, step: int) -> None:
    """Undo one scanline's PNG filter in place (RFC 2083, section 6)."""
    if kind == 0:
        return
    if kind == 2:  # Up: add the row above byte by byte, all bytes at once
        size = len(line)
        high = int.from_bytes(b"\x80" * size, "big")
        low = high ^ ((1 << 8 * size) - 1)
        ours, theirs = int.from_bytes(line, "big"), int.from_bytes(previous, "big")
        total = ((ours & low) + (theirs & low)) ^ ((ours ^ theirs) & high)
        line[:] = total.to_bytes(size, "big")
        return
    for x in range(len(line)):
        left = line[x - step] if x >= step else 0
        up = previous[x]
        corner = previous[x - step] if x >= step else 0
        if kind == 1:
            add = left
        elif kind == 2:
            add = up
        elif kind == 3:
            add = (left + up) // 2
        else:
            guess = left + up - corner
            near = min(
                (abs(guess - left), 0, left),
                (abs(guess - up), 1, up),
                (abs(guess - corner), 2, corner),
            )
            add = near[2]
        line[x] = (line[x] + add) & 0xFF


class TestReportInChromium:
    @pytest.mark.parametrize("lang", ["en", "id"])
    def test_the_page_renders(self, tmp_path: Path, report: Report, lang):
        """The screenshot shows a page with text and bar charts, not a blank one."""
        page = tmp_path / f"report-{lang}.html"
        page.write_text(render_html(report, lang), encoding="utf-8")
        blank = tmp_path / "blank.html"
        blank.write_text("<!DOCTYPE html><title>blank</title>", encoding="utf-8")

        shot = screenshot(tmp_path, page, "report.png")
        empty = screenshot(tmp_path, blank, "blank.png")

        assert shot.exists()
        assert shot.stat().st_size > 20_000
        assert shot.read_bytes() != empty.read_bytes()
        width, height, colours = pixels(shot)
        assert (width, height) == (1200, 2000)
        assert len(set(colours)) > 50
        assert sum(colour != (255, 255, 255) for colour in colours) > len(colours) // 50
        assert any(
            all(abs(c - a) <= 4 for c, a in zip(colour, ACCENT, strict=True))
            for colour in colours
        )
        assert len(set(pixels(empty)[2])) == 1

    @pytest.mark.parametrize("lang", ["en", "id"])
    def test_the_dom_holds_the_headings(self, tmp_path: Path, report: Report, lang):
        """Chromium's DOM of the page has the title and the section headings."""
        page = tmp_path / f"report-{lang}.html"
        page.write_text(render_html(report, lang), encoding="utf-8")

        dom = chromium(tmp_path, "--dump-dom", page.as_uri()).stdout

        assert f'<html lang="{lang}">' in dom
        for heading in HEADINGS[lang]:
            assert heading in dom
        assert dom.count("<svg ") == 3
        assert "<h1>" in dom
        assert "UU 27/2022" not in dom
        assert "KLIEN-" not in dom

    def test_nothing_remote(self, tmp_path: Path, report: Report):
        """The page refers to no http or https address and loads no script."""
        html = render_html(report, "id")
        page = tmp_path / "report.html"
        page.write_text(html, encoding="utf-8")

        dom = chromium(tmp_path, "--dump-dom", page.as_uri()).stdout

        for text in (html, dom):
            references = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", text)
            assert [ref for ref in references if ref.startswith("http")] == []
            assert "http://" not in text
            assert "https://" not in text
            assert "<script" not in text

    def test_it_prints(self, tmp_path: Path, report: Report):
        """Printing to PDF gives a document of more than one page."""
        page = tmp_path / "report.html"
        page.write_text(render_html(report, "en"), encoding="utf-8")
        pdf = tmp_path / "report.pdf"

        chromium(
            tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri()
        )

        document = pdf.read_bytes()
        assert document.startswith(b"%PDF")
        assert len(re.findall(rb"/Type\s*/Page\b", document)) > 1
