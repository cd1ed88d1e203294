"""Model list fetching shared by the adapters: pages (OpenAI `links.next`, Google/Fireworks
`nextPageToken`, Cloudflare page numbers) and Fireworks' control plane."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from freechat.core.errors import FreechatError, ProtocolError
from freechat.core.models import ModelInfo
from freechat.core.providers.base import HTTPAdapter
from freechat.core.providers.model_lists import fireworks_model, parse_items

MAX_PAGES = 20


class ModelListing(HTTPAdapter):
    """`list_models` for OpenAI-style `/models`; subclasses override it for other shapes."""

    models_path = "/models"
    environ: Mapping[str, str]

    def _authenticated(self) -> bool:
        return self._key is not None

    async def get_pages(self, url: str, items_key: str, next_url: Any) -> list[Any]:
        """GET `url` and follow `next_url(payload, url)` (None ends) up to MAX_PAGES."""
        items: list[Any] = []
        for _ in range(MAX_PAGES):
            payload = await self.get_json(url, authenticated=self._authenticated())
            page = payload.get(items_key) if isinstance(payload, dict) else payload
            if not isinstance(page, list):
                raise ProtocolError("the model list has an unexpected shape",
                                    provider=self.spec.id, hint="check the base URL")
            items.extend(page)
            following = next_url(payload, url) if isinstance(payload, dict) and page else None
            if not following or following == url:
                break
            url = following
        return items

    def _same_origin_next(self, payload: Mapping[str, Any], url: str) -> str | None:
        links = payload.get("links")
        target = links.get("next") if isinstance(links, dict) else None
        if not isinstance(target, str) or not target:
            return None
        absolute = urljoin(url, target)
        # Never send anything to a host other than the one configured.
        return absolute if urlsplit(absolute)[:2] == urlsplit(url)[:2] else None

    async def list_models(self) -> list[ModelInfo]:
        if self.spec.id == "fireworks":
            return await self._fireworks_models()
        items = await self.get_pages(self.base_url + self.models_path, "data",
                                     self._same_origin_next)
        return parse_items(self.spec, items)

    def fireworks_control_url(self) -> str:
        """The control plane lives at the host root: `<host>/v1/accounts/fireworks/models`."""
        override = self.environ.get(f"{self.spec.env_prefix}_API_URL", "").strip()
        root = override or self.base_url.removesuffix("/v1").removesuffix("/inference")
        return root.rstrip("/") + "/v1/accounts/fireworks/models"

    async def _fireworks_models(self) -> list[ModelInfo]:
        base = self.fireworks_control_url() + "?filter=supports_serverless%3Dtrue&pageSize=200"

        def next_url(payload: Mapping[str, Any], url: str) -> str | None:
            token = payload.get("nextPageToken")
            return f"{base}&pageToken={token}" if isinstance(token, str) and token else None

        try:
            items = await self.get_pages(base, "models", next_url)
        except FreechatError as error:
            # No control plane behind this base URL (a proxy, a fake): the plain list.
            if not isinstance(error, ProtocolError) and getattr(error, "status", None) not in (
                404, 405,
            ):
                raise
            items = await self.get_pages(self.base_url + self.models_path, "data",
                                         lambda payload, url: None)
            return parse_items(self.spec, items)
        return parse_items(self.spec, items, fireworks_model)
