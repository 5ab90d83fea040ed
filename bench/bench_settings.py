"""Settings for bench/page_bench.py: the embedded default plus one bare view."""

from fanwen.settings.embedded import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
