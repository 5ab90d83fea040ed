"""Does the light fingerprint survive WeasyPrint → pdftotext?  (evidence for issue #10)

    .venv/bin/python bench/fingerprint_pdf_probe.py

The probe that led to ``fanwen/access/pdf_marks.py`` (which marks only the paid blocks' runs).

1. Marked text rendered as it is: the zero-width carriers vanish from pdftotext's output
   (HarfBuzz/Pango drop default-ignorable characters when shaping).
2. The unmarked text rendered once (cacheable, reader-independent), then each text-showing
   operator of the PDF wrapped in ``/Span <</ActualText (…)>> BDC … EMC`` whose text is the
   run's own text with the reader's carriers: pdftotext returns the carriers, and the page
   rasterises to the same pixels (nothing is drawn differently).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from fanwen.core import fingerprint as fp
from fanwen.core.reader import read_path

ROOT = Path(__file__).resolve().parent.parent
CSS = "body{font-family:'Noto Serif CJK SC';font-size:16pt}"


def _html(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><meta charset=utf-8><style>{CSS}</style></head><body>{body}</body></html>"


def _pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _pixels(path: Path) -> str:
    png = subprocess.run(["pdftoppm", "-r", "50", "-png", str(path)], capture_output=True, check=True).stdout
    return hashlib.sha256(png).hexdigest()


def mark_pdf_runs(source: Path, target: Path, code: int) -> None:
    """Wrap every TJ in an ActualText span that carries the reader's carriers."""
    import pikepdf

    pdf = pikepdf.open(source)
    for page in pdf.pages:
        cmaps: dict[str, dict[int, str]] = {}
        for name, font in page.Resources.Font.items():
            data = font.ToUnicode.read_bytes().decode("latin-1")
            pairs = re.findall(r"<([0-9a-fA-F]{4})> <([0-9a-fA-F]{4,8})>", data)
            cmaps[name] = {int(a, 16): bytes.fromhex(b).decode("utf-16-be") for a, b in pairs}
        out, font_name = [], ""
        for operands, op in pikepdf.parse_content_stream(page):
            if str(op) == "Tf":
                font_name = str(operands[0])
            if str(op) == "TJ":
                raw = b"".join(bytes(x) for x in operands[0] if isinstance(x, pikepdf.String))
                cmap = cmaps.get(font_name, {})
                text = "".join(
                    cmap.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw), 2)
                )
                actual = pikepdf.Dictionary(ActualText=pikepdf.String(fp.mark([text], code)[0]))
                out.append(
                    pikepdf.ContentStreamInstruction([pikepdf.Name.Span, actual], pikepdf.Operator("BDC"))
                )
                out.append(pikepdf.ContentStreamInstruction(operands, op))
                out.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC")))
            else:
                out.append(pikepdf.ContentStreamInstruction(operands, op))
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
    pdf.save(target)


def main() -> int:
    try:
        import weasyprint
    except ImportError:
        print("weasyprint and pikepdf are not installed; see the docstring")
        return 2
    paid = [b.text for b in read_path(ROOT / "examples" / "001_8c2f3a0508b80cee.txt").blocks if b.paid]
    code = fp.reader_code(b"probe", 1, 1)
    readers = [(fp.reader_code(b"probe", r, 1), r) for r in range(1000)]
    with tempfile.TemporaryDirectory() as tmp:
        plain, direct, wrapped = Path(tmp, "plain.pdf"), Path(tmp, "direct.pdf"), Path(tmp, "wrapped.pdf")
        weasyprint.HTML(string=_html(fp.mark(paid, code))).write_pdf(direct)
        text = _pdftotext(direct)
        print(
            "marked text rendered directly: carriers in pdftotext output:",
            sum(c in fp.CARRIERS for c in text),
        )
        weasyprint.HTML(string=_html(paid)).write_pdf(plain)
        mark_pdf_runs(plain, wrapped, code)
        text = _pdftotext(wrapped)
        visible = [i for i, ch in enumerate(text) if not fp.is_invisible(ch)]
        excerpt = text[visible[400] : visible[699] + 1]  # 300 visible characters
        result = fp.attribute(fp.read(excerpt), readers)
        print(
            "ActualText: carriers:", sum(c in fp.CARRIERS for c in text), "match:", result.match, result.bits
        )
        print("same pixels as the unmarked PDF:", _pixels(plain) == _pixels(wrapped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
