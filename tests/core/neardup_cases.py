"""Copies a re-uploader would make of a real example: shared by the core tests and the service tests."""

from __future__ import annotations

from pathlib import Path
from random import Random

import opencc

from fanwen.core import neardup

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(n: int) -> str:
    return sorted(EXAMPLES.glob("*.txt"))[n].read_text("utf-8")


def edited(text: str, share: float = 0.2, seed: int = 0) -> str:
    """Every sentence has a ``share`` chance of a rewrite: a third of its characters, in the middle,
    replaced by other words."""
    rng = Random(seed)
    filler = "进一步强化责任担当推动工作落实见到实效"
    out = []
    for s in neardup.sentences(text):
        if rng.random() < share and len(s) > 6:
            third = max(2, len(s) // 3)
            start = (len(s) - third) // 2
            s = s[:start] + "".join(rng.choice(filler) for _ in range(third)) + s[start + third :]
        out.append(s)
    return "\n".join(out)


def reordered(text: str, seed: int = 0) -> str:
    paragraphs = [p for p in text.split("\n") if p.strip()]
    Random(seed).shuffle(paragraphs)
    return "\n".join(paragraphs)


def reordered_upload(text: str, seed: int = 0) -> str:
    """Reordered paragraphs of a file, its title first and one paid marker after three lines."""
    title, *rest = [p for p in text.replace("##paidbegin##", "").replace("##paidend##", "").split("\n") if p.strip()]
    Random(seed).shuffle(rest)
    return "\n".join([title, *rest[:3], "##paidbegin##", *rest[3:]])


def traditional(text: str) -> str:
    return opencc.OpenCC("s2t").convert(text)


def gb18030_round_trip(text: str) -> str:
    """What a GB18030 copy becomes once read (the readers decode it; CRLF and full-width too)."""
    return text.replace("\n", "\r\n").encode("gb18030").decode("gb18030").replace("，", "，　")
