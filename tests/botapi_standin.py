"""A small Bot API stand-in: enough of Telegram's HTTP API to drive the bot without a network.

One emulation (``BotAPI``) with two transports:

* ``StandinServer`` — a threaded HTTP server on 127.0.0.1 speaking the Bot API wire format
  (``/bot<token>/<method>`` with form, multipart or JSON bodies; ``/file/bot<token>/<path>``
  for downloads). The bot runs against it with ``TELEGRAM_API_BASE_URL=<server.base_url>``.
* ``RecordingRequest`` — a ``telegram.request.BaseRequest`` that hands PTB's calls straight to
  the same ``BotAPI`` in-process (no sockets), for fast tests of the real Application.

The client side (``BotAPI.user``, ``.group``, ``.text_update``, ``.press`` …) builds updates
as a user would cause them, queues them for ``getUpdates`` and reads back what the bot sent.
Everything is guarded by one lock, so many chats can be driven concurrently (load tests).

Faults, for reliability tests: ``api.inject(method, status=429, retry_after=1)`` /
``status=502, times=2`` / ``drop=True`` fails the next calls without carrying them out;
``server.go_down()`` refuses connections and cuts the open ones until ``server.come_back()``.

What it checks like Telegram does: HTML parse mode (only Telegram's tags, balanced, known
entities), message length (4096 UTF-16 units after entity parsing), callback_data ≤ 64
bytes, inline results ≤ 50 with ids ≤ 64 bytes, message ids per chat for edits.
What it does not emulate: see tests/README.md.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import os
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from telegram.request import BaseRequest

TOKEN = "123:TEST"
BOT_USERNAME = "newsquote_test_bot"

#: Parameters that are plain strings on the wire (never JSON-decoded).
_STRING_PARAMS = {
    "text",
    "query",
    "callback_query_id",
    "inline_query_id",
    "parse_mode",
    "file_id",
    "secret_token",
    "url",
    "next_offset",
    "caption",
    "description",
    "chat_id_str",
    "switch_pm_text",
    "switch_pm_parameter",
    "language_code",
    "emoji",
}

#: Tags Telegram's HTML parse mode accepts.
_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
    "tg-time",
}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class APIError(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


def parse_telegram_html(text: str) -> str:
    """The visible text of a Telegram-HTML message; raises APIError(400) as Telegram would."""
    visible: list[str] = []
    stack: list[str] = []
    pos = 0
    for match in itertools.chain(_TAG_RE.finditer(text), [None]):
        end = match.start() if match else len(text)
        chunk = text[pos:end]
        if "<" in chunk or ">" in chunk:
            raise APIError(
                400, f"Bad Request: can't parse entities: unexpected '<' or '>' at offset {pos}"
            )
        for amp in re.finditer("&", chunk):
            if not _ENTITY_RE.match(chunk, amp.start()):
                raise APIError(
                    400,
                    "Bad Request: can't parse entities: unsupported entity "
                    f"at offset {pos + amp.start()}",
                )
        visible.append(html.unescape(chunk))
        if match is None:
            break
        closing, name = match.group(1), match.group(2).lower()
        if name not in _TAGS:
            raise APIError(
                400,
                f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" '
                f"at byte offset {match.start()}",
            )
        if closing:
            if not stack or stack[-1] != name:
                raise APIError(
                    400, f'Bad Request: can\'t parse entities: Unmatched end tag "{name}"'
                )
            stack.pop()
        else:
            if name == "a" and not re.search(r'href="[^"]+"', match.group(3)):
                raise APIError(400, "Bad Request: can't parse entities: <a> without href")
            if name == "blockquote" and "blockquote" in stack:
                raise APIError(400, "Bad Request: can't parse entities: nested blockquote")
            stack.append(name)
        pos = match.end()
    if stack:
        raise APIError(
            400,
            f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\"",
        )
    return "".join(visible)


def _entities(text: str, bot_username: str) -> list[dict]:
    """bot_command (at the start) and @mention entities, with UTF-16 offsets as Telegram sends."""
    found = []
    for match in re.finditer(
        r"(?:(?<=\s)|^)(/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?)|(@[A-Za-z0-9_]{5,32})", text
    ):
        kind = "bot_command" if match.group(1) else "mention"
        if kind == "bot_command" and match.start() != 0:
            continue
        found.append(
            {
                "type": kind,
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
            }
        )
    return found


def member_json(user: dict, status: str) -> dict:
    """A ChatMember object: creator, administrator, member, left or kicked."""
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        rights = dict.fromkeys(
            [
                "can_be_edited",
                "is_anonymous",
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_promote_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
            ],
            False,
        )
        return {
            "status": "administrator",
            "user": user,
            **rights,
            "can_manage_chat": True,
            "can_post_messages": True,
            "can_edit_messages": True,
        }
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    if status == "left":
        return {"status": "left", "user": user}
    return {"status": "member", "user": user}


@dataclass
class Call:
    """One Bot API call the bot made."""

    method: str
    params: dict[str, Any]
    result: Any = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    """An injected failure (``BotAPI.inject``): the next ``times`` calls of ``method`` (None:
    any method but getUpdates, unless named) fail without being carried out — HTTP ``status``
    (429 with ``retry_after``; 500/502/503…), or, when ``drop``, the HTTP transport closes the
    connection without answering (RecordingRequest raises NetworkError)."""

    method: str | None
    status: int = 502
    retry_after: int | None = None
    drop: bool = False
    times: int = 1
    hits: int = 0

    def matches(self, method: str) -> bool:
        return self.times > 0 and (
            self.method == method or (self.method is None and method != "getUpdates")
        )


class DroppedConnection(Exception):
    """Raised by ``BotAPI.call`` for a ``drop`` fault; the transports hang up."""


class BotAPI:
    """The emulated Bot API: state, method implementations, and the client (user) side."""

    def __init__(self, token: str = TOKEN, username: str = BOT_USERNAME):
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.cond = threading.Condition(threading.RLock())
        self.calls: list[Call] = []
        self._by_chat: dict[tuple[str, int], list[Call]] = {}  # (method, chat id) -> calls
        self.pending: list[dict] = []  # updates not yet confirmed by getUpdates offset
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = {}
        self.messages: dict[tuple[int, int], dict] = {}  # every message, user's and bot's
        self.chats: dict[int, dict] = {}
        self.linked: dict[int, int] = {}  # chat id -> linked chat id (getChat)
        self.members: dict[tuple[int, int], str] = {}  # (chat, user) -> status
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, data)
        self.html_errors: list[str] = []
        self.failures: dict[str, APIError] = {}  # method -> error to return (error injection)
        self.faults: list[Fault] = []  # injected transient failures (inject())
        self.commands: dict[str, list[dict]] = {}
        self.closed = False
        self._users: dict[int, dict] = {}
        # Load tests: when each update was first handed out by getUpdates (monotonic clock),
        # and how many getUpdates calls have arrived (a bot polling is ready). Bookkeeping only.
        self.handed_out: dict[int, float] = {}
        self.polls = 0

    # -- bot side: dispatch ----------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        """Run one Bot API method; returns (HTTP status, JSON body). Recorded once finished."""
        record = Call(method, params)
        try:
            fault = self._take_fault(method)
            if fault is not None:
                if fault.drop:
                    record.error = "dropped"
                    self._record(method, params, record)
                    raise DroppedConnection(method)
                if fault.status == 429:
                    record.error = f"Too Many Requests: retry after {fault.retry_after}"
                    body = {
                        "ok": False,
                        "error_code": 429,
                        "description": record.error,
                        "parameters": {"retry_after": fault.retry_after},
                    }
                else:
                    record.error = {
                        500: "Internal Server Error",
                        502: "Bad Gateway",
                        503: "Service Unavailable",
                        504: "Gateway Timeout",
                    }.get(fault.status, f"Error {fault.status}")
                    body = {"ok": False, "error_code": fault.status, "description": record.error}
                self._record(method, params, record)
                return fault.status, body
            if method in self.failures:
                raise self.failures[method]
            handler = getattr(self, "_m_" + method, None)
            if handler is None:
                raise APIError(404, "Not Found")
            record.result = handler(params)
            status, body = 200, {"ok": True, "result": record.result}
        except APIError as exc:
            record.error = exc.description
            if "parse entities" in exc.description or "too long" in exc.description:
                self.html_errors.append(f"{method}: {exc.description}")
            status, body = (
                exc.code,
                {"ok": False, "error_code": exc.code, "description": exc.description},
            )
        self._record(method, params, record)
        return status, body

    def _record(self, method: str, params: dict[str, Any], record: Call) -> None:
        if method != "getUpdates":
            with self.cond:
                self.calls.append(record)
                try:
                    self._by_chat.setdefault((method, int(params.get("chat_id") or 0)), []).append(
                        record
                    )
                except (TypeError, ValueError):
                    pass
                self.cond.notify_all()

    # -- fault injection ---------------------------------------------------------------------

    def inject(
        self,
        method: str | None = None,
        *,
        status: int = 502,
        retry_after: int | None = None,
        drop: bool = False,
        times: int = 1,
    ) -> Fault:
        """Make the next ``times`` calls of ``method`` fail (see ``Fault``); returns the fault,
        whose ``hits`` counts the calls it failed."""
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = Fault(method, status, retry_after, drop, times)
        with self.cond:
            self.faults.append(fault)
        return fault

    def _take_fault(self, method: str) -> Fault | None:
        with self.cond:
            for fault in self.faults:
                if fault.matches(method):
                    fault.times -= 1
                    fault.hits += 1
                    return fault
        return None

    def file_bytes(self, file_path: str) -> bytes | None:
        for path, data in self.files.values():
            if path == file_path:
                return data
        return None

    # -- bot side: methods -----------------------------------------------------------------

    def bot_user(self) -> dict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "NewsQuote",
            "username": self.username,
        }

    def _m_getMe(self, p: dict) -> dict:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    def _m_getUpdates(self, p: dict) -> list[dict]:
        offset = int(p.get("offset") or 0)
        timeout = float(p.get("timeout") or 0)
        limit = int(p.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self.cond:
            self.polls += 1
            if offset:
                self.pending = [u for u in self.pending if u["update_id"] >= offset]
            while not self.pending and not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            batch = list(self.pending[:limit])
            now = time.monotonic()
            for update in batch:
                self.handed_out.setdefault(update["update_id"], now)
            return batch

    def _m_deleteWebhook(self, p: dict) -> bool:
        return True

    def _m_setWebhook(self, p: dict) -> bool:
        return True

    def _m_setMyCommands(self, p: dict) -> bool:
        scope = (p.get("scope") or {}).get("type", "default")
        self.commands[scope] = p.get("commands") or []
        return True

    def _m_deleteMyCommands(self, p: dict) -> bool:
        return True

    def _m_sendChatAction(self, p: dict) -> bool:
        return True

    def _m_answerCallbackQuery(self, p: dict) -> bool:
        if "text" in p and utf16_len(str(p["text"])) > 200:
            raise APIError(400, "Bad Request: message is too long")
        return True

    def _check_markup(self, markup: Any) -> None:
        if not markup:
            return
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                    raise APIError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _visible(self, text: Any, parse_mode: Any) -> str:
        text = str(text if text is not None else "")
        visible = parse_telegram_html(text) if str(parse_mode or "").upper() == "HTML" else text
        if not visible.strip():
            raise APIError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > 4096:
            raise APIError(400, "Bad Request: message is too long")
        return visible

    def _chat(self, chat_id: Any) -> dict:
        chat_id = int(chat_id)
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": f"user{chat_id}"}
            else:
                raise APIError(400, "Bad Request: chat not found")
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        with self.cond:
            counter = self._message_ids.setdefault(chat_id, itertools.count(1))
            return next(counter)

    def _m_sendMessage(self, p: dict) -> dict:
        chat = self._chat(p["chat_id"])
        visible = self._visible(p.get("text"), p.get("parse_mode"))
        self._check_markup(p.get("reply_markup"))
        message = {
            "message_id": self._next_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
            "text": visible,
        }
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        else:
            message["from"] = self.bot_user()
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        reply = (p.get("reply_parameters") or {}).get("message_id") or p.get("reply_to_message_id")
        if reply and (chat["id"], int(reply)) in self.messages:
            message["reply_to_message"] = self.messages[(chat["id"], int(reply))]
        if p.get("message_thread_id"):
            message["message_thread_id"] = p["message_thread_id"]
        with self.cond:
            self.messages[(chat["id"], message["message_id"])] = {**message, "_html": p.get("text")}
        return message

    def _m_sendDocument(self, p: dict) -> dict:
        chat = self._chat(p["chat_id"])
        [(file_name, data)] = (p.get("_files") or {}).values()
        file_id = f"sent{len(self.files) + 1}"
        self.add_file(file_id, data, f"documents/{file_name}")
        message = {
            "message_id": self._next_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user(),
            "document": {
                "file_id": file_id,
                "file_unique_id": "u" + file_id,
                "file_name": file_name,
                "file_size": len(data),
            },
        }
        with self.cond:
            self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _m_editMessageText(self, p: dict) -> dict | bool:
        if p.get("inline_message_id"):
            self._visible(p.get("text"), p.get("parse_mode"))
            return True
        chat = self._chat(p["chat_id"])
        key = (chat["id"], int(p["message_id"]))
        with self.cond:
            old = self.messages.get(key)
            if old is None:
                raise APIError(400, "Bad Request: message to edit not found")
            visible = self._visible(p.get("text"), p.get("parse_mode"))
            self._check_markup(p.get("reply_markup"))
            if old.get("_html") == p.get("text") and old.get("reply_markup") == p.get(
                "reply_markup"
            ):
                raise APIError(
                    400,
                    "Bad Request: message is not modified: specified new message "
                    "content and reply markup are exactly the same",
                )
            new = {**old, "text": visible, "_html": p.get("text"), "edit_date": int(time.time())}
            new.pop("reply_markup", None)
            if p.get("reply_markup"):
                new["reply_markup"] = p["reply_markup"]
            self.messages[key] = new
        return {k: v for k, v in new.items() if not k.startswith("_")}

    def _m_editMessageReplyMarkup(self, p: dict) -> dict:
        key = (int(p["chat_id"]), int(p["message_id"]))
        with self.cond:
            old = self.messages.get(key)
            if old is None:
                raise APIError(400, "Bad Request: message to edit not found")
            self._check_markup(p.get("reply_markup"))
            new = {**old}
            new.pop("reply_markup", None)
            if p.get("reply_markup"):
                new["reply_markup"] = p["reply_markup"]
            self.messages[key] = new
        return {k: v for k, v in new.items() if not k.startswith("_")}

    def _m_answerInlineQuery(self, p: dict) -> bool:
        results = p.get("results") or []
        if isinstance(results, str):
            results = json.loads(results)
        if len(results) > 50:
            raise APIError(400, "Bad Request: RESULTS_TOO_MUCH")
        for result in results:
            if not 1 <= len(str(result.get("id", "")).encode()) <= 64:
                raise APIError(400, "Bad Request: RESULT_ID_INVALID")
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                self._visible(content["message_text"], content.get("parse_mode"))
        return True

    def _m_getChatMember(self, p: dict) -> dict:
        chat_id, user_id = int(p["chat_id"]), int(p["user_id"])
        status = self.members.get((chat_id, user_id), "member")
        user = self._users.get(
            user_id, {"id": user_id, "is_bot": False, "first_name": f"user{user_id}"}
        )
        return member_json(user, status)

    def _m_getChat(self, p: dict) -> dict:
        chat = self._chat(p["chat_id"])
        full = {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat["id"] in self.linked:
            full["linked_chat_id"] = self.linked[chat["id"]]
        return full

    def _m_getFile(self, p: dict) -> dict:
        file_id = str(p["file_id"])
        if file_id not in self.files:
            raise APIError(400, "Bad Request: invalid file_id")
        path, data = self.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_size": len(data),
            "file_path": path,
        }

    # -- client side: chats and users ----------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        language_code: str | None = "zh-hans",
        username: str | None = None,
    ) -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        if username:
            user["username"] = username
        self._users[user_id] = user
        return user

    def private(self, user: dict) -> dict:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        self.chats[chat["id"]] = chat
        return chat

    def group(
        self, chat_id: int, title: str = "Test group", *, linked_to: int | None = None
    ) -> dict:
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        self.chats[chat_id] = chat
        if linked_to is not None:
            self.linked[chat_id] = linked_to
            self.linked[linked_to] = chat_id
        return chat

    def channel(self, chat_id: int, title: str, username: str | None = None) -> dict:
        chat = {"id": chat_id, "type": "channel", "title": title}
        if username:
            chat["username"] = username
        self.chats[chat_id] = chat
        return chat

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """status: creator, administrator, member, left."""
        self.members[(chat_id, user_id)] = status

    def add_file(self, file_id: str, data: bytes, path: str | None = None) -> None:
        self.files[file_id] = (path or f"documents/{file_id}", data)

    # -- client side: updates ----------------------------------------------------------------

    def _queue(self, payload: dict) -> dict:
        with self.cond:
            update = {"update_id": next(self._update_ids), **payload}
            self.pending.append(update)
            self.cond.notify_all()
        return update

    def message(
        self,
        chat: dict,
        user: dict | None,
        text: str | None = None,
        *,
        reply_to: dict | None = None,
        sender_chat: dict | None = None,
        document: dict | None = None,
        caption: str | None = None,
        is_automatic_forward: bool = False,
        message_id: int | None = None,
    ) -> dict:
        """A message as a user would send it (entities filled in), recorded in the chat."""
        message: dict[str, Any] = {
            "message_id": message_id or self._next_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
        }
        if user is not None:
            message["from"] = user
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        if text is not None:
            message["text"] = text
            entities = _entities(text, self.username)
            if entities:
                message["entities"] = entities
        if caption is not None:
            message["caption"] = caption
            entities = _entities(caption, self.username)
            if entities:
                message["caption_entities"] = entities
        if document is not None:
            message["document"] = document
        if reply_to is not None:
            message["reply_to_message"] = {
                k: v
                for k, v in reply_to.items()
                if not k.startswith("_") and k != "reply_to_message"
            }
        if is_automatic_forward:
            message["is_automatic_forward"] = True
        with self.cond:
            self.messages[(chat["id"], message["message_id"])] = message
        return message

    def text_update(self, chat: dict, user: dict | None, text: str, **kw: Any) -> dict:
        """Queue a message update (for getUpdates) and return it."""
        return self._queue({"message": self.message(chat, user, text, **kw)})

    def document_update(
        self,
        chat: dict,
        user: dict,
        file_name: str,
        data: bytes,
        *,
        caption: str | None = None,
        declared_size: int | None = None,
    ) -> dict:
        file_id = f"f{len(self.files) + 1}"
        self.add_file(file_id, data, f"documents/{file_name}")
        document = {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_name": file_name,
            "mime_type": "text/plain",
            "file_size": declared_size if declared_size is not None else len(data),
        }
        return self._queue(
            {"message": self.message(chat, user, None, document=document, caption=caption)}
        )

    def channel_post_update(self, channel: dict, text: str, *, edit_of: int | None = None) -> dict:
        if edit_of is None:
            post = self.message(channel, None, text, sender_chat=channel)
            return self._queue({"channel_post": post})
        post = {
            **self.messages[(channel["id"], edit_of)],
            "text": text,
            "edit_date": int(time.time()),
        }
        self.messages[(channel["id"], edit_of)] = post
        return self._queue({"edited_channel_post": post})

    def press(self, user: dict, message: dict, data: str) -> dict:
        """Queue a callback query: ``user`` pressed the button with ``data`` under ``message``."""
        with self.cond:
            current = self.messages.get((message["chat"]["id"], message["message_id"]), message)
        clean = {k: v for k, v in current.items() if not k.startswith("_")}
        return self._queue(
            {
                "callback_query": {
                    "id": str(next(self._update_ids) * 7),
                    "from": user,
                    "message": clean,
                    "chat_instance": str(message["chat"]["id"]),
                    "data": data,
                }
            }
        )

    def inline_update(self, user: dict, query: str) -> dict:
        return self._queue(
            {
                "inline_query": {
                    "id": f"iq{len(self.calls)}{time.monotonic_ns()}",
                    "from": user,
                    "query": query,
                    "offset": "",
                }
            }
        )

    def my_chat_member_update(self, chat: dict, by: dict, old: str, new: str) -> dict:
        bot = self.bot_user()
        return self._queue(
            {
                "my_chat_member": {
                    "chat": chat,
                    "from": by,
                    "date": int(time.time()),
                    "old_chat_member": member_json(bot, old),
                    "new_chat_member": member_json(bot, new),
                }
            }
        )

    def chat_member_update(self, chat: dict, user: dict, old: str, new: str) -> dict:
        """Someone's membership changed (sent to bots that are admins, if asked for)."""
        self.set_member(chat["id"], user["id"], new)
        return self._queue(
            {
                "chat_member": {
                    "chat": chat,
                    "from": user,
                    "date": int(time.time()),
                    "old_chat_member": member_json(user, old),
                    "new_chat_member": member_json(user, new),
                }
            }
        )

    # -- client side: reading what the bot did ----------------------------------------------

    def calls_of(self, method: str, chat_id: int | None = None) -> list[Call]:
        with self.cond:
            if chat_id is not None:
                return list(self._by_chat.get((method, chat_id), []))
            return [c for c in self.calls if c.method == method]

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Successful sendMessage calls (to one chat)."""
        return [c for c in self.calls_of("sendMessage", chat_id) if c.error is None]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked whenever the bot calls); return it."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the bot did not do what was expected in time")
                self.cond.wait(min(left, 0.2))

    def wait_sent(
        self, chat_id: int, count: int = 1, timeout: float = 10.0, after: int = 0
    ) -> list[Call]:
        """Wait until the bot has sent at least ``count`` messages to a chat beyond ``after``."""
        return self.wait_for(
            lambda: (lambda s: s[after:] if len(s) - after >= count else None)(self.sent(chat_id)),
            timeout,
        )

    async def seconds_to_reply(self, chat_id: int, before: int, timeout: float) -> float | None:
        """For a bot on the same event loop: seconds until it has sent a chat more than
        ``before`` messages, or None after ``timeout`` (polls without blocking the loop)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if len(self.sent(chat_id)) > before:
                return time.monotonic() - started
            await asyncio.sleep(0.005)
        return None

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()


# -- transport 1: in-process BaseRequest ---------------------------------------------------------


class RecordingRequest(BaseRequest):
    """PTB's HTTP layer replaced: every call goes to a ``BotAPI`` and is recorded there."""

    def __init__(self, api: BotAPI):
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url,
        method,
        request_data=None,
        read_timeout=None,
        write_timeout=None,
        connect_timeout=None,
        pool_timeout=None,
    ):
        path = urllib.parse.urlsplit(url).path
        if "/file/bot" in path:
            data = self.api.file_bytes(urllib.parse.unquote(path.split("/", 3)[-1]))
            return (200, data) if data is not None else (404, b"Not Found")
        params = dict(request_data.parameters) if request_data is not None else {}
        if request_data is not None and request_data.multipart_data:
            # uploaded files (sendDocument): name -> (file name, bytes, mime type)
            params["_files"] = {
                name: (part[0], part[1]) for name, part in request_data.multipart_data.items()
            }
        try:
            status, body = self.api.call(path.rsplit("/", 1)[-1], dict(params))
        except DroppedConnection:
            from telegram.error import NetworkError

            raise NetworkError("stand-in: connection dropped without an answer") from None
        return status, json.dumps(body).encode()


# -- transport 2: HTTP server ----------------------------------------------------------------------


def _decode_value(name: str, raw: str) -> Any:
    if name in _STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class _Handler(BaseHTTPRequestHandler):
    server: StandinServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _params(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        ctype = self.headers.get("Content-Type", "")
        fields: dict[str, str] = dict(query)
        if ctype.startswith("application/json") and body:
            return {**fields, **json.loads(body)}
        if ctype.startswith("multipart/form-data"):
            msg = BytesParser(policy=HTTP).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body
            )
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name and not part.get_filename():
                    fields[name] = part.get_payload(decode=True).decode("utf-8")
        elif body:
            fields.update(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        return {k: _decode_value(k, v) for k, v in fields.items()}

    def _route(self) -> None:
        api = self.server.api
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        file_prefix = f"/file/bot{api.token}/"
        if path.startswith(file_prefix):
            data = api.file_bytes(path[len(file_prefix) :])
            if data is None:
                self._reply(404, b"Not Found", "text/plain")
            else:
                self._reply(200, data, "application/octet-stream")
            return
        prefix = f"/bot{api.token}/"
        if not path.startswith(prefix):
            self._reply(
                401,
                json.dumps(
                    {"ok": False, "error_code": 401, "description": "Unauthorized"}
                ).encode(),
            )
            return
        try:
            status, body = api.call(path[len(prefix) :], self._params())
        except DroppedConnection:
            self.close_connection = True  # hang up without a status line
            return
        self._reply(status, json.dumps(body, ensure_ascii=False).encode())

    do_GET = do_POST = _route


class StandinServer(ThreadingHTTPServer):
    """The stand-in on 127.0.0.1:<free port>; ``with StandinServer() as server: ...``."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, api: BotAPI | None = None, host: str = "127.0.0.1", port: int = 0):
        self.api = api or BotAPI()
        super().__init__((host, port), _Handler)
        self._thread: threading.Thread | None = None
        self._connections: set = set()
        self._connections_lock = threading.Lock()
        self.down = False

    @property
    def base_url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}/bot"

    @property
    def file_url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}/file/bot"

    def bot_env(self) -> dict[str, str]:
        """The environment of a ``python -m bot run`` process that talks to this stand-in."""
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": self.base_url,
            "TELEGRAM_API_FILE_URL": self.file_url,
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("TELEGRAM_WEBHOOK_SECRET", None)
        return env

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up mid long-poll (the bot stopping) is not an error."""
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)

    # -- outages: the port stops listening and open connections are reset -------------------

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def go_down(self) -> None:
        """The API becomes unreachable: connections are refused, open ones are cut."""
        import socket

        self.shutdown()
        self.socket.close()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.down = True

    def come_back(self) -> None:
        """Listen again on the same port."""
        import socket

        self.socket = socket.socket(self.address_family, self.socket_type)
        self.server_bind()
        self.server_activate()
        self.down = False
        self.start()

    def start(self) -> StandinServer:
        self._thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="botapi-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.api.close()
        if not self.down:
            self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> StandinServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # a manual stand-in: python tests/botapi_standin.py [port]
    import sys

    with StandinServer(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8081) as server:
        print(f"Bot API stand-in at {server.base_url} (token {TOKEN}); Ctrl-C to stop", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
