#!/usr/bin/env python3
"""Independent checker for OLAF/Neighbourhood v1.2 cross-implementation test vectors.

    python3 check_vectors.py [--allow-any-data-layout] FILE

FILE is JSON in the "olaf-v1.2-vectors/1" format: a `key` (unencrypted PKCS#8 `private_pem_pkcs8`,
canonical `public_pem`, `fingerprint`), signed_data frames in `messages` (at least `hello`,
`public_chat`, `public_chat_unicode` and `chat`; the chat is encrypted to the file's own key and may
carry `aes_key_b64`, `iv_b64`, `plaintext`, and must carry `expected_message` and
`expected_participants`), frames in `negative` that must not verify, and `fingerprint_cases`
(other PEM layouts of a key with the fingerprint each must canonicalise to).

Checked exactly as our writer promises (protocol.md, "Crypto parameters" and "Interoperating"):
RSA-2048 e=65537; canonical one-line PEM; fingerprint = base64(sha256(canonical PEM)); signatures are
RSA-PSS SHA-256 / MGF1-SHA-256 with salt length exactly 32 over UTF-8(data) + str(counter); `data`
strings use Python's json.dumps default layout (skip with --allow-any-data-layout, e.g. for files
written by peers that emit compact JSON); chat = RSA-OAEP-SHA-256 wrapped 16-byte AES key, 16-byte IV,
AES-128-GCM with the tag appended, unwrapped {"participants", "message"} plaintext. Negative frames
must fail with every salt length.

Prints `PASS name` or `FAIL name: detail` per check, then `N passed, M failed`; exits 0 only when
M == 0 and N > 0. Depends only on the `cryptography` package; deliberately shares no code with
the other vector tools.
"""

import argparse
import base64
import binascii
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = "olaf-v1.2-vectors/1"
BEGIN, END = "-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----"
REQUIRED_MESSAGES = {"hello": "hello", "public_chat": "public_chat",
                     "public_chat_unicode": "public_chat", "chat": "chat"}
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def b64decode(text):
    """Standard alphabet, padding required, nothing else allowed (the protocol's base64)."""
    if not isinstance(text, str):
        raise ValueError(f"expected a base64 string, got {type(text).__name__}")
    return base64.b64decode(text.encode("ascii"), validate=True)


def b64encode(raw):
    return base64.b64encode(raw).decode("ascii")


def spki_der(public_key):
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def canonical_pem(der):  # protocol.md "Canonical PEM": one base64 line, no trailing newline
    return f"{BEGIN}\n{b64encode(der)}\n{END}"


def fingerprint(der):  # base64(sha256(canonical PEM as UTF-8))
    return b64encode(hashlib.sha256(canonical_pem(der).encode("utf-8")).digest())


def lenient_pem_der(text):
    """SPKI DER of an RSA public key PEM in any line layout (wrapped, CRLF, trailing newline)."""
    text = text.strip()
    if not (text.startswith(BEGIN) and text.endswith(END)):
        raise ValueError("not a PUBLIC KEY PEM block")
    der = b64decode("".join(text[len(BEGIN):-len(END)].split()))
    key = serialization.load_der_public_key(der)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA key")
    return spki_der(key)


def signature_ok(public_key, data, counter, signature, salt):
    message = (data + str(counter)).encode("utf-8")
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt)
    try:
        public_key.verify(b64decode(signature), message, pss, hashes.SHA256())
        return True
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False


class Checker:
    def __init__(self, allow_any_layout):
        self.allow_any_layout = allow_any_layout
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        print(f"PASS {name}" if ok else f"FAIL {name}: {detail or 'check failed'}")
        self.passed += bool(ok)
        self.failed += not ok
        return ok

    def guarded(self, name, fn, *args):
        """Run a group of checks; an unexpected exception becomes one FAIL instead of a crash."""
        try:
            fn(*args)
        except Exception as e:  # noqa: BLE001 - malformed input must be reported, not crash the run
            self.check(name, False, f"{type(e).__name__}: {e}")

    def run(self, doc):
        self.check("format", doc.get("format") == FORMAT, f"expected {FORMAT!r}, got {doc.get('format')!r}")
        key = doc.get("key") or {}
        private_pem, priv, error = key.get("private_pem_pkcs8"), None, ""
        try:
            priv = serialization.load_pem_private_key(private_pem.encode("utf-8"), password=None)
        except (AttributeError, ValueError, TypeError) as e:
            error = f"{type(e).__name__}: {e}; "
        if not self.check("key.private_loads", isinstance(priv, rsa.RSAPrivateKey)
                          and private_pem.lstrip().startswith("-----BEGIN PRIVATE KEY-----"),
                          error + "expected an unencrypted PKCS#8 RSA private key PEM"):
            return
        numbers = priv.public_key().public_numbers()
        self.check("key.rsa_2048_e65537", priv.key_size == 2048 and numbers.e == 65537,
                   f"{priv.key_size} bits, e={numbers.e}")
        self.der = spki_der(priv.public_key())
        self.pub, self.priv = priv.public_key(), priv
        self.canonical, self.fp = canonical_pem(self.der), fingerprint(self.der)
        public_pem = key.get("public_pem")
        self.guarded("key.public_matches_private", lambda: self.check(
            "key.public_matches_private", lenient_pem_der(public_pem) == self.der, "public_pem is another key"))
        self.check("key.public_pem_canonical", public_pem == self.canonical,
                   f"expected the one-line layout without trailing newline, got {public_pem!r:.80}...")
        self.check("key.fingerprint", key.get("fingerprint") == self.fp,
                   f"expected {self.fp}, got {key.get('fingerprint')!r}")

        cases = doc.get("fingerprint_cases") or []
        self.check("fingerprint_cases.count", len(cases) >= 3, f"{len(cases)} cases, need at least 3")
        for i, case in enumerate(cases):
            self.guarded(f"fingerprint_case_{i}", lambda c=case, i=i: self.check(
                f"fingerprint_case_{i}", fingerprint(lenient_pem_der(c["public_pem"])) == c["fingerprint"],
                f"file says {c['fingerprint']!r}"))

        messages = doc.get("messages") or []
        names = [m.get("name") for m in messages]
        for required in REQUIRED_MESSAGES:
            self.check(f"messages.has_{required}", required in names, f"no message named {required!r}")
        for entry in messages:
            self.guarded(f"{entry.get('name')}.error", self.check_message, entry)

        negatives = doc.get("negative") or []
        self.check("negative.count", len(negatives) >= 3, f"{len(negatives)} entries, need at least 3")
        for entry in negatives:
            msg = entry.get("message") or {}
            data, counter = msg.get("data"), msg.get("counter")
            verifies = (isinstance(data, str) and type(counter) is int
                        and signature_ok(self.pub, data, counter, msg.get("signature"), padding.PSS.AUTO))
            self.check(f"negative.{entry.get('name')}", not verifies, "verifies but must not")

    def check_message(self, entry):
        name, msg = entry.get("name"), entry.get("message") or {}
        self.check(f"{name}.envelope_type", msg.get("type") == "signed_data", f"type is {msg.get('type')!r}")
        data, counter = msg.get("data"), msg.get("counter")
        if not self.check(f"{name}.data_is_string", isinstance(data, str), f"data is {type(data).__name__}"):
            return
        try:
            inner = json.loads(data)
        except ValueError as e:
            inner, error = None, str(e)
        else:
            error = f"data holds a JSON {type(inner).__name__}"
        if not self.check(f"{name}.data_is_json_object", isinstance(inner, dict), error):
            return
        if not self.allow_any_layout:
            self.check(f"{name}.data_layout", json.dumps(inner) == data,
                       "data is not in Python json.dumps default layout (', ' / ': ', \\uXXXX escapes)")
        counter_ok = type(counter) is int and counter >= 1
        self.check(f"{name}.counter", counter_ok, f"counter must be an int >= 1, got {counter!r}")
        strict = counter_ok and signature_ok(self.pub, data, counter, msg.get("signature"), 32)
        other_salt = not strict and counter_ok and signature_ok(
            self.pub, data, counter, msg.get("signature"), padding.PSS.AUTO)
        self.check(f"{name}.signature", strict, "verifies only with a salt length other than 32" if other_salt
                   else "RSA-PSS SHA-256 salt 32 over UTF-8(data) + str(counter) does not verify")

        kind = inner.get("type")
        if name in REQUIRED_MESSAGES:
            self.check(f"{name}.data_type", kind == REQUIRED_MESSAGES[name], f"type is {kind!r}")
        if kind == "hello":
            self.check(f"{name}.public_key", inner.get("public_key") == self.canonical,
                       "public_key is not exactly the canonical public_pem")
        elif kind == "public_chat":
            self.check(f"{name}.sender", inner.get("sender") == self.fp,
                       f"sender {inner.get('sender')!r} != fingerprint")
        elif kind == "chat":
            self.check_chat(name, entry, inner)

    def check_chat(self, name, entry, inner):
        servers, keys = inner.get("destination_servers"), inner.get("symm_keys")
        self.check(f"{name}.destination_servers_match_symm_keys",
                   isinstance(servers, list) and isinstance(keys, list) and len(servers) == len(keys) > 0,
                   f"{servers!r} vs {len(keys) if isinstance(keys, list) else keys!r} symm_keys")
        iv, blob = b64decode(inner.get("iv")), b64decode(inner.get("chat"))
        self.check(f"{name}.iv_16_bytes", len(iv) == 16, f"iv is {len(iv)} bytes")
        found = None
        for index, wrapped in enumerate(keys if isinstance(keys, list) else []):
            try:
                aes_key = self.priv.decrypt(b64decode(wrapped), OAEP)
                plaintext = AESGCM(aes_key).decrypt(iv, blob, None)
            except (ValueError, TypeError, InvalidTag, binascii.Error):
                continue
            found = index, aes_key, plaintext
            break
        if not self.check(f"{name}.decrypt", found is not None,
                          "no symm_key unwraps (OAEP SHA-256) to a key that opens chat (AES-GCM, tag last)"):
            return
        index, aes_key, plaintext = found
        self.check(f"{name}.aes_key_16_bytes", len(aes_key) == 16, f"AES key is {len(aes_key)} bytes")
        body = json.loads(plaintext.decode("utf-8"))
        if isinstance(body, dict) and "participants" not in body and isinstance(body.get("chat"), dict):
            self.check(f"{name}.plaintext_unwrapped", False, 'plaintext uses the {"chat": {...}} wrapper')
            body = body["chat"]
        shape_ok = isinstance(body, dict) and isinstance(body.get("participants"), list) and "message" in body
        if not self.check(f"{name}.plaintext_shape", shape_ok, f"plaintext is {plaintext[:80]!r}"):
            return
        participants = body["participants"]
        self.check(f"{name}.sender_first", participants[:1] == [self.fp], f"participants[0] is not {self.fp}")
        self.check(f"{name}.recipient_slot", len(participants) == len(keys) + 1 and participants[index + 1] == self.fp,
                   f"participants[{index + 1}] should be this key's fingerprint, one entry per symm_key")
        self.check(f"{name}.participants", participants == entry.get("expected_participants"),
                   f"{participants!r} != expected {entry.get('expected_participants')!r}")
        self.check(f"{name}.message", body["message"] == entry.get("expected_message"),
                   f"{body['message']!r} != expected {entry.get('expected_message')!r}")
        if any(k in entry for k in ("aes_key_b64", "iv_b64", "plaintext")):
            given_key, given_iv = b64decode(entry.get("aes_key_b64")), b64decode(entry.get("iv_b64"))
            given_plain = entry.get("plaintext").encode("utf-8")
            self.check(f"{name}.aes_key_matches", given_key == aes_key, "aes_key_b64 is not the wrapped key")
            self.check(f"{name}.iv_matches", given_iv == iv, "iv_b64 is not the frame's iv")
            self.check(f"{name}.plaintext_matches", given_plain == plaintext, "plaintext is not what decrypts")
            self.check(f"{name}.reencrypt", AESGCM(given_key).encrypt(given_iv, given_plain, None) == blob,
                       "AES-128-GCM(plaintext) || tag does not reproduce chat")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--allow-any-data-layout", action="store_true",
                        help="skip only the check that data strings use Python json.dumps default layout")
    args = parser.parse_args()
    checker = Checker(args.allow_any_data_layout)
    try:
        with open(args.file, encoding="utf-8") as f:
            doc = json.load(f)
        if not isinstance(doc, dict):
            raise ValueError("top level is not a JSON object")
    except (OSError, ValueError) as e:
        checker.check("file", False, f"{type(e).__name__}: {e}")
    else:
        checker.guarded("file.error", checker.run, doc)
    print(f"{checker.passed} passed, {checker.failed} failed")
    sys.exit(0 if checker.failed == 0 and checker.passed > 0 else 1)


if __name__ == "__main__":
    main()
