"""WhatsApp media the Cloud API way: a voice note's bytes from its media id.

`GET {api_base}/{media-id}` with the bearer token answers `{"url", "mime_type", "file_size", ...}` (the URL
lives a few minutes); `GET` of that URL with the same token gives the bytes. The size is bounded twice: from
`file_size` before anything is downloaded, and while the bytes stream in. 429, 5xx and network errors are
retried with exponential backoff and jitter (tenacity, as the senders do); a 404 or a refusal is not. The
media id is never logged: it would fetch her audio.
"""

from __future__ import annotations

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from assistant import AudioError, VoiceRef
from bots.common import FetchError

DEFAULT_MAX_BYTES = 10_000_000


class _Transient(Exception):
    """A status worth asking again for (429, 5xx)."""


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, _Transient | httpx.TransportError)


class WhatsAppMedia:
    """Fetches a voice note's bytes; `FetchError` when the platform will not give them, `AudioError`
    ("too_large") when they are over `max_bytes`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        token: str,
        api_base: str,
        max_bytes: int = DEFAULT_MAX_BYTES,
        attempts: int = 4,
        backoff_s: float = 0.5,
    ) -> None:
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"}
        self.max_bytes = max_bytes
        self.attempts = attempts
        self._wait = wait_random_exponential(multiplier=backoff_s, max=10.0)

    async def fetch(self, ref: VoiceRef) -> bytes:
        """The note's bytes: its metadata first (the URL and the size), then the download."""
        info = await self._retrying(self._metadata, ref.id)
        size = _integer(info.get("file_size"))
        if size is not None and size > self.max_bytes:
            raise AudioError(f"a {size}-byte note, over {self.max_bytes}", "too_large")
        url = info.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise FetchError("the media metadata has no download URL")
        return await self._retrying(self._download, url)

    async def _retrying(self, step, argument: str):
        retrying = AsyncRetrying(
            retry=retry_if_exception(_retryable), wait=self._wait, stop=stop_after_attempt(self.attempts), reraise=True
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await step(argument)
        except (_Transient, httpx.TransportError) as exc:
            raise FetchError(f"gave up after {self.attempts} attempts: {type(exc).__name__} {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _metadata(self, media_id: str) -> dict:
        response = await self.http.get(f"{self.api_base}/{media_id}", headers=self.headers)
        _check(response.status_code, "media metadata")
        try:
            info = response.json()
        except ValueError:
            raise FetchError("the media metadata is not JSON") from None
        if not isinstance(info, dict):
            raise FetchError("the media metadata is not an object")
        return info

    async def _download(self, url: str) -> bytes:
        async with self.http.stream("GET", url, headers=self.headers) as response:
            _check(response.status_code, "media download")
            declared = _integer(response.headers.get("content-length"))
            if declared is not None and declared > self.max_bytes:
                raise AudioError(f"a {declared}-byte download, over {self.max_bytes}", "too_large")
            chunks, received = [], 0
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                if received > self.max_bytes:
                    raise AudioError(f"the download passed {self.max_bytes} bytes", "too_large")
                chunks.append(chunk)
        return b"".join(chunks)


def _check(status: int, what: str) -> None:
    if status == 429 or status >= 500:
        raise _Transient(f"{what}: HTTP {status}")
    if status >= 400:  # 404: an unknown or expired media id; 401/403: the token cannot read it
        raise FetchError(f"{what}: HTTP {status}")


def _integer(value: object) -> int | None:
    """`file_size` comes as a number or as a string of digits, depending on the API version."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
