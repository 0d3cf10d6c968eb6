"""Building and running the Telegram Application (python-telegram-bot v22).

``build_application`` makes a ready Application around an open ``Library`` (tests inject a
request object instead of PTB's HTTP layer); ``run`` is what ``python -m bot run`` calls:
long polling, or PTB's webhook server when ``telegram.mode`` is ``webhook``.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import TYPE_CHECKING

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from ..config import Config, Secrets
from ..errors import BotError, ConfigError
from ..texts import t
from .access import AdminCheck
from .context import INLINE_BUDGET, BotApplication, BotContext, BotData
from .logs import install_redaction
from .ratelimit import BoundedRateLimiter, QuestionLimiter
from .state import ChatSettingsCache, MessageState
from .transport import RetryingRequest
from .updates import FairUpdateProcessor

if TYPE_CHECKING:
    from ..library import Library

log = logging.getLogger(__name__)


def api_urls(config: Config, secrets: Secrets) -> tuple[str | None, str | None]:
    """Bot API base and file URLs: the environment wins over the config.

    When only a base URL of the usual form ``http://host:port/bot`` is given, files are fetched
    from the same server (``http://host:port/file/bot``) rather than from api.telegram.org.
    """
    base = secrets.api_base_url or config.telegram.api_base_url
    files = secrets.api_file_url or config.telegram.api_file_url
    if base and not files and base.endswith("/bot"):
        files = base[: -len("bot")] + "file/bot"
    return base, files


def build_application(
    config: Config,
    library: Library,
    token: str,
    *,
    base_url: str | None = None,
    base_file_url: str | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limiter: bool = True,
) -> BotApplication:
    """The Application with every handler registered, around an open Library."""
    from . import handlers

    builder = (
        ApplicationBuilder()
        .token(token)
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        .concurrent_updates(FairUpdateProcessor())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    # PTB's HTTP layer wrapped so a 429/5xx or a refused connection is retried with backoff
    # (bot/transport.py); tests inject their own request objects instead.
    builder = builder.request(
        request if request is not None else RetryingRequest(HTTPXRequest(connection_pool_size=256))
    )
    builder = builder.get_updates_request(
        get_updates_request
        if get_updates_request is not None
        else RetryingRequest(HTTPXRequest(connection_pool_size=1))
    )
    if rate_limiter:
        # ≈30 messages/s overall and 20/min per group; a message that cannot be sent within
        # 10 s is dropped instead of holding an update slot (bot/tg/ratelimit.py).
        # (PTB types the builder's rate limiter by its request data; ours is an int, as PTB's)
        builder = builder.rate_limiter(BoundedRateLimiter())  # type: ignore[arg-type]
    application: BotApplication = builder.build()
    data = application.bot_data
    data.library = library
    data.config = config
    limits = config.telegram.limits
    data.limiter = QuestionLimiter(limits.questions_per_window, limits.window_seconds)
    data.inline_limiter = QuestionLimiter(
        limits.questions_per_window * INLINE_BUDGET, limits.window_seconds
    )
    data.admins = AdminCheck(config.telegram.owners, config.telegram.admin_cache_seconds)
    data.chat_settings = ChatSettingsCache(library.store)
    data.messages = MessageState(library.store)
    handlers.register(application)
    return application


def command_menus(lang: str) -> dict[str, list[BotCommand]]:
    """The command menus per scope, in the default interface language."""

    def cmds(*names: str) -> list[BotCommand]:
        return [BotCommand(name, t(f"cmd_{name}", lang)) for name in names]

    # What chat admins manage, in private chats and in the groups' admin menus alike.
    managing = ("add", "list", "remove", "fix", "settings", "follow", "feeds", "unfollow")
    return {
        "private": cmds("start", "help", "about", *managing),
        "groups": cmds("ask", "help", "about"),
        "admins": cmds("ask", "help", "about", *managing),
    }


async def _post_init(application: Application) -> None:
    """Sets the command menus per scope; a failure is logged, never fatal."""
    config: Config = application.bot_data.config
    menus = command_menus(config.telegram.default_language)
    scopes = {
        "private": BotCommandScopeAllPrivateChats(),
        "groups": BotCommandScopeAllGroupChats(),
        "admins": BotCommandScopeAllChatAdministrators(),
    }
    for name, scope in scopes.items():
        try:
            await application.bot.set_my_commands(menus[name], scope=scope)
        except TelegramError as exc:
            log.warning("could not set the %s command menu: %s", name, exc)
    # A plain asyncio task: PTB's create_task warns before the application is running.
    application.bot_data.flush_task = asyncio.get_running_loop().create_task(
        _flush_index_periodically(application), name="flush-index"
    )
    application.bot_data.link_task = asyncio.get_running_loop().create_task(
        recheck_links_periodically(application), name="recheck-links"
    )
    log.info("bot @%s ready", application.bot.username)


INDEX_FLUSH_SECONDS = 10
#: How often every stored channel link is checked against getChat, and the pause between two
#: getChat calls (a few hundred linked chats take minutes, never a burst).
LINK_RECHECK_SECONDS = 6 * 3600
LINK_RECHECK_PAUSE = 1.0


async def recheck_links_periodically(
    application: Application,
    *,
    every: float = LINK_RECHECK_SECONDS,
    pause: float = LINK_RECHECK_PAUSE,
) -> None:
    """A group unlinked from its channel (or a channel from its group) while the bot was not
    told: the stored link is cleared when getChat no longer reports it."""
    from .handlers.channels import recheck_link

    data = application.bot_data
    while True:
        await asyncio.sleep(every)
        try:
            linked = await asyncio.to_thread(data.library.linked_chats)
        except BotError as exc:
            log.warning("channel links not re-checked: %s", exc)
            continue
        for chat_id in linked:
            await recheck_link(application.bot, data.chat_settings, chat_id)
            await asyncio.sleep(pause)


async def _post_shutdown(application: Application) -> None:
    """Stops the periodic tasks, closes the feed poller's connections and writes the index
    one last time."""
    from .handlers.feeds import close_poller

    for task in (application.bot_data.flush_task, application.bot_data.link_task):
        if task is not None:
            task.cancel()
    await close_poller(application.bot_data.library)
    await asyncio.to_thread(application.bot_data.library.flush)


async def _flush_index_periodically(application: Application) -> None:
    """Writes a changed large index to disk now and then (small ones are saved at once)."""
    library = application.bot_data.library
    while True:
        await asyncio.sleep(INDEX_FLUSH_SECONDS)
        await asyncio.to_thread(library.flush)


def redact_logs(*secrets: str | None) -> None:
    """Redact the secrets from every log record (bot/tg/logs.py); quiet httpx's URL logging."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO)
    install_redaction(*secrets)


def run(config: Config, secrets: Secrets) -> None:
    """Run the bot until interrupted: long polling, or a webhook server per the config."""
    if not secrets.bot_token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set (put the bot token from @BotFather in the environment)"
        )
    webhook = config.telegram.mode == "webhook"
    if webhook and not secrets.webhook_secret:
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET is not set (required when telegram.mode is webhook)"
        )
    redact_logs(secrets.bot_token, secrets.webhook_secret)
    from ..library import Library

    library = Library.open(config)
    for problem in library.problems:
        log.warning("corpus: %s", problem)
    base_url, file_url = api_urls(config, secrets)
    # Benchmarks only (bench/load_test.py): TELEGRAM_RATE_LIMITER=off drops PTB's
    # AIORateLimiter (30 msg/s overall, 20 msg/min per group) to measure the bot itself.
    limited = os.environ.get("TELEGRAM_RATE_LIMITER", "on").strip().lower() not in (
        "off",
        "0",
        "false",
        "no",
    )
    if not limited:
        log.warning("TELEGRAM_RATE_LIMITER=off: Telegram's flood limits are not respected")
    application = build_application(
        config,
        library,
        secrets.bot_token,
        base_url=base_url,
        base_file_url=file_url,
        rate_limiter=limited,
    )
    updates = list(Update.ALL_TYPES)
    try:
        if webhook:
            hook = config.telegram.webhook
            public = (hook.public_url or "").rstrip("/")
            path = hook.path.strip("/")
            url = public if public.endswith("/" + path) else f"{public}/{path}"
            application.run_webhook(
                listen=hook.listen,
                port=hook.port,
                url_path=path,
                webhook_url=url,
                secret_token=secrets.webhook_secret,
                allowed_updates=updates,
                drop_pending_updates=False,
            )
        else:
            application.run_polling(allowed_updates=updates, drop_pending_updates=False)
    except InvalidToken:
        # PTB's own message quotes the token ("The token `…` was rejected by the server").
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN was rejected by the Bot API (revoked or mistyped?)"
        ) from None
    except TelegramError as exc:
        # Start-up failures (getMe, setWebhook) end the process: one line, secrets removed.
        text = str(exc)
        for secret in (secrets.bot_token, secrets.webhook_secret):
            if secret:
                text = text.replace(secret, "<redacted>")
        raise ConfigError(
            f"the Bot API failed at start-up: {exc.__class__.__name__}: {text}"
        ) from None
    finally:
        library.close()
