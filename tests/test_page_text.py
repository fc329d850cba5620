from tests.page_text import visible_text


def test_visible_text_keeps_what_a_reader_sees_and_drops_attributes_and_scripts():
    html = (
        '<a href="/schools/47b8-777f/">Alderley</a><td>12 000</td><td>777</td>'
        '<script nonce="999">var x = 999;</script><p>after</p>'
    )
    text = visible_text(html)
    assert "777" in text and "Alderley" in text and "after" in text
    assert "47b8" not in text and "999" not in text
