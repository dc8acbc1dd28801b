"""Who is behind a flow: proxy-auth user or client-address map, groups from a directory file."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from gateway import yamlsrc
from gateway.errors import ConfigError
from gateway.request import Subject

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Directory(BaseModel):
    """``users: {alice: [finance, admins]}``: the groups each user belongs to."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    users: dict[str, tuple[str, ...]] = Field(default_factory=dict)


def load_directory(path: str | Path) -> Directory:
    src = yamlsrc.load_file(path)
    if src.data is None:
        return Directory()
    return yamlsrc.validate(Directory, src)


def client_address(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """A peer address as an IP (zone id dropped, IPv4-mapped IPv6 unwrapped), None if bad."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def device_fingerprint(user_agent: str | None, tls_fingerprint: str | None,
                       device_header: str | None) -> str | None:
    """A stable device id: an MDM-supplied id when present, else a hash of TLS and UA traits.

    The TLS part (ClientHello ciphers and extensions) is stable per browser build and OS; the
    User-Agent separates browsers on one machine. Neither is secret nor unique worldwide: the id
    is good for "new device" signals, not for authentication.
    """
    if device_header:
        return "mdm:" + hashlib.sha256(device_header.encode()).hexdigest()[:16]
    if not user_agent and not tls_fingerprint:
        return None
    raw = f"{tls_fingerprint or ''}|{user_agent or ''}".encode()
    return "fp:" + hashlib.sha256(raw).hexdigest()[:16]


class Identifier:
    """Maps connection facts to a :class:`Subject`. Built once per configuration load."""

    def __init__(self, ip_map: Mapping[str, str], directory: Directory) -> None:
        nets: list[tuple[IPNetwork, str]] = []
        for cidr, user in ip_map.items():
            try:
                nets.append((ipaddress.ip_network(cidr, strict=False), user))
            except ValueError as e:
                raise ConfigError(f"not a network: {cidr!r}", field="identity.ip_map") from e
        # Most specific network first.
        nets.sort(key=lambda item: item[0].prefixlen, reverse=True)
        self._nets = nets
        self._groups = {u.lower(): frozenset(g) for u, g in directory.users.items()}

    def user_for_address(self, address: str) -> str | None:
        ip = client_address(address)
        if ip is None:
            return None
        for net, user in self._nets:
            if ip.version == net.version and ip in net:
                return user
        return None

    def subject(
        self,
        *,
        client_ip: str,
        auth_user: str | None = None,
        user_agent: str | None = None,
        tls_fingerprint: str | None = None,
        device_header: str | None = None,
    ) -> Subject:
        user: str | None
        if auth_user:
            user, source = auth_user, "proxyauth"
        else:
            mapped = self.user_for_address(client_ip)
            user, source = (mapped, "ipmap") if mapped else (None, "none")
        groups = self._groups.get(user.lower(), frozenset()) if user else frozenset()
        return Subject(
            user=user, groups=groups, client_ip=client_ip,
            device_id=device_fingerprint(user_agent, tls_fingerprint, device_header),
            source=source,
        )
