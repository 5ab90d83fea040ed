"""The reader's light fingerprint in PDF downloads: ``fanwen trace`` names each of three buyers
from their .pdf and from any 300 characters of its paid part that ``pdftotext`` gives back
(across a page break too), says no match for its free part and unrelated text, and the marks
change neither the pixels nor the visible text.

Oracle: poppler's own tools (pdftotext, pdftoppm) on the delivered bytes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fanwen.access import fingerprints
from fanwen.access.delivery import deliver
from fanwen.access.models import Delivery
from fanwen.core.fingerprint import CARRIERS, strip_carriers
from fanwen.core.fingerprint_text import is_invisible
from fanwen.core.reader import read_path
from fanwen.library.models import Document
from fanwen.library.services import document_import_path
from tests.access.test_downloads import buy
from tests.access.test_trace import trace
from tests.commerce.factories import make_user
from tests.conftest import ROOT

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="poppler-utils is not installed"
    ),
]
EXAMPLE = ROOT / "examples" / "001_8c2f3a0508b80cee.txt"
PARSED = read_path(EXAMPLE)
FREE_BLOCKS = [b.text for b in PARSED.blocks if not b.paid]
PAID_BLOCKS = [b.text for b in PARSED.blocks if b.paid]
UNRELATED = "今天天气晴朗，我们一家人去公园散步。湖边的柳树发出了新芽，孩子们在草地上放风筝。" * 8
WIDTH = 300


@pytest.fixture
def doc() -> Document:
    author = make_user("writer")
    outcome = document_import_path(path=EXAMPLE, price_fen=500, author_id=author.pk)
    return Document.objects.get(pk=outcome.id)


@pytest.fixture
def buyers(doc: Document) -> list:  # type: ignore[type-arg]
    users = [make_user(f"buyer{i}") for i in range(3)]
    for user in users:
        buy(user, doc)
    return users


def pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "file.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()


def pages_png(data: bytes, tmp_path: Path, name: str) -> list[bytes]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / name)], check=True)
    return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.png"))]


def visible_positions(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if not is_invisible(ch)]


def window(text: str, positions: list[int], start: int, width: int = WIDTH) -> str:
    """``width`` consecutive visible characters of ``text`` from visible index ``start``."""
    return text[positions[start] : positions[start + width - 1] + 1]


def paid_start(text: str, positions: list[int]) -> int:
    """Visible index of the paid part's first character (carriers and whitespace are invisible)."""
    return "".join(text[i] for i in positions).index(PAID_BLOCKS[0][:6])


def paid_windows(text: str) -> list[str]:
    """Six 300-character windows spread over the paid part, and one across each page break in it."""
    positions = visible_positions(text)
    start = paid_start(text, positions)
    last = len(positions) - WIDTH
    starts = [start + (last - start) * n // 5 for n in range(6)]
    for k, pos in enumerate(positions):
        if text.find("\f", pos, positions[k + 1] if k + 1 < len(positions) else len(text)) >= 0:
            if start + WIDTH // 2 <= k < len(positions) - WIDTH // 2:
                starts.append(k - WIDTH // 2)
    windows = [window(text, positions, s) for s in starts]
    assert sum("\f" in w for w in windows) >= 2, "the paid part must run over page breaks"
    return windows


def test_each_buyer_is_named_from_their_pdf_and_any_300_characters_of_its_paid_part(doc, buyers, tmp_path):
    for user in buyers:
        delivered = deliver(user=user, document=doc, fmt="pdf")
        row = Delivery.objects.get(pk=delivered.delivery_id)
        assert row.format == "pdf"
        assert row.fingerprint_code == fingerprints.code_text(fingerprints.code_for(user.pk, doc.pk))
        code, result = trace(tmp_path, delivered.content, "leak.pdf")
        assert (code, result["match"], result["username"], result["document_id"]) == (0, True, user.username, doc.pk)
        assert result["bits"] >= 40 and result["false_match_probability"] <= 1e-6 and result["delivered_at"]
        for excerpt in paid_windows(pdftotext(delivered.content, tmp_path)):
            code, result = trace(tmp_path, excerpt.encode(), "excerpt.txt")
            assert (code, result["match"], result["username"]) == (0, True, user.username), (result, excerpt[:40])


def test_title_free_part_footer_and_unrelated_text_say_no_match(doc, buyers, tmp_path):
    text = pdftotext(deliver(user=buyers[0], document=doc, fmt="pdf").content, tmp_path)
    positions = visible_positions(text)
    paid_from = positions[paid_start(text, positions)]
    assert not any(c in CARRIERS for c in text[:paid_from]), "title or free part carries a mark"
    for line in text.splitlines():
        if "范文库 ·" in line or line.strip().startswith("—"):
            assert not any(c in CARRIERS for c in line), f"footer or page number marked: {line}"
    free = window(text, positions, 0)
    assert strip_carriers(free) == free and "\n".join(FREE_BLOCKS)[:20] in free.replace("\n", "")
    for excerpt in (free, UNRELATED):
        code, result = trace(tmp_path, excerpt.encode(), "x.txt")
        assert (code, result["match"], result["username"], result["reason"]) == (1, False, None, "未找到指纹")


def test_marks_change_neither_pixels_nor_visible_text(doc, buyers, tmp_path, settings):
    marked = deliver(user=buyers[0], document=doc, fmt="pdf").content
    settings.FANWEN_FINGERPRINT = "off"
    unmarked_delivery = deliver(user=buyers[0], document=doc, fmt="pdf")
    assert Delivery.objects.get(pk=unmarked_delivery.delivery_id).fingerprint_code is None
    unmarked = unmarked_delivery.content
    unmarked_text = pdftotext(unmarked, tmp_path)
    marked_text = pdftotext(marked, tmp_path)
    assert not any(c in CARRIERS for c in unmarked_text)
    assert sum(c in CARRIERS for c in marked_text) > 500
    assert strip_carriers(marked_text) == unmarked_text
    marked_pages, unmarked_pages = pages_png(marked, tmp_path, "marked"), pages_png(unmarked, tmp_path, "plain")
    assert len(marked_pages) >= 3 and marked_pages == unmarked_pages


def test_filled_in_pdf_is_fingerprinted_too(doc, buyers, tmp_path):
    delivered = deliver(user=buyers[2], document=doc, fmt="pdf", values={"X大学": "清华大学"})
    row = Delivery.objects.get(pk=delivered.delivery_id)
    assert row.filled_placeholders == ["X大学"] and row.fingerprint_code
    text = pdftotext(delivered.content, tmp_path)
    assert "清华大学" in text
    code, result = trace(tmp_path, paid_windows(text)[1].encode(), "excerpt.txt")
    assert (code, result["username"]) == (0, buyers[2].username)
