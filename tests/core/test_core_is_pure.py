"""fanwen.core is pure Python: importing and using every module never loads Django."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

from tests.conftest import FIXTURES, ROOT

CORE = ROOT / "fanwen" / "core"
EXPECTED_MODULES = {"format", "structure", "reader", "docx_reader", "segment", "money", "placeholders", "paywall"}

PROBE = r"""
import importlib, json, pkgutil, sys
from pathlib import Path
import fanwen.core
names = sorted(m.name for m in pkgutil.iter_modules(fanwen.core.__path__, "fanwen.core."))
for name in names:
    importlib.import_module(name)
imported_django = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))

# Use them too: late imports (python-docx, opencc, rjieba) must not bring Django either.
from fanwen.core import docx_reader, format, money, placeholders, reader, segment, structure
fixtures = Path(sys.argv[1])
doc = reader.read_path(fixtures / "ok_utf8.txt")
structure.outline(doc)
structure.char_count(doc.blocks)
reader.read_path(fixtures / "ok_sample.docx")
segment.tokens("黨性分析")
money.yuan_to_fen("5.5")
placeholders.fill("X大学", {"X大学": "清华大学"})
format.serialise(doc)
print(json.dumps({
    "modules": names,
    "django_after_import": imported_django,
    "django_after_use": sorted(m for m in sys.modules if m == "django" or m.startswith("django.")),
    "fanwen_modules": sorted(m for m in sys.modules if m.startswith("fanwen")),
}))
"""


def test_core_imports_and_runs_without_django():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(FIXTURES)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert {m.rsplit(".", 1)[-1] for m in report["modules"]} >= EXPECTED_MODULES
    assert report["django_after_import"] == []
    assert report["django_after_use"] == []
    assert all(m == "fanwen" or m.startswith("fanwen.core") for m in report["fanwen_modules"])


def test_core_sources_do_not_import_django_or_the_rest_of_fanwen():
    files = sorted(CORE.glob("*.py"))
    assert {f.stem for f in files} >= EXPECTED_MODULES
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert not name.startswith("django"), f"{path.name} imports {name}"
                assert not name.startswith("fanwen") or name.startswith("fanwen.core"), (
                    f"{path.name} imports {name}"
                )
