"""RSA keys the tests generate for themselves, once per process, by role."""

from __future__ import annotations

import base64
import functools
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ALIPAY = "alipay"  # Alipay's own key: signs notifications and gateway answers
APP = "app"  # our Alipay app key: signs our gateway requests
MERCHANT = "merchant"  # our WeChat Pay merchant key: signs our API requests
PLATFORM = "platform"  # WeChat Pay's platform key: signs answers and notifications
STRANGER = "stranger"  # nobody we trust


@functools.cache
def key(role: str) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public(role: str) -> rsa.RSAPublicKey:
    return key(role).public_key()


def sign_sha256_rsa(private_key: rsa.RSAPrivateKey, message: bytes) -> str:
    return base64.b64encode(private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def write_pem(directory: os.PathLike[str] | str, role: str, *, public_only: bool = False) -> str:
    """Write the role's key as a PEM file, the way an operator would, and return the path."""
    path = os.path.join(directory, f"{role}{'.pub' if public_only else ''}.pem")
    if public_only:
        data = public(role).public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    else:
        data = key(role).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    with open(path, "wb") as fh:
        fh.write(data)
    return path
