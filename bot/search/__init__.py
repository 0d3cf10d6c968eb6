"""Search: tokens in, hits out.

Owns segmentation (``segment``), the ``SearchIndex`` interface and its types (``base``), the
pure BM25Okapi scoring functions (``scoring``), the in-memory inverted index (``bm25``) and its
on-disk form (``storage``). A second backend implements ``base.SearchIndex`` beside ``bm25``.
May import ``bot.errors``, ``bot.config`` and ``bot.ingest.cleaning`` (character
normalisation, shared by documents and questions); never ``answers``, ``tg`` or the store.
"""
