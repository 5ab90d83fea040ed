"""fanwen import: files and directories, idempotent, one transaction per file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from fanwen.library.models import Block, Document
from fanwen.search.models import IndexOutbox

pytestmark = pytest.mark.django_db


def run_import(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[list[dict], int]:
    code = 0
    try:
        call_command("import", *args, "--json")
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines() if line.strip()], code


def test_import_directory_then_again_reports_unchanged(capsys, examples_dir):
    rows, code = run_import(capsys, str(examples_dir), "--price", "5", "--category", "心得")
    assert code == 0
    assert [r["status"] for r in rows] == ["imported", "imported"]
    assert Document.objects.count() == 2
    doc = Document.objects.get(pk=rows[0]["id"])
    assert doc.price_fen == 500 and doc.category.name == "心得"
    assert doc.chars_free == 664 and doc.chars_paid == 1382
    assert Block.objects.filter(document=doc, paid=True).exists()
    assert IndexOutbox.objects.filter(document_id=doc.pk).count() == 1

    rows, code = run_import(capsys, str(examples_dir), "--price", "5")
    assert code == 0
    assert [r["status"] for r in rows] == ["unchanged", "unchanged"]
    assert Document.objects.count() == 2


def test_same_content_in_gb18030_crlf_is_unchanged(capsys, tmp_path, example_paths):
    text = example_paths[0].read_text(encoding="utf-8")
    copy = tmp_path / "copy.txt"
    copy.write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    run_import(capsys, str(example_paths[0]), "--price", "5")
    rows, _ = run_import(capsys, str(copy), "--price", "5")
    assert rows[0]["status"] == "unchanged"


def test_paid_document_without_price_fails_and_leaves_nothing(capsys, example_paths, settings):
    settings.FANWEN_DEFAULT_PRICE_YUAN = ""
    rows, code = run_import(capsys, str(example_paths[0]))
    assert code == 1
    assert rows[0]["status"] == "failed" and "price" in rows[0]["error"]
    assert Document.objects.count() == 0 and Block.objects.count() == 0 and IndexOutbox.objects.count() == 0


def test_site_default_price_is_used(capsys, example_paths, settings):
    settings.FANWEN_DEFAULT_PRICE_YUAN = "2.5"
    rows, code = run_import(capsys, str(example_paths[0]))
    assert code == 0
    assert Document.objects.get(pk=rows[0]["id"]).price_fen == 250


def test_bad_files_fail_one_by_one_and_good_ones_import(capsys, tmp_path, example_paths):
    (tmp_path / "a_good.txt").write_bytes(example_paths[1].read_bytes())
    (tmp_path / "b_nested.txt").write_text("标题\n##paidbegin##甲\n##paidbegin##乙\n", encoding="utf-8")
    (tmp_path / "c_binary.txt").write_bytes(b"\x80\x81\xff\x00" * 10)
    (tmp_path / "d_empty.txt").write_text("  \n\u3000\n", encoding="utf-8")
    (tmp_path / "e_ignored.pdf").write_bytes(b"%PDF")
    rows, code = run_import(capsys, str(tmp_path), "--price", "1")
    assert code == 1
    by_name = {Path(r["path"]).name: r for r in rows}
    assert set(by_name) == {"a_good.txt", "b_nested.txt", "c_binary.txt", "d_empty.txt"}
    assert by_name["a_good.txt"]["status"] == "imported"
    assert "nested" in by_name["b_nested.txt"]["error"]
    assert "cannot decode" in by_name["c_binary.txt"]["error"]
    assert "c_binary.txt" in by_name["c_binary.txt"]["error"]
    assert "empty" in by_name["d_empty.txt"]["error"]
    assert Document.objects.count() == 1


def test_failure_inside_transaction_rolls_back_everything(monkeypatch, example_paths):
    from fanwen.library import services

    def boom(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "document_changed", boom)
    with pytest.raises(RuntimeError):
        services.document_import_path(path=example_paths[0], price_fen=100)
    assert Document.objects.count() == 0 and Block.objects.count() == 0


def test_missing_path_is_a_failed_row(capsys, tmp_path):
    rows, code = run_import(capsys, str(tmp_path / "nope.txt"), "--price", "1")
    assert code == 1 and rows[0]["status"] == "failed"


def test_import_cli_exit_code_and_summary(tmp_path, example_paths):
    """The console command, as a user runs it, on a fresh data directory."""
    env = {"FANWEN_DATA_DIR": str(tmp_path / "data"), "PATH": str(Path(sys.executable).parent)}
    fanwen = str(Path(sys.executable).parent / "fanwen")
    done = subprocess.run(
        [fanwen, "import", str(example_paths[0]), "--price", "5"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "导入 1" in done.stdout
    assert (tmp_path / "data" / "fanwen.sqlite3").exists()
    bad = tmp_path / "bad.txt"
    bad.write_text("标题\n##paidend##\n", encoding="utf-8")
    done = subprocess.run([fanwen, "import", str(bad)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "stray" in done.stderr
