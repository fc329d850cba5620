"""What a reader sees of a page: its text, without tags, attributes or scripts.

Tests that a figure is *not* shown must look here, not in the raw HTML: a
link's UUID or a script nonce can hold any run of digits ("…-777f…").
"""

from html.parser import HTMLParser

_UNSEEN = {"script", "style", "template"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _UNSEEN:
            self._hidden_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _UNSEEN and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts)
