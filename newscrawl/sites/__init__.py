"""The sites newscrawl knows: the registry of spiders and sites declared in TOML."""
