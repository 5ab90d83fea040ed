"""Synthetic 范文 corpus for benchmarks: N plausible documents in the native format.

    .venv/bin/python bench/gen_corpus.py --docs 10000 --out /tmp/corpus [--seed 0] [--encoding mix] [--jobs 2]

Each document recombines paragraphs, clauses, headings and sub-points of the two
documents in ``examples/*.txt`` (read with ``fanwen.core``) with words drawn from a
real vocabulary, so that segmentation and indexing see a realistic spread of terms:

* ``vocabulary="dict"``: the jieba dictionary bundled inside the installed rjieba
  (jieba-rs keeps ``dict.txt`` as a zstd frame in ``rjieba.abi3.so``; it is
  extracted with the ``zstd`` command, or read from ``--dictionary PATH``).  Words
  are drawn by part of speech and weighted by the dictionary's frequencies.
* ``vocabulary="pseudo"`` (fallback when the dictionary cannot be found): the
  examples are segmented with rjieba and the characters of their words are
  recombined into pseudo-words of the same part of speech.

``auto`` (the default) uses the dictionary when it can and says which it used.

A document has a title line, free paragraphs with headings (``一、…``, ``（一）…``)
and sub-points (``一是…``, ``第一，…``), a ``##paidbegin##`` marker (on its own
line, in front of a line, or in the middle of a paragraph) and paid paragraphs,
sometimes closed by ``##paidend##`` and followed by a free closing paragraph; a few
documents are free only.  Sizes centre on 4,500 characters.  With
``--encoding mix`` about half the files are UTF-8 with LF, a quarter GB18030 with
CRLF and a quarter UTF-8 with a BOM (some with CRLF), with the usual noise of
full-width indentation and blank lines.

Document ``i`` depends only on ``(seed, i)``: the output is the same whatever
``--jobs`` is, and ``generate_documents(n, seed=...)`` yields exactly the texts
written to disk.  Files go into subdirectories of 1000 (``0000/00000000.txt``), so
a million documents make 1000 directories.
"""

from __future__ import annotations

import argparse
import codecs
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "examples"
GENERATOR_VERSION = 1
PER_DIR = 1000
TARGET_CHARS = 4500
ENCODINGS = ("utf8", "utf8-bom", "gb18030", "mix")

_CJK_WORD_RE = re.compile(r"[\u4e00-\u9fff]{2,4}")
_DICT_LINE_RE = re.compile(r"^\S+ \d+ [a-z]+$")
_CLAUSE_RE = re.compile(r"[^，。；！？：]+[，。；！？：]?")
_CLAUSE_END = "，。；！？：、"
_NUMERALS = "一二三四五六七八九十"

# jieba part-of-speech tags folded into the groups the templates ask for.
_POS_GROUP = {
    "n": "N", "nz": "N", "ng": "N", "nt": "N", "ns": "S",
    "vn": "VN",
    "v": "V", "vd": "V",
    "a": "A", "ad": "A", "an": "A",
    "d": "D",
    "i": "I", "l": "I",
}  # fmt: skip
_GROUPS = ("N", "S", "VN", "V", "A", "D", "I")

# Clause templates: {X} is a word of group X, everything else is literal.
_CLAUSE_TEMPLATES = (
    "{D}{V}{N}{VN}", "{V}{N}的{N}", "在{N}{VN}方面", "{N}{VN}{D}{V}", "{A}的{N}",
    "{I}", "{V}{A}{N}", "把{N}{VN}{V}{N}", "{N}和{N}{VN}", "进一步{V}{N}{VN}",
    "{N}{N}{D}{A}", "{S}{N}{VN}", "围绕{N}{VN}", "{I}、{I}", "{D}{V}{N}和{N}",
    "坚持{N}{VN}", "推动{N}{VN}{V}", "{N}{VN}取得{A}{N}",
)  # fmt: skip
_HEADING_TEMPLATES = (
    "{V}{N}{VN}", "{D}{V}{N}{VN}", "{N}{VN}的{N}", "{V}{N}，{V}{N}{VN}", "{A}{N}{VN}",
    "主要{N}", "{N}{VN}存在的问题", "下一步{N}{VN}",
)  # fmt: skip
_LEAD_TEMPLATES = (
    "{D}{V}{N}{VN}", "要{V}{N}{N}", "{N}{VN}还需进一步{V}", "{D}{V}{N}能力，争做{I}的表率",
    "{V}{N}{VN}", "切实{V}{N}",
)  # fmt: skip
_TITLE_SUFFIXES = (
    "调研报告", "实施方案", "工作总结", "情况汇报", "心得体会", "学习体会", "讲话稿", "发言材料",
    "对照检查材料", "党性分析报告", "述职报告", "学习感悟", "工作计划", "专题党课讲稿",
)  # fmt: skip
_CLOSINGS = (
    "以上是我的{N}{VN}，不当之处，请{N}批评指正。",
    "今后，我将{D}{V}{N}，{V}{N}{VN}，以{A}的{N}回报组织的信任。",
    "（全文完）",
)  # fmt: skip


# --------------------------------------------------------------------------- vocabulary


@dataclass
class Vocabulary:
    source: str  # "rjieba-dict" | "pseudo" | "file:PATH"
    groups: dict[str, tuple[list[str], list[int]]]  # group -> (words, cumulative weights)

    @property
    def size(self) -> int:
        return sum(len(words) for words, _ in self.groups.values())

    def pick(self, rng: Random, group: str) -> str:
        """A word of ``group``, weighted by frequency (``rng.choices`` without its overhead)."""
        words, cum = self.groups[group]
        return words[bisect_right(cum, rng.random() * cum[-1], 0, len(cum) - 1)]


def _cumulative(weighted: dict[str, int]) -> tuple[list[str], list[int]]:
    words = list(weighted)
    cum: list[int] = []
    total = 0
    for word in words:
        total += max(weighted[word], 1)
        cum.append(total)
    return words, cum


def _vocabulary_from_lines(lines: list[str], source: str) -> Vocabulary:
    weighted: dict[str, dict[str, int]] = {g: {} for g in _GROUPS}
    for line in lines:
        parts = line.split(" ")
        if len(parts) < 3 or not _CJK_WORD_RE.fullmatch(parts[0]):
            continue
        group = _POS_GROUP.get(parts[2])
        if group is None or not parts[1].isdigit():
            continue
        if group == "I" and len(parts[0]) != 4:
            continue
        weighted[group][parts[0]] = int(parts[1])
    if any(len(weighted[g]) < 10 for g in _GROUPS):
        raise ValueError("dictionary has too few words in some part of speech")
    return Vocabulary(source, {g: _cumulative(weighted[g]) for g in _GROUPS})


def _looks_like_dictionary(text: str) -> bool:
    head = text.splitlines()[:50]
    return len(head) == 50 and all(_DICT_LINE_RE.match(line) for line in head)


def bundled_dictionary_text() -> str | None:
    """jieba's dict.txt as compiled into the installed rjieba, or None."""
    import rjieba

    package = Path(rjieba.__file__).parent
    zstd = shutil.which("zstd")
    for library in sorted(package.glob("*.so")) + sorted(package.glob("*.pyd")):
        data = library.read_bytes()
        # An uncompressed dictionary (other jieba-rs builds): a long run of "word freq tag" lines.
        plain = re.search(rb"(?:[^\s\x00]{1,30} \d{1,7} [a-z]{1,4}\n){1000,}", data)
        if plain:
            text = plain.group(0).decode("utf-8", "replace")
            if _looks_like_dictionary(text):
                return text
        if zstd is None:
            continue
        for match in re.finditer(rb"\x28\xb5\x2f\xfd", data):  # zstd frame magic
            proc = subprocess.run([zstd, "-d", "-c", "-q"], input=data[match.start() :], capture_output=True)
            # Trailing bytes after the frame make zstd complain; the frame itself is in stdout.
            if len(proc.stdout) < 100_000:
                continue
            try:
                text = proc.stdout.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if _looks_like_dictionary(text):
                return text
    return None


def _pseudo_vocabulary(sources: Sources) -> Vocabulary:
    """Recombine the characters of the examples' words into pseudo-words per part of speech."""
    rng = Random("fanwen-bench-pseudo")
    weighted: dict[str, dict[str, int]] = {g: {} for g in _GROUPS}
    seen: dict[str, Counter[str]] = {g: Counter() for g in _GROUPS}
    for clause in sources.clauses:
        for word, group in clause:
            if group:
                seen[group][word] += 1
    all_words = [w for c in seen.values() for w in c]
    for group in _GROUPS:
        real = list(seen[group]) or all_words
        for word in real:
            weighted[group][word] = 50 * seen[group][word] or 10
        for rank in range(1, 3001):
            a, b = rng.choice(real), rng.choice(real)
            length = 4 if group == "I" else rng.choice((2, 2, 2, 3))
            word = (a[: length // 2] + b[-(length - length // 2) :])[:length]
            if _CJK_WORD_RE.fullmatch(word) and word not in weighted[group]:
                weighted[group][word] = max(1, 1000 // rank)
    return Vocabulary("pseudo", {g: _cumulative(weighted[g]) for g in _GROUPS})


# --------------------------------------------------------------------------- sources


@dataclass
class Sources:
    """What the examples contribute, pre-segmented once."""

    titles: list[str] = field(default_factory=list)
    headings: list[list[tuple[str, str | None]]] = field(default_factory=list)
    leads: list[list[tuple[str, str | None]]] = field(default_factory=list)
    clauses: list[list[tuple[str, str | None]]] = field(default_factory=list)


def _tagged(text: str) -> list[tuple[str, str | None]]:
    import rjieba

    return [(w, _POS_GROUP.get(t) if _CJK_WORD_RE.fullmatch(w) else None) for w, t in rjieba.tag(text)]


def load_sources(examples_dir: Path = EXAMPLES_DIR) -> Sources:
    from fanwen.core import structure
    from fanwen.core.reader import read_path

    sources = Sources()
    paths = sorted(examples_dir.glob("*.txt"))
    if not paths:
        raise SystemExit(f"no examples in {examples_dir}")
    for path in paths:
        document = read_path(path)
        sources.titles.append(document.title)
        texts = [b.text for b in document.blocks]
        for text, info in zip(texts, structure.analyse(texts), strict=True):
            if info.kind == "heading":
                sources.headings.append(_tagged(re.sub(r"^[（(]?[一二三四五六七八九十]+[、)）]", "", text)))
                continue
            body = text
            if info.kind == "point":
                lead = re.sub(r"^(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,、：:])", "", info.lead)
                sources.leads.append(_tagged(lead))
                body = text[len(info.lead) :].lstrip("。；;：:，")
            for clause in _CLAUSE_RE.findall(body):
                clause = clause.rstrip(_CLAUSE_END).strip()
                # 主观上：/ 客观上： openers and very short bits read badly out of place.
                if len(clause) >= 4:
                    sources.clauses.append(_tagged(clause))
    return sources


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class GeneratedDocument:
    index: int
    text: str  # the logical text, LF line ends, no BOM
    encoding: str  # utf8 | utf8-bom | gb18030
    crlf: bool

    @property
    def relpath(self) -> str:
        return relative_path(self.index)

    def to_bytes(self) -> bytes:
        text = self.text.replace("\n", "\r\n") if self.crlf else self.text
        if self.encoding == "gb18030":
            return text.encode("gb18030")
        data = text.encode("utf-8")
        return codecs.BOM_UTF8 + data if self.encoding == "utf8-bom" else data


def relative_path(index: int) -> str:
    return f"{index // PER_DIR:04d}/{index:08d}.txt"


class CorpusGenerator:
    def __init__(
        self,
        *,
        seed: int = 0,
        encoding: str = "mix",
        vocabulary: str = "auto",
        dictionary: Path | None = None,
        examples_dir: Path = EXAMPLES_DIR,
    ) -> None:
        if encoding not in ENCODINGS:
            raise ValueError(f"encoding must be one of {ENCODINGS}")
        self.seed = seed
        self.encoding = encoding
        self.sources = load_sources(examples_dir)
        self.vocabulary = _load_vocabulary(vocabulary, dictionary, self.sources)

    # Public API --------------------------------------------------------------------

    def document(self, index: int) -> GeneratedDocument:
        rng = Random(f"fanwen-bench:{self.seed}:{index}")
        text = self._text(rng)
        encoding, crlf = self._encoding(rng)
        return GeneratedDocument(index=index, text=text, encoding=encoding, crlf=crlf)

    def documents(self, n: int, *, start: int = 0) -> Iterator[GeneratedDocument]:
        for index in range(start, start + n):
            yield self.document(index)

    def describe(self) -> dict[str, object]:
        return {
            "generator_version": GENERATOR_VERSION,
            "seed": self.seed,
            "encoding": self.encoding,
            "vocabulary": self.vocabulary.source,
            "vocabulary_words": self.vocabulary.size,
            "example_clauses": len(self.sources.clauses),
        }

    # Pieces ------------------------------------------------------------------------

    def _fill(self, rng: Random, template: str) -> str:
        pick = self.vocabulary.pick
        return "".join(pick(rng, part[1:]) if part[:1] == "{" else part for part in _template_parts(template))

    def _recombined(self, rng: Random, tagged: list[tuple[str, str | None]], rate: float = 0.35) -> str:
        return "".join(
            self.vocabulary.pick(rng, group) if group and rng.random() < rate else word for word, group in tagged
        )

    def _clause(self, rng: Random) -> str:
        if rng.random() < 0.55:
            return self._recombined(rng, rng.choice(self.sources.clauses))
        return self._fill(rng, rng.choice(_CLAUSE_TEMPLATES))

    def _sentence(self, rng: Random) -> str:
        clauses = [self._clause(rng) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))]
        if rng.random() < 0.05:
            year = str(rng.randint(2012, 2025))
            if rng.random() < 0.3:  # full-width digits, as pasted from word processors
                year = year.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
            clauses.insert(0, f"{year}年{rng.randint(1, 12)}月以来")
        return "，".join(clauses) + rng.choice("。。。。。；！")

    def _paragraph(self, rng: Random, sentences: tuple[int, int] = (2, 6)) -> str:
        text = "".join(self._sentence(rng) for _ in range(rng.randint(*sentences)))
        return text[:-1] + "。" if text.endswith("；") else text

    def _heading_text(self, rng: Random) -> str:
        for _ in range(5):
            if rng.random() < 0.4:
                text = self._recombined(rng, rng.choice(self.sources.headings), 0.5)
            else:
                text = self._fill(rng, rng.choice(_HEADING_TEMPLATES))
            if len(text) <= 36:
                return text
        return text[:36]

    def _point(self, rng: Random, number: int) -> str:
        if rng.random() < 0.5:
            lead = self._recombined(rng, rng.choice(self.sources.leads), 0.4)
        else:
            lead = self._fill(rng, rng.choice(_LEAD_TEMPLATES))
        numeral = _numeral(number)
        opener = f"{numeral}是" if rng.random() < 0.8 else f"第{numeral}，"
        return f"{opener}{lead}。{self._paragraph(rng, (2, 5))}"

    def _title(self, rng: Random) -> str:
        roll = rng.random()
        if roll < 0.25:
            return self._recombined(rng, _tagged_cached(rng.choice(self.sources.titles)), 0.4)
        if roll < 0.55:
            return self._fill(rng, "关于{N}{VN}的") + rng.choice(_TITLE_SUFFIXES)
        if roll < 0.8:
            return f"{rng.randint(2012, 2025)}年" + self._fill(rng, "{N}{VN}") + rng.choice(_TITLE_SUFFIXES)
        return self._fill(rng, "在{S}{N}{VN}工作会议上的讲话")

    def _body(self, rng: Random, target: int) -> list[str]:
        lines = [self._paragraph(rng, (3, 7))]
        size = len(lines[0])
        section = 0
        while size < target - 320:  # a section is added whole; this centres the mean on target
            section += 1
            lines.append(f"{_numeral(section)}、{self._heading_text(rng)}")
            style = rng.random()
            if style < 0.5:
                lines.extend(self._point(rng, n) for n in range(1, rng.randint(2, 4) + 1))
            elif style < 0.7:
                for sub in range(1, rng.randint(2, 3) + 1):
                    lines.append(f"（{_numeral(sub)}）{self._heading_text(rng)}")
                    lines.append(self._paragraph(rng))
            else:
                lines.extend(self._paragraph(rng) for _ in range(rng.randint(1, 3)))
            size = sum(len(line) for line in lines)
        return lines

    def _text(self, rng: Random) -> str:
        target = min(max(int(rng.gauss(TARGET_CHARS, 700)), 2500), 8000)
        title = self._title(rng)
        lines = self._body(rng, target - len(title))
        closing = self._fill(rng, rng.choice(_CLOSINGS))
        if rng.random() < 0.95:
            lines = self._with_paid_part(rng, lines, closing)
        elif rng.random() < 0.5:
            lines.append(closing)

        indent = "\u3000\u3000" if rng.random() < 0.3 else ""
        blank = rng.random() < 0.3
        out = ["" if rng.random() < 0.1 else None, title]
        for line in lines:
            if blank:
                out.append("")
            if indent and not line.startswith("##") and rng.random() < 0.9:
                line = indent + line
            if rng.random() < 0.02:
                line += " "
            out.append(line)
        return "\n".join(line for line in out if line is not None) + "\n"

    def _with_paid_part(self, rng: Random, lines: list[str], closing: str) -> list[str]:
        begin = "##paidbegin##" if rng.random() < 0.95 else "##PaidBegin##"
        at = min(max(1, int(len(lines) * rng.uniform(0.3, 0.6))), len(lines) - 1)
        out = lines[:at]
        placement = rng.random()
        line = lines[at]
        cut = [m.end() for m in re.finditer("[。！]", line)][:-1]
        if placement < 0.3 and cut:  # in the middle of a paragraph
            k = rng.choice(cut)
            out.append(line[:k] + begin + line[k:])
        elif placement < 0.65:  # in front of a line, as in the examples
            out.append(begin + line)
        else:
            out.extend((begin, line))
        out.extend(lines[at + 1 :])
        if rng.random() < 0.4:
            out.append("##paidend##")
            if rng.random() < 0.5:
                out.append(closing)
        return out

    def _encoding(self, rng: Random) -> tuple[str, bool]:
        if self.encoding == "utf8":
            return "utf8", False
        if self.encoding == "gb18030":
            return "gb18030", True
        if self.encoding == "utf8-bom":
            return "utf8-bom", False
        roll = rng.random()
        if roll < 0.5:
            return "utf8", False
        if roll < 0.75:
            return "gb18030", True
        return "utf8-bom", rng.random() < 0.3


def _numeral(n: int) -> str:
    if n <= 10:
        return _NUMERALS[n - 1]
    if n < 20:
        return "十" + _NUMERALS[n - 11]
    tens, ones = divmod(n, 10)
    return _NUMERALS[tens - 1] + "十" + (_NUMERALS[ones - 1] if ones else "")


@lru_cache(maxsize=256)
def _template_parts(template: str) -> tuple[str, ...]:
    """``"在{N}{VN}方面"`` → ``("在", "{N", "{VN", "方面")``."""
    return tuple(p[:-1] if p.startswith("{") else p for p in re.findall(r"\{\w+\}|[^{]+", template))


@lru_cache(maxsize=16)
def _tagged_cached(text: str) -> list[tuple[str, str | None]]:
    return _tagged(text)


def _load_vocabulary(kind: str, dictionary: Path | None, sources: Sources) -> Vocabulary:
    if dictionary is not None:
        return _vocabulary_from_lines(dictionary.read_text(encoding="utf-8").splitlines(), f"file:{dictionary}")
    if kind in ("auto", "dict"):
        text = bundled_dictionary_text()
        if text is not None:
            return _vocabulary_from_lines(text.splitlines(), "rjieba-dict")
        if kind == "dict":
            raise SystemExit("cannot find the dictionary inside rjieba (is the zstd command installed?)")
    return _pseudo_vocabulary(sources)


def generate_documents(
    n: int, *, seed: int = 0, encoding: str = "mix", start: int = 0, vocabulary: str = "auto"
) -> Iterator[GeneratedDocument]:
    """Documents ``start .. start+n-1`` in memory: ``.text`` (str) and ``.to_bytes()`` (file bytes)."""
    yield from CorpusGenerator(seed=seed, encoding=encoding, vocabulary=vocabulary).documents(n, start=start)


# --------------------------------------------------------------------------- writing

MANIFEST = "corpus.json"
_worker: CorpusGenerator | None = None


def _init_worker(generator: CorpusGenerator) -> None:
    global _worker
    _worker = generator


def _write_directory(args: tuple[Path, int, int]) -> tuple[int, int, int, dict[str, int]]:
    out, start, stop = args
    assert _worker is not None
    directory = out / f"{start // PER_DIR:04d}"
    directory.mkdir(parents=True, exist_ok=True)
    size = chars = 0
    kinds: Counter[str] = Counter()
    for index in range(start, stop):
        doc = _worker.document(index)
        data = doc.to_bytes()
        (out / doc.relpath).write_bytes(data)
        size += len(data)
        chars += len(doc.text)
        kinds[doc.encoding + ("+crlf" if doc.crlf else "")] += 1
    return stop - start, size, chars, dict(kinds)


def read_manifest(out: Path) -> dict[str, object] | None:
    try:
        return json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def write_corpus(
    generator: CorpusGenerator, out: Path, docs: int, *, jobs: int = 1, force: bool = False, quiet: bool = False
) -> dict[str, object]:
    """Write documents 0..docs-1 under ``out`` and a ``corpus.json`` manifest; returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    sample = [generator.document(i).to_bytes() for i in range(min(docs, 200))]
    estimate = int(docs * (sum(map(len, sample)) / max(len(sample), 1) + 4096 // 2))  # + half a block each
    free = shutil.disk_usage(out).free
    if estimate > free * 0.9 and not force:
        raise SystemExit(f"need about {estimate / 1e9:.1f} GB, {free / 1e9:.1f} GB free in {out} (--force to try)")
    (out / MANIFEST).unlink(missing_ok=True)
    tasks = [(out, start, min(start + PER_DIR, docs)) for start in range(0, docs, PER_DIR)]
    started = time.perf_counter()
    done = size = chars = 0
    kinds: Counter[str] = Counter()
    if jobs > 1 and len(tasks) > 1:
        ctx = multiprocessing.get_context("fork")
        pool = ctx.Pool(jobs, initializer=_init_worker, initargs=(generator,))
        results = pool.imap(_write_directory, tasks)
    else:
        pool = None
        _init_worker(generator)
        results = map(_write_directory, tasks)
    try:
        for n, s, c, k in results:
            done += n
            size += s
            chars += c
            kinds.update(k)
            if not quiet and sys.stderr.isatty():
                rate = done / max(time.perf_counter() - started, 1e-9)
                sys.stderr.write(f"\r{done}/{docs} documents  {rate:,.0f}/s ")
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    if not quiet and sys.stderr.isatty():
        sys.stderr.write("\n")
    seconds = time.perf_counter() - started
    manifest: dict[str, object] = {
        **generator.describe(),
        "docs": docs,
        "bytes": size,
        "chars": chars,
        "mean_chars": round(chars / max(docs, 1)),
        "files_by_encoding": dict(sorted(kinds.items())),
        "seconds": round(seconds, 2),
        "jobs": jobs,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def corpus_matches(manifest: dict[str, object] | None, *, docs: int, seed: int, encoding: str) -> bool:
    return bool(
        manifest
        and manifest.get("generator_version") == GENERATOR_VERSION
        and manifest.get("docs") == docs
        and manifest.get("seed") == seed
        and manifest.get("encoding") == encoding
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000, help="number of documents (default 10000)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--encoding", choices=ENCODINGS, default="mix")
    parser.add_argument("--vocabulary", choices=("auto", "dict", "pseudo"), default="auto")
    parser.add_argument("--dictionary", type=Path, help="a jieba dict.txt to use instead of rjieba's")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    parser.add_argument("--force", action="store_true", help="write even if the disk looks too small")
    args = parser.parse_args(argv)
    generator = CorpusGenerator(
        seed=args.seed, encoding=args.encoding, vocabulary=args.vocabulary, dictionary=args.dictionary
    )
    print(f"vocabulary: {generator.vocabulary.source} ({generator.vocabulary.size:,} words)", file=sys.stderr)
    manifest = write_corpus(generator, args.out, args.docs, jobs=max(args.jobs, 1), force=args.force)
    print(json.dumps(manifest, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
