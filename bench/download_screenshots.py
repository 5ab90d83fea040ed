"""README screenshots of the downloads (issue #10): page 1 of a buyer's Word file as
LibreOffice lays it out (headless, docx → PDF) and of the PDF download, both rendered to PNG
by pdftoppm.  Needs Debian's libreoffice-writer-nogui (`make screenshots-downloads` installs it).

    .venv/bin/python bench/download_screenshots.py [--example 001_8c2f3a0508b80cee.txt]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"


def png_of_first_page(pdf: Path, target: Path, dpi: int = 60) -> None:
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", "-png", str(pdf), str(stem)],
                   check=True)
    print(f"wrote {target.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--example", default="001_8c2f3a0508b80cee.txt")
    args = parser.parse_args()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("需要 LibreOffice（apt-get install libreoffice-writer-nogui）")
    work = Path(tempfile.mkdtemp(prefix="fanwen-shots-"))
    os.environ["FANWEN_DATA_DIR"] = str(work / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fanwen.settings.embedded"
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from fanwen.access.delivery import deliver
    from fanwen.commerce.services import order_create, order_pay_with_wallet, wallet_credit
    from fanwen.library.models import Document
    from fanwen.library.services import document_import_path
    from tests.commerce.factories import make_user

    call_command("migrate", verbosity=0)
    author = make_user("author")
    outcome = document_import_path(path=ROOT / "examples" / args.example, price_fen=500, author_id=author.pk)
    doc = Document.objects.get(pk=outcome.id)
    buyer = make_user("zhangsan")
    wallet_credit(user=buyer, amount_fen=doc.price_fen, reason="screenshot")
    order_pay_with_wallet(order_id=order_create(user=buyer, document_id=doc.pk).pk, user=buyer)
    word = work / "download.docx"
    word.write_bytes(deliver(user=buyer, document=doc, fmt="docx").content)
    pdf = work / "download.pdf"
    pdf.write_bytes(deliver(user=buyer, document=doc, fmt="pdf").content)
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(work / "lo"), str(word)],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(work)})
    png_of_first_page(work / "lo" / "download.pdf", IMG / "download-word.png")
    png_of_first_page(pdf, IMG / "download-pdf.png")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
