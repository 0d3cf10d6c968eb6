"""Every piece of interface text the bot sends, in zh-hans, zh-hant and en.

Quotes are never translated: they stay in the article's own characters. Only the
interface around them (help, refusals, button labels …) follows the user's language.
Texts are Telegram HTML; values put into them with ``t(..., **values)`` must already be
escaped by the caller (``bot.answers.markup.esc``). Pure data and lookups: imported by
``answers`` (credit labels, "not found") and ``tg`` (everything else), importing neither.
"""

from __future__ import annotations

LANGUAGES = ("zh-hans", "zh-hant", "en")

_HANT_CODES = {"zh-hant", "zh-tw", "zh-hk", "zh-mo"}


def pick_language(language_code: str | None, default: str = "zh-hans") -> str:
    """The interface language for a Telegram ``language_code`` (None: the default)."""
    if not language_code:
        return default
    code = language_code.strip().lower().replace("_", "-")
    if code in _HANT_CODES or code.startswith(("zh-hant", "zh-tw", "zh-hk", "zh-mo")):
        return "zh-hant"
    if code == "zh" or code.startswith("zh-"):
        return "zh-hans"
    return "en"


TEXTS: dict[str, dict[str, str]] = {
    # --- credit lines and "not found" (answers.render) --------------------------------
    "credit_reporters": {"zh-hans": "记者", "zh-hant": "記者", "en": "Reporters"},
    "credit_names_sep": {"zh-hans": "、", "zh-hant": "、", "en": ", "},
    "credit_link": {"zh-hans": "原文", "zh-hant": "原文", "en": "Original article"},
    "credit_unknown_source": {
        "zh-hans": "出处未注明",
        "zh-hant": "出處未註明",
        "en": "source not stated",
    },
    "credit_no_answer": {
        "zh-hans": "没有找到能回答“{question}”的段落。",
        "zh-hant": "沒有找到能回答「{question}」的段落。",
        "en": "No paragraph answers “{question}”.",
    },
    "credit_no_answer_plain": {
        "zh-hans": "没有找到能回答“{question}”的段落。",
        "zh-hant": "沒有找到能回答「{question}」的段落。",
        "en": "No paragraph answers “{question}”.",
    },
    "credit_try": {
        "zh-hans": "可以换个问法试试：",
        "zh-hant": "可以換個問法試試：",
        "en": "Try asking differently:",
    },
    "credit_tips": {
        "zh-hans": "用更少或别的关键词，例如只留下最关键的两三个词\n写上人名、地名或机构名，例如“两江新区”“李彩桦”\n繁体、简体都能搜到，不必转换\n问文章本身，例如“这篇文章的记者是谁？”“什么时候发布的？”",
        "zh-hant": "用更少或別的關鍵詞，例如只留下最關鍵的兩三個詞\n寫上人名、地名或機構名，例如「兩江新區」「李彩樺」\n繁體、簡體都能搜到，不必轉換\n問文章本身，例如「這篇文章的記者是誰？」「什麼時候發布的？」",
        "en": "use fewer or other key words — keep the two or three that matter\nnames of people, places or organisations help, e.g. 两江新区\nsimplified and traditional characters both work; no need to convert\nask about an article itself: “who wrote this?”, “when was it published?”",
    },
    # --- answers that are not quotes (answers.render; statuses of AnswerSet) ------------
    "answer_not_found": {
        "zh-hans": "资料库里没有找到足够可靠的答案，所以不引用。",
        "zh-hant": "資料庫裡沒有找到足夠可靠的答案，所以不引用。",
        "en": "The corpus holds no answer I can vouch for, so I quote nothing.",
    },
    "answer_covers": {
        "zh-hans": "资料库里与此最接近的文章：",
        "zh-hant": "資料庫裡與此最接近的文章：",
        "en": "Closest articles in the corpus:",
    },
    "answer_about_hint": {
        "zh-hans": "/about 查看资料库收录了什么。",
        "zh-hant": "/about 查看資料庫收錄了什麼。",
        "en": "/about shows what the corpus holds.",
    },
    "answer_chitchat": {
        "zh-hans": "我只回答新闻资料库里的问题，例如：{example}",
        "zh-hant": "我只回答新聞資料庫裡的問題，例如：{example}",
        "en": "I only answer questions about the news corpus, e.g. {example}",
    },
    "answer_other_language": {
        "zh-hans": "资料库里的文章都是中文的，用这种语言的问题找不到答案。请用中文提问。",
        "zh-hant": "資料庫裡的文章都是中文的，用這種語言的問題找不到答案。請用中文提問。",
        "en": "The corpus holds Chinese articles only, so a question in another language finds "
        "nothing. Please ask in Chinese.",
    },
    "answer_unclear_article": {
        "zh-hans": "不清楚你问的是哪篇文章，请写出标题或文章里的关键词。",
        "zh-hant": "不清楚你問的是哪篇文章，請寫出標題或文章裡的關鍵詞。",
        "en": "I can't tell which article you mean: give its title or words from it.",
    },
    "answer_not_in_article": {
        "zh-hans": "这篇文章里没有找到答案。",
        "zh-hant": "這篇文章裡沒有找到答案。",
        "en": "This article holds no answer to that.",
    },
    "answer_also_in": {"zh-hans": "也见于", "zh-hant": "也見於", "en": "also in"},
    "btn_search_all": {
        "zh-hans": "搜索全部文章",
        "zh-hant": "搜尋全部文章",
        "en": "Search all articles",
    },
    # --- labels of metadata answers (answers.metadata) --------------------------------
    "meta_reporters": {"zh-hans": "记者", "zh-hant": "記者", "en": "Reporters"},
    "meta_photographers": {"zh-hans": "摄影", "zh-hant": "攝影", "en": "Photos"},
    "meta_date": {"zh-hans": "发布时间", "zh-hant": "發布時間", "en": "Published"},
    "meta_source": {"zh-hans": "来源", "zh-hant": "來源", "en": "Source"},
    "meta_unknown": {"zh-hans": "未注明", "zh-hant": "未註明", "en": "not stated"},
    "meta_sep": {"zh-hans": "、", "zh-hant": "、", "en": ", "},
    "meta_colon": {"zh-hans": "：", "zh-hant": "：", "en": ": "},
    "meta_join": {"zh-hans": "；", "zh-hant": "；", "en": "; "},
    # --- buttons -----------------------------------------------------------------------
    "btn_more": {"zh-hans": "更多", "zh-hant": "更多", "en": "More"},
    "btn_full": {"zh-hans": "全文", "zh-hant": "全文", "en": "Full article"},
    "btn_prev": {"zh-hans": "« 上一页", "zh-hant": "« 上一頁", "en": "« Previous"},
    "btn_next": {"zh-hans": "下一页 »", "zh-hant": "下一頁 »", "en": "Next »"},
    # --- start / help / about ----------------------------------------------------------
    "start": {
        "zh-hans": "你好！我用新闻原文回答问题：引用回答问题的段落，并注明记者和媒体。\n"
        "直接发问题给我即可，例如：<i>{example}</i>\n/help 查看用法，/about 查看资料库。",
        "zh-hant": "你好！我用新聞原文回答問題：引用回答問題的段落，並註明記者和媒體。\n"
        "直接把問題發給我即可，例如：<i>{example}</i>\n/help 查看用法，/about 查看資料庫。",
        "en": "Hello! I answer questions about news articles by quoting the paragraphs that "
        "answer them, credited to their reporters and outlet.\n"
        "Just send me a question, e.g. <i>{example}</i>\n/help for usage, /about for the corpus.",
    },
    "help": {
        "zh-hans": "<b>用法</b>\n"
        "• 私聊：直接发送问题。\n"
        "• 群组：<code>/ask 问题</code>、<code>@{bot} 问题</code>，或回复我的消息追问。\n"
        "• 任意聊天：输入 <code>@{bot} 问题</code> 使用内联模式。\n"
        "例如：\n<code>{example}</code>\n<code>这篇报道的记者是谁？</code>\n"
        "管理员：/add（附上文件、链接，或回复一篇文章）、/fix（更正标题、来源、记者、日期）、/remove、/list、"
        "/settings；/follow 订阅 RSS/Atom，/feeds 查看订阅。",
        "zh-hant": "<b>用法</b>\n"
        "• 私聊：直接發送問題。\n"
        "• 群組：<code>/ask 問題</code>、<code>@{bot} 問題</code>，或回覆我的訊息追問。\n"
        "• 任意聊天：輸入 <code>@{bot} 問題</code> 使用內聯模式。\n"
        "例如：\n<code>{example}</code>\n<code>這篇報道的記者是誰？</code>\n"
        "管理員：/add（附上檔案、連結，或回覆一篇文章）、/fix（更正標題、來源、記者、日期）、/remove、/list、"
        "/settings；/follow 訂閱 RSS/Atom，/feeds 查看訂閱。",
        "en": "<b>How to ask</b>\n"
        "• Private chat: just send a question.\n"
        "• Groups: <code>/ask question</code>, <code>@{bot} question</code>, or reply to my message.\n"
        "• Any chat: type <code>@{bot} question</code> (inline mode).\n"
        "Examples:\n<code>{example}</code>\n<code>Who reported this story?</code>\n"
        "Admins: /add (a file, a link, or a reply to an article), /fix (correct title, source, "
        "reporters, date), /remove, /list, /settings; /follow an RSS/Atom feed, /feeds.",
    },
    "about": {
        "zh-hans": "<b>资料库</b>\n文章：{articles} 篇（{paragraphs} 段）\n来源：{sources}\n最新日期：{newest}",
        "zh-hant": "<b>資料庫</b>\n文章：{articles} 篇（{paragraphs} 段）\n來源：{sources}\n最新日期：{newest}",
        "en": "<b>Corpus</b>\nArticles: {articles} ({paragraphs} paragraphs)\nSources: {sources}\nNewest date: {newest}",
    },
    "none": {"zh-hans": "无", "zh-hant": "無", "en": "none"},
    "intro_group": {
        "zh-hans": "大家好！我用新闻原文回答问题，并注明记者和媒体。\n"
        "提问：<code>/ask 问题</code>、<code>@{bot} 问题</code>，或回复我的消息追问。\n"
        "给管理员：开启隐私模式时，我只能看到命令、对我的回复和提及我的消息；"
        "如需我看到全部消息，请在 BotFather 关闭隐私模式或将我设为管理员——"
        "即便如此，我也只在被叫到时回答。/help 查看更多。",
        "zh-hant": "大家好！我用新聞原文回答問題，並註明記者和媒體。\n"
        "提問：<code>/ask 問題</code>、<code>@{bot} 問題</code>，或回覆我的訊息追問。\n"
        "給管理員：開啟隱私模式時，我只能看到指令、對我的回覆和提及我的訊息；"
        "如需我看到全部訊息，請在 BotFather 關閉隱私模式或將我設為管理員——"
        "即便如此，我也只在被叫到時回答。/help 查看更多。",
        "en": "Hello everyone! I answer questions about news articles by quoting them, with credit.\n"
        "Ask with <code>/ask question</code>, <code>@{bot} question</code>, or reply to my message.\n"
        "For admins: with privacy mode on I only see commands, replies to me and mentions; "
        "turn it off in BotFather or make me an admin to let me see everything — "
        "I still only answer when addressed. /help for more.",
    },
    # --- questions ---------------------------------------------------------------------
    "no_answer": {
        "zh-hans": "没有找到回答这个问题的段落。换个说法试试？",
        "zh-hant": "沒有找到回答這個問題的段落。換個說法試試？",
        "en": "I found no paragraph that answers this. Try other words?",
    },
    "no_more": {
        "zh-hans": "没有更多相关段落了。",
        "zh-hant": "沒有更多相關段落了。",
        "en": "There are no more matching paragraphs.",
    },
    "too_long": {
        "zh-hans": "问题太长了（最多 {limit} 个字），请简短一些。",
        "zh-hant": "問題太長了（最多 {limit} 個字），請簡短一些。",
        "en": "That question is too long (at most {limit} characters); please shorten it.",
    },
    "empty_question": {
        "zh-hans": "请在命令后写上问题，例如：<code>/ask {example}</code>",
        "zh-hant": "請在指令後寫上問題，例如：<code>/ask {example}</code>",
        "en": "Please put a question after the command, e.g. <code>/ask {example}</code>",
    },
    "rate_limited": {
        "zh-hans": "问得太快了，请 {seconds} 秒后再试。",
        "zh-hant": "問得太快了，請 {seconds} 秒後再試。",
        "en": "You are asking a little fast; please try again in {seconds} s.",
    },
    "button_expired": {
        "zh-hans": "这个按钮已失效，请重新提问。",
        "zh-hant": "這個按鈕已失效，請重新提問。",
        "en": "This button has expired; please ask again.",
    },
    "article_missing": {
        "zh-hans": "找不到这篇文章（可能已被删除）。",
        "zh-hant": "找不到這篇文章（可能已被刪除）。",
        "en": "That article is not available (it may have been removed).",
    },
    "page_of": {
        "zh-hans": "第 {page}/{pages} 页",
        "zh-hant": "第 {page}/{pages} 頁",
        "en": "page {page}/{pages}",
    },
    # --- errors / refusals -------------------------------------------------------------
    "error": {
        "zh-hans": "抱歉，出了点问题，请稍后再试。",
        "zh-hant": "抱歉，出了點問題，請稍後再試。",
        "en": "Sorry, something went wrong; please try again later.",
    },
    "not_admin": {
        "zh-hans": "只有本聊天的管理员可以这样做。",
        "zh-hant": "只有本聊天的管理員可以這樣做。",
        "en": "Only admins of this chat can do that.",
    },
    "unknown_command": {
        "zh-hans": "不认识这个命令。/help 查看可用命令。",
        "zh-hant": "不認識這個指令。/help 查看可用指令。",
        "en": "I don't know that command. /help lists what I can do.",
    },
    "wrong_chat_channel": {
        "zh-hans": "频道里不能这样做；请在私聊或讨论组中使用。",
        "zh-hant": "頻道裡不能這樣做；請在私聊或討論組中使用。",
        "en": "That does not work in a channel; use it in a private chat or the discussion group.",
    },
    # --- /add /remove /list -----------------------------------------------------------
    "add_usage": {
        "zh-hans": "用法：发送文件（.txt .html .md .json .jsonl）并附上 /add，或用 /add 回复一条文章消息。",
        "zh-hant": "用法：發送檔案（.txt .html .md .json .jsonl）並附上 /add，或用 /add 回覆一則文章訊息。",
        "en": "Usage: send a file (.txt .html .md .json .jsonl) with /add as caption, "
        "or reply /add to a message holding an article.",
    },
    "add_bad_type": {
        "zh-hans": "不支持这种文件；请用 .txt、.html、.md、.json 或 .jsonl。",
        "zh-hant": "不支援這種檔案；請用 .txt、.html、.md、.json 或 .jsonl。",
        "en": "I can't read that kind of file; use .txt, .html, .md, .json or .jsonl.",
    },
    "add_too_big": {
        "zh-hans": "文件太大了（上限 {limit}）。",
        "zh-hant": "檔案太大了（上限 {limit}）。",
        "en": "That file is too large (limit {limit}).",
    },
    "add_full": {
        "zh-hans": "本聊天的文章已达上限（{limit} 篇）；请先用 /remove 删除一些。",
        "zh-hant": "本聊天的文章已達上限（{limit} 篇）；請先用 /remove 刪除一些。",
        "en": "This chat already holds the most articles allowed ({limit}); /remove some first.",
    },
    "quota_chat": {
        "zh-hans": "未添加：本聊天的文章已占用 {used}，再添加会超过 {limit} 的存储上限；请先用 /remove 删除一些。",
        "zh-hant": "未添加：本聊天的文章已佔用 {used}，再添加會超過 {limit} 的儲存上限；請先用 /remove 刪除一些。",
        "en": "Not added: this chat's articles take {used}; this would go over its {limit} "
        "storage quota. /remove some first.",
    },
    "quota_user": {
        "zh-hans": "未添加：你今天已添加 {used}，再添加会超过每天 {limit} 的上限；请明天再试。",
        "zh-hant": "未添加：你今天已添加 {used}，再添加會超過每天 {limit} 的上限；請明天再試。",
        "en": "Not added: you have added {used} today; this would go over the daily limit of "
        "{limit}. Please try again tomorrow.",
    },
    "add_failed": {
        "zh-hans": "无法读取这篇文章：{error}",
        "zh-hant": "無法讀取這篇文章：{error}",
        "en": "Could not read that article: {error}",
    },
    "store_read_only": {
        "zh-hans": "现在无法修改：机器人的存储只读或已损坏。已有的文章和设置不受影响，问题照常回答。",
        "zh-hant": "現在無法修改：機器人的儲存唯讀或已損壞。已有的文章和設定不受影響，問題照常回答。",
        "en": "Nothing can be changed right now: the bot's storage is read-only or damaged. "
        "Articles and settings already stored are not affected; questions are still answered.",
    },
    "add_not_saved": {
        "zh-hans": "未能保存（{count} 篇）：机器人的存储现在无法写入（磁盘已满或只读）。已有的文章不受影响；请稍后再试。",
        "zh-hant": "未能儲存（{count} 篇）：機器人的儲存現在無法寫入（磁碟已滿或唯讀）。已有的文章不受影響；請稍後再試。",
        "en": "Not saved ({count}): the bot's storage cannot be written right now (disk full or "
        "read-only). Articles already stored are not affected; please try again later.",
    },
    "added": {
        "zh-hans": "已添加：<b>{title}</b>\n来源：{source}\n记者：{reporters}\n日期：{date}\nID：<code>{id}</code>",
        "zh-hant": "已添加：<b>{title}</b>\n來源：{source}\n記者：{reporters}\n日期：{date}\nID：<code>{id}</code>",
        "en": "Added: <b>{title}</b>\nSource: {source}\nReporters: {reporters}\nDate: {date}\nID: <code>{id}</code>",
    },
    "added_more": {
        "zh-hans": "……另有 {count} 篇。",
        "zh-hant": "……另有 {count} 篇。",
        "en": "… and {count} more.",
    },
    "unknown": {"zh-hans": "未知", "zh-hant": "未知", "en": "unknown"},
    "untitled": {"zh-hans": "（无标题）", "zh-hant": "（無標題）", "en": "(untitled)"},
    "remove_usage": {
        "zh-hans": "用法：<code>/remove 文章ID</code>（/list 查看 ID）",
        "zh-hant": "用法：<code>/remove 文章ID</code>（/list 查看 ID）",
        "en": "Usage: <code>/remove ARTICLE_ID</code> (/list shows the ids)",
    },
    "removed": {
        "zh-hans": "已删除 <code>{id}</code>。",
        "zh-hant": "已刪除 <code>{id}</code>。",
        "en": "Removed <code>{id}</code>.",
    },
    "not_found": {
        "zh-hans": "本聊天没有 ID 为 <code>{id}</code> 的文章。",
        "zh-hant": "本聊天沒有 ID 為 <code>{id}</code> 的文章。",
        "en": "This chat has no article with id <code>{id}</code>.",
    },
    "list_empty": {
        "zh-hans": "本聊天还没有自己的文章。用 /add 添加。",
        "zh-hant": "本聊天還沒有自己的文章。用 /add 添加。",
        "en": "This chat has no articles of its own yet. Use /add.",
    },
    "list_head": {
        "zh-hans": "<b>本聊天的文章</b>（{first}–{last} / {total}）",
        "zh-hant": "<b>本聊天的文章</b>（{first}–{last} / {total}）",
        "en": "<b>This chat's articles</b> ({first}–{last} of {total})",
    },
    # --- /settings -----------------------------------------------------------------------
    "settings": {
        "zh-hans": "<b>设置</b>\n每条消息的引用数：{per_message}\n资料范围：{corpus}{ingest}\n"
        "也可用：<code>/settings per_message 1-5</code>、<code>/settings corpus both|shared|own</code>、"
        "<code>/settings ingest on|off</code>",
        "zh-hant": "<b>設定</b>\n每則訊息的引用數：{per_message}\n資料範圍：{corpus}{ingest}\n"
        "也可用：<code>/settings per_message 1-5</code>、<code>/settings corpus both|shared|own</code>、"
        "<code>/settings ingest on|off</code>",
        "en": "<b>Settings</b>\nQuotes per message: {per_message}\nCorpus: {corpus}{ingest}\n"
        "Or type: <code>/settings per_message 1-5</code>, <code>/settings corpus both|shared|own</code>, "
        "<code>/settings ingest on|off</code>",
    },
    "settings_ingest": {
        "zh-hans": "\n频道文章收录：{state}",
        "zh-hant": "\n頻道文章收錄：{state}",
        "en": "\nChannel posts ingested: {state}",
    },
    "settings_bad": {
        "zh-hans": "无法识别的设置。用法：<code>/settings per_message 1-5</code>、"
        "<code>/settings corpus both|shared|own</code>、<code>/settings ingest on|off</code>",
        "zh-hant": "無法識別的設定。用法：<code>/settings per_message 1-5</code>、"
        "<code>/settings corpus both|shared|own</code>、<code>/settings ingest on|off</code>",
        "en": "Unknown setting. Usage: <code>/settings per_message 1-5</code>, "
        "<code>/settings corpus both|shared|own</code>, <code>/settings ingest on|off</code>",
    },
    "settings_no_channel": {
        "zh-hans": "这里没有关联的频道，无法设置频道收录。",
        "zh-hant": "這裡沒有關聯的頻道，無法設定頻道收錄。",
        "en": "There is no linked channel here, so channel ingestion cannot be set.",
    },
    "settings_saved": {"zh-hans": "已保存。", "zh-hant": "已儲存。", "en": "Saved."},
    "corpus_both": {
        "zh-hans": "共享 + 本聊天",
        "zh-hant": "共享 + 本聊天",
        "en": "shared + this chat's",
    },
    "corpus_shared": {"zh-hans": "仅共享", "zh-hant": "僅共享", "en": "shared only"},
    "corpus_own": {"zh-hans": "仅本聊天", "zh-hant": "僅本聊天", "en": "this chat's only"},
    "on": {"zh-hans": "开", "zh-hant": "開", "en": "on"},
    "off": {"zh-hans": "关", "zh-hant": "關", "en": "off"},
    # --- inline ----------------------------------------------------------------------------
    # --- command menu descriptions (plain text) ---------------------------------------------
    "cmd_start": {"zh-hans": "开始", "zh-hant": "開始", "en": "Start"},
    "cmd_help": {
        "zh-hans": "用法和示例",
        "zh-hant": "用法和示例",
        "en": "How to ask, with examples",
    },
    "cmd_about": {"zh-hans": "资料库概况", "zh-hant": "資料庫概況", "en": "What the corpus holds"},
    "cmd_ask": {"zh-hans": "提问", "zh-hant": "提問", "en": "Ask a question"},
    "cmd_add": {
        "zh-hans": "添加文章（管理员）",
        "zh-hant": "添加文章（管理員）",
        "en": "Add an article (admins)",
    },
    "cmd_remove": {
        "zh-hans": "删除文章（管理员）",
        "zh-hant": "刪除文章（管理員）",
        "en": "Remove an article (admins)",
    },
    "cmd_list": {
        "zh-hans": "本聊天的文章（管理员）",
        "zh-hant": "本聊天的文章（管理員）",
        "en": "This chat's articles (admins)",
    },
    "cmd_settings": {
        "zh-hans": "设置（管理员）",
        "zh-hant": "設定（管理員）",
        "en": "Settings (admins)",
    },
    "cmd_fix": {
        "zh-hans": "更正文章署名（管理员）",
        "zh-hant": "更正文章署名（管理員）",
        "en": "Correct an article's credits (admins)",
    },
    "fix_usage": {
        "zh-hans": "用法：<code>/fix 文章ID 字段 新值</code>\n字段：标题、来源、记者、日期（如 2020-04-12）；"
        "新值写 <code>-</code> 表示清空。\n例如：<code>/fix a1b2c3 记者 严薇、郭欣欣</code>",
        "zh-hant": "用法：<code>/fix 文章ID 欄位 新值</code>\n欄位：標題、來源、記者、日期（如 2020-04-12）；"
        "新值寫 <code>-</code> 表示清空。\n例如：<code>/fix a1b2c3 記者 嚴薇、郭欣欣</code>",
        "en": "Usage: <code>/fix ARTICLE_ID FIELD VALUE</code>\nFields: title, source, reporters, "
        "date (e.g. 2020-04-12); <code>-</code> clears the field.\n"
        "Example: <code>/fix a1b2c3 reporters 严薇、郭欣欣</code>",
    },
    "fixed": {
        "zh-hans": "已更正，以后的引文都会使用新的署名。",
        "zh-hant": "已更正，之後的引文都會使用新的署名。",
        "en": "Corrected: every later quote uses the new credits.",
    },
    "fix_failed": {
        "zh-hans": "未能更正：{error}",
        "zh-hant": "未能更正：{error}",
        "en": "Not corrected: {error}",
    },
}

# Contributor roles as articles write them (simplified) → the label in each language; a role
# not listed is shown as written.
ROLES: dict[str, dict[str, str]] = {
    "实习生": {"zh-hant": "實習生", "en": "Intern"},
    "通讯员": {"zh-hant": "通訊員", "en": "Correspondent"},
    "见习记者": {"zh-hant": "見習記者", "en": "Trainee reporter"},
    "特约记者": {"zh-hant": "特約記者", "en": "Contributing reporter"},
    "记者": {"zh-hant": "記者", "en": "Reporter"},
    "摄影": {"zh-hant": "攝影", "en": "Photos"},
    "摄影记者": {"zh-hant": "攝影記者", "en": "Photographer"},
    "编辑": {"zh-hant": "編輯", "en": "Editor"},
    "责任编辑": {"zh-hant": "責任編輯", "en": "Editor"},
    "视频": {"zh-hant": "視頻", "en": "Video"},
    "制图": {"zh-hant": "製圖", "en": "Graphics"},
    "校对": {"zh-hant": "校對", "en": "Proofreading"},
    "作者": {"zh-hant": "作者", "en": "Author"},
}


def role_label(role: str, lang: str) -> str:
    """A contributor role (实习生) as a ``lang`` reader sees it (實習生 / Intern)."""
    key = role.strip()
    return ROLES.get(key, {}).get(lang, key)


EXAMPLE_QUESTION = {
    "zh-hans": "两江新区和天府新区要共同建设什么？",
    "zh-hant": "兩江新區和天府新區要共同建設什麼？",
    "en": "两江新区和天府新区要共同建设什么？",
}


def t(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang`` (zh-hans when missing), with ``values`` filled in."""
    variants = TEXTS[key]
    text = variants.get(lang) or variants["zh-hans"]
    if "example" not in values and "{example}" in text:
        # plain CJK with nothing to escape (a test holds it to that)
        values["example"] = EXAMPLE_QUESTION.get(lang, EXAMPLE_QUESTION["zh-hans"])
    return text.format(**values) if values else text


# --- links and feeds (bot/tg/handlers/feeds.py) ---------------------------------------------
_FEED_TEXTS: dict[str, dict[str, str]] = {
    "link_fetching": {
        "zh-hans": "正在读取链接…",
        "zh-hant": "正在讀取連結…",
        "en": "Reading the link…",
    },
    "link_failed": {
        "zh-hans": "无法添加这个链接：{error}",
        "zh-hant": "無法添加這個連結：{error}",
        "en": "Could not add that link: {error}",
    },
    "follow_usage": {
        "zh-hans": "用法：<code>/follow 订阅源网址 [分钟] [announce]</code>（announce：新文章发到本聊天），"
        "或发送 .opml 文件并附上 /follow。",
        "zh-hant": "用法：<code>/follow 訂閱源網址 [分鐘] [announce]</code>（announce：新文章發到本聊天），"
        "或傳送 .opml 檔案並附上 /follow。",
        "en": "Usage: <code>/follow FEED-URL [minutes] [announce]</code> (announce: post new "
        "articles here), or send an .opml file with /follow.",
    },
    "follow_busy": {
        "zh-hans": "正在订阅并收录现有文章…",
        "zh-hant": "正在訂閱並收錄現有文章…",
        "en": "Following and storing the current items…",
    },
    "followed": {
        "zh-hans": "已订阅：<b>{title}</b>（每 {minutes} 分钟检查一次，已收录 {count} 篇）",
        "zh-hant": "已訂閱：<b>{title}</b>（每 {minutes} 分鐘檢查一次，已收錄 {count} 篇）",
        "en": "Following <b>{title}</b> (checked every {minutes} min, {count} articles stored)",
    },
    "follow_failed": {
        "zh-hans": "无法订阅：{error}",
        "zh-hant": "無法訂閱：{error}",
        "en": "Could not follow: {error}",
    },
    "opml_progress": {
        "zh-hans": "正在导入 {done}/{total}…",
        "zh-hant": "正在匯入 {done}/{total}…",
        "en": "Importing {done}/{total}…",
    },
    "opml_done": {
        "zh-hans": "导入完成：订阅 {ok} 个，失败 {failed} 个，收录 {count} 篇。",
        "zh-hant": "匯入完成：訂閱 {ok} 個，失敗 {failed} 個，收錄 {count} 篇。",
        "en": "Import done: {ok} followed, {failed} failed, {count} articles stored.",
    },
    "feeds_none": {
        "zh-hans": "本聊天还没有订阅源。用 /follow 网址 添加。",
        "zh-hant": "本聊天還沒有訂閱源。用 /follow 網址 添加。",
        "en": "This chat follows no feed yet. Add one with /follow URL.",
    },
    "feeds_head": {
        "zh-hans": "<b>订阅源</b>（/unfollow 编号 取消）",
        "zh-hant": "<b>訂閱源</b>（/unfollow 編號 取消）",
        "en": "<b>Feeds</b> (/unfollow N to stop)",
    },
    "feed_ok": {"zh-hans": "正常", "zh-hant": "正常", "en": "ok"},
    "feed_failing": {
        "zh-hans": "连续失败 {count} 次：{error}",
        "zh-hant": "連續失敗 {count} 次：{error}",
        "en": "failed {count} times in a row: {error}",
    },
    "feed_paused": {
        "zh-hans": "已暂停：{reason}（/follow 网址 可恢复）",
        "zh-hant": "已暫停：{reason}（/follow 網址 可恢復）",
        "en": "paused: {reason} (/follow the URL again to resume)",
    },
    "feed_line": {
        "zh-hans": "{n}. {title} · 每 {minutes} 分钟 · {state}",
        "zh-hant": "{n}. {title} · 每 {minutes} 分鐘 · {state}",
        "en": "{n}. {title} · every {minutes} min · {state}",
    },
    "unfollow_usage": {
        "zh-hans": "用法：<code>/unfollow 编号</code>（编号见 /feeds）。",
        "zh-hant": "用法：<code>/unfollow 編號</code>（編號見 /feeds）。",
        "en": "Usage: <code>/unfollow N</code> (numbers as in /feeds).",
    },
    "unfollowed": {
        "zh-hans": "已取消订阅：{title}（已收录的文章保留）。",
        "zh-hant": "已取消訂閱：{title}（已收錄的文章保留）。",
        "en": "Stopped following {title} (its articles stay).",
    },
    "feed_paused_notice": {
        "zh-hans": "订阅源 <b>{title}</b> 已暂停：{reason}\n修复后用 /follow {url} 恢复。",
        "zh-hant": "訂閱源 <b>{title}</b> 已暫停：{reason}\n修復後用 /follow {url} 恢復。",
        "en": "The feed <b>{title}</b> is paused: {reason}\n/follow {url} resumes it.",
    },
    "feed_quota_notice": {
        "zh-hans": "本聊天的文章已达上限：订阅源 <b>{title}</b> 的新文章到来时，最早由订阅源收录的文章会被删除。",
        "zh-hant": "本聊天的文章已達上限：訂閱源 <b>{title}</b> 的新文章到來時，最早由訂閱源收錄的文章會被刪除。",
        "en": "This chat holds the most articles allowed: as <b>{title}</b> brings new ones, the "
        "oldest articles that feeds brought are removed.",
    },
    "feed_new": {
        "zh-hans": "<b>{feed}</b> 新文章：",
        "zh-hant": "<b>{feed}</b> 新文章：",
        "en": "New in <b>{feed}</b>:",
    },
    "cmd_follow": {
        "zh-hans": "订阅 RSS/Atom（管理员）",
        "zh-hant": "訂閱 RSS/Atom（管理員）",
        "en": "Follow an RSS/Atom feed (admins)",
    },
    "cmd_feeds": {
        "zh-hans": "本聊天的订阅源",
        "zh-hant": "本聊天的訂閱源",
        "en": "This chat's feeds",
    },
    "cmd_unfollow": {
        "zh-hans": "取消订阅（管理员）",
        "zh-hant": "取消訂閱（管理員）",
        "en": "Stop following a feed (admins)",
    },
}
TEXTS.update(_FEED_TEXTS)
