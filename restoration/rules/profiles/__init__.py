"""Shipped rule profiles (TOML data files; a package only so that they install with it)."""
