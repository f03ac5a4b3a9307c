"""Markup a rep typed (a contact named ``<b>x</b>`` or ``*x*``, a Slack ``<!channel>``) comes
back in replies exactly as typed, never as formatting or a mention."""

from __future__ import annotations

from bot import slack
from handlers.messages import Button, Reply

TYPED = "✓ Meeting with <b>x</b> (*Acme* & _co_) <!channel> <@U123> saved."


def test_slack_shows_it_as_plain_text_and_escapes_the_fallback() -> None:
    (message,) = slack.render(Reply(TYPED, ((Button("<b>Undo</b>", "u:1"),),)))

    section = message.blocks[0]
    assert section["text"] == {"type": "plain_text", "text": TYPED, "emoji": True}
    assert message.text == (
        "✓ Meeting with &lt;b&gt;x&lt;/b&gt; (*Acme* &amp; _co_) &lt;!channel&gt; "
        "&lt;@U123&gt; saved."
    )
    (button,) = message.blocks[1]["elements"]
    assert button["text"]["type"] == "plain_text"
    assert button["text"]["text"] == "<b>Undo</b>"
