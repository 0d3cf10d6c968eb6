"""Issue 12 in the library: no squatting of channel-post ids, no id oracle, storage quotas."""

from __future__ import annotations

import logging

import pytest

# -- channel-post squatting and the id oracle ------------------------------------------------------

POST = (
    "熊猫基地新添双胞胎\n记者 赵六\n\n"
    "成都大熊猫繁育研究基地今天宣布，一对大熊猫双胞胎在基地顺利出生，母子平安。"
)


async def test_a_chosen_id_cannot_squat_a_future_channel_post(api, feed, library):
    """A JSONL record choosing ``tg<channel>m1`` used to make the channel's first post vanish."""
    import json

    from bot.models import chat_scope
    from bot.tg.handlers.channels import channel_article_id

    squatted = channel_article_id(-100_950, 1)
    user = api.user(3101)
    record = {"id": squatted, "title": "抢注", "text": "抢先占用频道帖子编号的一篇文章，内容随意。"}
    await feed(
        api.document_update(
            api.private(user), user, "squat.jsonl", json.dumps(record, ensure_ascii=False).encode()
        )
    )
    assert library.count_articles(chat_scope(3101)) == 1
    assert library.scope_of(squatted) is None  # the id stays free
    [mine] = library.list_articles(chat_scope(3101))
    assert library.shown_id(mine.id, chat_scope(3101)) == squatted  # the user still sees it
    channel = api.channel(-100_950, "熊猫频道")
    await feed(api.my_chat_member_update(channel, api.user(3102), "left", "administrator"))
    update = api.channel_post_update(channel, POST)
    assert update["channel_post"]["message_id"] == 1
    await feed(update)
    assert library.scope_of(squatted) == chat_scope(-100_950)
    # and the squatter can still remove theirs by the id they gave
    await feed(api.text_update(api.private(user), user, f"/remove {squatted}"))
    assert library.count_articles(chat_scope(3101)) == 0
    assert library.scope_of(squatted) == chat_scope(-100_950)


def test_reserved_ids_are_qualified_in_any_other_scope(library):
    from bot.ids import reserved_elsewhere
    from bot.models import chat_scope

    assert reserved_elsewhere("tg100950m1", chat_scope(5))
    assert reserved_elsewhere("TG100950M1", chat_scope(-100_950))  # not the bot's spelling
    assert reserved_elsewhere("tg1x", chat_scope(-1))
    assert not reserved_elsewhere("tg100950m1", chat_scope(-100_950))  # the channel's own post
    assert not reserved_elsewhere("tgif", chat_scope(5))  # no digit: an ordinary id


async def test_the_id_a_chat_gets_does_not_reveal_that_the_text_exists_elsewhere(library):
    """An /add of text another chat holds used to come back as ``<id>-7c75e7``."""
    from bot.ingest.parsing import parse_text
    from bot.models import chat_scope

    article = parse_text("独家稿件\n\n这是一篇只有甲群才有的独家稿件，正文足够长，可以入库。")
    alone = library.add_article(article, chat_scope(1))
    assert library.shown_id(alone.id, chat_scope(1)) == article.id
    second = library.add_article(article, chat_scope(2))
    assert second.id != alone.id  # two copies, two stored ids...
    assert library.shown_id(second.id, chat_scope(2)) == article.id  # ...one id shown
    assert library.remove_article(article.id, chat_scope(2))  # removed by that id
    assert library.scope_of(alone.id) == chat_scope(1)


def test_articles_stored_under_a_reserved_id_move_and_stay_removable(tmp_path, caplog):
    from conftest import make_bot_config

    from bot.library import STORE_FILE, Library
    from bot.models import Article, Paragraph, chat_scope
    from bot.store import ArticleStore

    config = make_bot_config(tmp_path / "data")
    (tmp_path / "data").mkdir()
    store = ArticleStore(tmp_path / "data" / STORE_FILE)  # as an older version stored it
    store.put(
        Article(
            id="tg100950m1",
            title="旧",
            paragraphs=[Paragraph("tg100950m1#0", "旧版本存下的一篇文章，占用了频道帖子的编号。")],
        ),
        chat_scope(7),
    )
    store.close()
    with caplog.at_level(logging.WARNING), Library.open(config) as library:
        assert library.scope_of("tg100950m1") is None
        assert "reserved" in caplog.text and "tg100950m1" in caplog.text
        [moved] = library.list_articles(chat_scope(7))
        assert library.shown_id(moved.id, chat_scope(7)) == "tg100950m1"
        assert moved.paragraphs[0].id == moved.id + "#0"
        assert library.ask("频道帖子的编号", scopes={chat_scope(7)}).answers
        assert library.remove_article("tg100950m1", chat_scope(7))


# -- quotas --------------------------------------------------------------------------------------


def _quota_config(tmp_path, **limits):
    import dataclasses

    from conftest import make_bot_config

    config = make_bot_config(tmp_path / "data")
    telegram = dataclasses.replace(
        config.telegram, limits=dataclasses.replace(config.telegram.limits, **limits)
    )
    return dataclasses.replace(config, telegram=telegram)


def _article(n: int, size: int):
    from bot.models import Article, Paragraph

    text = f"第{n}篇：" + "长" * size
    return Article(id=f"q{n}", title=f"标题{n}", paragraphs=[Paragraph(f"q{n}#0", text)])


def test_a_chat_byte_quota_refuses_with_one_clear_line(tmp_path):
    from bot.errors import QuotaExceeded
    from bot.ids import stored_size
    from bot.library import Library
    from bot.models import SHARED_SCOPE, chat_scope

    size = stored_size(_article(0, 1000))
    config = _quota_config(tmp_path, max_bytes_per_chat=size * 2 + 10)
    with Library.open(config) as library:
        library.add_article(_article(0, 1000), chat_scope(1))
        library.add_article(_article(1, 1000), chat_scope(1))
        with pytest.raises(QuotaExceeded) as refused:
            library.add_article(_article(2, 1000), chat_scope(1))
        error = refused.value
        assert error.key == "telegram.limits.max_bytes_per_chat" and "\n" not in str(error)
        assert "quota" in str(error) and "KB" in str(error)
        assert library.count_articles(chat_scope(1)) == 2  # nothing half-stored
        assert library.get_article("q2") is None
        library.add_article(_article(2, 1000), chat_scope(2))  # another chat: its own quota
        library.add_article(_article(0, 1000), chat_scope(1))  # replacing is not growing
        assert library.remove_article("q1", chat_scope(1))
        library.add_article(_article(3, 1000), chat_scope(1))  # room again
        library.add_article(_article(9, 5000), SHARED_SCOPE)  # the operator's corpus: free


def test_a_daily_upload_quota_per_user_across_chats(tmp_path, monkeypatch):
    import datetime as real_datetime

    import bot.library as library_module
    from bot.errors import QuotaExceeded
    from bot.ids import stored_size
    from bot.library import Library
    from bot.models import chat_scope

    size = stored_size(_article(0, 1000))
    config = _quota_config(tmp_path, max_upload_bytes_per_user_per_day=size * 2 + 10)
    with Library.open(config) as library:
        library.add_article(_article(0, 1000), chat_scope(-1), uploader=42)
        library.add_article(_article(1, 1000), chat_scope(-2), uploader=42)
        with pytest.raises(QuotaExceeded) as refused:
            library.add_article(_article(2, 1000), chat_scope(-3), uploader=42)
        assert refused.value.key == "telegram.limits.max_upload_bytes_per_user_per_day"
        library.add_article(_article(2, 1000), chat_scope(-3), uploader=43)  # someone else

        class Tomorrow(real_datetime.datetime):
            @classmethod
            def now(cls, tz=None):
                return real_datetime.datetime.now(tz) + real_datetime.timedelta(days=1)

        monkeypatch.setattr(library_module, "datetime", Tomorrow)
        library.add_article(_article(4, 1000), chat_scope(-3), uploader=42)  # a new day
    with Library.open(config) as library:  # kept on restart
        with pytest.raises(QuotaExceeded):
            for n in range(5, 8):
                library.add_article(_article(n, 1000), chat_scope(-3), uploader=42)


@pytest.mark.parametrize("key", ["max_bytes_per_chat", "max_upload_bytes_per_user_per_day"])
def test_quota_settings_are_validated_naming_the_key(key):
    from bot.config import parse_config
    from bot.errors import ConfigError

    assert (
        getattr(parse_config(f"telegram:\n  limits:\n    {key}: 5000\n").telegram.limits, key)
        == 5000
    )
    for bad in ("0", "-3", "lots", "1.5", "true"):
        with pytest.raises(ConfigError) as refused:
            parse_config(f"telegram:\n  limits:\n    {key}: {bad}\n")
        assert f"telegram.limits.{key}" in str(refused.value)


def test_quota_refusals_exist_in_every_language():
    from bot.texts import LANGUAGES, TEXTS, t

    for key in ("quota_chat", "quota_user"):
        assert set(TEXTS[key]) == set(LANGUAGES)
        for lang in LANGUAGES:
            assert "2.0 MB" in t(key, lang, used="1.5 MB", limit="2.0 MB")


def test_a_long_chosen_id_is_shown_the_same_whether_or_not_it_exists_elsewhere(library):
    from dataclasses import replace

    from bot.ingest.parsing import parse_text
    from bot.models import chat_scope

    article = parse_text("长编号稿件\n\n这是一篇编号很长的稿件，正文足够长，可以入库。")
    long_id = "x" * 64
    alone = library.add_article(replace(article, id=long_id), chat_scope(11))
    library.add_article(replace(article, id="y" * 64), chat_scope(12))
    collided = library.add_article(replace(article, id=long_id), chat_scope(13))
    fresh = library.add_article(replace(article, id="y" * 63 + "z"), chat_scope(13))
    shown = [
        library.shown_id(alone.id, chat_scope(11)),
        library.shown_id(collided.id, chat_scope(13)),
        library.shown_id(fresh.id, chat_scope(13)),
    ]
    assert shown[0] == shown[1] and len(shown[1]) == len(shown[2])  # nothing tells them apart
    assert library.remove_article(long_id, chat_scope(13))  # removable by the given id
    assert library.scope_of(alone.id) == chat_scope(11)


def test_a_migrated_group_keeps_the_ids_it_gave(library):
    from bot.ingest.parsing import parse_text
    from bot.models import chat_scope

    article = parse_text("迁移稿件\n\n这是一篇群组升级前添加的稿件，正文足够长，可以入库。")
    library.add_article(article, chat_scope(-21))  # another chat has it first
    mine = library.add_article(article, chat_scope(-22))
    assert library.shown_id(mine.id, chat_scope(-22)) == article.id
    assert library.move_chat(-22, -100_22) == 1
    [moved] = library.list_articles(chat_scope(-100_22))
    assert library.shown_id(moved.id, chat_scope(-100_22)) == article.id
    assert library.ask("群组升级前添加的稿件", scopes={chat_scope(-100_22)}).answers
    assert library.remove_article(article.id, chat_scope(-100_22))
    assert library.count_articles(chat_scope(-21)) == 1


def test_a_batch_of_feed_articles_fits_the_chat_byte_quota_whole_or_not_at_all(tmp_path):
    from bot.errors import QuotaExceeded
    from bot.ids import stored_size
    from bot.library import Library
    from bot.models import chat_scope

    size = stored_size(_article(0, 1000))
    config = _quota_config(tmp_path, max_bytes_per_chat=size * 2 + 10)
    with Library.open(config) as library:
        stored = library.add_articles([_article(0, 1000), _article(1, 1000)], chat_scope(1))
        assert [a.id for a in stored] == ["q0", "q1"]
        # the same two again replace themselves: not growing
        library.add_articles([_article(0, 1000), _article(1, 1000)], chat_scope(1))
        with pytest.raises(QuotaExceeded):
            library.add_articles([_article(2, 1000), _article(3, 1000)], chat_scope(1))
        assert library.count_articles(chat_scope(1)) == 2 and library.get_article("q2") is None
