"""RSA keys: load them from the files settings point at, and generate the sandbox pair once.

Both providers hand out keys as PEM or as the bare base64 body their consoles show
(Alipay: PKCS#1 or PKCS#8 private keys, SubjectPublicKeyInfo public keys); both are accepted.
"""

from __future__ import annotations

import base64
import binascii
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SANDBOX_PRIVATE_KEY_NAME = "alipay_format_private_key.pem"


class KeyFileError(ValueError):
    """A key file that is missing, unreadable or not an RSA key."""


def private_key_from_text(text: str) -> rsa.RSAPrivateKey:
    data = text.strip().encode()
    try:
        if data.startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, password=None)
        else:
            key = serialization.load_der_private_key(base64.b64decode(data), password=None)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise KeyFileError(f"not a readable unencrypted private key: {exc}") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyFileError("the private key is not an RSA key")
    return key


def public_key_from_text(text: str) -> rsa.RSAPublicKey:
    data = text.strip().encode()
    try:
        if data.startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(data)
        else:
            key = serialization.load_der_public_key(base64.b64decode(data))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise KeyFileError(f"not a readable public key: {exc}") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyFileError("the public key is not an RSA key")
    return key


def load_private_key(path: str | Path) -> rsa.RSAPrivateKey:
    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read private key file {path}: {exc}") from exc
    return private_key_from_text(text)


def load_public_key(path: str | Path) -> rsa.RSAPublicKey:
    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read public key file {path}: {exc}") from exc
    return public_key_from_text(text)


def private_key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def public_key_pem(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def generate_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def ensure_private_key(directory: Path, name: str = SANDBOX_PRIVATE_KEY_NAME) -> rsa.RSAPrivateKey:
    """The private key in ``directory/name``, generated on first use (directory 0700, file 0600).

    Safe against concurrent first use: the key is written to a temporary file and linked into
    place, so a reader sees either no file or a complete one, and only one key ever wins.
    """
    path = directory / name
    if not path.exists():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".pem")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(private_key_pem(generate_private_key()))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process won; use its key
        finally:
            os.unlink(tmp)
    return load_private_key(path)
