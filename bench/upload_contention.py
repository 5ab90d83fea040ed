"""Readers while authors upload slow files (issue #9, item 6), against a real server.

    .venv/bin/python bench/upload_contention.py [--workers 2] [--uploads 2] [--kind txt|docx]

Starts `fanwen serve` (granian, --workers) on a fresh data directory, signs two authors
in, and has each post at the same moment either the issue's .txt (400,000 one-character
lines, 1.6 MB) or a .docx of 100,000 short paragraphs (0.56 MB; the slowest upload found:
the Word reader takes about 4 s before the block limit refuses it).  Meanwhile a reader
requests `/` ten times a second.  Prints each upload's status and time and the reader's
median and worst latency during the uploads.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.live_server import running_server

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def slow_docx(paragraphs: int) -> bytes:
    chars = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
    body = "".join(
        f"<w:p><w:r><w:t>{random.choice(chars)}{random.choice(chars)}</w:t></w:r></w:p>" for _ in range(paragraphs)
    )
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{ns}"><w:body><w:p><w:r><w:t>标题</w:t></w:r></w:p>{body}</w:body></w:document>'
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--uploads", type=int, default=2)
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--kind", choices=["txt", "docx"], default="docx")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="fanwen-contention-")
    env = {**os.environ, "FANWEN_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "fanwen.settings.embedded"}
    for n in range(args.uploads):
        subprocess.run([BIN / "fanwen", "useradd", f"author{n}", "--password", f"author-pass-{n}x"], env=env, check=True)
    try:
        with running_server(env, workers=args.workers) as base:
            measure(args, base)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def measure(args: argparse.Namespace, base: str) -> None:
    sessions = []
    for n in range(args.uploads):
        session = requests.Session()
        session.get(base + "/accounts/login/")
        session.post(
            base + "/accounts/login/",
            data={"username": f"author{n}", "password": f"author-pass-{n}x", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": base + "/accounts/login/"},
        )
        session.get(base + "/me/upload/")
        sessions.append(session)
    name = f"slow.{args.kind}"
    if args.kind == "docx":
        files = [slow_docx(args.paragraphs) for _ in sessions]
    else:
        files = [("标题\n" + "字\n" * 400_000).encode() for _ in sessions]
    outcomes: list[tuple[int, float]] = []
    latencies: list[float] = []
    done = threading.Event()

    def upload(session: requests.Session, content: bytes) -> None:
        start = time.perf_counter()
        response = session.post(
            base + "/me/upload/",
            data={"csrfmiddlewaretoken": session.cookies["csrftoken"], "price": ""},
            files={"file": (name, content)},
            headers={"Referer": base + "/me/upload/"},
        )
        outcomes.append((response.status_code, time.perf_counter() - start))

    def read() -> None:
        while not done.is_set():
            start = time.perf_counter()
            requests.get(base + "/", timeout=60)
            latencies.append(time.perf_counter() - start)
            time.sleep(0.1)

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.5)
    threads = [threading.Thread(target=upload, args=(s, f)) for s, f in zip(sessions, files, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join()
    for status, seconds in sorted(outcomes):
        print(f"upload: {status} in {seconds:.2f} s")
    print(f"GET / during uploads: {len(latencies)} requests, median {statistics.median(latencies) * 1000:.0f} ms, "
          f"worst {max(latencies) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
