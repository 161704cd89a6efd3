# SPDX-License-Identifier: GPL-2.0-or-later
# The Python binding of libsesame: round trips, interop with the sesame client's packets, typed errors.
import base64
import os
import subprocess
import time

import pytest
import sesame

KEY = "python-test-key"
HMAC_KEY = b"python-test-hmac-key-0123456789"


def message(**fields):
    defaults = dict(message="10.0.0.1,tcp/22", username="alice", timestamp=int(time.time()))
    defaults.update(fields)
    return sesame.Message(**defaults)


def test_round_trip_in_every_mode_and_hmac():
    for mode in ("cbc", "ecb", "cfb", "ofb", "ctr"):
        for hmac_type in ("md5", "sha1", "sha256", "sha384", "sha512", "sha3_256", "sha3_512"):
            sent = message()
            wire = sesame.encode(sent, KEY, HMAC_KEY, mode=mode, hmac_type=hmac_type)
            assert isinstance(wire, str) and not wire.startswith("U2FsdGVkX1")
            got = sesame.decode(wire, KEY, HMAC_KEY, mode=mode, hmac_type=hmac_type)
            assert got == sent
            assert got.message == "10.0.0.1,tcp/22" and got.username == "alice"


def test_nat_and_client_timeout_fields():
    sent = message(nat_access="192.168.1.2,22", client_timeout=30)
    got = sesame.decode(sesame.encode(sent, KEY, HMAC_KEY), KEY, HMAC_KEY)
    assert got.nat_access == "192.168.1.2,22"
    assert got.client_timeout == 30
    assert got.type == sesame.MessageType.CLIENT_TIMEOUT_NAT_ACCESS


def test_codec_keeps_its_keys_for_many_packets():
    codec = sesame.Codec(KEY, HMAC_KEY)
    wires = {codec.encode(message(message=f"10.0.0.{i},tcp/22")) for i in range(1, 50)}
    assert len(wires) == 49
    assert {codec.decode(w).message for w in wires} == {f"10.0.0.{i},tcp/22" for i in range(1, 50)}


def test_errors_are_typed():
    wire = sesame.encode(message(), KEY, HMAC_KEY)
    with pytest.raises(sesame.HmacError) as hmac_error:
        sesame.decode(wire, KEY, b"another hmac key")
    assert hmac_error.value.code == "HMAC mismatch"
    with pytest.raises(sesame.DecryptionError):
        sesame.decode(sesame.encode(message(), KEY), "another key")
    with pytest.raises(sesame.DecodeError) as not_base64:
        sesame.decode("!" * 200, KEY, HMAC_KEY)
    assert not_base64.value.code == "not base64" and not_base64.value.field is None
    with pytest.raises(sesame.InvalidKeyError):
        sesame.encode(message(), "k", "k")  # the HMAC key equals the encryption key
    with pytest.raises(sesame.ArgumentError):
        sesame.encode(message(), KEY, HMAC_KEY, mode="rot13")
    with pytest.raises(sesame.DecodeError):
        sesame.encode(message(message="not an access request"), KEY, HMAC_KEY)
    for cls in (sesame.HmacError, sesame.DecryptionError, sesame.DecodeError, sesame.InvalidKeyError,
                sesame.ArgumentError, sesame.GpgError):
        assert issubclass(cls, sesame.Error) and issubclass(cls, Exception)


def test_generated_keys_decode_to_the_asked_lengths():
    key, hmac_key = sesame.generate_keys()
    # fwknop's defaults: a 32-byte key, an HMAC key of the hash's block size.
    assert len(base64.b64decode(key)) == 32 and len(base64.b64decode(hmac_key)) == 64
    key, hmac_key = sesame.generate_keys(key_length=16, hmac_type="sha512")
    assert len(base64.b64decode(key)) == 16 and len(base64.b64decode(hmac_key)) == 128
    wire = sesame.encode(message(), base64.b64decode(key), base64.b64decode(hmac_key), hmac_type="sha512")
    assert sesame.decode(wire, base64.b64decode(key), base64.b64decode(hmac_key), hmac_type="sha512").username == "alice"


def test_reads_what_the_sesame_client_sends(tmp_path):
    client = os.environ.get("SESAME_CLIENT")
    if not client or not os.path.exists(client):
        pytest.skip("SKIPPED: no sesame client binary")
    packet = tmp_path / "packet"
    run = subprocess.run([client, "--no-rc-file", "--no-save-args", "--no-home-dir", "-E", str(tmp_path / "args"),
                          "-T", "-A", "tcp/22", "-a", "10.1.2.3", "--key-rijndael", KEY, "--key-hmac",
                          HMAC_KEY.decode(), "-B", str(packet), "-U", "bob"],
                         capture_output=True, text=True, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stdout + run.stderr
    got = sesame.decode(packet.read_text().strip(), KEY, HMAC_KEY)
    assert got.message == "10.1.2.3,tcp/22"
    assert got.username == "bob"
