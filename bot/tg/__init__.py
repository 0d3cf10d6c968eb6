"""The Telegram layer: the only package that imports ``telegram``.

Owns the application (``app``), its typed context and bot data (``context``), the button codec,
admin checks, rate limits, the retrying transport, the interface texts and the handlers (one
module per concern, wired by ``handlers.register``). May import everything else in ``bot``;
nothing outside ``tg`` imports it except the CLI's ``run`` command.
"""
