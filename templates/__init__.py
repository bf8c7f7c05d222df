"""Built-in template sets (this folder is also installed as the package briefing.templates)."""
