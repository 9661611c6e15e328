"""Sending one signed webhook request: the address check (SSRF), the signature, the HTTP call.

Kept apart from the services so the network rules read in one place:

- the host is resolved at send time and every address it resolves to must be a public one (no
  loopback, private, link-local, multicast, reserved, CGNAT...) unless `allow_private`; the request
  then goes to the checked address itself (the Host header and TLS SNI carry the name), so a DNS answer
  that changes between the check and the connection (rebinding) cannot reach an inner address;
- redirects are never followed (a 3xx is a failed delivery): a public URL cannot bounce us inward;
- timeouts of a few seconds, so a slow receiver cannot hold a worker.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

SIGNATURE_HEADER = "X-Hackplatform-Signature"
TIMESTAMP_HEADER = "X-Hackplatform-Timestamp"
DELIVERY_HEADER = "X-Hackplatform-Delivery"
EVENT_HEADER = "X-Hackplatform-Event"


class AddressRefused(Exception):
    """The URL names an address webhooks may not reach (or none at all); the message says which."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 with the webhook's secret of `<timestamp>.<raw body>`. The timestamp
    is signed too, so a receiver that refuses old timestamps cannot be fed a recorded request again."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(url: str, *, allow_private: bool) -> tuple[str, str, int]:
    """(host, checked address, port) of an http(s) URL, or AddressRefused saying why."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("only http and https URLs with a host name can receive webhooks")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"the host {parts.hostname} could not be resolved ({exc})")
    addresses = [info[4][0].split("%")[0] for info in infos]
    if not addresses:
        raise AddressRefused(f"the host {parts.hostname} has no address")
    if not allow_private:
        refused = [a for a in addresses if not address_allowed(a)]
        if refused:
            raise AddressRefused(f"{parts.hostname} resolves to a private or local address ({refused[0]})")
    return parts.hostname, addresses[0], port


@dataclass
class Outcome:
    status_code: int | None
    error: str  # empty when the receiver answered 2xx


def send(
    *, url: str, secret: str, body: bytes, delivery_id: str, event_type: str, allow_private: bool, timeout: float
) -> Outcome:
    """POST `body` once to `url`, signed. Network trouble is the Outcome's error; a refused address
    raises AddressRefused (no request is made)."""
    host, address, port = resolve(url, allow_private=allow_private)
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{port}" if parts.port else literal
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "hackplatform-webhooks/1",
        "Host": parts.netloc.rpartition("@")[2],
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        TIMESTAMP_HEADER: str(timestamp),
        DELIVERY_HEADER: delivery_id,
        EVENT_HEADER: event_type,
    }
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            response = client.post(pinned, content=body, headers=headers, extensions=extensions)
    except httpx.TimeoutException:
        return Outcome(None, f"no answer within {timeout:g} s")
    except httpx.HTTPError as exc:
        return Outcome(None, f"connection failed: {exc.__class__.__name__}: {exc}"[:480])
    if 200 <= response.status_code < 300:
        return Outcome(response.status_code, "")
    if 300 <= response.status_code < 400:
        return Outcome(response.status_code, "the receiver answered a redirect, which webhooks never follow")
    return Outcome(response.status_code, f"the receiver answered HTTP {response.status_code}")
