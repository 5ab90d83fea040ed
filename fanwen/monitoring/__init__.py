"""Operations: health probes (/healthz, /readyz), Prometheus metrics (/metrics), request ids
and JSON logs.  Reads only; never document text, never secrets."""
