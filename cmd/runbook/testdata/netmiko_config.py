"""Read lab devices' running configuration with Netmiko: a client runbook
did not write. Used by the change-window test.

argv: username password secret, then device_type:port:name ...
Prints a JSON object: name -> configuration.
"""
import json
import sys
from concurrent.futures import ThreadPoolExecutor

from netmiko import ConnectHandler

user, pw, secret = sys.argv[1:4]


def read(spec):
    dtype, port, name = spec.split(":", 2)
    conn = ConnectHandler(device_type=dtype, host="127.0.0.1", port=int(port), username=user,
                          password=pw, secret=secret, allow_agent=False, use_keys=False,
                          ssh_config_file=None, timeout=20, fast_cli=False)
    try:
        if dtype == "juniper_junos":
            return name, conn.send_command("show configuration | display set")
        if dtype in ("cisco_ios", "arista_eos"):
            conn.enable()
        return name, conn.send_command("show running-config")
    finally:
        conn.disconnect()


with ThreadPoolExecutor(max_workers=8) as pool:
    print(json.dumps(dict(pool.map(read, sys.argv[4:]))))
