"""An institution's signature on a re-performance manifest: Ed25519 (RFC 8032) over the
manifest's ``manifest_sha256``, with the ``cryptography`` package (optional: ``pip install
cryptography``; without it signing and checking a signature say so).

The signature (``signature``: algorithm, public key, value, all base64) lies outside the
manifest's own hash, so signing does not change ``manifest_sha256``; any change of the manifest
changes that hash and breaks the signature. Keys are PEM files: the private one (PKCS#8,
unencrypted, written owner-only) stays with the institution, the public one is what a court or a
supervisor checks against (``appraisal verify --public-key``).
"""
from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Mapping

from ..errors import InputError, Issue, RestorationError
from ..files import write_bytes

ALGORITHM = "Ed25519"


def _lib():
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:  # optional dependency
        raise RestorationError("signing needs the 'cryptography' package: pip install cryptography") from None
    return serialization, ed25519, InvalidSignature


def generate_key(private_path: str | Path) -> tuple[Path, Path]:
    """A new Ed25519 key pair: ``private_path`` (owner-only) and ``<name>.pub.pem`` beside it."""
    serialization, ed25519, _ = _lib()
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    p = Path(private_path)
    pub = p.with_name(p.stem + ".pub.pem")
    return write_bytes(p, private, replace=False), write_bytes(pub, public, replace=False)


def _load(path: str | Path, private: bool):
    serialization, ed25519, _ = _lib()
    raw = Path(path).read_bytes()[:10_000]
    try:
        key = (serialization.load_pem_private_key(raw, password=None) if private
               else serialization.load_pem_public_key(raw))
    except (ValueError, TypeError) as exc:
        raise InputError(Issue(f"not a PEM {'private' if private else 'public'} key: {exc}", source=Path(path).name,
                               field="key")) from None
    want = ed25519.Ed25519PrivateKey if private else ed25519.Ed25519PublicKey
    if not isinstance(key, want):
        raise InputError(Issue(f"not an {ALGORITHM} key", source=Path(path).name, field="key"))
    return key


def _raw_public(key) -> str:
    serialization, _, _ = _lib()
    return base64.b64encode(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def sign(manifest: Mapping[str, Any], private_path: str | Path) -> dict:
    """The manifest with the institution's signature over its ``manifest_sha256``."""
    key = _load(private_path, private=True)
    value = key.sign(str(manifest["manifest_sha256"]).encode("ascii"))
    return {**manifest, "signature": {"algorithm": ALGORITHM, "public_key": _raw_public(key.public_key()),
                                      "signs": "manifest_sha256", "value": base64.b64encode(value).decode()}}


def check(manifest: Mapping[str, Any], where: str, public_path: str | Path | None = None) -> str:
    """``unsigned`` or ``valid``; raises :class:`InputError` for a signature that does not match
    (or, with ``public_path``, one made by another key, or none at all)."""
    sig = manifest.get("signature")
    if not sig:
        if public_path is not None:
            raise InputError(Issue("the manifest is not signed, but a public key was given to check it against",
                                   source=where, field="signature"))
        return "unsigned"
    _, ed25519, invalid = _lib()
    if not isinstance(sig, Mapping) or sig.get("algorithm") != ALGORITHM:
        raise InputError(Issue(f"unknown signature algorithm; only {ALGORITHM}", source=where,
                               field="signature.algorithm"))
    try:
        pub = ed25519.Ed25519PublicKey.from_public_bytes(base64.b64decode(sig["public_key"], validate=True))
        pub.verify(base64.b64decode(sig["value"], validate=True), str(manifest["manifest_sha256"]).encode("ascii"))
    except (KeyError, ValueError, TypeError, invalid):
        raise InputError(Issue("the signature does not match the manifest (changed after signing)", source=where,
                               field="signature.value")) from None
    if public_path is not None and _raw_public(_load(public_path, private=False)) != sig["public_key"]:
        raise InputError(Issue("signed with another key than the institution's public key given", source=where,
                               field="signature.public_key"))
    return "valid"


__all__ = ["ALGORITHM", "generate_key", "sign", "check"]
