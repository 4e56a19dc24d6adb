"""The embedded Vertex's TLS certificate, for its gRPC port.

Google's gRPC clients always speak TLS (``grpc_helpers.create_channel`` makes a secure
channel whatever the address), so the gRPC port needs a certificate they can check. It is
self-signed, for the loopback names only (``localhost``, ``127.0.0.1``, ``::1``), made at the
first start and kept in the data dir, so clients that trusted it keep trusting it across
restarts. Clients are told where it is by the connection (``tls_cert``); the key never leaves
the data dir (0600 like everything there).
"""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from .connection import write_private_file

TLS_DIR = "tls"
CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"
VALID_DAYS = 3650
LOOPBACK_NAMES = ("localhost",)
LOOPBACK_IPS = ("127.0.0.1", "::1")


def load_or_create(data_dir: Path | str) -> tuple[Path, bytes, bytes]:
    """The certificate's path, its PEM and its key's PEM; made on the first call."""
    folder = Path(data_dir) / TLS_DIR
    cert_path, key_path = folder / CERT_FILE, folder / KEY_FILE
    if cert_path.is_file() and key_path.is_file():
        return cert_path, cert_path.read_bytes(), key_path.read_bytes()
    cert, key = _self_signed()
    # the key first: a certificate without its key would be kept and never usable
    write_private_file(key_path, key.decode())
    write_private_file(cert_path, cert.decode())
    return cert_path, cert, key


def _self_signed() -> tuple[bytes, bytes]:
    # imported here: only the embedded Vertex's process needs it, once
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())  # milliseconds, where RSA takes ~0.1 s
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jupyter-vertex embedded Vertex")])
    now = datetime.datetime.now(datetime.timezone.utc)
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in LOOPBACK_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in LOOPBACK_IPS]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        # its own CA: gRPC checks the chain against the roots it is given, this one
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem
