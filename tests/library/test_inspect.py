"""`fanwen inspect FILE [--json]`, run as the real console command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, FIXTURES, ROOT
from tests.fixtures.make_fixtures import (
    Fixture,
    all_fixtures,
    build_lying_sizes,
    build_many_members,
    build_spread_bomb,
    build_zip_bomb,
)

FANWEN = ROOT / ".venv" / "bin" / "fanwen"
OK = [f for f in all_fixtures() if f.ok]
ERR = [f for f in all_fixtures() if not f.ok]
ERR_ONE_PER_CODE = list({f.code: f for f in reversed(ERR)}.values())
EXAMPLE_COUNTS = {
    "000_2681b15fc75a1dde.txt": (664, 1382),
    "001_8c2f3a0508b80cee.txt": (906, 1668),
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fanwen-data")


def inspect(data_dir: Path, path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environ.pop("FANWEN_MAX_DOCUMENT_BYTES", None)
    environ.update(FANWEN_DATA_DIR=str(data_dir), **env)
    assert FANWEN.exists(), f"{FANWEN} is missing: run make install"
    return subprocess.run(
        [str(FANWEN), "inspect", str(path), *args],
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        env=environ,
        timeout=120,
        check=False,
    )


def inspect_json(data_dir: Path, path: Path, **env: str) -> dict:
    result = inspect(data_dir, path, "--json", **env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def assert_shape(data: dict) -> None:
    assert {"title", "chars", "blocks", "outline"} <= set(data)
    assert isinstance(data["title"], str) and data["title"]
    chars = data["chars"]
    assert {"total", "free", "paid"} <= set(chars)
    assert all(type(chars[k]) is int for k in ("total", "free", "paid"))
    assert chars["total"] == chars["free"] + chars["paid"]
    assert isinstance(data["blocks"], list) and data["blocks"]
    for block in data["blocks"]:
        assert isinstance(block["text"], str) and block["text"]
        assert type(block["paid"]) is bool
    assert isinstance(data["outline"], list)
    for entry in data["outline"]:
        assert isinstance(entry["text"], str) and entry["text"]
        assert type(entry["level"]) is int and 1 <= entry["level"] <= 4
        assert type(entry["paid"]) is bool
    free = sum(len("".join(b["text"].split())) for b in data["blocks"] if not b["paid"])
    paid = sum(len("".join(b["text"].split())) for b in data["blocks"] if b["paid"])
    assert (chars["free"], chars["paid"]) == (free, paid)
    dumped = json.dumps(data, ensure_ascii=False).lower()
    assert "##paidbegin##" not in dumped and "##paidend##" not in dumped


def assert_one_line_failure(result: subprocess.CompletedProcess[str], *phrases: str) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    return lines[0]


# --------------------------------------------------------------------------- good files


@pytest.mark.parametrize("fixture", OK, ids=lambda f: f.name)
def test_json_for_fixture(data_dir: Path, fixture: Fixture):
    data = inspect_json(data_dir, FIXTURES / fixture.name)
    assert_shape(data)
    assert data["title"] == fixture.title
    assert [(b["text"], b["paid"]) for b in data["blocks"]] == list(fixture.blocks)
    assert data["chars"] == {
        **data["chars"],
        "total": fixture.free_chars + fixture.paid_chars,
        "free": fixture.free_chars,
        "paid": fixture.paid_chars,
    }
    if fixture.outline is not None:
        assert [(o["text"], o["level"], o["paid"]) for o in data["outline"]] == list(fixture.outline)


@pytest.mark.parametrize("fixture", OK, ids=lambda f: f.name)
def test_summary_for_fixture(data_dir: Path, fixture: Fixture):
    result = inspect(data_dir, FIXTURES / fixture.name)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert not out.lstrip().startswith("{")
    assert fixture.title is not None and fixture.title in out
    total = fixture.free_chars + fixture.paid_chars
    assert f"共 {total} 字" in out
    assert f"免费 {fixture.free_chars} 字" in out
    assert f"付费 {fixture.paid_chars} 字" in out
    assert "paidbegin" not in out.lower() and "paidend" not in out.lower()
    for text, _level, paid in fixture.outline or ():
        line = next(line for line in out.splitlines() if line.strip().endswith(text))
        assert ("¥" in line) == paid


@pytest.mark.parametrize("name", sorted(EXAMPLE_COUNTS))
def test_examples_json(data_dir: Path, name: str):
    data = inspect_json(data_dir, EXAMPLES / name)
    assert_shape(data)
    free, paid = EXAMPLE_COUNTS[name]
    assert (data["chars"]["free"], data["chars"]["paid"], data["chars"]["total"]) == (free, paid, free + paid)
    first_line = next(
        line for line in (EXAMPLES / name).read_text(encoding="utf-8").splitlines() if line.strip()
    )
    assert data["title"] == first_line.strip()
    level_one = [o for o in data["outline"] if o["level"] == 1]
    assert len(level_one) == 3
    assert level_one[0]["paid"] is False and level_one[-1]["paid"] is True


@pytest.mark.parametrize("name", sorted(EXAMPLE_COUNTS))
def test_examples_summary(data_dir: Path, name: str):
    result = inspect(data_dir, EXAMPLES / name)
    assert result.returncode == 0, result.stderr
    free, paid = EXAMPLE_COUNTS[name]
    assert f"免费 {free} 字" in result.stdout
    assert f"付费 {paid} 字" in result.stdout
    assert f"共 {free + paid} 字" in result.stdout
    assert "¥" in result.stdout  # paid headings are marked


def test_json_is_exactly_one_json_document(data_dir: Path):
    result = inspect(data_dir, FIXTURES / "ok_utf8.txt", "--json")
    assert result.returncode == 0
    json.loads(result.stdout)  # nothing else on stdout
    assert "Traceback" not in result.stderr


def test_same_content_gives_the_same_json_in_every_encoding(data_dir: Path):
    names = ["ok_utf8.txt", "ok_utf16le_bom.txt", "ok_gbk_crlf.txt", "ok_cr_only.txt"]
    results = [inspect_json(data_dir, FIXTURES / name) for name in names]
    assert all(r == results[0] for r in results)


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize("fixture", ERR, ids=lambda f: f.name)
def test_error_fixture_fails_with_one_line(data_dir: Path, fixture: Fixture):
    path = FIXTURES / fixture.name
    assert fixture.error is not None
    line = assert_one_line_failure(inspect(data_dir, path, "--json"), fixture.error, fixture.name)
    if fixture.line is not None:
        assert f"(line {fixture.line})" in line


@pytest.mark.parametrize("fixture", ERR_ONE_PER_CODE, ids=lambda f: f.name)
def test_error_without_json_fails_the_same_way(data_dir: Path, fixture: Fixture):
    path = FIXTURES / fixture.name
    assert fixture.error is not None
    with_json = inspect(data_dir, path, "--json")
    without = inspect(data_dir, path)
    assert assert_one_line_failure(without, fixture.error) == assert_one_line_failure(with_json)
    assert without.returncode == with_json.returncode


def test_missing_file(data_dir: Path, tmp_path: Path):
    assert_one_line_failure(inspect(data_dir, tmp_path / "missing.txt"), "missing.txt")


def test_directory_instead_of_file(data_dir: Path, tmp_path: Path):
    assert_one_line_failure(inspect(data_dir, tmp_path, "--json"))


def test_too_large_by_setting(data_dir: Path):
    path = FIXTURES / "ok_utf8.txt"
    size = path.stat().st_size
    assert_one_line_failure(
        inspect(data_dir, path, "--json", FANWEN_MAX_DOCUMENT_BYTES=str(size - 1)), "too large", str(size - 1)
    )
    assert inspect_json(data_dir, path, FANWEN_MAX_DOCUMENT_BYTES=str(size))["title"]


def test_too_large_docx_by_setting(data_dir: Path):
    path = FIXTURES / "ok_sample.docx"
    assert_one_line_failure(inspect(data_dir, path, FANWEN_MAX_DOCUMENT_BYTES="1000"), "too large")


def test_default_limit_is_5_mb(data_dir: Path, tmp_path: Path):
    limit = 5 * 1024 * 1024
    data = ("标题\n" + "正" * ((limit - 7) // 3)).encode()
    data += b"a" * (limit - len(data))
    assert len(data) == limit
    exact = tmp_path / "exact.txt"
    exact.write_bytes(data)
    assert inspect_json(data_dir, exact)["title"] == "标题"
    over = tmp_path / "over.txt"
    over.write_bytes(data + b"a")
    assert_one_line_failure(inspect(data_dir, over, "--json"), "too large", str(limit))


@pytest.mark.parametrize(
    ("builder", "phrase"),
    [
        (build_zip_bomb, "refused"),
        (build_spread_bomb, "refused"),
        (build_many_members, "refused"),
        (build_lying_sizes, "refused"),
    ],
    ids=["zip-bomb", "spread-bomb", "many-members", "lying-sizes"],
)
def test_hostile_archives_built_at_run_time(data_dir: Path, tmp_path: Path, builder, phrase: str):
    path = builder(tmp_path / "hostile.docx")
    assert_one_line_failure(inspect(data_dir, path, "--json"), phrase, "hostile.docx")


def test_binary_named_txt(data_dir: Path, tmp_path: Path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 4)
    assert_one_line_failure(inspect(data_dir, path), "cannot decode", "image.txt")
