"""The whole product without a screen. Never imports textual or rich (tests/test_layering.py)."""
