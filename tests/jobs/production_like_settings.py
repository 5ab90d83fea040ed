"""The embedded settings (SQLite) labelled production: lets the deploy-step tests run the real
`fanwen` commands' production path on SQLite too (real production settings refuse SQLite)."""

from fanwen.settings.embedded import *  # noqa: F403

FANWEN_PROFILE = "production"
