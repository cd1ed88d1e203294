"""Plain data: model references, model descriptions and chat messages."""

from __future__ import annotations

from dataclasses import dataclass

from freechat.core.errors import UsageError

TIER_FREE = "free"
TIER_TRIAL = "trial-credit"
TIER_PAID = "paid"
TIER_LOCAL = "local"
TIER_KEYLESS = "keyless"


@dataclass(frozen=True, slots=True)
class ModelRef:
    """`provider/model`, split at the first `/` (the model id may contain more slashes)."""

    provider: str
    model: str

    @classmethod
    def parse(cls, text: str) -> ModelRef:
        provider, sep, model = text.strip().partition("/")
        if not sep or not provider or not model:
            raise UsageError(
                f"'{text}' is not a model reference",
                hint="write it as provider/model, e.g. openrouter/deepseek/deepseek-r1:free",
            )
        return cls(provider, model)

    def __str__(self) -> str:
        return f"{self.provider}/{self.model}"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    ref: ModelRef
    name: str = ""
    tier: str = TIER_FREE  # free | trial-credit | paid | local
    context_length: int | None = None
    reasoning: bool = False

    @property
    def is_free(self) -> bool:
        return self.tier in (TIER_FREE, TIER_LOCAL, TIER_KEYLESS)

    def to_json(self) -> dict[str, object]:
        return {
            "ref": str(self.ref),
            "provider": self.ref.provider,
            "model": self.ref.model,
            "name": self.name or self.ref.model,
            "tier": self.tier,
            "free": self.is_free,
            "context_length": self.context_length,
            "reasoning": self.reasoning,
        }


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: str  # "system" | "user" | "assistant"
    content: str
