"""Read a .docx into native-format text, refusing hostile archives before parsing.

The main document part is parsed with lxml (no entities, no DTD, no network) and its shown
text is read through every Word wrapper (core/docx_text.py), one line per paragraph, so the
same marker rules apply as for .txt files.  A paid marker anywhere else in the package
(deleted text, field codes, headers, comments, …) refuses the file.
"""

from __future__ import annotations

import copy
import io
import posixpath
import zipfile

from lxml import etree

from fanwen.core.docx_text import DOCUMENT, HiddenMarker, W, check_markers, secure_parser, shown_text
from fanwen.core.format import DEFAULT_MAX_BYTES, CannotDecode, FormatError, TooLarge, TooManyBlocks

__all__ = ["HiddenMarker", "HostileDocx", "docx_to_text"]

MAX_UNCOMPRESSED = 50 * 1024 * 1024  # all members together
MAX_RATIO = 100  # uncompressed / compressed for any one large member
MAX_MEMBERS = 2000
MAIN_PART = "word/document.xml"
OFFICE_DOCUMENT = "/officeDocument"  # the end of the main part's relationship type


class HostileDocx(FormatError):
    code = "hostile_docx"


def docx_to_text(
    data: bytes, *, name: str = "<input>", max_bytes: int = DEFAULT_MAX_BYTES, max_blocks: int | None = None
) -> str:
    if len(data) > max_bytes:
        raise TooLarge(f"{name}: too large ({len(data)} bytes, limit {max_bytes})")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, ValueError, OSError, NotImplementedError (zip version), ...
        raise CannotDecode(f"{name}: cannot decode (not a valid .docx archive)") from exc
    with archive:
        parts = _check_archive(archive, name)
    main_part = _main_part_name(parts)
    body = parts.get(main_part)
    if body is None:
        raise CannotDecode(f"{name}: cannot decode (no readable {MAIN_PART})")
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise HostileDocx(f"{name}: refused: the document declares a DTD or entities")
    try:
        root = etree.fromstring(body, secure_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise CannotDecode(f"{name}: cannot decode (.docx could not be read: {type(exc).__name__})") from exc
    # A DOCTYPE in another encoding (UTF-16) escapes the byte check above.
    if root.getroottree().docinfo.doctype:
        raise HostileDocx(f"{name}: refused: the document declares a DTD or entities")
    if root.tag != DOCUMENT:
        raise CannotDecode(f"{name}: cannot decode (the main part is not a Word document)")
    _check_paragraph_count(root, max_blocks)
    try:
        text = shown_text(root)
    except FormatError as exc:
        raise exc.naming(name) from None
    check_markers(text=text, main_part=main_part, main_root=root, parts=parts, name=name)
    return text


def _main_part_name(parts: dict[str, bytes]) -> str:
    """The part _rels/.rels names as the office document (Word: word/document.xml)."""
    rels = parts.get("_rels/.rels")
    if rels is None:
        return MAIN_PART
    try:
        root = etree.fromstring(rels, secure_parser())
    except (etree.XMLSyntaxError, ValueError):
        return MAIN_PART
    for relationship in root:
        if isinstance(relationship.tag, str) and (relationship.get("Type") or "").endswith(OFFICE_DOCUMENT):
            target = posixpath.normpath(relationship.get("Target") or "").lstrip("/")
            return target or MAIN_PART
    return MAIN_PART


# Paragraphs that hold text, counted in C by lxml.  Text boxes and the two copies Word keeps of
# them (mc:AlternateContent) count more than once, so only a count far over the limit refuses
# here; parse_text then applies the exact limit to the lines read.
_TEXT_PARAGRAPHS = etree.XPath("count(//w:p[.//w:t])", namespaces={"w": W[1:-1]})
PARAGRAPH_SLACK = 2


def _check_paragraph_count(root: etree._Element, max_blocks: int | None) -> None:
    """Bound the work of reading a huge document: the walk over its text is Python, per element."""
    if max_blocks is None:
        return
    paragraphs = int(_TEXT_PARAGRAPHS(root))
    if paragraphs > PARAGRAPH_SLACK * max_blocks:
        raise TooManyBlocks(paragraphs, max_blocks)


def _check_archive(archive: zipfile.ZipFile, name: str) -> dict[str, bytes]:
    """Every member's bytes, after refusing archives that are too big, too many or lying."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise HostileDocx(f"{name}: refused: {len(infos)} archive members")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise HostileDocx(f"{name}: refused: {info.filename!r} expands {info.file_size // max(info.compress_size, 1)}×")
    if total > MAX_UNCOMPRESSED:
        raise HostileDocx(f"{name}: refused: {total} bytes uncompressed (limit {MAX_UNCOMPRESSED})")
    if len({info.filename for info in infos}) != len(infos):
        raise HostileDocx(f"{name}: refused: the archive holds two members with the same name")
    return {info.filename: _check_member(archive, info, name) for info in infos}


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """Inflate one member in small steps and refuse it if it holds more than its header says.

    zipfile trusts the header's size only to cut the output *after* inflating a whole
    read() in one go, so a member whose header lies would be a zip bomb.
    bzip2/LZMA inflate without any bound per step, and Word never writes them.
    """
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise HostileDocx(f"{name}: refused: {info.filename!r} uses compression method {info.compress_type}")
    probe = copy.copy(info)
    # Read past the claim, to catch a lie before zipfile ends the member and checks its CRC.
    probe.file_size = info.file_size + (1 << 20)
    seen = 0
    chunks: list[bytes] = []
    try:
        with archive.open(probe) as member:
            while chunk := member.read(64 * 1024):
                seen += len(chunk)
                chunks.append(chunk)
                if seen > info.file_size:
                    raise HostileDocx(f"{name}: refused: {info.filename!r} is larger than its header says")
    except HostileDocx:
        raise
    except Exception as exc:  # BadZipFile (CRC), zlib.error, encrypted or unknown members, ...
        raise CannotDecode(f"{name}: cannot decode (unreadable archive member {info.filename!r})") from exc
    return b"".join(chunks)
