"""One entry point for reading a file of any supported kind into a Document."""

from __future__ import annotations

from pathlib import Path

from fanwen.core.docx_reader import docx_to_text
from fanwen.core.format import (
    DEFAULT_MAX_BLOCKS,
    DEFAULT_MAX_BYTES,
    Document,
    FormatError,
    TooLarge,
    parse_bytes,
    parse_text,
)

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx")


def read_bytes(
    data: bytes, *, name: str, max_bytes: int = DEFAULT_MAX_BYTES, max_blocks: int = DEFAULT_MAX_BLOCKS
) -> Document:
    if name.lower().endswith(".docx"):
        try:
            return parse_text(
                docx_to_text(data, name=name, max_bytes=max_bytes, max_blocks=max_blocks), max_blocks=max_blocks
            )
        except FormatError as exc:
            raise exc.naming(name) from None
    return parse_bytes(data, name=name, max_bytes=max_bytes, max_blocks=max_blocks)


def read_path(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, max_blocks: int = DEFAULT_MAX_BLOCKS) -> Document:
    size = path.stat().st_size
    if size > max_bytes:
        raise TooLarge(f"{path}: too large ({size} bytes, limit {max_bytes})")
    return read_bytes(path.read_bytes(), name=str(path), max_bytes=max_bytes, max_blocks=max_blocks)


def iter_document_files(paths: list[Path]) -> list[Path]:
    """Files and directories (recursively), keeping only supported kinds, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
        else:
            found.append(path)
    return found
