"""One profile per provider: where its fake lives, which key it takes, how it streams.

Base paths mimic the real URLs (`/openai/v1` for Groq, `/inference/v1` for Fireworks, ...),
so the tests also check how each adapter joins its base URL and path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tests.conftest import TEST_KEY
from tests.fakes import cloudflare as cf
from tests.fakes import gemini as gm
from tests.fakes.openai_family import BUILDERS
from tests.fakes.server import FakeProviderServer

ACCOUNT = "0123456789abcdef0123456789abcdef"


@dataclass(frozen=True)
class Profile:
    id: str
    model: str
    base_path: str
    key_env: str | None
    key: str | None
    upstream: str | None = None  # what Meta.upstream_provider must say
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.id}/{self.model}"

    def base_url(self, server: FakeProviderServer) -> str:
        return server.url + self.base_path

    def chat_path(self) -> str:
        if self.id == "gemini":
            return f"/v1beta/models/{self.model}:streamGenerateContent"
        if self.id == "cloudflare":
            return f"{self.base_path}/accounts/{ACCOUNT}/ai/run/{self.model}"
        return f"{self.base_path}/chat/completions"

    def models_path(self) -> str:
        if self.id == "gemini":
            return "/v1beta/models"
        if self.id == "cloudflare":
            return f"{self.base_path}/accounts/{ACCOUNT}/ai/models/search"
        return f"{self.base_path}/models"

    def stream(self, texts: Sequence[str], reasoning: Sequence[str], prompt: int,
               completion: int) -> list[bytes]:
        if self.id == "gemini":
            return gm.gemini_stream(texts, thoughts=reasoning, prompt_tokens=prompt,
                                    completion_tokens=completion, model=self.model)
        if self.id == "cloudflare":
            return cf.chunk_stream(texts, reasoning=reasoning, prompt_tokens=prompt,
                                   completion_tokens=completion, model=self.model)
        return BUILDERS[self.id](texts, reasoning, prompt, completion)

    def env(self, server: FakeProviderServer, key: bool = True) -> dict[str, str]:
        env = {f"FREECHAT_{self.id.upper()}_BASE_URL": self.base_url(server),
               "FREECHAT_LOCAL_DETECT": "0", **self.extra_env}
        if key and self.key_env and self.key:
            env[self.key_env] = self.key
        return env


PROFILES: dict[str, Profile] = {p.id: p for p in (
    Profile("openrouter", "deepseek/deepseek-r1:free", "/api/v1", "OPENROUTER_API_KEY",
            TEST_KEY, upstream="Chutes"),
    Profile("cerebras", "gpt-oss-120b", "/v1", "CEREBRAS_API_KEY", "csk-" + "c" * 48),
    Profile("cloudflare", "@cf/openai/gpt-oss-120b", "/client/v4", "CLOUDFLARE_API_TOKEN",
            "cfut_" + "T" * 40, extra_env={"CLOUDFLARE_ACCOUNT_ID": ACCOUNT}),
    Profile("huggingface", "moonshotai/Kimi-K2-Instruct-0905:groq", "/v1", "HF_TOKEN",
            "hf_" + "h" * 34, upstream="groq"),
    Profile("vercel", "anthropic/claude-sonnet-4", "/v1", "AI_GATEWAY_API_KEY",
            "vck_" + "v" * 40, upstream="anthropic"),
    Profile("gemini", "gemini-2.5-flash", "", "GEMINI_API_KEY", "AIza" + "G" * 35),
    Profile("nvidia", "deepseek-ai/deepseek-r1", "/v1", "NVIDIA_API_KEY", "nvapi-" + "n" * 60),
    Profile("hyperbolic", "meta-llama/Llama-3.3-70B-Instruct", "/v1", "HYPERBOLIC_API_KEY",
            "eyJhbGciOiJIUzI1NiJ9." + "y" * 40),
    Profile("fireworks", "accounts/fireworks/models/deepseek-r1", "/inference/v1",
            "FIREWORKS_API_KEY", "fw_" + "f" * 24),
    Profile("openai", "gpt-4o-mini", "/v1", "OPENAI_API_KEY", "sk-proj-" + "o" * 48),
    Profile("groq", "qwen/qwen3-32b", "/openai/v1", "GROQ_API_KEY", "gsk_" + "g" * 52),
    Profile("mistral", "magistral-medium-latest", "/v1", "MISTRAL_API_KEY", "M" * 32),
    Profile("ollama", "qwen3:8b", "/v1", None, None),
    Profile("lmstudio", "qwen2.5-7b-instruct", "/v1", None, None),
    Profile("llamacpp", "openai/gpt-oss-20b", "/v1", None, None),
)}
DESIGN_IDS = [pid for pid in PROFILES if pid not in ("lmstudio", "llamacpp")]
# Which of them carry reasoning in a field the provider's fake can express.
REASONING = set(PROFILES) - {"openai", "hyperbolic"}
