""".docx: paragraphs and tables in order under the marker rules; hostile archives refused."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanwen.core import docx_reader
from fanwen.core.docx_reader import HostileDocx, docx_to_text
from fanwen.core.format import FormatError, TooLarge, parse_text
from fanwen.core.reader import read_bytes, read_path
from fanwen.core.structure import char_count
from tests.conftest import FIXTURES
from tests.fixtures.make_fixtures import (
    BILLION_LAUGHS,
    REPORT,
    Fixture,
    build_lying_sizes,
    build_many_members,
    build_spread_bomb,
    build_zip_bomb,
    document_xml,
    docx_fixtures,
    minimal_docx,
)

DOCX_OK = [f for f in docx_fixtures() if f.ok]
DOCX_ERR = [f for f in docx_fixtures() if not f.ok]


def assert_one_line_reason(exc: FormatError, path: object) -> None:
    assert exc.reason.startswith(f"{path}: ")
    assert str(path) in exc.reason and exc.reason.count(str(path)) == 1
    assert "\n" not in exc.reason and "\r" not in exc.reason
    assert len(exc.reason) < 300


# --------------------------------------------------------------------------- fixtures


@pytest.mark.parametrize("fixture", DOCX_OK, ids=lambda f: f.name)
def test_docx_fixture_reads_as_specified(fixture: Fixture):
    path = FIXTURES / fixture.name
    document = read_path(path)
    assert document.title == fixture.title
    assert tuple((b.text, b.paid) for b in document.blocks) == fixture.blocks
    counts = char_count(document.blocks)
    assert (counts.free, counts.paid) == (fixture.free_chars, fixture.paid_chars)
    assert read_bytes(path.read_bytes(), name="upload.DOCX") == document


@pytest.mark.parametrize("fixture", DOCX_ERR, ids=lambda f: f.name)
def test_docx_bad_fixture_is_refused_with_one_line(fixture: Fixture):
    path = FIXTURES / fixture.name
    started = time.monotonic()
    with pytest.raises(FormatError) as info:
        read_path(path)
    assert time.monotonic() - started < 5
    assert info.value.code == fixture.code, info.value.reason
    assert fixture.error in info.value.reason
    assert_one_line_reason(info.value, path)


def test_sample_docx_was_built_by_python_docx_with_a_table_and_split_marker():
    opened = docx.Document(str(FIXTURES / "ok_sample.docx"))
    assert len(opened.tables) == 1
    runs = [r.text for p in opened.paragraphs for r in p.runs]
    assert "##paid" in runs and "Begin##" in runs


def test_docx_text_keeps_paragraph_order_through_tables():
    text = docx_to_text((FIXTURES / "ok_sample.docx").read_bytes())
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    assert (
        lines.index("二、付费的标题")
        < lines.index("表格付费")
        < lines.index("嵌套表格")
        < lines.index("表格最后")
    )
    assert lines.index("表格最后") < lines.index("三、结语")


def test_docx_and_txt_with_the_same_paragraphs_read_the_same():
    paragraphs = [line for line in REPORT.split("\n")]
    data = minimal_docx(document_xml(paragraphs))
    assert read_bytes(data, name="r.docx") == parse_text(REPORT)


def test_docx_built_with_python_docx_round_trip(tmp_path):
    built = docx.Document()
    for line in ["标题", "甲##paidbegin##乙", "丙", "##PAIDEND##丁"]:
        built.add_paragraph(line)
    path = tmp_path / "t.docx"
    built.save(str(path))
    document = read_path(path)
    assert document.title == "标题"
    assert [(b.text, b.paid) for b in document.blocks] == [
        ("甲", False),
        ("乙", True),
        ("丙", True),
        ("丁", False),
    ]


def test_docx_errors_name_the_file_once():
    data = minimal_docx(document_xml(["标题", "##paidend##"]))
    with pytest.raises(FormatError) as info:
        read_bytes(data, name="dir/a.docx")
    assert info.value.code == "stray_end"
    assert_one_line_reason(info.value, "dir/a.docx")


# --------------------------------------------------------------------------- DTD and entities


@pytest.mark.parametrize(
    "name",
    [
        "hostile_billion_laughs.docx",
        "hostile_xxe_file.docx",
        "hostile_xxe_parameter_entity.docx",
        "hostile_xxe_utf16.docx",
    ],
)
def test_dtd_and_entities_are_refused(name: str):
    with pytest.raises(HostileDocx) as info:
        read_path(FIXTURES / name)
    assert "refused" in info.value.reason
    assert_one_line_reason(info.value, FIXTURES / name)


def test_refused_entities_never_leak_file_contents():
    for name in ["hostile_xxe_file.docx", "hostile_xxe_utf16.docx"]:
        try:
            text = docx_to_text((FIXTURES / name).read_bytes(), name=name)
        except FormatError as exc:
            text = exc.reason
        assert "root:" not in text


def _with_part(name: str, transform) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(FIXTURES / "ok_sample.docx") as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, transform(data) if info.filename == name else data)
    return out.getvalue()


@pytest.mark.parametrize("part", ["word/styles.xml", "word/_rels/document.xml.rels", "[Content_Types].xml"])
def test_entities_in_other_parts_never_expand(part: str):
    def poison(data: bytes) -> bytes:
        decl, rest = data.split(b"?>", 1)
        root_end = rest.index(b">") + 1
        return decl + b"?>" + BILLION_LAUGHS.encode() + rest[:root_end] + b"&lol9;" + rest[root_end:]

    data = _with_part(part, poison)
    started = time.monotonic()
    try:
        text = docx_to_text(data, name="p.docx")
    except FormatError as exc:
        assert "\n" not in exc.reason
    else:
        assert "lollollol" not in text
    assert time.monotonic() - started < 5


# --------------------------------------------------------------------------- archives built at run time


def _refused(path, *, max_bytes: int | None = None) -> tuple[FormatError, float, int]:
    data = path.read_bytes()
    tracemalloc.start()
    started = time.monotonic()
    try:
        kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
        with pytest.raises(FormatError) as info:
            read_bytes(data, name=str(path), **kwargs)
    finally:
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return info.value, elapsed, peak


def test_zip_bomb_is_refused_without_inflating(tmp_path):
    path = build_zip_bomb(tmp_path / "bomb.docx")
    assert path.stat().st_size < 200_000
    exc, elapsed, peak = _refused(path)
    assert isinstance(exc, HostileDocx)
    assert "refused" in exc.reason and "word/document.xml" in exc.reason
    assert_one_line_reason(exc, path)
    assert elapsed < 5
    assert peak < 16 << 20


def test_spread_bomb_is_refused_on_the_total(tmp_path):
    path = build_spread_bomb(tmp_path / "spread.docx")
    exc, elapsed, peak = _refused(path)
    assert isinstance(exc, HostileDocx)
    assert "uncompressed" in exc.reason
    assert_one_line_reason(exc, path)
    assert elapsed < 5
    assert peak < 16 << 20


def test_huge_member_count_is_refused(tmp_path):
    path = build_many_members(tmp_path / "many.docx", members=docx_reader.MAX_MEMBERS + 1)
    exc, elapsed, _ = _refused(path)
    assert isinstance(exc, HostileDocx)
    assert "members" in exc.reason
    assert_one_line_reason(exc, path)
    assert elapsed < 5


def test_very_many_members_are_refused_quickly(tmp_path):
    path = build_many_members(tmp_path / "many.docx", members=20_000)
    exc, elapsed, _ = _refused(path, max_bytes=50 << 20)
    assert isinstance(exc, HostileDocx)
    assert elapsed < 10


def test_member_count_at_the_limit_is_read(tmp_path):
    path = build_many_members(tmp_path / "ok.docx", members=docx_reader.MAX_MEMBERS - 3)
    assert read_path(path).title == "标题"


def test_lying_sizes_are_refused_without_inflating(tmp_path):
    # zipfile cuts a member to its header's size only after inflating a whole read();
    # a header that claims 1000 bytes for 30 MB would be a bomb for python-docx.
    path = build_lying_sizes(tmp_path / "lying.docx")
    assert path.stat().st_size < 200_000
    exc, elapsed, peak = _refused(path)
    assert isinstance(exc, HostileDocx)
    assert "larger than its header says" in exc.reason
    assert_one_line_reason(exc, path)
    assert elapsed < 5
    assert peak < 16 << 20


@pytest.mark.parametrize("compression", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_compression_word_never_writes_is_refused(compression: int):
    data = minimal_docx(document_xml(["标题", "正文"]), compress=compression)
    with pytest.raises(HostileDocx, match="compression method"):
        docx_to_text(data, name="c.docx")


def test_honest_deflated_members_are_read():
    data = minimal_docx(document_xml(["标题", "正文" * 100_000]))
    assert docx_to_text(data).startswith("标题\n正文正文")


def test_docx_too_large(tmp_path):
    data = (FIXTURES / "ok_sample.docx").read_bytes()
    path = tmp_path / "big.docx"
    path.write_bytes(data)
    with pytest.raises(TooLarge) as info:
        read_path(path, max_bytes=len(data) - 1)
    assert_one_line_reason(info.value, path)
    with pytest.raises(TooLarge):
        docx_to_text(data, max_bytes=1000)
    assert read_path(path, max_bytes=len(data)).title == "docx范文标题"


def test_docx_with_a_directory_traversal_member_name_is_only_read(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(minimal_docx(document_xml(["标题", "正文"])))) as src:
        with zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info.filename))
            dst.writestr("../../escape.txt", b"x")
    document = read_bytes(out.getvalue(), name="t.docx")
    assert document.title == "标题"
    assert not (tmp_path.parent / "escape.txt").exists()


# --------------------------------------------------------------------------- fuzzing


_STORED = minimal_docx(document_xml(["标题", "正文##paidbegin##付费"]), compress=zipfile.ZIP_STORED)
_DEFLATED = (FIXTURES / "ok_minimal.docx").read_bytes()


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from([_STORED, _DEFLATED]),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=6),
    cut=st.none() | st.integers(min_value=0),
)
def test_mutated_docx_only_ever_raises_format_error(base: bytes, edits, cut):
    data = bytearray(base)
    for position, value in edits:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    try:
        text = docx_to_text(bytes(data), name="fuzz.docx")
    except FormatError as exc:
        assert "\n" not in exc.reason
        assert exc.reason.startswith("fuzz.docx: ")
    else:
        assert isinstance(text, str)


@settings(max_examples=100, deadline=None, database=None)
@given(st.binary(max_size=2000))
def test_random_bytes_as_docx_only_ever_raise_format_error(data: bytes):
    with pytest.raises(FormatError):
        docx_to_text(b"PK\x03\x04" + data, name="r.docx")
