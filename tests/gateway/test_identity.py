"""Identity: proxy-auth user first, then the most specific address-map entry; groups from file."""

from __future__ import annotations

from gateway.identity import Directory, Identifier, device_fingerprint

DIRECTORY = Directory(users={"alice": ("staff",), "bob": ("finance", "admins")})


def test_authenticated_user_wins_over_the_address_map() -> None:
    ident = Identifier({"10.0.0.0/8": "alice"}, DIRECTORY)
    s = ident.subject(client_ip="10.1.2.3", auth_user="bob")
    assert (s.user, s.groups, s.source) == ("bob", frozenset({"finance", "admins"}), "proxyauth")


def test_most_specific_network_wins() -> None:
    ident = Identifier({"10.0.0.0/8": "alice", "10.9.0.0/16": "bob"}, DIRECTORY)
    assert ident.subject(client_ip="10.9.1.1").user == "bob"
    assert ident.subject(client_ip="10.8.1.1").user == "alice"
    assert ident.subject(client_ip="::ffff:10.9.1.1").user == "bob"


def test_unknown_clients_have_no_user_and_no_groups() -> None:
    s = Identifier({"10.0.0.0/8": "alice"}, DIRECTORY).subject(client_ip="192.0.2.7")
    assert (s.user, s.groups, s.source) == (None, frozenset(), "none")


def test_device_fingerprint_is_stable_and_distinguishes_browsers() -> None:
    a = device_fingerprint("Firefox/130", "tls1", None)
    assert a == device_fingerprint("Firefox/130", "tls1", None)
    assert a != device_fingerprint("Chrome/130", "tls1", None)
    assert device_fingerprint("x", "y", "MDM-1234").startswith("mdm:")  # type: ignore[union-attr]
    assert device_fingerprint(None, None, None) is None
