"""Answers: hits in, what the reader sees out.

Owns the answerer (question → ``AnswerSet``), excerpts, rendering to plain text and Telegram
HTML, and the Telegram-HTML helpers (escaping, UTF-16 length, the validator). May import
``bot.models``, ``bot.errors``, ``bot.config``, ``bot.texts`` and ``bot.search``; never ``tg``,
the store or the library (articles arrive through the ``ArticleLookup`` protocol).
"""
