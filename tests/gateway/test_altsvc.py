"""HTTP/3 offers are removed from Alt-Svc; other alternatives survive intact."""

from gateway.altsvc import strip_h3


def test_h3_entries_are_removed_and_others_kept() -> None:
    value = 'h3=":443"; ma=86400, h3-29=":443"; ma=86400, h2="alt.example.com:443"; ma=60'
    assert strip_h3(value) == ('h2="alt.example.com:443"; ma=60', 2)


def test_only_h3_leaves_nothing() -> None:
    assert strip_h3('h3=":443"; ma=2592000') == (None, 1)


def test_quoted_commas_do_not_split_entries() -> None:
    assert strip_h3('h2="a,b:443", h3=":443"') == ('h2="a,b:443"', 1)


def test_clear_and_non_h3_values_are_untouched() -> None:
    assert strip_h3("clear") == ("clear", 0)
