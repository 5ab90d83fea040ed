"""Jobs that run once across hosts: each (job, tick) is claimed by one host (JobRun row,
UNIQUE(name, tick)); on PostgreSQL an advisory lock also keeps a slow run from overlapping the
next tick's run on another host.  Also the deploy check: production refuses to start on
unapplied migrations (deploy.py)."""
