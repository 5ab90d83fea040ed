"""Who may read what: entitlements, membership periods, and the gate that produces text."""
