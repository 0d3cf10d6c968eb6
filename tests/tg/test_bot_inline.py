"""Inline mode: @bot question in any chat."""

from __future__ import annotations

from test_bot_admin import ARTICLE

from bot.ingest.parsing import parse_bytes
from bot.models import chat_scope


async def test_inline_query_returns_quote_articles(api, feed, library):
    user = api.user(5001)
    await feed(api.inline_update(user, "两江新区和天府新区要共同建设什么"))
    [call] = api.calls_of("answerInlineQuery")
    results = call.params["results"]
    assert 1 <= len(results) <= 10
    [article_id] = library.store.ids("shared")
    title = library.get_article(article_id).title
    for result in results:
        assert result["type"] == "article"
        assert result["title"] == title
        assert result["description"]
        content = result["input_message_content"]
        assert "<blockquote>" in content["message_text"] and "严薇" in content["message_text"]
        assert content["parse_mode"] == "HTML"
        assert content["link_preview_options"] == {"is_disabled": True}
    assert len({r["id"] for r in results}) == len(results)
    assert call.params.get("is_personal") in (False, None)
    assert 0 < call.params["cache_time"] <= 60


async def test_inline_is_personal_when_the_user_has_private_articles(api, feed, library):
    user = api.user(5002)
    [article] = parse_bytes(ARTICLE, name="museum.txt")
    library.add_article(article, chat_scope(5002))
    await feed(api.inline_update(user, "火锅博物馆每天限流多少人"))
    [call] = api.calls_of("answerInlineQuery")
    assert call.params["is_personal"] is True
    assert any(
        "三千人" in r["input_message_content"]["message_text"] for r in call.params["results"]
    )
    # another user does not get someone else's private article
    await feed(api.inline_update(api.user(5003), "火锅博物馆每天限流多少人"))
    other = api.calls_of("answerInlineQuery")[-1]
    assert not any(
        "三千人" in r["input_message_content"]["message_text"] for r in other.params["results"]
    )


async def test_empty_inline_query_gets_no_results(api, feed):
    await feed(api.inline_update(api.user(5004), "   "))
    [call] = api.calls_of("answerInlineQuery")
    assert call.params["results"] == []


async def test_inline_results_offer_the_full_article_as_a_deep_link(api, feed, library):
    user = api.user(5003)
    await feed(api.inline_update(user, "两江新区和天府新区要共同建设什么"))
    [call] = api.calls_of("answerInlineQuery")
    [article_id] = library.store.ids("shared")
    for result in call.params["results"]:
        [[link]] = result["reply_markup"]["inline_keyboard"]
        assert link["url"] == f"https://t.me/{api.username}?start=art_{article_id}"
    # following the link opens the article in the private chat
    await feed(api.text_update(api.private(user), user, f"/start art_{article_id}"))
    assert library.get_article(article_id).title in api.sent(5003)[-1].params["text"]
