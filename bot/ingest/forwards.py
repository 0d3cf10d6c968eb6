"""Channel posts forwarded to the bot → ``Article`` credited to the channel.

The post's first line is its title, the channel's name its outlet, the post's date its date
(UTC, as Telegram gives it) and ``https://t.me/<username>/<id>`` its link when the channel is
public; a signed post credits its author. A post that is only a link and at most one line of
text stands for the linked article instead (``linked_url``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ..models import Article

_URL = re.compile(r"https?://[^\s<>\"'，。）)】]+", re.I)
_TITLE_CHARS = 80


def linked_url(text: str, links: list[str]) -> str | None:
    """The one link a post stands for ("link + a line"), or None when it is an article."""
    found = list(dict.fromkeys([*links, *_URL.findall(text)]))
    if len(found) != 1:
        return None
    rest = [line for line in _URL.sub(" ", text).splitlines() if line.strip()]
    return found[0] if len(rest) <= 1 else None


def post_link(username: str | None, message_id: int) -> str | None:
    return f"https://t.me/{username}/{message_id}" if username else None


def article_from_post(
    text: str,
    *,
    channel_title: str | None,
    channel_username: str | None,
    message_id: int,
    posted: datetime,
    author_signature: str | None = None,
) -> Article:
    """The article a forwarded channel post becomes (ParseError when it holds no text)."""
    from .parsing import parse_text

    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = lines[0][:_TITLE_CHARS] if lines else None
    if posted.tzinfo is not None:
        posted = posted.astimezone(UTC).replace(tzinfo=None)
    url = post_link(channel_username, message_id)
    metadata: dict[str, object] = {
        "title": title,
        "source": channel_title,
        "url": url,
        "date": posted.isoformat(timespec="seconds"),
    }
    if author_signature:
        metadata["reporters"] = [author_signature]
    return parse_text(
        text,
        metadata={k: v for k, v in metadata.items() if v},
        origin=url or f"forwarded post {message_id}",
    )
