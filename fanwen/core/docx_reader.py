"""Read a .docx into native-format text, refusing hostile archives before parsing.

Paragraphs are read in document order (body paragraphs and table cells) and
joined with newlines, so the same marker rules apply as for .txt files.
"""

from __future__ import annotations

import copy
import io
import zipfile

from fanwen.core.format import DEFAULT_MAX_BYTES, CannotDecode, FormatError, TooLarge

MAX_UNCOMPRESSED = 50 * 1024 * 1024  # all members together
MAX_RATIO = 100  # uncompressed / compressed for any one large member
MAX_MEMBERS = 2000


class HostileDocx(FormatError):
    code = "hostile_docx"


def docx_to_text(data: bytes, *, name: str = "<input>", max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    if len(data) > max_bytes:
        raise TooLarge(f"{name}: too large ({len(data)} bytes, limit {max_bytes})")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, ValueError, OSError, NotImplementedError (zip version), ...
        raise CannotDecode(f"{name}: cannot decode (not a valid .docx archive)") from exc
    with archive:
        _check_archive(archive, name)
        try:
            body = archive.read("word/document.xml")
        except Exception as exc:  # zipfile raises many types: BadZipFile, zlib.error, RuntimeError, ...
            raise CannotDecode(f"{name}: cannot decode (no readable word/document.xml)") from exc
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise HostileDocx(f"{name}: refused: the document declares a DTD or entities")
    try:
        import docx  # python-docx; imported late so plain-text use stays light

        parsed = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for broken parts
        raise CannotDecode(f"{name}: cannot decode (.docx could not be read: {type(exc).__name__})") from exc
    # A DOCTYPE in another encoding (UTF-16) escapes the byte check above.
    if parsed.element.getroottree().docinfo.doctype:
        raise HostileDocx(f"{name}: refused: the document declares a DTD or entities")
    lines: list[str] = []
    body_el = parsed.element.body
    for child in body_el.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(_paragraph_text(child))
        elif tag == "tbl":
            for p in child.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
                lines.append(_paragraph_text(p))
    return "\n".join(lines)


def _paragraph_text(p_element: object) -> str:
    from docx.text.paragraph import Paragraph

    return Paragraph(p_element, None).text  # type: ignore[arg-type]


def _check_archive(archive: zipfile.ZipFile, name: str) -> None:
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
    for info in infos:
        _check_member(archive, info, name)


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Inflate one member in small steps and refuse it if it holds more than its header says.

    zipfile trusts the header's size only to cut the output *after* inflating a whole
    read() in one go, so a member whose header lies is a zip bomb for python-docx.
    bzip2/LZMA inflate without any bound per step, and Word never writes them.
    """
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise HostileDocx(f"{name}: refused: {info.filename!r} uses compression method {info.compress_type}")
    probe = copy.copy(info)
    # Read past the claim, to catch a lie before zipfile ends the member and checks its CRC.
    probe.file_size = info.file_size + (1 << 20)
    seen = 0
    try:
        with archive.open(probe) as member:
            while chunk := member.read(64 * 1024):
                seen += len(chunk)
                if seen > info.file_size:
                    raise HostileDocx(f"{name}: refused: {info.filename!r} is larger than its header says")
    except HostileDocx:
        raise
    except Exception as exc:  # BadZipFile (CRC), zlib.error, encrypted or unknown members, ...
        raise CannotDecode(f"{name}: cannot decode (unreadable archive member {info.filename!r})") from exc
