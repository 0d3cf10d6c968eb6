"""/fix: an admin corrects an article's title, outlet, reporters or date, stored for good."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from telegram import Update

from ...answers.markup import esc
from ...errors import StoreError
from ...ingest.corrections import CorrectionError
from ...models import chat_scope
from ...texts import t
from .admin import describe_article
from .common import command_rest, lang_of, one_line, refuse_unless_admin, reply

if TYPE_CHECKING:
    from ..context import BotContext

log = logging.getLogger(__name__)

#: The field names an admin may type, in each interface language.
FIELD_NAMES = {
    "title": "title",
    "标题": "title",
    "標題": "title",
    "source": "source",
    "outlet": "source",
    "来源": "source",
    "來源": "source",
    "媒体": "source",
    "媒體": "source",
    "reporters": "reporters",
    "reporter": "reporters",
    "记者": "reporters",
    "記者": "reporters",
    "date": "date",
    "日期": "date",
}
#: A value that clears the field: the credit is then shown as not stated.
CLEAR = {"-", "无", "無", "none"}


def parse_fix(text: str) -> tuple[str, str, str] | None:
    """(article id, field, value) of ``ID FIELD VALUE…``; None when it is not of that form."""
    parts = text.split(maxsplit=2)
    if len(parts) < 3 or parts[1].lower() not in FIELD_NAMES:
        return None
    value = parts[2].strip()
    return parts[0], FIELD_NAMES[parts[1].lower()], "" if value.lower() in CLEAR else value


async def cmd_fix(update: Update, context: BotContext) -> None:
    """/fix ID FIELD VALUE (admins): correct one credit of one of this chat's articles."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if await refuse_unless_admin(update, context):
        return
    lang = lang_of(update, context)
    parsed = parse_fix(command_rest(message))
    if parsed is None:
        await reply(message, t("fix_usage", lang))
        return
    shown, field, value = parsed
    scope = chat_scope(chat.id)
    library = context.library
    if not library.writable:
        await reply(message, t("store_read_only", lang))
        return
    stored = await asyncio.to_thread(library.stored_id, shown, scope)
    try:
        article = await asyncio.to_thread(
            library.correct_article, stored, scope, **{field: value or None}
        )
    except CorrectionError as exc:
        if await asyncio.to_thread(library.scope_of, stored) != scope:
            await reply(message, t("not_found", lang, id=esc(shown)))
        else:
            await reply(message, t("fix_failed", lang, error=esc(one_line(exc))))
        return
    except StoreError as exc:
        log.error("/fix in chat %s not saved: %s", chat.id, exc)
        await reply(message, t("store_read_only", lang))
        return
    await reply(message, t("fixed", lang) + "\n\n" + describe_article(article, lang, shown))
