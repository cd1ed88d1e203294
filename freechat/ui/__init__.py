"""Textual user interface (imports textual; never httpx)."""
