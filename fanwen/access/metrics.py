"""access' Prometheus counters (collected by ``fanwen.monitoring.metrics``).  Labels are
bounded: the file format only, never a document, reader or order."""

from __future__ import annotations

from prometheus_client import Counter

DOWNLOAD_RENDERS = Counter(
    "fanwen_download_renders",
    "Files of a document's full text rendered for a download, by format (counted per process, "
    "summed over the host's workers in multiprocess mode).",
    ["format"],
)

#: every format starts at 0, so a host that has rendered nothing yet still shows the series
#: (tests/monitoring/test_metrics.py keeps this list equal to Delivery.Format)
FORMATS = ("docx", "pdf")
for _format in FORMATS:
    DOWNLOAD_RENDERS.labels(format=_format)
