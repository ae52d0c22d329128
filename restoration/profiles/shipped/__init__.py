"""The rule profiles shipped with the platform (TOML data files; a package only so that they
install with it). Format: docs/cases.md, "Rule profiles"."""
