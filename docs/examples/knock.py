#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Knock with the Python binding of libsesame: build an fwknop-compatible SPA packet and send it over UDP.
#   PYTHONPATH=build/release/python docs/examples/knock.py SERVER ALLOW_IP KEY_BASE64 HMAC_KEY_BASE64 [tcp/22]
import base64
import socket
import sys
import time

import sesame


def main():
    server, allow_ip, key_b64, hmac_b64 = sys.argv[1:5]
    access = sys.argv[5] if len(sys.argv) > 5 else "tcp/22"
    message = sesame.Message(message=f"{allow_ip},{access}", username="knock.py", timestamp=int(time.time()))
    try:
        wire = sesame.encode(message, base64.b64decode(key_b64), base64.b64decode(hmac_b64))
    except sesame.Error as error:  # InvalidKeyError, ArgumentError, ...: one line, no packet
        sys.exit(f"knock.py: {type(error).__name__}: {error}")
    with socket.socket(socket.AF_INET6 if ":" in server else socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(wire.encode(), (server, 62201))
    print(f"sent {len(wire)} bytes to {server}:62201 for {allow_ip} {access}")


if __name__ == "__main__":
    main()
