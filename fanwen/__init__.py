"""fanwen (范文库): self-hosted software for selling Chinese model documents."""

__version__ = "0.1.0"
