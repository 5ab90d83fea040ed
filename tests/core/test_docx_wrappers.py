""".docx text through Word's wrappers: a paid marker nested in random wrappers (depth 1–4) is
read and honoured, or the file is refused; the paid text is never in a free block."""

from __future__ import annotations

import io
import itertools
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanwen.core.docx_reader import HiddenMarker, docx_to_text
from fanwen.core.format import FormatError
from fanwen.core.reader import read_bytes
from tests.fixtures import word_package as w

INLINE = ["ins", "sdt_run", "smart_tag", "custom_xml_run", "fld_simple", "complex_field", "hyperlink", "move_to",
          "text_box", "vml_text_box"]
BLOCK = ["sdt_block", "custom_xml_block", "table_cell"]
HIDING = ["deleted", "field_code", "move_from", "header", "comment", "footnote", "text_box_fallback"]
FREE = "免费甲"
PAID = "付费乙内容"
TAIL = "付费尾"


def _as_inline(content: str, is_block: bool) -> str:
    return w.text_box(content) if is_block else content


def _as_block(content: str, is_block: bool) -> str:
    return content if is_block else w.para(content)


def _wrap(kind: str, content: str, is_block: bool) -> tuple[str, bool]:
    inline = {
        "ins": w.ins,
        "sdt_run": w.sdt_run,
        "smart_tag": w.smart_tag,
        "custom_xml_run": w.custom_xml,
        "fld_simple": w.fld_simple,
        "complex_field": w.complex_field,
        "hyperlink": w.hyperlink,
        "move_to": w.move_to,
    }
    if kind in inline:
        return inline[kind](_as_inline(content, is_block)), False
    if kind == "text_box":
        return w.text_box(_as_block(content, is_block)), False
    if kind == "vml_text_box":
        return w.vml_text_box_run(_as_block(content, is_block)), False
    block = _as_block(content, is_block)
    if kind == "sdt_block":
        return w.sdt_block(block), True
    if kind == "custom_xml_block":
        return w.custom_xml(block), True
    return w.table([[w.text_para("表格免费"), block]]), True


def _build(marker: str, cuts: list[int], kinds: list[str], hiding: str | None) -> bytes:
    core = marker + PAID
    points = sorted({c % (len(core) + 1) for c in cuts} | {0, len(core)})
    content = "".join(w.run(core[a:b]) for a, b in itertools.pairwise(points) if b > a)
    is_block = False
    for kind in kinds:
        content, is_block = _wrap(kind, content, is_block)
    hidden = {
        "deleted": w.deleted(marker),
        "field_code": w.complex_field(w.run("结果"), code=f' QUOTE "{marker}" '),
        "move_from": w.move_from(marker + "移走"),
        "text_box_fallback": w.text_box(w.text_para("框"), fallback=(w.text_para(marker),)),
    }.get(hiding or "", "")
    if is_block:
        body = [w.text_para("标题"), w.para(w.run(FREE), hidden), content, w.text_para(TAIL)]
    else:
        body = [w.text_para("标题"), w.para(w.run(FREE), hidden, content), w.text_para(TAIL)]
    parts = {
        "header": {"header_xml": w.header(w.text_para(marker))},
        "comment": {"comments_xml": w.comments(w.run(marker[:5]), w.run(marker[5:]))},
        "footnote": {"footnotes_xml": w.footnotes(w.run(marker))},
    }.get(hiding or "", {})
    return w.word_docx(w.document(*body), **parts)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    marker=st.sampled_from(["##paidbegin##", "##PAIDBEGIN##", "##PaidBegin##"]),
    cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=5),
    kinds=st.lists(st.sampled_from(INLINE + BLOCK), min_size=1, max_size=4),
    hiding=st.none() | st.sampled_from(HIDING),
)
def test_wrapped_marker_keeps_the_paid_text_paid_or_refuses(marker, cuts, kinds, hiding):
    data = _build(marker, cuts, kinds, hiding)
    try:
        document = read_bytes(data, name="n.docx")
    except HiddenMarker as exc:
        assert hiding is not None, exc.reason
        assert "\n" not in exc.reason
        return
    assert hiding is None, f"a marker hidden in {hiding} was not refused"
    paid = "".join(b.text for b in document.blocks if b.paid)
    free = "".join(b.text for b in document.blocks if not b.paid)
    assert PAID in paid and TAIL in paid
    assert PAID not in free and TAIL not in free
    assert FREE in free
    assert free.count(FREE) == 1 and paid.count(PAID) == 1  # read once, not once per mc branch


def test_hidden_marker_reason_names_the_part():
    data = w.word_docx(
        w.document(w.text_para("标题"), w.text_para("正文")), header_xml=w.header(w.text_para("##paidbegin##"))
    )
    with pytest.raises(HiddenMarker) as info:
        docx_to_text(data, name="h.docx")
    assert info.value.reason.startswith("h.docx: refused: ")
    assert "word/header1.xml" in info.value.reason


def test_field_result_spanning_paragraphs_is_read_and_its_code_is_not():
    body = w.document(
        w.text_para("标题"),
        w.para(w.run("免费"), '<w:r><w:fldChar w:fldCharType="begin"/></w:r>', w.field_code(" TOC \\o "),
               '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', w.run("目录第一行")),
        w.para(w.run("目录第二行##paidbegin##"), '<w:r><w:fldChar w:fldCharType="end"/></w:r>', w.run("付费")),
    )
    text = docx_to_text(w.word_docx(body))
    assert text.split("\n") == ["标题", "免费目录第一行", "目录第二行##paidbegin##付费"]
    assert "TOC" not in text


def test_a_marker_only_in_a_field_code_is_refused():
    body = w.document(w.text_para("标题"), w.para(w.fld_simple(w.run("结果"))), w.para(w.complex_field(
        w.run("结果"), code=" IF 1 = 1 \"##paidend##\" ")))
    with pytest.raises(FormatError, match="cannot read it"):
        docx_to_text(w.word_docx(body), name="f.docx")


def test_hidden_formatting_and_equations_are_read_not_dropped():
    vanish = '<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏格式的付费</w:t></w:r>'
    math = (
        '<m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
        "<m:r><m:t>E=mc</m:t></m:r><m:sSup><m:e><m:r><m:t>公式付费</m:t></m:r></m:e></m:sSup></m:oMath>"
    )
    body = w.document(w.text_para("标题"), w.para(w.run("免费##paidbegin##"), vanish), w.para(math))
    document = read_bytes(w.word_docx(body), name="v.docx")
    assert [(b.text, b.paid) for b in document.blocks] == [("免费", False), ("隐藏格式的付费", True), ("E=mc公式付费", True)]


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_duplicate_member_names_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(w.word_docx(w.document(w.text_para("标题"), w.text_para("正文"))))) as src:
        with zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info.filename))
            dst.writestr("word/header1.xml", b"<x>##paidbegin##</x>")
    with pytest.raises(FormatError, match="same name"):
        docx_to_text(out.getvalue(), name="d.docx")


def test_a_field_that_is_never_closed_is_refused_not_dropped():
    body = w.document(
        w.text_para("标题"), w.para(w.run("免费"), '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'), w.text_para("后文")
    )
    with pytest.raises(FormatError, match="never closed") as info:
        docx_to_text(w.word_docx(body), name="u.docx")
    assert info.value.reason.startswith("u.docx: cannot decode")


def test_a_split_marker_in_a_part_too_deep_to_parse_is_still_found():
    deep = "<x>" * 300 + "<w:t>##paid</w:t><w:t>begin##</w:t>" + "</x>" * 300
    data = w.word_docx(w.document(w.text_para("标题"), w.text_para("正文")), header_xml=deep)
    with pytest.raises(HiddenMarker, match=r"header1\.xml"):
        docx_to_text(data, name="deep.docx")
