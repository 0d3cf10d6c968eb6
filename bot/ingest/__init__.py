"""Ingest: bytes in, ``Article`` out.

Owns decoding, cleaning, HTML page reading, credits (byline, source, dates) and the formats
(plain text, HTML, front matter, JSON/JSONL). May import ``bot.models``, ``bot.errors`` and
``bot.config``; never ``search``, ``answers``, ``tg``, the store or the library.
"""
