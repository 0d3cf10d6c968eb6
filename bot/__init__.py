"""News-quote bot: answers questions about news articles by quoting them, with credit.

The public surface is small: ``Library`` (open a corpus, ask, add and remove articles),
``load_config``, the parsing entry points, and the exception tree in ``bot.errors``.
"""

from .errors import BotError

__all__ = ["BotError"]
