#!/usr/bin/env python3
"""A spec-faithful OLAF/Neighbourhood relay in Python, for benchmark comparisons only (issue 6: "server CPU per
relayed message <= 1/10 of the Python server's at the same offered rate").

It is the kind of server the issue's Python anchors describe: asyncio + the `websockets` library + `cryptography`,
one process, doing what protocol.md asks of a server for its own clients: a signed `hello` first (RSA-2048,
e = 65537, PSS verified with any salt length), counters strictly increasing per sender, every `public_chat` and
`chat` verified against the connection's key, `public_chat.sender` checked against the signer's fingerprint,
`public_chat` delivered to every other local client, `chat` delivered locally when this server is among
`destination_servers`, `client_list_request` answered, one live socket per fingerprint. No neighbours, no file API
and no persistence: the comparison is one server relaying for its own clients.

Usage: reference-relay.py --port PORT [--address HOST:PORT]     (needs: pip install websockets cryptography)
"""

import argparse
import asyncio
import base64
import hashlib
import json
import signal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from websockets.asyncio.server import broadcast, serve

PSS_ANY_SALT = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
MAX_FRAME = 1 << 20


class Relay:
    def __init__(self, address):
        self.address = address
        self.clients = {}  # fingerprint -> (websocket, canonical PEM)
        self.counters = {}  # fingerprint -> last accepted counter

    @staticmethod
    def load_key(pem):
        key = serialization.load_pem_public_key(pem.encode())
        if not isinstance(key, rsa.RSAPublicKey) or key.key_size != 2048 or key.public_numbers().e != 65537:
            raise ValueError("not an RSA-2048 key with e = 65537")
        der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        canonical = "-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(der).decode() + "\n-----END PUBLIC KEY-----"
        fingerprint = base64.b64encode(hashlib.sha256(canonical.encode()).digest()).decode()
        return key, canonical, fingerprint

    @staticmethod
    def verified(envelope, key):
        """The inner object of a signed envelope whose signature verifies under `key`, else None."""
        data, counter = envelope.get("data"), envelope.get("counter")
        if not isinstance(data, str) or not isinstance(counter, int) or isinstance(counter, bool) or counter < 0:
            return None
        try:
            signature = base64.b64decode(envelope.get("signature", ""), validate=True)
            key.verify(signature, (data + str(counter)).encode(), PSS_ANY_SALT, hashes.SHA256())
            inner = json.loads(data)
        except (InvalidSignature, ValueError, TypeError):
            return None
        return inner if isinstance(inner, dict) else None

    def accept_counter(self, fingerprint, counter):
        if counter <= self.counters.get(fingerprint, -1):
            return False
        self.counters[fingerprint] = counter
        return True

    def client_list(self):
        return json.dumps({"type": "client_list", "servers": [
            {"address": self.address, "clients": [pem for _, pem in self.clients.values()]}]})

    async def serve_connection(self, websocket):
        try:
            first = json.loads(await asyncio.wait_for(websocket.recv(), timeout=10))
            if not isinstance(first, dict) or first.get("type") != "signed_data":
                return await websocket.close(1008, "the first message must be a signed hello")
            inner = json.loads(first.get("data"))
            if not isinstance(inner, dict) or inner.get("type") != "hello":
                return await websocket.close(1008, "the first message must be a signed hello")
            key, pem, fingerprint = self.load_key(inner.get("public_key", ""))
        except (ValueError, TypeError, AttributeError, asyncio.TimeoutError):
            return await websocket.close(1008, "no valid hello")
        except Exception:  # the peer went away
            return
        if self.verified(first, key) is None or not self.accept_counter(fingerprint, first["counter"]):
            return await websocket.close(1008, "hello refused")
        previous = self.clients.get(fingerprint)
        self.clients[fingerprint] = (websocket, pem)
        if previous is not None:
            await previous[0].close(1000, "replaced by a newer connection")
        try:
            async for text in websocket:
                self.handle(text, websocket, key, fingerprint)
        except Exception:  # connection errors end the session
            pass
        finally:
            if self.clients.get(fingerprint, (None,))[0] is websocket:
                del self.clients[fingerprint]

    def handle(self, text, websocket, key, fingerprint):
        try:
            message = json.loads(text)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        if message.get("type") == "client_list_request":
            return broadcast([websocket], self.client_list())
        if message.get("type") != "signed_data":
            return
        inner = self.verified(message, key)
        if inner is None or not self.accept_counter(fingerprint, message["counter"]):
            return
        others = [ws for ws, _ in self.clients.values() if ws is not websocket]
        if inner.get("type") == "public_chat":
            if inner.get("sender") == fingerprint:
                broadcast(others, text)
        elif inner.get("type") == "chat":
            destinations = inner.get("destination_servers")
            if isinstance(destinations, list) and self.address in destinations:
                broadcast(others, text)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", help="this server's address in destination_servers (default 127.0.0.1:PORT)")
    arguments = parser.parse_args()
    relay = Relay(arguments.address or f"127.0.0.1:{arguments.port}")
    # A parent may start us with SIGTERM blocked or ignored (both are inherited across exec): stop on it anyway.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    stop = asyncio.get_running_loop().create_future()
    for number in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(number, lambda: stop.done() or stop.set_result(None))
    async with serve(relay.serve_connection, "127.0.0.1", arguments.port, max_size=MAX_FRAME, compression=None):
        print(f"reference relay listening on 127.0.0.1:{arguments.port}", flush=True)
        await stop


if __name__ == "__main__":
    asyncio.run(main())
