"""freechat: a terminal chat client for the free tiers of AI model APIs."""

__version__ = "0.1.0"
