"""Drive one lab device with Netmiko; used by TestNetmiko.

argv: device_type port username password secret
Prints a JSON object with the outputs.
"""
import json
import sys

from netmiko import ConnectHandler

dtype, port, user, pw, secret = sys.argv[1:6]
conn = ConnectHandler(device_type=dtype, host="127.0.0.1", port=int(port), username=user,
                      password=pw, secret=secret, allow_agent=False, use_keys=False,
                      ssh_config_file=None, timeout=10, fast_cli=False)
out = {"prompt": conn.find_prompt()}
if dtype in ("cisco_ios", "arista_eos"):
    conn.enable()
if dtype == "juniper_junos":
    out["version"] = conn.send_command("show version")
    out["config"] = conn.send_config_set(["set system ntp server 10.0.1.100"])
    out["commit"] = conn.commit()
    conn.exit_config_mode()
    out["verify"] = conn.send_command("show configuration system ntp")
elif dtype == "linux":
    out["version"] = conn.send_command("uname -a")
else:
    out["version"] = conn.send_command("show version")
    out["config"] = conn.send_config_set(["ntp server 10.0.1.100", "logging host 10.0.1.50"])
    out["save"] = conn.save_config()
    out["verify"] = conn.send_command("show running-config | include ntp server")
conn.disconnect()
print(json.dumps(out))
